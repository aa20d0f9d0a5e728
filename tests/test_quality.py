"""Tests for workbench.quality.score: flags on hand-written descriptions, hand-worked scores."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.quality.rules import DEFAULT_WEIGHTS, FLAGS
from workbench.quality.score import escape as html_escape
from workbench.quality.score import (
    quality_by_manager,
    quality_on_time_verdict,
    quality_vs_on_time,
    score_descriptions,
    to_html_table,
    weakest_examples,
)

UTC = "UTC"
DUE = pd.Timestamp("2026-01-10 18:00", tz=UTC)
GOOD_EN = (
    "Call the client, conduct qualification according to the script "
    "https://wiki.example.com/sales/script"
)
GOOD_RU = "Позвонить клиенту, провести квалификацию по скрипту https://crm.example.ru/scripts/1"


def _tasks(descriptions, *, due=DUE, manager="Anna", task_type=None) -> pd.DataFrame:
    n = len(descriptions)
    frame = pd.DataFrame(
        {
            "task_id": [f"t{i:02d}" for i in range(n)],
            "manager": manager,
            "description": pd.Series(descriptions, dtype="str"),
            "due_at": pd.Series([due] * n, dtype="datetime64[us, UTC]"),
        }
    )
    if task_type is not None:
        frame["task_type"] = task_type
    return frame


def _one(text, **kwargs) -> pd.Series:
    return score_descriptions(_tasks([text]), **kwargs).iloc[0]


def _raised(row: pd.Series) -> set[str]:
    return {f for f in FLAGS if row[f]}


# -- the article's examples ------------------------------------------------------------


def test_article_vague_example():
    row = _one("Contact the client")
    assert _raised(row) == {"flag_vague_action", "flag_no_method"}
    # 100 - vague 35 - no method 25 = 40 -> poor (< 50)
    assert row["score"] == 40.0
    assert row["band"] == "poor"
    assert row["language"] == "en"
    assert "vague verb 'contact'" in row["explanation"]
    assert "no method" in row["explanation"]


def test_article_good_example():
    row = _one(GOOD_EN)
    assert _raised(row) == set()
    assert row["score"] == 100.0
    assert row["band"] == "good"
    assert row["explanation"] == ""
    # call, the, client, conduct, qualification, according, to, the, script + 1 URL = 10
    assert row["n_words"] == 10


def test_russian_pair():
    vague = _one("Связаться с клиентом")
    assert _raised(vague) == {"flag_vague_action", "flag_no_method"}
    assert vague["language"] == "ru"
    assert "'связаться'" in vague["explanation"]
    assert vague["score"] == 40.0
    good = _one(GOOD_RU)
    assert _raised(good) == set()
    assert good["language"] == "ru"
    assert good["score"] == 100.0


@pytest.mark.parametrize(
    "text",
    [
        "Follow up with the client",
        "Reach out to the client",
        "Touch base with Ivan",
        "Check in with the buyer",
        "Work on the client",
        "Поработать с клиентом",
        "Уточнить детали у клиента",
        "Написать клиенту",
    ],
)
def test_generic_verbs_without_channel_are_vague(text):
    assert _one(text)["flag_vague_action"]


@pytest.mark.parametrize(
    "text",
    [
        "Follow up by phone with the client",
        "Contact the client by email",
        "Связаться с клиентом, позвонить до обеда",
        "Уточнить бюджет на встрече",
        "Написать клиенту письмо",
    ],
)
def test_generic_verb_with_a_channel_is_not_vague(text):
    assert not _one(text)["flag_vague_action"]


Q3_BUNDLE = 'Follow up on the "Q3 bundle" offer: answer the two open questions on the SLA'


def test_concrete_step_after_a_generic_verb_clears_the_vague_flag():
    # The sample's most frequent "vague" text: "follow up" is generic, but "answer the two
    # open questions" says what to do. Decision in quality_rules.CONCRETE_STEPS: a step verb
    # with at least two more words clears the flag, as a channel does.
    row = _one(Q3_BUNDLE)
    # "offer" names the method; no "the offer"-style material, so no link is expected
    assert _raised(row) == set()
    assert row["score"] == 100.0
    ru = _one("Уточнить у клиента: ответить на два открытых вопроса по SLA")
    assert not ru["flag_vague_action"]
    assert not _one("Follow up and confirm the delivery date")["flag_vague_action"]


@pytest.mark.parametrize(
    "text",
    [
        "Contact the client to confirm",  # a step verb with nothing to confirm
        "Follow up to answer",
        "Follow up and ask them",  # one word after the verb: still no object worth the name
        "Связаться с клиентом, подтвердить",
        "Discuss and clarify the details",  # generic verbs are never steps
    ],
)
def test_step_verb_without_an_object_stays_vague(text):
    row = _one(text)
    assert row["flag_vague_action"]
    assert "with no channel or step" in row["explanation"]


def test_channel_from_task_type():
    tasks = _tasks(["Contact the client"], task_type="call")
    assert score_descriptions(tasks).iloc[0]["flag_vague_action"]  # default: text alone
    on = score_descriptions(tasks, channel_from_task_type=True).iloc[0]
    assert not on["flag_vague_action"]


def test_method_and_link():
    # a concrete channel but no method: 100 - 25 = 75 -> fair
    call = _one("Call the client tomorrow")
    assert _raised(call) == {"flag_no_method"}
    assert (call["score"], call["band"]) == (75.0, "fair")
    # a material named but not linked: 100 - 15 = 85 -> good
    price = _one("Send the price list")
    assert _raised(price) == {"flag_no_link"}
    assert price["score"] == 85.0
    assert _raised(_one("Отправить КП по шаблону")) == {"flag_no_link"}
    assert _raised(_one("Send the price list www.example.com/prices")) == set()
    # a numbered list of steps is a method; no material, so no link is expected
    assert _raised(_one("Call the client: 1) ask the budget 2) book a demo")) == set()
    # words inside a URL do not count as a method
    assert _one("Call him, see https://example.com/script")["flag_no_method"]


# -- templates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "placeholder"),
    [
        ("Call {{contact.name}} about the offer", "{{contact.name}}"),
        ("Call {deal} owner about the offer", "{deal}"),
        ("Call %NAME% about the offer", "%NAME%"),
        ("Call #CONTACT# about the offer", "#CONTACT#"),
        ("Call [NAME] about the offer", "[NAME]"),
        ("Call ${client} about the offer", "${client}"),
        ("Позвонить %ИМЯ% по поводу КП", "%ИМЯ%"),
    ],
)
def test_placeholders(text, placeholder):
    row = _one(text)
    assert row["flag_template_trouble"]
    assert f"unrendered placeholder '{placeholder}'" in row["explanation"]
    # the placeholder's words are not judged: "{{contact.name}}" is not a vague "contact"
    assert not row["flag_vague_action"]


@pytest.mark.parametrize(
    "text",
    [
        "Call  about the offer today",
        "Call the client about",
        "Send the offer to  by",
        "Meeting with  () re:",
        "Call the client about the deal ()",
        "Send the quote to null today",
        "Позвонить клиенту по",
        "Позвонить клиенту , , по поводу КП",
    ],
)
def test_empty_substitutions(text):
    row = _one(text)
    assert row["flag_template_trouble"]
    assert "empty field" in row["explanation"]


@pytest.mark.parametrize(
    "text",
    ["Call the client about the offer", "Call 50% of the list", "Call about #1 and #2"],
)
def test_clean_text_has_no_template_trouble(text):
    assert not _one(text)["flag_template_trouble"]


@pytest.mark.parametrize(
    "text",
    [
        "Call the client.  Then send the offer https://x.y/z",
        "Call the client!  Then send the offer https://x.y/z",
        "Call the client?  Then send the offer https://x.y/z",
        "Agenda:  the offer https://x.y/z and the call",
        "Call the client;  then send the offer https://x.y/z",
        "Call the client\n  then send the offer https://x.y/z",  # indented line
        "Call the client  \nthen send the offer https://x.y/z",  # trailing spaces
    ],
)
def test_double_space_after_punctuation_or_at_a_line_break_is_fine(text):
    row = _one(text)
    # the reviewer's example scored 65 (100 - 35 template); nothing is wrong with it
    assert _raised(row) == set()
    assert row["score"] == 100.0


@pytest.mark.parametrize(
    "text",
    [
        "Call  about the offer today",
        "Call the client,  then send the offer",  # a comma is no sentence end
        "Call the client.  Then send it to  by Friday",  # the second gap still counts
    ],
)
def test_double_space_between_words_is_still_a_gap(text):
    row = _one(text)
    assert row["flag_template_trouble"]
    assert "an empty field was substituted" in row["explanation"]


# -- length, empty, deadline -------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \t\n ", None])
def test_empty_and_whitespace(text):
    row = _one(text)
    # only empty + too short are raised; 100 - 100 - 30 floors at 0
    assert _raised(row) == {"flag_empty", "flag_too_short"}
    assert row["score"] == 0.0
    assert row["n_words"] == 0
    assert row["language"] == "unknown"
    assert row["explanation"] == "empty description; too short: 0 words, fewer than 3"


def test_too_short_and_too_long():
    short = _one("Call Ivan")
    # 2 words < 3; no method: 100 - 30 - 25 = 45 -> poor
    assert _raised(short) == {"flag_too_short", "flag_no_method"}
    assert (short["score"], short["band"]) == (45.0, "poor")
    assert "2 words, fewer than 3" in short["explanation"]
    long_text = GOOD_EN + " " + " ".join(["step"] * 40)
    long_row = _one(long_text)
    # 10 words + 40 = 50 > 40: 100 - 10 = 90
    assert long_row["n_words"] == 50
    assert _raised(long_row) == {"flag_too_long"}
    assert long_row["score"] == 90.0
    assert not _one(long_text, max_words=50)["flag_too_long"]
    huge = _one("Call the client. " * 5000)
    assert huge["flag_too_long"] and huge["n_words"] == 15000


def test_no_deadline_and_floor_at_zero():
    tasks = _tasks(["Contact the client", "Contact"], due=pd.NaT)
    out = score_descriptions(tasks)
    assert out["flag_no_deadline"].all()
    # 100 - 35 - 25 - 20 = 20
    assert out.loc[0, "score"] == 20.0
    # 100 - 35 - 25 - 30 (short) - 20 (deadline) = -10, floored at 0
    assert out.loc[1, "score"] == 0.0


def test_custom_weights_and_bands():
    row = _one("Call the client tomorrow", weights={"flag_no_method": 60})
    assert row["score"] == 40.0  # 100 - 60
    row = _one("Call the client tomorrow", good_min=70)
    assert row["band"] == "good"  # 75 >= 70
    with pytest.raises(ValueError, match="unknown weight"):
        _one("x", weights={"flag_typo": 1})


def test_language_detection():
    assert _one("Call клиенту")["language"] == "ru"  # 1 Cyrillic run vs 1 Latin: tie -> ru
    assert _one("Call the клиент")["language"] == "en"  # 1 Cyrillic run vs 2 Latin
    assert _one("Позвонить https://example.com/abcdefghijklmnopqrstuvwxyz")["language"] == "ru"
    assert _one("12345 678")["language"] == "unknown"


def test_keeps_every_row_and_column():
    tasks = _tasks(["Contact the client", "", None, GOOD_RU]).set_index(pd.Index([7, 3, 5, 1]))
    tasks["status"] = "open"
    out = score_descriptions(tasks)
    assert list(out.index) == [7, 3, 5, 1]
    assert {"status", "language", "score", "band", "explanation", *FLAGS} <= set(out.columns)
    rescored = score_descriptions(out)  # scoring twice replaces, not duplicates, columns
    assert list(rescored.columns) == list(out.columns)


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="description"):
        score_descriptions(_tasks(["x"]).drop(columns="description"))


# -- summaries -----------------------------------------------------------------------------


def test_quality_by_manager_by_hand():
    anna = _tasks([GOOD_EN, "Contact the client", "Call the client tomorrow", ""], manager="Anna")
    boris = _tasks(["Send the price list"], manager="Boris")
    boris["task_id"] = "b0"
    table = quality_by_manager(score_descriptions(pd.concat([anna, boris], ignore_index=True)))
    a = table.set_index("manager").loc["Anna"]
    # Anna's scores 100, 40, 75, 0 -> sorted 0, 40, 75, 100
    assert a["n_tasks"] == 4
    assert a["share_vague_action"] == 0.25  # 1 of 4
    assert a["share_no_method"] == 0.5  # "Contact..." and "Call..."; empty is not judged
    assert a["share_empty"] == 0.25
    assert a["score_median"] == 57.5  # (40 + 75) / 2
    assert a["score_p25"] == 30.0  # position 0.75: 0 + 0.75 * 40
    assert a["score_p75"] == 81.25  # position 2.25: 75 + 0.25 * 25
    assert (a["share_good"], a["share_fair"], a["share_poor"]) == (0.25, 0.25, 0.5)
    b = table.set_index("manager").loc["Boris"]
    assert b["n_tasks"] == 1 and b["share_no_link"] == 1.0 and b["score_median"] == 85.0
    assert list(table["manager"]) == ["Anna", "Boris"]


def test_weakest_examples_order_and_filter():
    scored = score_descriptions(
        _tasks(["Contact the client", GOOD_EN, "Contact the client", "Call Ivan"])
    )
    scored.loc[0, "task_id"] = "z9"  # ties at 40 are broken by task_id: t02 before z9
    weakest = weakest_examples(scored, n=3)
    assert list(weakest["task_id"]) == ["t02", "z9", "t03"]
    assert list(weakest["score"]) == [40.0, 40.0, 45.0]  # "Call Ivan": 100 - 30 - 25
    assert list(weakest.columns) == [
        "manager", "task_id", "description", "score", "band", "explanation",
    ]  # fmt: skip
    assert weakest_examples(scored, manager="Nobody").empty
    assert len(weakest_examples(scored, manager="Anna", n=10)) == 4


def test_html_markup_is_not_judged_as_words():
    # Before: "script" counted as a material with no link: 100 - 15 = 85, "good".
    row = _one("<script>alert(1)</script>")
    # The element and its code are cut out: no words left, so it is judged empty:
    # 100 - 100 (empty) - 30 (too short) floors at 0.
    assert _raised(row) == {"flag_empty", "flag_too_short"}
    assert (row["score"], row["n_words"], row["language"]) == (0.0, 0, "unknown")
    assert "only HTML markup, no words" in row["explanation"]
    assert _one("<p><br/></p> &nbsp; <!-- x -->")["flag_empty"]
    # Tags around good wording change nothing; the link in the text still counts.
    tagged = _one("<p><b>Call</b> the client according to the <i>script</i> https://x.y/s</p>")
    assert _raised(tagged) == set()
    # call, the, client, according, to, the, script + 1 URL = 8
    assert tagged["n_words"] == 8
    # Character references are not words: call, smith, sons, about, the, offer = 6
    assert _one("Call Smith &amp; Sons about the offer")["n_words"] == 6
    # A dangling preposition is seen through a closing tag.
    assert _one("<p>Send the offer to</p>")["flag_template_trouble"]


def test_markup_rows_mixed_with_plain_rows_keep_their_own_verdicts():
    texts = ["Send the offer to", "<b>Call</b> the client tomorrow", "Call the client tomorrow"]
    tasks = _tasks(texts).set_index(pd.Index([9, 4, 6]))
    out = score_descriptions(tasks)
    # row 9: dangling "to" (template 35) + "the offer" with no link (15): 100 - 50 = 50
    assert out.loc[9, "flag_template_trouble"] and out.loc[9, "score"] == 50.0
    # rows 4 and 6: the same words, a channel but no method: 100 - 25 = 75, 4 words each
    assert out.loc[[4, 6], "score"].tolist() == [75.0, 75.0]
    assert out.loc[[4, 6], "n_words"].tolist() == [4, 4]
    assert not out.loc[[4, 6], "flag_template_trouble"].any()


def test_angle_brackets_that_are_not_html_stay_words():
    row = _one("Ask procurement for the <PO number> and the delivery address")
    # ask, procurement, for, the, po, number, and, the, delivery, address = 10
    assert row["n_words"] == 10
    assert _one("Call Li Na (Blue <Sky> Logistics) about the offer")["n_words"] == 9


def test_html_shows_crm_text_as_text():
    text = "<script>alert('x')</script> Call <b>Ivan</b> & co"
    scored = score_descriptions(_tasks([text]))
    page = to_html_table(weakest_examples(scored))
    assert "&lt;script&gt;" in page and "&lt;/script&gt;" in page
    assert "<script>" not in page and "<b>" not in page
    assert "&amp; co" in page
    assert html_escape("<script>") == "&lt;script&gt;"
    assert html_escape(None) == ""


# -- quality vs on-time ----------------------------------------------------------------------


def _ts(day: int | None) -> pd.Timestamp:
    return pd.NaT if day is None else pd.Timestamp(f"2026-01-{day:02d} 12:00", tz=UTC)


def _on_time_table() -> pd.DataFrame:
    # as_of = Jan 15 12:00
    rows = [
        # band, due, original due, completed, status
        ("good", 10, None, 9, "completed"),  # on time
        ("good", 10, None, 10, "completed"),  # exactly at the deadline: on time
        ("good", 10, 5, 8, "completed"),  # original deadline Jan 5 missed: late
        ("good", 20, None, None, "open"),  # not due yet: excluded
        ("poor", 10, None, None, "open"),  # deadline passed, open: late
        ("poor", 10, None, 16, "completed"),  # completed after as_of: late as of Jan 15
        ("poor", None, None, 3, "completed"),  # no deadline: excluded
        ("poor", 1, None, None, "cancelled"),  # cancelled: excluded
        ("fair", 20, None, 12, "completed"),  # completed early, before a future deadline
    ]
    return pd.DataFrame(
        {
            "band": [r[0] for r in rows],
            "due_at": pd.Series([_ts(r[1]) for r in rows], dtype="datetime64[us, UTC]"),
            "original_due_at": pd.Series([_ts(r[2]) for r in rows], dtype="datetime64[us, UTC]"),
            "completed_at": pd.Series([_ts(r[3]) for r in rows], dtype="datetime64[us, UTC]"),
            "status": [r[4] for r in rows],
        }
    )


def test_quality_vs_on_time_by_hand():
    result = quality_vs_on_time(_on_time_table(), as_of="2026-01-15 12:00")
    table = result.table
    assert list(table["band"]) == ["good", "fair", "poor"]
    assert list(table["n"]) == [3, 1, 2]
    assert list(table["on_time"]) == [2, 1, 0]
    assert list(table["late"]) == [1, 0, 2]
    assert table["on_time_rate"].tolist() == pytest.approx([2 / 3, 1.0, 0.0])
    # Wilson 95% for 2/3: z^2 = 3.8415; denom = 1 + 3.8415/3 = 2.2805;
    # centre = (0.6667 + 3.8415/6) / 2.2805 = 0.5730;
    # half = 1.96/2.2805 * sqrt(0.2222/3 + 3.8415/36) = 0.8595 * 0.4252 = 0.3654
    assert table.loc[0, "ci_low"] == pytest.approx(0.2077, abs=1e-3)
    assert table.loc[0, "ci_high"] == pytest.approx(0.9385, abs=1e-3)
    assert result.alpha == 0.05
    assert result.excluded == {
        "cancelled": 1,
        "no_deadline": 1,
        "completed_without_time": 0,
        "no_band": 0,
        "not_due_yet": 1,
    }


def test_quality_vs_on_time_sets_aside_unusable_rows():
    frame = _on_time_table().iloc[[0, 4]].reset_index(drop=True)  # good on time, poor late
    bad = pd.concat([frame, frame], ignore_index=True)
    bad.loc[2, "completed_at"] = pd.NaT  # "completed" with no completion time
    bad.loc[3, "band"] = None  # not scored
    result = quality_vs_on_time(bad, as_of="2026-01-15 12:00")
    assert list(result.table["n"]) == [1, 0, 1]
    assert result.excluded["completed_without_time"] == 1
    assert result.excluded["no_band"] == 1
    # every row is counted once: in a band's n or under one exclusion reason
    assert result.table["n"].sum() + sum(result.excluded.values()) == len(bad)
    naive = frame.assign(due_at=frame["due_at"].dt.tz_localize(None))
    with pytest.raises(ValueError, match="'due_at' must hold tz-aware"):
        quality_vs_on_time(naive, as_of="2026-01-15")


def test_quality_vs_on_time_default_as_of_and_empty_band():
    frame = _on_time_table().iloc[[0, 1, 2]].assign(band="good")
    frame["created_at"] = _ts(1)
    result = quality_vs_on_time(frame)
    assert result.as_of == _ts(10)  # latest completed_at
    table = result.table
    assert table.loc[1, "n"] == 0 and pd.isna(table.loc[1, "on_time_rate"])
    assert "nothing to compare" in quality_on_time_verdict(result)


def _band_counts(good, n_good, poor, n_poor) -> pd.DataFrame:
    rows = [("good", d, c) for d, c in [(10, 9)] * good + [(10, 11)] * (n_good - good)]
    rows += [("poor", d, c) for d, c in [(10, 9)] * poor + [(10, 11)] * (n_poor - poor)]
    return pd.DataFrame(
        {
            "band": [r[0] for r in rows],
            "due_at": pd.Series([_ts(r[1]) for r in rows], dtype="datetime64[us, UTC]"),
            "completed_at": pd.Series([_ts(r[2]) for r in rows], dtype="datetime64[us, UTC]"),
            "status": "completed",
        }
    )


def test_verdict_in_words():
    apart = quality_vs_on_time(_band_counts(90, 100, 10, 100), as_of="2026-02-01")
    text = quality_on_time_verdict(apart)
    assert "good 90% on time (n=100" in text and "poor 10% on time (n=100" in text
    assert "do not overlap" in text and "the bands differ" in text
    close = quality_vs_on_time(_band_counts(6, 10, 5, 10), as_of="2026-02-01")
    text = quality_on_time_verdict(close)
    assert "overlap" in text and "could be chance" in text


def test_every_flag_is_defined_labelled_and_weighted():
    from workbench.catalogue import catalogue

    cat = catalogue()
    for flag in FLAGS:
        assert cat[flag].kind == "bool" and cat[flag].label and cat[flag].better == "lower"
    assert set(DEFAULT_WEIGHTS) == set(FLAGS)


def test_quality_by_manager_of_no_tasks_has_the_columns_and_no_rows(sample):
    from workbench.quality.score import quality_by_manager, score_descriptions

    tasks = sample.tasks
    empty = quality_by_manager(score_descriptions(tasks.iloc[:0]))
    full = quality_by_manager(score_descriptions(tasks.iloc[:40]))
    assert empty.empty and list(empty.columns) == list(full.columns)


def test_frequent_descriptions_and_written_only_weakest():
    import pandas as pd

    from workbench.quality.score import (
        frequent_descriptions,
        quality_definitions,
        score_descriptions,
        weakest_examples,
    )

    due = pd.Timestamp("2026-03-02 18:00", tz="UTC")
    texts = ["Contact the client", "Contact the client", "Follow up", "", "Call {{name}} today"]
    tasks = pd.DataFrame(
        {
            "task_id": [f"t{i}" for i in range(5)],
            "manager": "A",
            "description": texts,
            "due_at": [due] * 5,
        }
    )
    scored = score_descriptions(tasks)
    vague = frequent_descriptions(scored, flag="flag_vague_action")
    # "Contact the client" twice, "Follow up" once; the empty and the template text are not vague
    assert vague.to_dict("list") == {
        "description": ["Contact the client", "Follow up"],
        "tasks": [2, 1],
    }
    worst = weakest_examples(scored, n=5, written_only=True)
    assert "t3" not in set(worst["task_id"]) and len(worst) == 4  # the empty one is left out
    assert weakest_examples(scored, n=1)["task_id"].tolist() == ["t3"]  # empty scores 0
    assert set(quality_definitions()["name"]) >= {"flag_vague_action", "score", "band"}


def test_explanations_read_in_the_batch_language():
    # the explanation a Russian report prints: Russian words, the matched text quoted,
    # plural forms by count (1 слово, 2 слова, 0 слов)
    from workbench import i18n

    with i18n.using("ru"):
        vague = _one("Связаться с клиентом")
        one = _one("Позвонить")
        empty = _one("")
        placeholder = _one("Позвонить {{client_name}} и отправить КП https://x.ru/kp")
    assert vague["explanation"].startswith("размытый глагол «связаться» без канала или шага")
    assert "слишком коротко: 1 слово, меньше 3" in one["explanation"]
    assert empty["explanation"] == "пустое описание; слишком коротко: 0 слов, меньше 3"
    assert "незаполненная подстановка «{{client_name}}»" in placeholder["explanation"]
    assert "слишком коротко: 2 слова, меньше 3" in _ru_short("Позвонить Ивану")
    # the scores do not depend on the language
    assert (vague["score"], one["score"]) == (_one("Связаться с клиентом")["score"],
                                             _one("Позвонить")["score"])  # fmt: skip


def _ru_short(text: str) -> str:
    from workbench import i18n

    with i18n.using("ru"):
        return _one(text)["explanation"]
