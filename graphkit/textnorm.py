"""Text normalization shared by ingest, matching and evaluation.

Two views of a text exist: the article text (NFKC-normalized, what users see and what
offsets point into) and the *match view* (Traditional->Simplified by character, lower
case) which has exactly the same length, so a match in one is a span in the other.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

__all__ = ["normalize_text", "strip_invisible", "match_view", "article_view", "fold_key", "is_cjk", "is_word_char", "slugify"]

_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def normalize_text(text: str) -> str:
    """NFKC (full-width ASCII -> ASCII), unified newlines, collapsed runs of spaces.

    >>> normalize_text("ＢＭＷ\\u3000与　阿里")
    'BMW 与 阿里'
    """
    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u200b", "").replace("\ufeff", "")
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


# Characters that change no glyph but split a name for matching: zero-width space, (non-)
# joiners, direction marks and embeddings/isolates, word joiner and invisible operators,
# soft hyphen, Mongolian vowel separator, Arabic letter mark, BOMs inside the text; and
# control characters (C0 but tab/newline, DEL, C1), which only reach text by damage and
# must never reach a terminal.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]"
)
_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")


def strip_invisible(text: str) -> str:
    r"""Remove invisible and control characters; every line-break character becomes a newline.

    >>> strip_invisible("Ten\u00adcent\u200d and BMW\u2028\x1b[2J")
    'Tencent and BMW\n[2J'
    """
    return _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", text))


@lru_cache(maxsize=1)
def _t2s_table() -> dict:
    """Character-level Traditional->Simplified map from OpenCC's data (length preserving)."""
    table = {}
    data = resources.files("opencc").joinpath("dictionary/TSCharacters.txt")
    for line in data.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1:
            table[ord(parts[0])] = parts[1]
    return table


def to_simplified(text: str) -> str:
    return text.translate(_t2s_table())


@lru_cache(maxsize=2)  # an article's view is asked for by mention finding and relation extraction
def article_view(text: str) -> str:
    """match_view of a whole article text, kept for the next caller."""
    return match_view(text)


def match_view(text: str) -> str:
    """Same-length folded copy of `text` used for dictionary matching."""
    lowered = text.lower()
    if len(lowered) != len(text):  # e.g. 'İ' lowers to two code points
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return to_simplified(lowered)


_PUNCT_FOLD = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=1 << 16)  # names recur across articles; the folding is pure
def fold_key(name: str) -> str:
    """Case-, width-, script- and punctuation-folded key (the corpus matching rule).

    >>> fold_key("Alibaba Cloud Innovation Center – BMW")
    'alibabacloudinnovationcenterbmw'
    """
    return _PUNCT_FOLD.sub("", match_view(unicodedata.normalize("NFKC", name)))


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0xF900 <= code <= 0xFAFF
    )


def is_word_char(ch: str) -> bool:
    """Letters and digits of space-separated scripts (a CJK character is not one)."""
    return ch.isalnum() and not is_cjk(ch)


@lru_cache(maxsize=1 << 16)
def slugify(name: str) -> str:
    """Stable id from a canonical name: folded, hyphenated, script kept.

    >>> slugify("Dongfeng Motor"), slugify("飞驰镁物")
    ('dongfeng-motor', '飞驰镁物')
    """
    folded = match_view(unicodedata.normalize("NFKC", name))
    return re.sub(r"[\W_]+", "-", folded, flags=re.UNICODE).strip("-") or "unnamed"
