"""Relation candidates and their language-neutral features.

Every pair of mentions of two different entities inside one sentence is a candidate
(pairs further apart than WINDOW mentions are skipped, which keeps the work linear in the
sentence length). Rule hits, trigger classes, connectors, cue flags, distances and entity
types become string features; the scorer, trained on the gold annotations, decides type,
direction and confidence. Feature names never contain words of the article, only rule
ids, relation names, entity types and kinds, and position classes, so the model learns
constructions rather than wordings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .strategies import MaskedSentence

__all__ = ["Candidate", "candidates", "WINDOW"]

WINDOW = 8  # a mention is paired with at most this many following mentions
_WORD = re.compile(r"[\u3400-\u9fff]|[^\W\d_]+|\d+")
_MENTION = re.compile(r"⟦\d+⟧")


@dataclass
class Candidate:
    sentence: MaskedSentence
    first: int  # mention index, earlier in the sentence
    second: int
    features: list = field(default_factory=list)
    hits: list = field(default_factory=list)  # (Hit, "fwd"|"rev")

    @property
    def same_clause(self) -> bool:
        s = self.sentence
        return s.clause_of(s.token_pos[self.first]) == s.clause_of(s.token_pos[self.second])

    @property
    def pair(self):
        return self.sentence.mentions[self.first], self.sentence.mentions[self.second]


def _bucket(n: int, edges=(0, 1, 2, 3, 5, 8, 12, 20, 35)) -> str:
    for e in edges:
        if n <= e:
            return str(e)
    return "more"


def _trigger_positions(sent: MaskedSentence, rules) -> list:
    """(relation, rule id, start) of every trigger match in the sentence."""
    out = []
    for rule in sent.fired():
        for m in sent.triggers(rule):
            out.append((rule.relation.value, rule.id, m.start()))
    return out


def candidates(sent: MaskedSentence, rules, hits: list) -> list:
    """All candidate pairs of one sentence with their features."""
    n = len(sent.mentions)
    if n < 2:
        return []
    triggers = _trigger_positions(sent, rules)
    by_pair: dict = {}
    for h in hits:
        by_pair.setdefault(frozenset((h.head, h.tail)), []).append(h)
    out = []
    keys = [m.entity_key for m in sent.mentions]
    seen_pairs = set()
    for i in range(n):
        for j in range(i + 1, min(n, i + 1 + WINDOW)):
            if keys[i] == keys[j]:
                continue
            pair_key = (keys[i], keys[j])
            if pair_key in seen_pairs and not by_pair.get(frozenset((i, j))):
                continue  # the same two entities again in one sentence: keep the first, or one with hits
            seen_pairs.add(pair_key)
            cand = Candidate(sent, i, j)
            cand.hits = [(h, "fwd" if h.head == i else "rev") for h in by_pair.get(frozenset((i, j)), ())]
            cand.features = _features(sent, rules, i, j, triggers, cand.hits)
            out.append(cand)
    return out


def _features(sent: MaskedSentence, rules, i: int, j: int, triggers: list, hits: list) -> list:
    mi, mj = sent.mentions[i], sent.mentions[j]
    ti, tj = mi.type.value, mj.type.value
    ki, kj = sent.kind(i) or "none", sent.kind(j) or "none"
    types = f"{ti}>{tj}"
    f = ["bias", f"lang={sent.rules.lang}", f"types={types}", f"kinds={ki}>{kj}", f"kind1={ki}", f"kind2={kj}",
         f"origin1={getattr(mi, 'origin', 'lexicon')}", f"origin2={getattr(mj, 'origin', 'lexicon')}"]
    pi, pj = sent.token_pos[i], sent.token_pos[j]
    ei = sent.token_end(i)
    between = sent.masked[ei:pj]
    words = len(_WORD.findall(_MENTION.sub(" ", between)))
    f.append(f"dist={_bucket(words)}")
    f.append(f"mentions_between={_bucket(j - i - 1, (0, 1, 2, 4))}")
    ci, cj = sent.clause_of(pi), sent.clause_of(pj)
    same_clause = ci == cj
    f.append(f"same_clause={same_clause}")
    if rules.coordinated_gap and rules.coordinated_gap.fullmatch(between):
        f.append("coordinated")
        f.append(f"coordinated|{types}")
    if rules.with_connectors:
        if rules.with_connectors.search(between):
            f.append("with_between")
            f.append(f"with_between|{types}")
        if rules.with_connectors.search(sent.masked[max(0, pi - 25):pi]):
            f.append("with_before_first")
    if between.startswith(("'s", "’s", "的")) or (sent.rules.lang == "de" and between.startswith("s ")):
        f.append(f"possessive|{types}")
    if between.startswith(","):
        f.append("comma_after_first")
    if pi <= 2:
        f.append("first_is_sentence_start")
    if not sent.is_party(i) and mi.type.value == "Organization":
        f.append("first_not_party")
    if not sent.is_party(j) and mj.type.value == "Organization":
        f.append("second_not_party")
    lo, hi = min(ci[0], cj[0]), max(ci[1], cj[1])
    for cue in sorted(sent.cues_in(lo, hi)):
        f.append(f"cue={cue}")
    for cue in sorted(sent.cues_in(0, len(sent.masked))):
        f.append(f"cue_sent={cue}")
    for relation, rule_id, pos in triggers:
        where = "before" if pos < pi else ("between" if pos < pj else "after")
        in_clause = (ci[0] <= pos <= ci[1]) or (cj[0] <= pos <= cj[1])
        f.append(f"trig={relation}:{where}")
        f.append(f"trig={relation}:{where}|{types}")
        if in_clause:
            f.append(f"trig_clause={relation}")
            f.append(f"trig_clause={relation}|{types}")
    for hit, direction in hits:
        rel = hit.rule.relation.value
        tag = "blocked" if hit.blocked else "hit"
        f.append(f"{tag}={rel}:{direction}")
        f.append(f"{tag}={rel}:{direction}|{types}")
        f.append(f"strategy={hit.rule.strategy}:{rel}:{direction}")
        if hit.blocked:
            f.append(f"blocked_by={hit.blocked}")
    return sorted(set(f))
