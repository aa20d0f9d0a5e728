"""Safe, distinct directory names for managers.

A manager's name comes from the CRM: it may hold slashes, quotes, dots, spaces or
non-Latin letters. Reports live in ``reports/<period>/<slug>/``, so the slug must be a
single safe path component, and two different names must never share one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["manager_slug", "unique_slugs"]

# Russian/Ukrainian/Belarusian Cyrillic -> Latin, close to the passport (ICAO) rules.
_LATIN = "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch _ y _ e iu ia i i ie g u"
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў", _LATIN.split(" "), strict=True))
_UNSAFE = re.compile(r"[^a-z0-9]+")


def _transliterate(name: str) -> str:
    out = []
    for ch in name.lower():
        latin = _CYRILLIC.get(ch)
        out.append("" if latin == "_" else latin if latin is not None else ch)
    # Strip accents (é -> e); letters with no ASCII form become separators below.
    text = unicodedata.normalize("NFKD", "".join(out))
    return text.encode("ascii", "ignore").decode("ascii")


def manager_slug(name: str, *, max_length: int = 40) -> str:
    """Return a safe, readable, collision-resistant path component for ``name``.

    The readable part is the transliterated name in lower-case ASCII letters and digits
    joined by ``-``; a suffix of 6 hex digits of the SHA-256 of the exact name keeps two
    names that read alike (``"A. Smith"`` and ``"A Smith"``) apart.

    Examples
    --------
    >>> manager_slug("Anna Petrova")
    'anna-petrova-271ae7'
    """
    readable = _UNSAFE.sub("-", _transliterate(name)).strip("-")[:max_length].strip("-")
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:6]
    return f"{readable or 'manager'}-{digest}"


def unique_slugs(names: list[str]) -> dict[str, str]:
    """Map every name to a slug, distinct across ``names``.

    Raises
    ------
    ValueError
        If two names map to one slug (a 24-bit hash collision: rename one manager).
    """
    slugs = {name: manager_slug(name) for name in dict.fromkeys(names)}
    seen: dict[str, str] = {}
    for name, slug in slugs.items():
        if slug in seen:
            raise ValueError(f"managers {seen[slug]!r} and {name!r} share the slug {slug!r}")
        seen[slug] = name
    return slugs
