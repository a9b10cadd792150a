"""Article -> Extraction: mentions, resolved entities, relations."""

from __future__ import annotations

from ..lexicon import load_lexicon
from dataclasses import replace

from ..model import Article, EntityType, Extraction
from ..textnorm import fold_key, slugify
from ..resolve import entities_from_mentions
from .mentions import find_mentions
from .relations import extract_relations

__all__ = ["extract_article", "article_entities"]


def article_entities(article: Article) -> tuple:
    """(entities, the mentions that refer to them) of one article."""
    lexicon = load_lexicon()
    mentions = _corefer(find_mentions(article.text, article.lang), article.id)
    entities = entities_from_mentions(mentions, lexicon, article.lang)
    known = {e.id for e in entities}
    return entities, [m for m in mentions if m.entity_key in known]


def extract_article(article: Article, scorer=...) -> Extraction:
    """Entities and relations of one article; `scorer` overrides the shipped model (None: rules only)."""
    entities, mentions = article_entities(article)
    relations = extract_relations(article, mentions, scorer)
    return Extraction(article=article, entities=tuple(entities), relations=tuple(relations))


_PROGRAM_HEAD = ("base", "basis", "база", "базы", "incubator", "inkubator", "инкубатор", "基地", "孵化器", "center", "centre", "zentrum", "центр")


def _corefer(mentions, article_id):
    """In-article coreference of discovered names.

    * a discovered name that is the tail of a longer name in the article is that entity
      ("Acceleration Program" -> "Mobility Acceleration Program");
    * a generic joint-program descriptor ("gemeinsame Innovationsbasis") is the article's
      one named program of that kind when there is exactly one, else its own entity scoped
      to the article (two articles' "joint incubator" are not the same thing).
    """
    named = {}
    for m in mentions:
        if m.origin != "descriptor":
            named.setdefault(m.entity_key, m)
    # every proper suffix (6+ characters) of every named form -> the first entity bearing it:
    # one lookup per discovered name instead of a scan of all names (linear in the article)
    by_suffix: dict = {}
    discovered = any(m.origin not in ("lexicon", "descriptor", "carried") for m in mentions)
    for n in named.values() if discovered else ():  # (only discovered names are looked up)
        folded = fold_key(n.text)
        for cut in range(1, len(folded) - 5):
            by_suffix.setdefault((n.type, folded[cut:]), []).append(n.entity_key)
    resolved = []
    for m in mentions:
        if m.origin not in ("lexicon", "descriptor", "carried"):
            folded = fold_key(m.text)
            longer = [k for k in by_suffix.get((m.type, folded), ()) if k != m.entity_key] if len(folded) >= 6 else []
            if longer:
                m = replace(m, entity_key=longer[0])
        resolved.append(m)
    heads = [fold_key(h) for h in _PROGRAM_HEAD]
    programs = {m.entity_key for m in resolved if m.type is EntityType.PROGRAM and m.origin != "descriptor"
                and any(h in fold_key(m.text) for h in heads)}
    out = []
    for m in resolved:
        if m.origin == "descriptor":
            key = next(iter(programs)) if len(programs) == 1 else f"{slugify(m.text)}@{article_id}"
            m = replace(m, entity_key=key)
        out.append(m)
    return out
