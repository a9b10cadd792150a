"""Date bounds given by a user (--since / --until) and the one rule for applying them.

Dates are ISO prefixes (YYYY, YYYY-MM, YYYY-MM-DD) and are compared at the precision both
sides have: an edge first seen in "2020" is inside `--until 2020-03`. An undated edge or
article is kept by both bounds or dropped by both (`undated`), never kept by one and
dropped by the other.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from .errors import UsageProblem

__all__ = ["UNDATED_CHOICES", "Window", "parse_bound", "make_window"]

UNDATED_CHOICES = ("keep", "drop")
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_bound(value: str | None, option: str) -> str | None:
    """A validated ISO prefix, or UsageProblem naming the option and the problem."""
    if value is None or value == "":
        return None
    text = value.strip()
    m = _ISO.match(text)
    hint = "use YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2021-06"
    if not m:
        raise UsageProblem(f"{option} {value!r} is not a date", hint)
    year, month, day = (int(g) if g else None for g in m.groups())
    if month is not None and not 1 <= month <= 12:
        raise UsageProblem(f"{option} {value!r} is not a date (month {month})", hint)
    if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise UsageProblem(f"{option} {value!r} is not a date (day {day} of {year}-{month:02d})", hint)
    return text


def _at_common_precision(a: str, b: str) -> tuple:
    n = min(len(a), len(b))
    return a[:n], b[:n]


@dataclass(frozen=True)
class Window:
    since: str | None = None
    until: str | None = None
    undated: str = "keep"

    @property
    def active(self) -> bool:
        return bool(self.since or self.until)

    def holds_span(self, first: str | None, last: str | None) -> bool:
        """An edge seen from `first` to `last` overlaps the window."""
        if not self.active:
            return True
        first, last = first or last, last or first
        if first is None:
            return self.undated == "keep"
        if self.since:
            seen, bound = _at_common_precision(last, self.since)
            if seen < bound:
                return False
        if self.until:
            seen, bound = _at_common_precision(first, self.until)
            if seen > bound:
                return False
        return True

    def holds(self, date: str | None) -> bool:
        return self.holds_span(date, date)


def make_window(since: str | None, until: str | None, undated: str = "keep") -> Window:
    """Validated bounds: real dates, since <= until, undated one of keep/drop."""
    since, until = parse_bound(since, "--since"), parse_bound(until, "--until")
    if since and until:
        a, b = _at_common_precision(since, until)
        if a > b:
            raise UsageProblem(f"--since {since} is after --until {until}", "swap them?")
    if undated.lower() not in UNDATED_CHOICES:
        raise UsageProblem(f"--undated {undated!r} is not one of {', '.join(UNDATED_CHOICES)}")
    return Window(since, until, undated.lower())
