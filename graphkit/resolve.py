"""Mentions -> entities with stable canonical ids (宝马 / BMW / БМВ -> one `bmw`).

Lexicon names resolve to the entry's id (a slug of its canonical English name). Names
found by discovery resolve by a folded key (legal form dropped, case/script folded), so
"LingYue Digital Information Technology Co. Ltd" in two articles is one node.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from .lexicon import LANGS, Lexicon
from .model import Entity

__all__ = ["entities_from_mentions", "MIN_DISCOVERED_CONFIDENCE"]

MIN_DISCOVERED_CONFIDENCE = 0.5


@lru_cache(maxsize=4096)
def _display_names(entry) -> dict:
    return {code: entry.display_name(code) for code in LANGS if entry.display_name(code)}


def entities_from_mentions(mentions, lexicon: Lexicon, lang: str) -> list:
    """One Entity per distinct id, with its surface forms in order of first appearance."""
    by_id = defaultdict(list)
    for m in mentions:
        by_id[m.entity_key].append(m)
    entities = []
    for entity_id, group in by_id.items():
        surfaces = list(dict.fromkeys(m.text for m in group))
        entry = lexicon.get(entity_id)
        if entry is not None:
            names = _display_names(entry)
            entities.append(Entity(
                id=entity_id, name=entry.name, type=entry.type, kind=entry.kind, country=entry.country,
                parent=lexicon.parent_id(entity_id), wikidata=entry.wikidata,
                names=names, mentions=tuple(surfaces), spans=tuple((m.start, m.end) for m in group),
                confidence=max(m.confidence for m in group),
            ))
        else:
            confidence = max(m.confidence for m in group)
            if confidence < MIN_DISCOVERED_CONFIDENCE:
                continue
            name = max(surfaces, key=len)
            entities.append(Entity(
                id=entity_id, name=name, type=group[0].type, names={lang: name},
                mentions=tuple(surfaces), spans=tuple((m.start, m.end) for m in group),
                confidence=confidence,
            ))
    return entities
