"""Names the lexicon lacks, found as rare capitalised words (Latin script).

A startup or unit name ("Mobvoi", "DriveNow", "N26") is a word the language hardly ever
uses. Word frequencies come from wordfreq (frequency lists of many languages shipped in
the wheel): a capitalised or mixed-case Latin word whose Zipf frequency is below
RARE_ZIPF both in the article's language and in English, used at least twice in the
article and at least once not at the start of a sentence, is taken as an organization
(or a product when a product noun follows it). Words next to a job title are people.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..model import EntityType, Mention
from ..textnorm import slugify

__all__ = ["rare_names", "RARE_ZIPF"]

RARE_ZIPF = 1.5
_WORD = re.compile(r"(?<![\w@.\-])([A-Z][a-z]*[A-Z0-9][\w\-]*|[A-Z][a-z]{2,}[\w\-]*|[A-Z]{2,}[0-9]+[A-Z0-9]*)(?![\w@\-])")
_SENTENCE_START = re.compile(r"(?:^|[.!?。！？:]\s*|\n\s*|[\"“„«(]\s*)$")
_PRODUCT_AFTER = re.compile(r"^[\s-]*(?:app|system|platform|plattform|assistant|assistent|software|chip|платформ|систем|приложени)", re.I)
_PERSON_BEFORE = re.compile(r"(?:ceo|cto|cfo|chef|chief|founder|gründer|vorstand|president|präsident|director|direktor|"
                            r"manager|sprecher|spokesman|spokeswoman|mr|mrs|ms|herr|frau|dr|глава|директор)\.?\s+(?:[A-Z]\w+\s+)?$", re.I)


@lru_cache(maxsize=65536)
def _zipf(word: str, lang: str) -> float:
    from wordfreq import zipf_frequency
    return max(zipf_frequency(word, lang), zipf_frequency(word, "en"))


def _compound(word: str, lang: str) -> bool:
    """A German-style compound of two common words ("Datenplattform") is no name."""
    if not word[1:].islower() or len(word) < 8:
        return False
    return any(_zipf(word[:k], lang) >= 2.5 and _zipf(word[k:], lang) >= 2.5 for k in range(3, len(word) - 3))


def rare_names(text: str, mentions: list, lang: str) -> list:
    """Mentions for rare capitalised words not covered by an existing mention."""
    if lang == "zh":
        return []
    occupied = bytearray(len(text) + 1)
    for m in mentions:
        occupied[m.start:m.end] = b"\x01" * (m.end - m.start)
    spots: dict = {}
    for m in _WORD.finditer(text):
        s, e = m.span(1)
        if any(occupied[s:e]):
            continue
        spots.setdefault(m.group(1), []).append((s, e))
    out = []
    for word, places in spots.items():
        if len(places) < 2 or len(word) < 3 or _zipf(word, lang) >= RARE_ZIPF or _compound(word, lang):
            continue
        if all(_SENTENCE_START.search(text[max(0, s - 4):s]) for s, _ in places):
            continue
        if any(_PERSON_BEFORE.search(text[max(0, s - 40):s]) for s, _ in places):
            continue
        product = any(_PRODUCT_AFTER.match(text[e:e + 14]) for _, e in places)
        kind = EntityType.PRODUCT if product else EntityType.ORGANIZATION
        for s, e in places:
            out.append(Mention(s, e, word, slugify(word), kind, 0.55, "rare_word"))
    return out
