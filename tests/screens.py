"""Checks of how a page reads in a real browser, shared by the browser tests.

Each function takes a playwright ``Page`` that has loaded a page and returns what is wrong
(an empty list when nothing is), so a failing test names the element or the word.
"""

from __future__ import annotations

import re

from workbench.catalogue import catalogue

__all__ = ["code_names_in", "full_text", "sideways_scrollers"]

# Elements wider than their box, by more than a rounding pixel: the whole page (the
# document scrolls sideways) or any element that can scroll or is cut off sideways.
_SIDEWAYS_JS = """
() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1) out.push(`page ${doc.scrollWidth}px wide`);
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    const clips = ['auto', 'scroll', 'hidden'].includes(style.overflowX);
    if (style.display === 'none' || !clips) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '');
      out.push(`${name} ${el.scrollWidth}px in ${el.clientWidth}px: ${el.innerText.slice(0, 60)}`);
    }
  }
  return out;
}
"""

# The text of the page, folded <details> included, without scripts and styles.
_TEXT_JS = """
() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('script, style, noscript').forEach(e => e.remove());
  return body.textContent;
}
"""

# snake_case words: the shape of a column or parameter name (tasks_new, as_of)
_SNAKE = re.compile(r"(?<![\w@./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@])")


def sideways_scrollers(page) -> list[str]:
    """Elements (and the page itself) that scroll sideways or are cut off sideways."""
    return page.evaluate(_SIDEWAYS_JS)


def full_text(page) -> str:
    """Every word of the page, the folded parts included."""
    return page.evaluate(_TEXT_JS)


def code_names_in(text: str) -> list[str]:
    """Metric code names and other snake_case identifiers found in ``text``."""
    found = set(_SNAKE.findall(text))
    # a metric's code name anywhere, even run together with a neighbouring word; one-word
    # names ("leads", "won") are plain words as well and are not counted
    found |= {n for n in catalogue() if "_" in n and n in text}
    return sorted(found)
