"""Near-duplicate articles (syndicated copies, re-crawls with small edits) found before
extraction, so a story counts once for support however often it was copied.

Each article's text becomes a set of shingles (3 words; 3 characters for Chinese), summed
up in a MinHash signature (datasketch, 64 permutations); an LSH index over the signatures
finds candidates, and a candidate whose estimated Jaccard similarity reaches the threshold
is a duplicate of the first article of its story (input order; articles already in the
graph come first). Signatures are kept in the graph's article records (`minhash`, base64)
so `graphkit add` recognises a copy of an article added long ago.
"""

from __future__ import annotations

import base64
import re
import zlib
from dataclasses import dataclass, field

import numpy as np
from datasketch import MinHash, MinHashLSH

__all__ = ["THRESHOLD", "NUM_PERM", "NearDuplicates", "NearDuplicateFilter", "signature", "find_near_duplicates",
           "encode_signature", "decode_signature"]

THRESHOLD = 0.7  # estimated Jaccard similarity of shingle sets (one edited sentence in a short story ~0.8)
NUM_PERM = 64
_SEED = 1
_WORD = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SCHEME = "affine32"  # datasketch 2 scheme; signatures are uint32
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=zlib.crc32, scheme=_SCHEME)


def _shingles(text: str) -> set:
    folded = text.casefold()
    if len(_CJK.findall(folded[:2000])) > 200:
        chars = "".join(c for c in folded if not c.isspace())
        grams = {chars[i:i + 3] for i in range(max(1, len(chars) - 2))}
    else:
        words = _WORD.findall(folded)
        grams = {" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))}
    return {g.encode("utf-8") for g in grams if g}


def signature(text: str) -> MinHash:
    """The MinHash of an article's text (same text, same signature, in any process)."""
    m = MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=zlib.crc32, permutations=_TEMPLATE.permutations,
                scheme=_SCHEME)
    m.update_batch(_shingles(text))
    return m


def encode_signature(m: MinHash) -> str:
    return base64.b64encode(np.asarray(m.hashvalues, dtype=np.uint32).tobytes()).decode("ascii")


def decode_signature(text: str) -> MinHash | None:
    try:
        values = np.frombuffer(base64.b64decode(text), dtype=np.uint32).copy()
    except (ValueError, TypeError):
        return None
    if len(values) != NUM_PERM:
        return None
    return MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=zlib.crc32, hashvalues=values,
                   permutations=_TEMPLATE.permutations, scheme=_SCHEME)


class NearDuplicateFilter:
    """The streamed check: `admit` articles in input order; the first of each story is
    kept, later near-copies are refused (with the id kept and the similarity).

    `known` maps ids already in the graph to their encoded signatures."""

    def __init__(self, known: dict | None = None, threshold: float = THRESHOLD):
        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.sigs = {}
        self.signatures = {}  # encoded signatures of the articles admitted here
        self.duplicates = []  # (article id, id kept, similarity, source)
        for article_id, encoded in (known or {}).items():
            m = decode_signature(encoded) if encoded else None
            if m is not None:
                self.sigs[article_id] = m
                self.lsh.insert(article_id, m)

    def admit(self, article_id: str, sig, source: str | None = None):
        """None when the article is kept, else (id kept, similarity). `sig` is a MinHash
        or its encoded form (as computed in a worker process)."""
        m = decode_signature(sig) if isinstance(sig, str) else sig
        if m is None:
            return None
        best = None
        for candidate in self.lsh.query(m):
            if candidate == article_id:
                continue  # a changed version of an article replaces it: not a copy of itself
            similarity = m.jaccard(self.sigs[candidate])
            if similarity >= self.threshold and (best is None or similarity > best[1]):
                best = (candidate, round(similarity, 3))
        if best is not None:
            self.duplicates.append((article_id, best[0], best[1], source))
            return best
        self.signatures[article_id] = sig if isinstance(sig, str) else encode_signature(m)
        if article_id in self.sigs:
            self.lsh.remove(article_id)
        self.sigs[article_id] = m
        self.lsh.insert(article_id, m)
        return None

    def record(self, graph) -> None:
        """Keep signatures on the graph's article records and list each copy on the article kept."""
        articles = graph.graph.setdefault("articles", {})
        for article_id, encoded in self.signatures.items():
            if article_id in articles:
                articles[article_id]["minhash"] = encoded
        for article_id, kept, similarity, source in self.duplicates:
            if kept in articles:
                listed = articles[kept].setdefault("duplicates", [])
                if article_id not in [d["id"] for d in listed]:
                    listed.append({"id": article_id, "similarity": similarity, "source": source})


@dataclass
class NearDuplicates:
    kept: list = field(default_factory=list)  # articles to extract
    duplicates: list = field(default_factory=list)  # (article, id of the copy kept, similarity)
    signatures: dict = field(default_factory=dict)  # article id -> encoded signature (kept articles)


def find_near_duplicates(articles, known: dict | None = None, threshold: float = THRESHOLD) -> NearDuplicates:
    """Split `articles` (with their text) into the first of each story and its near-duplicates."""
    check = NearDuplicateFilter(known, threshold)
    result = NearDuplicates()
    for article in articles:
        found = check.admit(article.id, signature(article.text), article.source)
        if found is None:
            result.kept.append(article)
        else:
            result.duplicates.append((article, found[0], found[1]))
    result.signatures = check.signatures
    return result
