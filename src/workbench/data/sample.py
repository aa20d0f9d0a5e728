"""The sample department: a seeded, deterministic year of tasks, calls, deals and KPI targets.

Ten managers, 2025-11-01 .. 2026-10-31 (data end 2026-11-01 00:00, exclusive; business
time zone UTC). Two managers carry the head of sales' cases:

- "Anna Petrova" (Case A): task delinquency about 44% until a personal ``delinquency_rate``
  KPI of 0.20 starts on 2026-05-01, about 15% afterwards, with about 3x more tasks
  completed per month.
- "Boris Ivanov" (Case B): mean connected talk time about 32 min (colleagues <= 15)
  until ``talk_mean_min`` KPIs of 27 (from 2026-04-01) and 22 (from 2026-07-01); about
  23 min afterwards, leads 23 -> 31 per month, conversion unchanged, sales volume +15.9%.

The figures come from manager profiles that change in steps (``_STEPS``); within each
step window the generator draws counts exactly (tasks, leads, overdue tasks, won deals)
and rescales talk times and won amounts to the window's expectation, so the cases land
near their targets without any result being written down.

Months swing like real ones (``_swings``): each manager's month gets its own talk-time
factor (log SD ``_TALK_SWING``, about 8%) and its own odds of a task being late (logit SD
``_LATE_SWING``); the window totals stay exact, so only how they spread over the months
moves. Anna's overdue share drifts down gently in the months before her KPI (the case
shows the pre-trend caveat); Boris's talk time before his first step has its swings
without a trend (his case shows the plain path). The swings come from their own
generator, seeded from the same seed. Everything is drawn from one
``numpy.random.Generator``, so a seed gives the same tables, and the same CSV bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.schema import TABLES

__all__ = ["DEFAULT_SEED", "DATA_START", "DATA_END", "MANAGERS", "make_sample", "write_sample"]

DEFAULT_SEED = 2026
DATA_START = pd.Timestamp("2025-11-01", tz="UTC")
DATA_END = pd.Timestamp("2026-11-01", tz="UTC")  # exclusive: the data ends 2026-10-31 23:59:59

_START = DATA_START.tz_localize(None)
_END = DATA_END.tz_localize(None)
_MONTHS = pd.date_range(_START, periods=12, freq="MS")
_DAY_S = 86_400


@dataclass(frozen=True)
class _Profile:
    """How one manager behaves; ``_STEPS`` changes some fields from a given month."""

    name: str
    tasks: float  # tasks per month (by due month)
    delinquency: float  # share of due tasks not completed by the original deadline
    abandon: float  # share of overdue tasks never completed
    good_share: float  # share of well-described tasks
    calls_per_day: float  # per working day
    talk_min: float  # mean talk time of connected calls, minutes
    leads: float  # deals created per month
    conversion: float  # won / closed
    amount: float  # median deal amount


_PROFILES = (
    _Profile("Anna Petrova", 35, 0.44, 0.60, 0.30, 8, 9.0, 20, 0.27, 2200),
    _Profile("Boris Ivanov", 40, 0.22, 0.25, 0.55, 9, 32.0, 23, 0.24, 2600),
    _Profile("Liam O'Brien", 50, 0.18, 0.20, 0.65, 11, 11.5, 28, 0.22, 1900),
    _Profile("Ольга Смирнова", 60, 0.25, 0.25, 0.50, 10, 13.8, 20, 0.33, 3100),
    _Profile("Sofia Martins", 40, 0.31, 0.30, 0.35, 13, 7.5, 35, 0.17, 1500),
    _Profile("James Carter", 75, 0.16, 0.15, 0.75, 9, 9.8, 25, 0.29, 2400),
    _Profile("Chen Wei", 45, 0.34, 0.35, 0.25, 7, 14.6, 18, 0.33, 3600),
    _Profile("Priya Nair", 55, 0.21, 0.20, 0.60, 12, 6.2, 32, 0.19, 1300),
    _Profile("Dmitri Volkov", 35, 0.28, 0.30, 0.40, 8, 12.4, 22, 0.26, 2800),
    _Profile("Emma Schulz", 50, 0.19, 0.20, 0.70, 11, 10.7, 27, 0.23, 2000),
)
MANAGERS = tuple(p.name for p in _PROFILES)

# (manager, field) -> steps (first month, value). A repeated value still opens a new window,
# which makes the generator draw that window's counts exactly (Boris's steady conversion).
_STEPS: dict[tuple[str, str], tuple[tuple[str, float], ...]] = {
    ("Anna Petrova", "tasks"): (("2026-05", 85),),
    ("Anna Petrova", "delinquency"): (("2026-05", 0.15),),
    ("Anna Petrova", "abandon"): (("2026-05", 0.30),),
    ("Anna Petrova", "good_share"): (("2026-05", 0.45),),
    ("Boris Ivanov", "talk_min"): (("2026-04", 27.5), ("2026-07", 23.0)),
    ("Boris Ivanov", "calls_per_day"): (("2026-04", 10.5), ("2026-07", 12.0)),
    ("Boris Ivanov", "leads"): (("2026-04", 27), ("2026-07", 31)),
    ("Boris Ivanov", "conversion"): (("2026-04", 0.24), ("2026-07", 0.24)),
    # 31/23 more leads at the same conversion and 0.86x the deal size: volume x1.159
    ("Boris Ivanov", "amount"): (("2026-04", 2400), ("2026-07", 2236)),
}

_AMOUNT_SIGMA = 0.6
_TALK_SWING = 0.08  # log SD of a manager's monthly talk-time factor
_LATE_SWING = 0.25  # logit SD of a manager's monthly odds of a late task
_ANNA_DRIFT = 0.20  # Anna's logit offset falls from +this (Nov) to -this (Apr)
_TARGETS = (
    # Case A's KPI is personal, as in the article: her colleagues stay untreated controls
    ("Anna Petrova", "delinquency_rate", 0.20, "at_most", "2026-05-01", None),
    ("*", "conversion", 0.20, "at_least", "2026-01-01", None),
    ("Boris Ivanov", "talk_mean_min", 27.0, "at_most", "2026-04-01", "2026-07-01"),
    ("Boris Ivanov", "talk_mean_min", 22.0, "at_most", "2026-07-01", None),
)

_COMPANIES = (
    "Acme Ltd", "Northwind Traders", "Smith & Sons", "Globex", "Initech", "ООО «Ромашка»",
    "Fischer & Söhne GmbH", "Blue <Sky> Logistics", "O'Neil Hardware", "Contoso",
    "Stark Supplies", "АО «Северсталь-Трейд»",
)  # fmt: skip
_CONTACTS = (
    "Maria Lopez", "John Smith", "Ivan Kuznetsov", "Елена Соколова", "Pierre Dubois",
    "Aisha Khan", "Tom O'Hara", "Li Na", "Carlos Gómez", "Hannah Berg",
)  # fmt: skip
_TOPICS = (
    "renewal offer", "first order", "pilot agreement", "price revision", "delivery terms",
    "upgrade to the premium plan",
)  # fmt: skip
_VAGUE = (
    "Contact the client", "Follow up", "Call", "Send info", "Check status", "todo",
    "see above", "Связаться с клиентом", "Перезвонить", "Уточнить",
)  # fmt: skip
_CONCRETE = (
    "Call the client, qualify by the script https://wiki.example.com/scripts/qualification",
    "Send the commercial offer v2 (PDF on the shared drive) and confirm receipt by phone",
    "Prepare the renewal quote: 24 licences, 12-month term, 10% discount approved",
    "Meeting at the client's office: demo of the reporting module, bring the pilot agreement",
    "Check that invoice #INV-2291 is paid; if not, call accounting & remind",
    'Follow up on the "Q3 bundle" offer: answer the two open questions on the SLA',
    "Ask procurement for the <PO number> and the delivery address for the first shipment",
    "Call back after 14:00\nAsk about delivery dates and the payment schedule",
    "Позвонить клиенту, квалифицировать по скрипту https://wiki.example.com/scripts/qualification",
    "Отправить КП с расчётом на 3 склада и договориться о встрече на следующей неделе",
)
_PLACEHOLDER = (
    "Call {{contact.name}} about {deal}",
    "Send the offer to {{company.name}}",
    "Reminder: {{task.subject}}",
    "Позвонить {{contact.name}} по сделке {deal_id}",
)
_EMPTY_SUB = (
    "Call  about",
    "Send the offer to  by",
    "Meeting with  () re:",
    "Позвонить  по сделке #",
)
_TASK_TYPES = ("call", "email", "meeting", "follow-up", "proposal")
_TASK_TYPE_P = (0.40, 0.20, 0.12, 0.20, 0.08)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def make_sample(*, seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Generate the sample department as canonical tables.

    Parameters
    ----------
    seed
        Seed of the one random generator; the same seed gives the same tables.

    Returns
    -------
    dict of DataFrame
        ``tasks``, ``calls``, ``deals``, ``targets``, ``roster`` with exactly the columns
        of ``workbench.data.schema.TABLES``, timestamps tz-aware in UTC, ids as text.
    """
    rng = np.random.default_rng(seed)
    swings = _swings(seed)
    deals, cards = _deals(rng)
    tasks = _tasks(rng, deals, cards, swings)
    calls = _calls(rng, deals, swings)
    targets = pd.DataFrame(
        _TARGETS,
        columns=["manager", "metric", "target", "direction", "effective_from", "effective_to"],
    )
    for col in ("effective_from", "effective_to"):
        targets[col] = pd.to_datetime(targets[col]).dt.tz_localize("UTC")
    out = {"tasks": tasks, "calls": calls, "deals": deals, "targets": targets}
    out["roster"] = _roster()
    for name, frame in out.items():
        for col in TABLES[name]:
            if col.kind == "timestamp":
                ts = frame[col.name]
                ts = ts.dt.tz_localize("UTC") if ts.dt.tz is None else ts
                frame[col.name] = ts.dt.floor("s").astype("datetime64[us, UTC]")
    return {name: frame[[c.name for c in TABLES[name]]] for name, frame in out.items()}


