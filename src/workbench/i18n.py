"""Every word people read, in their language: one gettext message catalogue, built with Babel.

The source strings are English; ``locale/<lang>/LC_MESSAGES/workbench.po`` holds each other
language (Russian: the CRMs, the article and the task descriptions are Russian). A batch
picks its language once (``workbench report --lang ru``, else ``language:`` in the mapping,
else English) and every page, figure label, verdict and e-mail of that batch reads from the
catalogue through :func:`_` and :func:`ngettext`.

Strings declared at import time (metric labels, rule names) are marked with :func:`N_`,
which leaves them in English so that Babel's extractor finds them, and are translated where
they are shown: ``_(definition.label)``.

Numbers and month names follow the language too (``1 234,5`` and ``17 %`` in Russian), from
Babel's locale data, so that a page never mixes an English figure into Russian words.

``make translations`` extracts the strings and updates the ``.po`` files; a test fails while
any entry is missing, fuzzy or has different ``{placeholders}`` than its source.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gettext as _gettext
import io
from collections.abc import Iterator
from importlib import resources

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LANGUAGES",
    "N_",
    "_",
    "check_language",
    "language",
    "month_year",
    "ngettext",
    "number",
    "percent",
    "pgettext",
    "set_language",
    "translations",
    "using",
]

#: Languages with a catalogue; the first is the language of the source strings.
LANGUAGES = ("en", "ru")
DEFAULT_LANGUAGE = "en"
DOMAIN = "workbench"

_language = DEFAULT_LANGUAGE


def check_language(lang: str | None) -> str:
    """``lang`` as a catalogue code ("RU", "ru_RU", "ru-RU" -> "ru"); None or "" -> English.

    Raises
    ------
    ValueError
        A language without a catalogue; the message lists those there are.
    """
    if not lang:
        return DEFAULT_LANGUAGE
    code = str(lang).strip().replace("-", "_").split("_")[0].lower()
    if code not in LANGUAGES:
        raise ValueError(f"language {lang!r} has no catalogue: use one of {', '.join(LANGUAGES)}")
    return code


def set_language(lang: str | None) -> str:
    """Make ``lang`` the language of every string from here on; returns its code."""
    global _language
    _language = check_language(lang)
    return _language


def language() -> str:
    """The current language's code."""
    return _language


@contextlib.contextmanager
def using(lang: str | None) -> Iterator[str]:
    """Within the block, strings are in ``lang``; the previous language is restored after."""
    before = _language
    try:
        yield set_language(lang)
    finally:
        set_language(before)


@functools.cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English: the source strings as they are).

    The ``.po`` file is compiled in memory by Babel, so no binary ``.mo`` is kept in git;
    fuzzy entries are left out, as ``msgfmt`` would.
    """
    lang = check_language(lang)
    if lang == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = resources.files("workbench") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(_language).gettext(message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention, a keyword for the extractor
    """Marks ``message`` for the catalogue without translating it (translate where shown)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the number ``n`` (Russian has three: 1, 2-4, 5+)."""
    return translations(_language).ngettext(singular, plural, int(n))


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, told apart by ``context`` where one English
    word has two translations."""
    return translations(_language).pgettext(context, message)


def _locale() -> str:
    return "en_US" if _language == "en" else _language


def number(value: float, digits: int = 0) -> str:
    """A number with the language's grouping and decimal mark: "21,445.3" / "21 445,3"."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=_locale())


def percent(share: float, digits: int = 0) -> str:
    """A share as a percentage in the language's style: "17%" / "17 %"."""
    from babel import Locale
    from babel.numbers import format_percent

    pattern = Locale.parse(_locale()).percent_formats[None].pattern
    if digits > 0:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
    return format_percent(share, format=pattern, locale=_locale())


def month_year(day: dt.date, *, short: bool = False) -> str:
    """A month in words, standing alone: "October 2026" / "октябрь 2026" ("Oct 2026" /
    "окт. 2026" when ``short``)."""
    from babel.dates import format_date

    return format_date(day, "LLL yyyy" if short else "LLLL yyyy", locale=_locale())
