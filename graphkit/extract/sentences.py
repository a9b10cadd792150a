"""Split article text into sentences (with offsets) and sentences into clauses."""

from __future__ import annotations

import re

__all__ = ["split_sentences", "split_clauses"]

# A sentence ends at CJK end punctuation, at a newline, or at . ! ? followed by space and
# a capital, quote or digit, unless the period closes an abbreviation ("Co. Ltd", "Inc.").
# Page text often glues sentences together ("übermittelt.Im September"): a period between
# a lower-case word and a capitalised word ends a sentence too, unless the word before is
# itself capitalised ("Yandex.Music", "Яндекс.Такси" are names).
_END = re.compile(r"[。！？](?:[”」』\"»])?|\n+|[.!?](?:[”\"»])?(?=\s+[A-ZА-ЯЁ“„«\"\d]|[A-ZÄÖÜА-ЯЁ][a-zäöüßа-яё])")
_LAST_WORD_WITH_DOTS = re.compile(r"([\w.]+)$")
_LAST_WORD = re.compile(r"(\w+)$")
_ABBREVIATIONS = {"co", "inc", "ltd", "corp", "mr", "mrs", "dr", "st", "nr", "ca", "bzw", "vs", "no", "z.b", "u.a", "jr", "sr", "gen"}


def split_sentences(text: str) -> list:
    """(start, end) spans of sentences, whitespace trimmed, empty ones dropped."""
    spans, start = [], 0
    for m in _END.finditer(text):
        if m.group(0)[0] == ".":
            word = _LAST_WORD_WITH_DOTS.search(text[max(0, m.start() - 6):m.start()])
            if word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
                continue
        if m.group(0)[0] in ".!?" and m.end() < len(text) and not text[m.end()].isspace():
            before = _LAST_WORD.search(text[max(0, m.start() - 40):m.start()])
            if not before or not before.group(1)[0].islower():
                continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def split_clauses(text: str, start: int, end: int, pattern: re.Pattern) -> list:
    """Sub-spans of [start, end) separated by the language's clause delimiters."""
    spans, s = [], start
    for m in pattern.finditer(text, start, end):
        spans.append((s, m.start()))
        s = m.end()
    spans.append((s, end))
    return [(a, b) for a, b in spans if b > a]