def write_sample(out_dir: str | Path, *, seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """Write the sample department as canonical CSV files (``tasks.csv`` ... ``targets.csv``).

    Timestamps are ISO 8601 with an explicit offset, missing values are empty cells,
    booleans ``true``/``false``, amounts with 2 decimals, durations in whole seconds,
    UTF-8 with ``\\n`` line ends, so a seed always gives the same bytes.

    Returns
    -------
    dict of Path
        Table name -> written file.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in make_sample(seed=seed).items():
        paths[name] = out / f"{name}.csv"
        _as_text(name, frame).to_csv(paths[name], index=False, lineterminator="\n")
    return paths


# --- roster ---------------------------------------------------------------------------------

#: Two teams of five; each team's head also sells; the head of sales does not.
_TEAMS = {
    "North": ("Anna Petrova", "Boris Ivanov", "Chen Wei", "Dmitri Volkov", "Emma Schulz"),
    "South": ("James Carter", "Liam O'Brien", "Priya Nair", "Sofia Martins", "Ольга Смирнова"),
}
_HEADS = {"Chen Wei", "Priya Nair"}
_HEAD_OF_SALES = "Elena Sokolova"
_EMAILS = {"Ольга Смирнова": "olga.smirnova"}


def _roster() -> pd.DataFrame:
    """The department's roster: example.com addresses, two teams, their heads."""
    rows = []
    for team, names in _TEAMS.items():
        for name in names:
            local = _EMAILS.get(name, name.lower().replace("'", "").replace(" ", "."))
            role = "team_head" if name in _HEADS else "manager"
            rows.append((name, team, role, f"{local}@example.com", DATA_START, pd.NaT))
    rows.append((_HEAD_OF_SALES, None, "department_head", "elena.sokolova@example.com",
                 DATA_START, pd.NaT))  # fmt: skip
    frame = pd.DataFrame(
        rows, columns=["manager", "team", "role", "email", "active_from", "active_to"]
    )
    frame["active_to"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us, UTC]")
    return frame.astype({"manager": "str", "team": "str", "role": "str", "email": "str"})


# --- profiles -------------------------------------------------------------------------------


def _swings(seed: int) -> dict[str, dict[str, np.ndarray]]:
    """Per manager, 12 monthly offsets: ``talk`` (log factor) and ``late`` (logit).

    Anna's ``late`` offsets get a gentle downward drift over the 6 months before her KPI
    (with half the swings, so the decline reads as one);
    Boris's ``talk`` offsets before his first step (5 months) are de-trended and halved, so
    his case's before period stays flat.
    """
    rng = np.random.default_rng([seed, 7])
    out = {}
    for p in _PROFILES:
        talk = rng.normal(0.0, _TALK_SWING, 12)
        late = rng.normal(0.0, _LATE_SWING, 12)
        if p.name == "Anna Petrova":  # a gentle decline: the drift, half the swings
            late[:6] = late[:6] / 2 + np.linspace(_ANNA_DRIFT, -_ANNA_DRIFT, 6)
        if p.name == "Boris Ivanov":
            x = np.arange(5.0)
            slope, icpt = np.polyfit(x, talk[:5], 1)
            talk[:5] = (talk[:5] - slope * x - icpt) / 2  # no trend, half the swings
        out[p.name] = {"talk": talk, "late": late}
    return out


def _monthly(profile: _Profile, field: str) -> tuple[np.ndarray, np.ndarray]:
    """Per month (12): the field's value and the index of its step window."""
    values = np.full(12, float(getattr(profile, field)))
    window = np.zeros(12, dtype=int)
    for i, (month, value) in enumerate(_STEPS.get((profile.name, field), ()), start=1):
        later = pd.Timestamp(month) <= _MONTHS
        values[later] = value
        window[later] = i
    return values, window


def _split_counts(rng: np.random.Generator, per_month: np.ndarray, window: np.ndarray):
    """Monthly counts whose total over each window is exactly the expected total."""
    counts = np.zeros(12, dtype=int)
    for w in np.unique(window):
        months = np.flatnonzero(window == w)
        total = round(per_month[months].sum())
        counts[months] = rng.multinomial(total, np.full(len(months), 1 / len(months)))
    return counts


def _exact_top_k(rng: np.random.Generator, groups: np.ndarray, share: np.ndarray, weight):
    """Flag exactly round(n * share) rows per group, preferring heavier weights.

    Gumbel top-k: weighted sampling without replacement, so the count is exact while
    who gets flagged stays random.
    """
    key = np.log(weight) + rng.gumbel(size=len(groups))
    flag = np.zeros(len(groups), dtype=bool)
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        k = round(len(idx) * share[idx[0]])
        flag[idx[np.argsort(-key[idx], kind="stable")[:k]]] = True
    return flag


# --- time helpers (naive UTC internally) ----------------------------------------------------


def _work_times(rng: np.random.Generator, lo, hi, n: int, weekend: float = 0.03):
    """``n`` instants between days ``lo`` and ``hi`` (exclusive), in working hours 9-18."""
    days = pd.date_range(lo, hi, freq="D", inclusive="left")
    w = np.where(days.day_of_week < 5, 1.0, weekend)
    picked = days[rng.choice(len(days), size=n, p=w / w.sum())]
    secs = rng.integers(9 * 3600, 18 * 3600, size=n)
    return pd.Series(picked + pd.to_timedelta(secs, unit="s"))


def _later_working(rng: np.random.Generator, ts: pd.Series) -> pd.Series:
    """Move instants outside 8-19 h on weekdays to the next working morning (never earlier)."""
    day = ts.dt.normalize()
    morning = pd.to_timedelta(rng.integers(8 * 3600, 11 * 3600, size=len(ts)), unit="s")
    ts = ts.where(ts.dt.hour >= 8, day + morning)
    ts = ts.where(ts.dt.hour < 19, day + pd.Timedelta(days=1) + morning)
    dow = ts.dt.day_of_week
    shift = np.where(dow == 5, 2, np.where(dow == 6, 1, 0))
    return ts + pd.to_timedelta(shift, unit="D")


def _earlier_working(rng: np.random.Generator, ts: pd.Series, floor: pd.Series) -> pd.Series:
    """Move instants outside 8-19 h on weekdays to the previous working evening, not below floor."""
    day = ts.dt.normalize()
    evening = pd.to_timedelta(rng.integers(15 * 3600, 19 * 3600, size=len(ts)), unit="s")
    moved = ts.where(ts.dt.hour < 19, day + evening)
    moved = moved.where(moved.dt.hour >= 8, day - pd.Timedelta(days=1) + evening)
    dow = moved.dt.day_of_week
    moved = moved - pd.to_timedelta(np.where(dow == 5, 1, np.where(dow == 6, 2, 0)), unit="D")
    lowest = np.minimum(floor + pd.Timedelta(minutes=1), ts)
    return moved.where(moved >= lowest, lowest)


def _month_index(ts: pd.Series) -> np.ndarray:
    """Index 0..11 of each instant's month in the data year (0 for missing instants)."""
    months = (ts.dt.year - _START.year) * 12 + ts.dt.month - _START.month
    return months.fillna(0).astype(int).clip(0, 11).to_numpy()


def _recent_deal(rng, deals: pd.DataFrame, manager: str, at: pd.Series, share: float):
    """For each instant, with probability ``share``, a recent deal of the manager created before."""
    own = deals.loc[deals["manager"] == manager]
    created = own["created_at"].dt.tz_localize(None).to_numpy()
    before = np.searchsorted(created, at.to_numpy(), side="right")
    back = np.minimum(rng.geometric(0.08, size=len(at)) - 1, np.maximum(before - 1, 0))
    linked = (before > 0) & (rng.random(len(at)) < share)
    ids = own["deal_id"].to_numpy()[np.maximum(before - 1 - back, 0)]
    return pd.Series(np.where(linked, ids, None), dtype="str")


# --- deals ----------------------------------------------------------------------------------


def _deals(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deals (leads) plus the deal cards (contact, company, topic) task templates quote."""
    frames = []
    for p in _PROFILES:
        counts = _split_counts(rng, *_monthly(p, "leads"))
        month = np.repeat(np.arange(12), counts)
        ends = [*_MONTHS[1:], _END]
        created = pd.concat(
            [_work_times(rng, _MONTHS[m], ends[m], c) for m, c in enumerate(counts)],
            ignore_index=True,
        )
        lag = pd.to_timedelta(rng.lognormal(np.log(16), 0.7, size=len(created)) * _DAY_S, "s")
        closed = _later_working(rng, created + lag).dt.floor("s")
        closed = closed.where((closed < _END) & (rng.random(len(created)) >= 0.06))
        amounts, _ = _monthly(p, "amount")
        amount = rng.lognormal(np.log(amounts[month]), _AMOUNT_SIGMA)
        frames.append(
            pd.DataFrame(
                {"manager": p.name, "created_at": created, "closed_at": closed, "amount": amount}
            )
        )
    deals = pd.concat(frames, ignore_index=True)
    deals = deals.sort_values(["created_at", "manager"], kind="stable", ignore_index=True)
    deals["deal_id"] = pd.Series([f"D-{1001 + i}" for i in range(len(deals))], dtype="str")
    deals = _outcomes(rng, deals)
    cards = pd.DataFrame(
        {
            "deal_id": deals["deal_id"],
            "contact": rng.choice(_CONTACTS, size=len(deals)),
            "company": rng.choice(_COMPANIES, size=len(deals)),
            "topic": rng.choice(_TOPICS, size=len(deals)),
        }
    ).set_index("deal_id")
    for col in ("created_at", "closed_at"):
        deals[col] = deals[col].dt.tz_localize("UTC")
    return deals, cards


def _outcomes(rng: np.random.Generator, deals: pd.DataFrame) -> pd.DataFrame:
    """Won/lost exactly at the profile's conversion per (manager, window of the closing month);
    won amounts rescaled so each window's monthly won volume equals its expectation."""
    closed = deals["closed_at"].notna().to_numpy()
    m_i = _month_index(deals["closed_at"])
    conv = np.zeros(len(deals))
    group = np.empty(len(deals), dtype=object)
    expected = {}
    for p in _PROFILES:
        rows = (deals["manager"] == p.name).to_numpy()
        c, cw = _monthly(p, "conversion")
        leads, _ = _monthly(p, "leads")
        amount, aw = _monthly(p, "amount")
        conv[rows] = c[m_i[rows]]
        window = cw * 10 + aw  # windows of conversion x amount steps
        group[rows] = [f"{p.name}|{w}" for w in window[m_i[rows]]]
        for w in np.unique(window):
            ms = window == w
            mean_amount = amount[ms] * np.exp(_AMOUNT_SIGMA**2 / 2)
            expected[f"{p.name}|{w}"] = float((leads[ms] * c[ms] * mean_amount).sum())
    won = np.zeros(len(deals), dtype=bool)
    won[closed] = _exact_top_k(rng, group[closed], conv[closed], np.ones(closed.sum()))
    outcome = np.where(won, "won", np.where(closed, "lost", "open"))
    amount = deals["amount"].to_numpy().copy()
    for g, target in expected.items():
        sel = won & (group == g)
        if sel.any():
            amount[sel] *= target / amount[sel].sum()
    amount = np.round(amount, 2)
    blank = ((outcome == "open") & (rng.random(len(deals)) < 0.25)) | (
        (outcome == "lost") & (rng.random(len(deals)) < 0.03)
    )
    deals["outcome"] = pd.Series(outcome, dtype="str")
    deals["amount"] = np.where(blank, np.nan, amount)
    return deals


# --- tasks ----------------------------------------------------------------------------------


def _tasks(rng: np.random.Generator, deals: pd.DataFrame, cards: pd.DataFrame,
           swings: dict) -> pd.DataFrame:  # fmt: skip
    """All managers' tasks, sorted by creation, with ids ``T-100001`` ..."""
    frames = [_manager_tasks(rng, p, deals, cards, swings[p.name]["late"]) for p in _PROFILES]
    tasks = pd.concat(frames, ignore_index=True)
    tasks = tasks.sort_values(["created_at", "manager"], kind="stable", ignore_index=True)
    tasks["task_id"] = pd.Series([f"T-{100001 + i}" for i in range(len(tasks))], dtype="str")
    return tasks


def _task_times(rng: np.random.Generator, counts: np.ndarray, extra: int):
    """Month index, creation, original deadline and kind of each task of one manager.

    Month 12 holds tasks created in the last days and due after the data end (in work).
    """
    month = np.repeat(np.arange(13), np.append(counts, extra))
    n = len(month)
    bounds = [*_MONTHS, _END, _END + pd.Timedelta(days=10)]
    anchor = pd.concat(
        [_work_times(rng, bounds[m], bounds[m + 1], int((month == m).sum())) for m in range(13)],
        ignore_index=True,
    )
    u = rng.random(n)
    kind = np.where(u < 0.08, "none", np.where(u < 0.12, "cancelled", "due"))
    kind[month == 12] = "due"
    date_only = rng.random(n) < 0.35
    lead = pd.to_timedelta(np.floor(rng.lognormal(np.log(2.5), 0.9, n)), unit="D")
    end_of_day = pd.Timedelta(hours=23, minutes=59, seconds=59)
    # due tasks: the anchor is the deadline, the task was created some working days before
    due = anchor.where(~date_only, anchor.dt.normalize() + end_of_day)
    back = anchor.dt.normalize() - lead
    dow = back.dt.day_of_week
    back = back - pd.to_timedelta(np.where(dow == 5, 1, np.where(dow == 6, 2, 0)), unit="D")
    created = back + pd.to_timedelta(rng.integers(9 * 3600, 18 * 3600, n), unit="s")
    just_before = due - pd.to_timedelta(rng.integers(1800, 3 * 3600, n), unit="s")
    bad = (created > due - pd.Timedelta(minutes=30)) | (created < _START)
    created = created.where(~bad, just_before)
    last_days = _work_times(rng, _END - pd.Timedelta(days=12), _END, n)
    created = created.where(month < 12, last_days)
    # tasks without deadline and cancelled ones: the anchor is the creation
    other = kind != "due"
    later = anchor + lead + pd.Timedelta(days=1)
    other_due = later.where(~date_only, later.dt.normalize() + end_of_day)
    other_due = other_due.where((kind == "cancelled") & (rng.random(n) < 0.7))
    created = created.where(~other, anchor)
    due = due.where(~other, other_due)
    return month, created, due, kind


def _manager_tasks(rng, p: _Profile, deals: pd.DataFrame, cards: pd.DataFrame,
                   late: np.ndarray) -> pd.DataFrame:  # fmt: skip
    """One manager's tasks: deadlines, outcomes tied to description quality, texts.

    ``late``: the month's logit offset; a task's weight in the draw of the window's exact
    overdue count is its odds factor ``exp(late)`` (times 1.6 for a vague description).
    """
    per_month, window = _monthly(p, "tasks")
    counts = _split_counts(rng, per_month, window)
    month, created, orig_due, kind = _task_times(rng, counts, round(per_month[-1] * 0.2))
    n, m11 = len(month), np.minimum(month, 11)
    deal_id = _recent_deal(rng, deals, p.name, created, 0.65)
    good = rng.random(n) < _monthly(p, "good_share")[0][m11]
    bad_kind = rng.choice(
        ["empty", "vague", "placeholder", "empty_sub"], n, p=[0.15, 0.58, 0.12, 0.15]
    )
    good_kind = np.where(deal_id.notna() & (rng.random(n) < 0.5), "template", "concrete")
    dclass = np.where(good, good_kind, bad_kind)

    # overdue: exactly round(share * due tasks) per step window; vague tasks 1.6x likelier,
    # and tasks of a month with a higher ``late`` offset likelier (the month's swing)
    due_in_year = (kind == "due") & (month < 12)
    share, dwin = _monthly(p, "delinquency")
    overdue = np.zeros(n, dtype=bool)
    overdue[due_in_year] = _exact_top_k(
        rng,
        dwin[month[due_in_year]],
        share[month[due_in_year]],
        (np.where(good, 1.0, 1.6) * np.exp(late[m11]))[due_in_year],
    )
    lateness_days = rng.lognormal(np.log(1.8), 1.1, n)
    abandoned = rng.random(n) < _monthly(p, "abandon")[0][m11]

    completed = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    on_time = np.flatnonzero((kind == "due") & ~overdue)
    c, d = created.iloc[on_time], orig_due.iloc[on_time]
    completed.iloc[on_time] = _earlier_working(rng, c + (d - c) * rng.uniform(0.15, 1, len(c)), c)
    late = np.flatnonzero(overdue & ~abandoned)
    completed.iloc[late] = _later_working(
        rng, orig_due.iloc[late] + pd.to_timedelta(lateness_days[late] * _DAY_S, unit="s")
    )
    free = np.flatnonzero((kind == "none") & (rng.random(n) < 0.75))
    completed.iloc[free] = _later_working(
        rng,
        created.iloc[free]
        + pd.to_timedelta(rng.lognormal(np.log(1.5), 1.0, len(free)) * _DAY_S, unit="s"),
    )
    completed = completed.dt.floor("s")
    completed = completed.where(completed < _END)

    # postponed: the deadline was moved past the (late) completion; original_due_at keeps the first
    postponed = overdue & (rng.random(n) < 0.35)
    shift = np.ceil(lateness_days) + rng.integers(0, 4, n)
    due = orig_due.where(~postponed, orig_due + pd.to_timedelta(shift, unit="D"))

    status = np.where(
        kind == "cancelled", "cancelled", np.where(completed.notna(), "completed", "open")
    )
    completed = completed.where(status == "completed")
    automated = np.isin(dclass, ["template", "placeholder", "empty_sub"]) & (rng.random(n) < 0.8)
    creator = np.where(
        automated, "CRM automation", np.where(rng.random(n) < 0.9, p.name, "Head of Sales")
    )
    task_type = rng.choice(_TASK_TYPES, n, p=_TASK_TYPE_P)
    task_type[dclass == "template"] = "call"
    return pd.DataFrame(
        {
            "manager": p.name,
            "created_at": created.dt.floor("s"),
            "due_at": due,
            "original_due_at": orig_due,
            "completed_at": completed,
            "status": pd.Series(status, dtype="str"),
            "task_type": pd.Series(task_type, dtype="str"),
            # an empty description is missing, as loading reads an empty cell
            "description": pd.Series(
                _descriptions(rng, dclass, deal_id, orig_due, cards), dtype="str"
            ).replace("", None),
            "deal_id": deal_id,
            "creator": pd.Series(creator, dtype="str"),
        }
    )


def _descriptions(rng, dclass: np.ndarray, deal_id: pd.Series, due: pd.Series, cards) -> list[str]:
    """Task texts by quality class; templates quote the deal card (contact, company, topic)."""
    pools = {
        "vague": _VAGUE,
        "concrete": _CONCRETE,
        "placeholder": _PLACEHOLDER,
        "empty_sub": _EMPTY_SUB,
    }
    pick = rng.random(len(dclass))
    russian = rng.random(len(dclass)) < 0.2
    texts = []
    for i, cls in enumerate(dclass):
        if cls == "empty":
            texts.append("")
        elif cls == "template":
            card = cards.loc[deal_id.iloc[i]]
            when = due.iloc[i]
            if russian[i]:
                by = "до " + when.strftime("%d.%m") if pd.notna(when) else "на этой неделе"
                texts.append(
                    f"Позвонить {card.contact} ({card.company}) по сделке #{deal_id.iloc[i]}, {by}"
                )
            else:
                by = "by " + _WEEKDAYS[when.day_of_week] if pd.notna(when) else "this week"
                texts.append(
                    f"Call {card.contact} ({card.company}) about the {card.topic}, "
                    f"deal #{deal_id.iloc[i]}, {by}"
                )
        else:
            pool = pools[cls]
            texts.append(pool[int(pick[i] * len(pool))])
    return texts


# --- calls ----------------------------------------------------------------------------------


def _calls(rng: np.random.Generator, deals: pd.DataFrame, swings: dict) -> pd.DataFrame:
    """All managers' calls, sorted by start, with 19-digit numeric text ids."""
    days = pd.date_range(_START, _END, freq="D", inclusive="left")
    day_month = _month_index(pd.Series(days))
    weekday = days.day_of_week < 5
    frames = []
    for p in _PROFILES:
        per_day = rng.poisson(
            _monthly(p, "calls_per_day")[0][day_month] * np.where(weekday, 1, 0.04)
        )
        day_i = np.repeat(np.arange(len(days)), per_day)
        n = len(day_i)
        outbound = rng.random(n) < 0.72
        answered = rng.random(n) < np.where(outbound, 0.62, 0.88)
        connected = answered & (rng.random(n) >= 0.015)  # the rest: answered, zero length
        # skewed talk time, rescaled so each step window's connected mean is the profile's
        raw = np.minimum(rng.lognormal(0.0, 0.75, n), np.exp(2.5 * 0.75))
        raw = raw * np.exp(swings[p.name]["talk"][day_month[day_i]])  # the month's swing
        talk, twin = _monthly(p, "talk_min")
        win = twin[day_month[day_i]]
        duration = np.zeros(n)
        for w in np.unique(win):
            sel = connected & (win == w)
            duration[sel] = raw[sel] * talk[twin == w][0] * 60 / raw[sel].mean()
        if p.name == "Boris Ivanov":  # a flat before window: each month at its own swing
            month = day_month[day_i]
            for m in range(5):
                sel = connected & (month == m)
                factor = np.exp(swings[p.name]["talk"][m])
                duration[sel] = raw[sel] * talk[m] * factor * 60 / raw[sel].mean()
        duration = np.where(connected, np.maximum(np.round(duration), 5), 0.0)
        # one call after another through the day: no overlaps
        busy = duration + np.where(connected, 20, 35)
        day_busy = np.bincount(day_i, weights=busy, minlength=len(days))
        mean_gap = np.maximum(8.5 * 3600 - day_busy, 1800) / (per_day + 1)
        gap = rng.exponential(mean_gap[day_i])
        offset = (
            pd.Series(gap).groupby(day_i).cumsum().to_numpy()
            + pd.Series(busy).groupby(day_i).cumsum().to_numpy()
            - busy
            + rng.uniform(9 * 3600, 9.5 * 3600, len(days))[day_i]
        )
        started = pd.Series(days[day_i] + pd.to_timedelta(np.floor(offset), unit="s"))
        frames.append(
            pd.DataFrame(
                {
                    "manager": p.name,
                    "started_at": started,
                    "duration_s": duration,
                    "direction": pd.Series(np.where(outbound, "outbound", "inbound"), dtype="str"),
                    "answered": answered,
                    "deal_id": _recent_deal(rng, deals, p.name, started, 0.45),
                }
            )
        )
    calls = pd.concat(frames, ignore_index=True)
    calls = calls.sort_values(["started_at", "manager"], kind="stable", ignore_index=True)
    ids = 7_302_000_000_000_000_000 + np.arange(len(calls), dtype=np.int64) * 7919
    calls["call_id"] = pd.Series([str(i) for i in ids], dtype="str")
    return calls


# --- CSV text -------------------------------------------------------------------------------


def _as_text(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The canonical CSV cells of one table, all text, so the bytes never depend on float repr."""
    out = {}
    for col in TABLES[name]:
        s = frame[col.name]
        if col.kind == "timestamp":
            text = s.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
            text = text.str[:-2] + ":" + text.str[-2:]
        elif col.kind == "bool":
            text = s.map({True: "true", False: "false"})
        elif col.name == "duration_s":
            text = s.map(lambda v: f"{v:.0f}")
        elif col.name == "amount":
            text = s.map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
        elif col.kind == "float":
            text = s.map(lambda v: f"{v:g}")
        else:
            text = s
        out[col.name] = text.astype("str").fillna("")
    return pd.DataFrame(out)
