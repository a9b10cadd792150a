"""Names the lexicon lacks, found by coordination with names it knows.

News lists partners side by side: "компании «Камаз», «Старлайн» и «Магнит»", "小鹏、一汽、
吉利、地平线等", "Foxconn and FIH Mobile". An unknown item coordinated with a known
organization is an organization of the same kind of list. The item must look like a
name: a quoted string, a run of capitalised words (Latin or Cyrillic), or in Chinese a
short run of characters between list commas. Newly found names extend the chain, so a
whole list is taken once one member is known.
"""

from __future__ import annotations

import re

from ..model import EntityType, Mention
from ..textnorm import slugify

__all__ = ["coordinated_names"]

_SEP = {  # a conjunction is a word of its own ("Компании" does not end in "и")
    "zh": r"\s*(?:、|和|及|以及|与)\s*",
    "de": r"(?:\s*[,&]|\s+(?:und|sowie))\s+",
    "en": r"(?:\s*[,&]|\s+(?:and|as well as))\s+",
    "ru": r"(?:\s*,|\s+(?:и|а также))\s+",
}
_QUOTED = r"[«„“\"]([^«»„“”\"\n,.;]{2,40})[»“”\"]"
_CAPITALISED = r"((?:[A-ZА-ЯЁ][\w&.\-]*|[A-Z0-9]{2,})(?:[ \-](?:[A-ZА-ЯЁ][\w&\-]*|[A-Z0-9]{2,})){0,2})"
_ZH_ITEM = r"([\u4e00-\u9fff]{2,6}?)(?=等|、|和|及|与|以及|[，,。；]|$)"
_STOPWORDS = {"the", "der", "die", "das", "den", "dem", "und", "and", "in", "im", "am", "an", "auf", "für", "mit",
              "bei", "for", "with", "on", "at", "by", "to", "of", "a", "an", "it", "its", "this", "these", "that",
              "в", "на", "с", "и", "по", "для", "от", "к", "о", "об", "за", "из", "он", "она", "они", "это"}
_ZH_NOT_NAME = set("的了在是将对由为从向把被于其已并也都又就而这那该此同跟给让使令称位个年月日说表示")


# the `before` pattern ends in a separator (which ends in a space, a list comma or a Chinese
# conjunction) and an optional opening quote: a cheap test of the window's last character
# spares the anchored search, which tries every start position of the window
_CAN_END_BEFORE = re.compile(r"[\s«„“\"「『、和及与]$")


def _looks_like_name(name: str, lang: str) -> bool:
    words = name.split()
    if not words or words[0].lower() in _STOPWORDS or len(name) < 2:
        return False
    if lang == "zh":
        return not any(ch in _ZH_NOT_NAME for ch in name)
    return not any(w.lower() in _STOPWORDS for w in words[-1:])


def _in_long_list(text: str, s: int, e: int, anchor: Mention, sep: str) -> bool:
    """An unquoted name counts only inside a list of three or more items: a lone pair
    ("Oliver Zipse, BMW") is too often a person, a place or a photo credit."""
    lo, hi = min(s, anchor.start), max(e, anchor.end)
    left = re.search(r"(?:[\w»“”\"]+)" + sep + r"[«„“\"]?$", text[max(0, lo - 40):lo])
    right = re.match(r"[»“”\"]?" + sep + r"[«„“\"]?\w", text[hi:hi + 40])
    return bool(left or right)


def coordinated_names(text: str, mentions: list, lang: str) -> list:
    """Organization mentions for unknown names coordinated with known organizations."""
    sep = _SEP.get(lang, _SEP["en"])
    item = _ZH_ITEM if lang == "zh" else f"(?:{_QUOTED}|{_CAPITALISED})"
    after = re.compile(r"[»“”\"」』]?" + sep + item)
    before = re.compile(item + sep + r"[«„“\"「『]?$")
    taken = sorted((m.start, m.end) for m in mentions)
    occupied = bytearray(len(text) + 1)
    for s, e in taken:
        occupied[s:e] = b"\x01" * (e - s)
    anchors = [m for m in mentions if m.type is EntityType.ORGANIZATION]
    found: list = []
    queue = list(anchors)
    while queue:
        anchor = queue.pop(0)
        candidates = []
        m = after.match(text, anchor.end)
        if m:
            group = next(g for g in range(1, (m.re.groups or 0) + 1) if m.group(g))
            candidates.append((m.start(group), m.end(group)))
        window_start = max(0, anchor.start - 60)
        window = text[window_start:anchor.start]
        b = before.search(window) if _CAN_END_BEFORE.search(window) else None
        if b:
            group = next(g for g in range(1, (b.re.groups or 0) + 1) if b.group(g))
            candidates.append((window_start + b.start(group), window_start + b.end(group)))
        for s, e in candidates:
            name = text[s:e].strip()
            e = s + len(name)
            quoted = s > 0 and text[s - 1] in "«„“\""
            if any(occupied[s:e]) or not _looks_like_name(name, lang) or not (quoted or _in_long_list(text, s, e, anchor, sep)):
                continue
            occupied[s:e] = b"\x01" * (e - s)
            new = Mention(s, e, name, slugify(name), EntityType.ORGANIZATION, 0.6, "coordination")
            found.append(new)
            queue.append(new)
    return found
