"""How many colleagues a team figure needs before a manager may see it.

A manager's report shows the team only as anonymous aggregates. An aggregate over too few
people gives a person's own number away, so every team figure (report tables, plots, case
comparisons) takes its minimum from here.
"""

from __future__ import annotations

__all__ = ["MIN_BAND", "MIN_TEAM"]

#: Fewer colleagues with a value than this and no team figure is shown: with one colleague
#: the median is that person's figure and with two it is their mean, so either reveals a
#: known person's number. From three on the median is one of several people's values and
#: does not say whose.
MIN_TEAM = 3

#: Fewer colleagues with a value than this and no interquartile band is drawn: with three
#: or four, the quartiles and the median together give away each colleague's value.
MIN_BAND = 5
