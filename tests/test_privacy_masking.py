"""Colleagues' names in a manager's own texts are masked; the manager's own name is not.

Unit tests of :class:`workbench.privacy.NameMask` on hand-written sentences, and one real
render of a sample report whose tasks name colleagues in every supported form: the names
never reach that report's HTML or its kept notebook.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from workbench.config import SAMPLE_DIR
from workbench.privacy import COLLEAGUE, NameMask, name_forms, transliterated

NAMES = ["Anna Petrova", "Boris Ivanov", "Ольга Смирнова", "Chen Wei", "Алексей Вишневский"]


@pytest.fixture(scope="module")
def mask() -> NameMask:
    return NameMask(NAMES, keep="Boris Ivanov")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call Anna Petrova today", "Call [colleague] today"),
        ("Pass to A. Petrova", "Pass to [colleague]"),
        ("Petrova A. has the contract", "[colleague] has the contract"),
        ("Ask Petrova for the price", "Ask [colleague] for the price"),
        ("PETROVA knows", "[colleague] knows"),
        ("Chen's client", "[colleague]'s client"),
        ("Передать Петровой договор", "Передать [colleague] договор"),
        ("Позвонить Петрову", "Позвонить [colleague]"),
        ("Уточнить у Петрова", "Уточнить у [colleague]"),
        ("Передать Ольге", "Передать [colleague]"),
        (
            "Ольги нет, Ольгу позвать, с Ольгой",
            "[colleague] нет, [colleague] позвать, с [colleague]",
        ),
        ("Смирновой О.В. отправить КП", "[colleague] отправить КП"),
        ("О. Смирнова в отпуске", "[colleague] в отпуске"),
        ("Smirnova O. called", "[colleague] called"),
        ("Встреча с Вишневской и Вишневским", "Встреча с [colleague] и [colleague]"),
        ("Boris Ivanov calls the client", "Boris Ivanov calls the client"),
        ("Иванов звонит", "Иванов звонит"),
        ("Call the client, qualify by the script", "Call the client, qualify by the script"),
        ("anna is a word here only in lower case", "anna is a word here only in lower case"),
    ],
)
def test_mask_every_form(mask, text, expected):
    assert mask(text) == expected


def test_forms_and_transliteration_worked_by_hand():
    assert {"Петрова", "Петровой", "Петрову", "Петровым", "Петров"} <= set(name_forms("Петрова"))
    assert {"Ольга", "Ольги", "Ольге", "Ольгу", "Ольгой"} <= set(name_forms("Ольга"))
    assert {"Вишневский", "Вишневская", "Вишневской", "Вишневского"} <= set(
        name_forms("Вишневский")
    )
    assert name_forms("Petrova") == ["Petrova"]  # Latin: as written
    assert transliterated("Смирнова") == "Smirnova"
    assert transliterated("Petrova") == "Петрова"


def test_the_replacement_is_the_reports_word():
    m = NameMask(NAMES, keep="Boris Ivanov", replacement="[коллега]")
    assert m("Передать Петровой и A. Petrova") == "Передать [коллега] и [коллега]"


def test_no_names_and_na_pass_through():
    assert NameMask([], keep="Ann")("Call Bob") == "Call Bob"
    m = NameMask(["Ann", "Bob"], keep="Ann")
    assert m("Call Bob, says Ann") == "Call [colleague], says Ann"
    values = pd.Series(["Call Bob", None, "Call Bob"], dtype="str")
    out = m.series(values)
    assert out.iloc[0] == out.iloc[2] == "Call [colleague]" and pd.isna(out.iloc[1])
    assert COLLEAGUE == "[colleague]"


# Descriptions of Boris Ivanov's tasks that name colleagues (roster: Anna Petrova, Ольга
# Смирнова), in each form; none of these words may reach his report.
LEAKS = {
    "Pass the contract to Anna Petrova": ["Anna", "Petrova"],
    "Ask A. Petrova about the price list": ["A. Petrova", "Petrova"],
    "Petrova A. has the offer": ["Petrova A.", "Petrova"],
    "Ask Petrova for the price": ["Petrova"],
    "Передать договор Петровой": ["Петровой"],
    "Позвонить Петрову завтра": ["Петрову"],
    "Позвонить клиенту вместе с Петровой А.": ["Петровой"],
    "Уточнить у Ольги Смирновой дату встречи": ["Ольги", "Смирновой"],
    "Отправить Ольге КП и позвонить Смирновой О.В.": ["Ольге", "Смирновой"],
    "Встреча: Ольга Смирнова, демо": ["Ольга", "Смирнова"],
    "О. Смирнова передаёт клиента Ольгой": ["О. Смирнова", "Ольгой"],
    "Call the client with Smirnova O.": ["Smirnova"],
}


@pytest.fixture(scope="module")
def leaky_report(tmp_path_factory):
    """Boris Ivanov's October report, rendered for real, on a sample whose tasks of his
    (created and due in October, still open) name colleagues in their descriptions."""
    from workbench.reports.runner import render_reports

    root = tmp_path_factory.mktemp("leaky")
    data = root / "data"
    shutil.copytree(SAMPLE_DIR, data)
    tasks = pd.read_csv(data / "tasks.csv", dtype="str", keep_default_na=False)
    template = tasks.iloc[0].copy()
    rows = []
    for i, text in enumerate(LEAKS):
        row = template.copy()
        row["task_id"] = f"T-LEAK{i:02d}"
        row["manager"] = row["creator"] = "Boris Ivanov"
        row["created_at"] = f"2026-10-{i + 2:02d}T09:00:00+00:00"
        row["due_at"] = row["original_due_at"] = f"2026-10-{i + 12:02d}T18:00:00+00:00"
        row["completed_at"], row["status"], row["description"] = "", "open", text
        rows.append(row)
    pd.concat([tasks, pd.DataFrame(rows)]).to_csv(data / "tasks.csv", index=False)
    out = root / "out"
    run = render_reports(
        data, period_from="2026-10-01", period_to="2026-10-31", managers=["Boris Ivanov"],
        jobs=1, out=out, progress=False, overview=False,
    )  # fmt: skip
    [report] = run.reports
    assert report.status == "rendered", report
    folder = next(p.parent for p in out.rglob("report.html"))
    return folder / "report.html", folder / "report.ipynb"


def test_colleague_names_never_reach_the_report(leaky_report):
    page, notebook = leaky_report
    html_text = page.read_text("utf-8")
    nb_text = notebook.read_text("utf-8")
    # the notebook's JSON escapes non-ASCII; read it back so Cyrillic is compared as text
    nb_plain = json.dumps(json.loads(nb_text), ensure_ascii=False)
    assert "[colleague]" in html_text  # the tasks are in the report, masked
    for words in LEAKS.values():
        for word in words:
            assert word not in html_text, word
            assert word not in nb_plain, word
    assert "Boris Ivanov" in html_text  # his own name stays
