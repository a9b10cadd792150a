"""Run the relation engine on one piece of text and keep every intermediate step.

Used by `graphkit rules trace` (mentions, clauses, rules fired or blocked and why, scored
candidates) and by the tests generated from the rule files' examples.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..model import Article
from ..textnorm import normalize_text
from .pipeline import article_entities
from .relations import article_candidates, decide
from .rulebook import Rule
from .scorer import load_scorer

__all__ = ["TraceResult", "trace_text", "rule_outcome"]


@dataclass
class TraceResult:
    article: Article
    entities: list
    sentences: list  # SentenceTrace
    accepted: list  # (sentence index, RelationType, head name, tail name, confidence, rule)


def _article(text: str, lang: str) -> Article:
    text = normalize_text(text)
    return Article(id="trace", text=text, lang=lang, title=None, published=None, source="<trace>",
                   sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())


def trace_text(text: str, lang: str, scorer=...) -> TraceResult:
    scorer = load_scorer() if scorer is ... else scorer
    article = _article(text, lang)
    entities, mentions = article_entities(article)
    names = {e.id: e.name for e in entities}
    traces = article_candidates(article, mentions)
    accepted = []
    for k, trace in enumerate(traces):
        for _cand, rtype, head, tail, conf, rule in decide(trace, scorer, keep_trace=True):
            accepted.append((k, rtype, names.get(head.entity_key, head.entity_key),
                             names.get(tail.entity_key, tail.entity_key), conf, rule))
    return TraceResult(article, entities, traces, accepted)


def rule_outcome(rule: Rule, text: str, lang: str) -> tuple:
    """(fired, fired unblocked) of one rule on a sentence; derived hits (a pattern's
    co-parent partnerships) count for the rule that produced them."""
    result = trace_text(text, lang, scorer=None)
    hits = [h for t in result.sentences for h in t.hits if h.rule.id.split("+")[0] == rule.id]
    return bool(hits), any(h.blocked is None and h.rule.relation is rule.relation for h in hits)
