"""Find calendar dates in zh/de/ru/en text and return them as ISO prefixes.

Only dates that carry a year are returned: a year is never guessed.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

__all__ = ["DateHit", "find_dates"]

_MONTHS = {
    # en
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    # de
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "mai": 5, "juni": 6, "juli": 7,
    "oktober": 10, "dezember": 12,
    # ru (nominative, genitive, prepositional stems are matched by prefix below)
}
_RU_MONTH_STEMS = [
    ("январ", 1), ("феврал", 2), ("март", 3), ("апрел", 4), ("ма", 5), ("июн", 6),
    ("июл", 7), ("август", 8), ("сентябр", 9), ("октябр", 10), ("ноябр", 11), ("декабр", 12),
]

_YEAR = r"(19[5-9]\d|20[0-4]\d)"
_PATTERNS = [
    # 2020-07-04, 2020/07/04, 2020.07.04 (optionally followed by a time)
    ("ymd", re.compile(_YEAR + r"[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")),
    # 2019年3月28日, 2019年3月
    ("zh", re.compile(_YEAR + r"\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?")),
    # 07.07.2020
    ("dmy", re.compile(r"(?<!\d)(\d{1,2})([./])(\d{1,2})\2\s?" + _YEAR + r"(?!\d)")),
    # 28. März 2019, 22 апреля 2022, 28 March 2019
    ("d_month_y", re.compile(r"(?<!\d)(\d{1,2})\.?\s+([^\W\d_]{3,10})\.?\s+" + _YEAR, re.UNICODE)),
    # March 28, 2019
    ("month_d_y", re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),\s+" + _YEAR)),
    # В октябре 2020 года, im Oktober 2020, in October 2020, May 2021
    ("month_y", re.compile(r"(?<![\w])([^\W\d_]{3,10})\s+" + _YEAR + r"(?!\d)", re.UNICODE)),
    # 2019年, in 2020, im Jahr 2018, в 2020 году (year only, lowest priority)
    ("zh_y", re.compile(_YEAR + r"\s*年(?!\s*\d{1,2}\s*月)")),
    ("prep_y", re.compile(r"(?i:\b(?:in|im jahr|im|seit|since|by|в|с)) " + _YEAR + r"(?!\d)")),
]


_ANY_YEAR = re.compile(_YEAR)  # every pattern needs a year: text without one has no date


@dataclass(frozen=True)
class DateHit:
    start: int
    end: int
    iso: str  # YYYY, YYYY-MM or YYYY-MM-DD


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    if word in _MONTHS:
        return _MONTHS[word]
    if word and "а" <= word[0] <= "я":
        for stem, number in _RU_MONTH_STEMS:
            if word.startswith(stem) and (stem != "ма" or word in ("май", "мая", "мае")):
                return number
    return None


def _iso(year: str, month: int | None = None, day: int | None = None) -> str | None:
    if month is None:
        return year
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year}-{month:02d}"
    if not 1 <= day <= 31:
        return None
    return f"{year}-{month:02d}-{day:02d}"


def find_dates(text: str) -> list:
    """All dates with a year, left to right, non-overlapping, most specific pattern first.

    >>> [h.iso for h in find_dates("2019年3月28日，飞驰镁物 ... 07.07.2020 ... В октябре 2020 года")]
    ['2019-03-28', '2020-07-07', '2020-10']
    """
    if not _ANY_YEAR.search(text):
        return []
    hits = []
    taken_starts, taken_ends = [], []  # accepted spans of earlier patterns, sorted, disjoint
    for kind, pattern in _PATTERNS:
        accepted = []
        for m in pattern.finditer(text):
            # the only earlier span that can overlap is the last one starting before m ends
            # (a bisection: checking every span made this quadratic in the dates of a text)
            i = bisect.bisect_left(taken_starts, m.end()) - 1
            if i >= 0 and taken_ends[i] > m.start():
                continue
            g = m.groups()
            if kind == "ymd":
                iso = _iso(g[0], int(g[1]), int(g[2]))
            elif kind == "zh":
                iso = _iso(g[0], int(g[1]), int(g[2]) if g[2] else None)
            elif kind == "dmy":
                iso = _iso(g[3], int(g[2]), int(g[0]))
            elif kind == "d_month_y":
                month = _month(g[1])
                iso = _iso(g[2], month, int(g[0])) if month else None
            elif kind == "month_d_y":
                month = _month(g[0])
                iso = _iso(g[2], month, int(g[1])) if month else None
            elif kind == "month_y":
                month = _month(g[0])
                iso = _iso(g[1], month) if month else None
            else:
                iso = _iso(g[0])
            if iso:
                hits.append(DateHit(m.start(), m.end(), iso))
                accepted.append((m.start(), m.end()))  # one pattern's matches never overlap
        if accepted:
            spans = sorted(list(zip(taken_starts, taken_ends)) + accepted)
            taken_starts, taken_ends = [s for s, _ in spans], [e for _, e in spans]
    return sorted(hits, key=lambda h: h.start)
