"""The message catalogue: every string people read has a translation, with the same
placeholders, and the language helpers format numbers and months the language's way."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from workbench import i18n

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "src" / "workbench"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(\w+\)[sd]")


def _source_messages() -> set[tuple[str | None, str]]:
    """(context, msgid) of every string marked in the package, as `make translations` finds."""
    found = set()
    method_map = [("**.py", "python")]
    for _file, _line, message, _comments, context in extract_from_dir(
        str(SOURCES), method_map=method_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.add((context, msgid))
    return found


def _catalog(lang: str):
    po = SOURCES / "locale" / lang / "LC_MESSAGES" / "workbench.po"
    with po.open("rb") as f:
        return read_po(f, locale=lang)


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_every_string_people_read_is_translated(lang):
    catalog = _catalog(lang)
    entries = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}
    source = _source_messages()
    missing = sorted(k[1] for k in source - entries.keys())
    assert not missing, f"{len(missing)} strings not in the {lang} catalogue (make translations)"
    stale = sorted(k[1] for k in entries.keys() - source)
    assert not stale, f"{lang} catalogue entries no source uses any more: {stale[:5]}"
    for key, m in entries.items():
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        assert all(strings), f"untranslated in {lang}: {key[1]!r}"
        assert not m.fuzzy, f"fuzzy in {lang}: {key[1]!r}"
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        want = set(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) == want, f"placeholders differ in {lang}: {key[1]!r}"


def test_language_codes_are_normalised_and_unknown_ones_refused():
    assert i18n.check_language("RU") == "ru"
    assert i18n.check_language("ru_RU") == "ru"
    assert i18n.check_language("ru-RU") == "ru"
    assert i18n.check_language("") == "en"
    assert i18n.check_language(None) == "en"
    with pytest.raises(ValueError, match="use one of en, ru"):
        i18n.check_language("de")


def test_using_restores_the_previous_language():
    assert i18n.language() == "en"
    with i18n.using("ru") as code:
        assert code == "ru" and i18n.language() == "ru"
    assert i18n.language() == "en"


def test_numbers_percentages_and_months_follow_the_language():
    october = dt.date(2026, 10, 1)
    assert i18n.number(21445.25, 1) == "21,445.2"  # half to even, as Babel rounds
    assert i18n.percent(0.171) == "17%"
    assert i18n.percent(0.1714, 1) == "17.1%"
    assert i18n.month_year(october) == "October 2026"
    assert i18n.month_year(october, short=True) == "Oct 2026"
    with i18n.using("ru"):
        assert i18n.number(21445.25, 1) == "21\xa0445,2"
        assert i18n.percent(0.171) == "17\xa0%"
        assert i18n.percent(0.1714, 1) == "17,1\xa0%"
        assert i18n.month_year(october) == "октябрь 2026"


def test_english_is_the_source_text():
    assert i18n._("Overdue share") == "Overdue share"
    assert i18n.ngettext("{n} task", "{n} tasks", 1) == "{n} task"
    assert i18n.ngettext("{n} task", "{n} tasks", 5) == "{n} tasks"
