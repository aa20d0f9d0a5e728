"""How many colleagues a team figure needs before a manager may see it, and colleagues'
names masked in a manager's own texts.

A manager's report shows the team only as anonymous aggregates. An aggregate over too few
people gives a person's own number away, so every team figure (report tables, plots, case
comparisons) takes its minimum from here.
"""

from __future__ import annotations

import re

__all__ = ["COLLEAGUE", "MIN_BAND", "MIN_TEAM", "NameMask", "name_forms", "transliterated"]

#: Fewer colleagues with a value than this and no team figure is shown: with one colleague
#: the median is that person's figure and with two it is their mean, so either reveals a
#: known person's number. From three on the median is one of several people's values and
#: does not say whose.
MIN_TEAM = 3

#: Fewer colleagues with a value than this and no interquartile band is drawn: with three
#: or four, the quartiles and the median together give away each colleague's value.
MIN_BAND = 5


# --------------------------------------------------------------------------------------
# Colleagues' names in free text
# --------------------------------------------------------------------------------------

#: What a colleague's name is replaced with in a manager's own texts.
COLLEAGUE = "[colleague]"

_UPPER = "A-ZА-ЯЁ"
_LETTERS = "0-9A-Za-zА-Яа-яЁё_"
# One or two initials ("A.", "A.B.", "О. В."): an upper-case letter and a full stop.
_INITIALS = f"[{_UPPER}]\\.(?:[ \\t]?[{_UPPER}]\\.)?"

# Russian declension of a name part: (ending of the nominative, stem cut, endings of every
# case of both genders). The first match of the table wins, so longer endings come first.
_ADJ = ("ий", "ый", "ой", "ого", "его", "ому", "ему", "им", "ым", "ом", "ем", "ая", "яя",
        "ую", "юю", "ие", "ые", "их", "ых", "ими", "ыми", "ей")  # fmt: skip
_POSSESSIVE = ("", "а", "у", "ым", "ом", "е", "ой", "ою", "ы", "ых", "ыми")
_A_NOUN = ("а", "я", "ы", "и", "е", "у", "ю", "ой", "ей", "ою", "ею")
_SOFT = ("й", "ь", "я", "ю", "ем", "е", "и")
_HARD = ("", "а", "у", "ом", "ем", "е", "ым", "ы")
_DECLENSION: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("ский", 2, _ADJ), ("цкий", 2, _ADJ), ("ская", 2, _ADJ), ("цкая", 2, _ADJ),
    ("ской", 2, _ADJ), ("цкой", 2, _ADJ), ("ый", 2, _ADJ),
    ("ова", 1, _POSSESSIVE), ("ева", 1, _POSSESSIVE), ("ёва", 1, _POSSESSIVE),
    ("ина", 1, _POSSESSIVE), ("ына", 1, _POSSESSIVE),
    ("ов", 0, _POSSESSIVE), ("ев", 0, _POSSESSIVE), ("ёв", 0, _POSSESSIVE),
    ("ин", 0, _POSSESSIVE), ("ын", 0, _POSSESSIVE),
    ("ия", 1, ("я", "и", "ю", "ей", "ею", "е")),
    ("а", 1, _A_NOUN), ("я", 1, _A_NOUN),
    ("ий", 1, _SOFT), ("и", 0, ("", "й", "я", "ю", "ем", "е")),
    ("ей", 1, _SOFT), ("ь", 1, _SOFT), ("й", 1, _SOFT),
)  # fmt: skip


# Transliteration both ways, so "Anna Petrova" in the roster is also found as "Петровой" in a
# Russian text and "Ольга Смирнова" as "Smirnova" in an English one. Latin to Cyrillic is a
# best guess (longest letter groups first; "e" as "е", "y" as "й" after a vowel, else "ы").
_TO_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n",
                      "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y",
                      "", "e", "yu", "ya"], strict=True))  # fmt: skip
