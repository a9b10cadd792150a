"""How an edge's derived values follow from its per-article items, in one place.

An edge keeps one item per supporting article (evidence, date, confidence, rule). Its
summary is derived from those items and nothing else:

* `support`: the number of items (articles);
* `first_seen` / `last_seen`: the smallest and largest non-empty date, or None;
* `confidence`: noisy-or of the item confidences, 1 - prod(1 - c), each c clamped to
  [0, 1], rounded half up to CONFIDENCE_DIGITS places as floor(x * 10^d + 0.5) / 10^d:
  the same IEEE double operations in Python and in Cypher, so both give the same float
  (Python's round() and Cypher's round() disagree on ties such as 0.78125).

The graph file (graphkit.graph) and the Neo4j plan compute them with the Python functions
below; the Neo4j queries that re-derive them on the server use `cypher_noisy_or` and
`cypher_date_span`, which spell the same rules in Cypher. tests/test_edgerules.py runs both
on the real server and requires equal results.

>>> noisy_or([0.5, 0.5])
0.75
>>> date_span(["2021-03", "", "2019"])
('2019', '2021-03')
"""

from __future__ import annotations

import math
from typing import Iterable, Optional

__all__ = ["CONFIDENCE_DIGITS", "noisy_or", "date_span", "cypher_noisy_or", "cypher_date_span"]

CONFIDENCE_DIGITS = 4
_SCALE = 10.0 ** CONFIDENCE_DIGITS


def noisy_or(confidences: Iterable[float]) -> float:
    """Confidence that at least one of several independent sources is right."""
    miss = 1.0
    for c in confidences:
        miss *= 1.0 - min(1.0, max(0.0, c))
    return math.floor((1.0 - miss) * _SCALE + 0.5) / _SCALE


def date_span(dates: Iterable[Optional[str]]) -> tuple[Optional[str], Optional[str]]:
    """(first, last) of the non-empty dates (strings YYYY[-MM[-DD]] sort as dates), or (None, None)."""
    present = [d for d in dates if d]
    if not present:
        return None, None
    return min(present), max(present)


def cypher_noisy_or(items: str, field: str = "confidence") -> str:
    """Cypher expression of noisy_or over the list `items` of maps holding `field`."""
    c = f"x.{field}"
    return (f"floor((1.0 - reduce(p = 1.0, x IN {items} | p * (1.0 - CASE WHEN {c} < 0.0 THEN 0.0 "
            f"WHEN {c} > 1.0 THEN 1.0 ELSE {c} END))) * {_SCALE!r} + 0.5) / {_SCALE!r}")


def cypher_date_span(dates: str) -> tuple[str, str]:
    """Cypher expressions (first, last) over `dates`, a list of non-empty date strings."""
    first = f"reduce(m = null, d IN {dates} | CASE WHEN m IS NULL OR d < m THEN d ELSE m END)"
    last = f"reduce(m = null, d IN {dates} | CASE WHEN m IS NULL OR d > m THEN d ELSE m END)"
    return first, last
