"""Article -> Extraction: mentions, resolved entities, relations."""

from __future__ import annotations

from ..lexicon import load_lexicon
from ..model import Article, Extraction
from ..resolve import entities_from_mentions
from .mentions import find_mentions
from .relations import extract_relations

__all__ = ["extract_article"]


def extract_article(article: Article) -> Extraction:
    lexicon = load_lexicon()
    mentions = find_mentions(article.text, article.lang)
    entities = entities_from_mentions(mentions, lexicon, article.lang)
    known = {e.id for e in entities}
    mentions = [m for m in mentions if m.entity_key in known]
    relations = extract_relations(article, mentions)
    return Extraction(article=article, entities=tuple(entities), relations=tuple(relations))