_TO_CYRILLIC = (
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"),
    ("sh", "ш"), ("yu", "ю"), ("ya", "я"), ("yo", "ё"), ("ye", "е"), ("iy", "ий"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("g", "г"), ("d", "д"), ("e", "е"),
    ("z", "з"), ("i", "и"), ("j", "й"), ("k", "к"), ("c", "к"), ("q", "к"), ("l", "л"),
    ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"),
    ("u", "у"), ("f", "ф"), ("h", "х"), ("x", "кс"), ("y", "ы"),
)  # fmt: skip


def transliterated(word: str) -> str:
    """``word`` in the other script: Cyrillic to Latin, Latin to Cyrillic (a best guess);
    "" when it has letters of neither or of both."""
    lower = word.lower()
    if _is_cyrillic(word):
        if any("a" <= c <= "z" for c in lower):
            return ""
        out = "".join(_TO_LATIN.get(c, c) for c in lower)
    elif any("a" <= c <= "z" for c in lower):
        out, i = "", 0
        while i < len(lower):
            for latin, cyr in _TO_CYRILLIC:
                if lower.startswith(latin, i):
                    if latin == "y" and out and out[-1] in "аеиоуыэюя":
                        cyr = "й"
                    out, i = out + cyr, i + len(latin)
                    break
            else:
                out, i = out + lower[i], i + 1
    else:
        return ""
    return out[:1].upper() + out[1:] if word[:1].isupper() else out


def _is_cyrillic(word: str) -> bool:
    return any("а" <= c.lower() <= "я" or c.lower() == "ё" for c in word)


def name_forms(word: str) -> list[str]:
    """The written forms of one part of a name: itself, and for a Cyrillic part its cases.

    A Cyrillic part gets the endings of every case of both genders of its pattern
    (Петрова: Петров, Петрова, Петровой, Петрову, Петровым...; Ольга: Ольги, Ольге, Ольгу,
    Ольгой; Дмитрий: Дмитрия, Дмитрию, Дмитрием); a Latin part is taken as written.
    """
    forms = {word}
    if _is_cyrillic(word) and len(word) >= 3:
        lower = word.lower()
        for ending, cut, endings in _DECLENSION:
            if lower.endswith(ending):
                stem = word[: len(word) - cut] if cut else word
                forms |= {stem + e for e in endings}
                break
        else:  # a consonant ending (Борис, Иван): the hard masculine pattern
            forms |= {word + e for e in _HARD}
    return sorted(forms, key=lambda f: (-len(f), f))


def _part_pattern(form: str, *, first_name: bool) -> str:
    """One form as a pattern: a surname in any letter case; a first name alone must start
    with a capital (lower-case "will", "rose" or "mark" are words, not names)."""
    if first_name:
        return re.escape(form[0]) + "(?i:" + re.escape(form[1:]) + ")"
    return "(?i:" + re.escape(form) + ")"


class NameMask:
    """Replace other people's names in free text with :data:`COLLEAGUE`.

    Built once per report from every name the data knows (roster and owners) and the
    report's own manager, whose name is never masked. A match is one or more name parts
    of the colleagues (first name or surname, in any Russian case form, see
    :func:`name_forms`) in a row, with initials before or after ("A. Petrova",
    "Petrova A.", "Смирновой О.В."); the whole match becomes one :data:`COLLEAGUE`.

    Each part is also looked for in the other script (:func:`transliterated`): a Latin
    roster name in a Russian text, and the other way round.

    ``replacement`` is what a name becomes (default :data:`COLLEAGUE`; a report passes it
    in its own language).

    Limits (said so they can be argued with): a first name written all in lower case is
    not recognised (it would mask ordinary words); a part of a colleague's name that is
    also a part of the manager's own name (a shared surname or first name) is not masked
    alone, only as part of the colleague's full name; names misspelt or transliterated
    differently than in the data are not recognised.
    """

    def __init__(self, names, *, keep: str = "", replacement: str = COLLEAGUE) -> None:
        self.replacement = replacement
        own_words = [w for w in keep.split() for w in (w, transliterated(w)) if w]
        own = {f.lower() for w in own_words for f in name_forms(w)}
        first: set[str] = set()
        rest: set[str] = set()
        for name in {str(n).strip() for n in names if isinstance(n, str)}:
            if not name or name == keep.strip():
                continue
            words = name.split()
            for i, word in enumerate(words):
                spelt = [word, *filter(None, [transliterated(word)])]
                forms = {f for w in spelt for f in name_forms(w)}
                forms = {f for f in forms if f.lower() not in own and len(f) > 1}
                (first if i == 0 and len(words) > 1 else rest).update(forms)
        rest_lower = {f.lower() for f in rest}
        first = {f for f in first if f.lower() not in rest_lower}
        parts = [_part_pattern(f, first_name=False) for f in sorted(rest, key=len, reverse=True)]
        parts += [_part_pattern(f, first_name=True) for f in sorted(first, key=len, reverse=True)]
        self._pattern = None
        if parts:
            part = "(?:" + "|".join(parts) + ")"
            body = (
                f"(?:{_INITIALS}[ \\t]?)?{part}(?:[ \\t]+{part})*"
                f"(?:[ \\t]+{_INITIALS}(?![{_LETTERS}]))?"
            )
            self._pattern = re.compile(f"(?<![{_LETTERS}]){body}(?![{_LETTERS}])")

    def __call__(self, text):
        """``text`` with every colleague's name masked; a non-string (NA) is returned as is."""
        if self._pattern is None or not isinstance(text, str):
            return text
        return self._pattern.sub(lambda _match: self.replacement, text)

    def series(self, values):
        """:meth:`__call__` over a pandas Series (each distinct text masked once)."""
        if self._pattern is None or len(values) == 0:
            return values.copy()
        uniques = {v: self(v) for v in set(values.dropna())}
        return values.map(lambda v: uniques.get(v, v) if isinstance(v, str) else v)
