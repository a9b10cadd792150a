"""Frozen dataclasses handed from one pipeline stage to the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

__all__ = [
    "EntityType",
    "RelationType",
    "SYMMETRIC_TYPES",
    "CORE_TYPES",
    "Article",
    "Mention",
    "Entity",
    "Relation",
    "Extraction",
]


class EntityType(str, Enum):
    ORGANIZATION = "Organization"
    PRODUCT = "Product"
    PROGRAM = "Program"


class RelationType(str, Enum):
    PARTNERS_WITH = "PARTNERS_WITH"
    DEPLOYS_ON = "DEPLOYS_ON"
    INCUBATES = "INCUBATES"
    SUBSIDIARY_OF = "SUBSIDIARY_OF"
    OPERATES = "OPERATES"
    PRODUCT_OF = "PRODUCT_OF"
    INVESTS_IN = "INVESTS_IN"
    SUPPLIES = "SUPPLIES"
    JOINT_VENTURE_OF = "JOINT_VENTURE_OF"


SYMMETRIC_TYPES = frozenset({RelationType.PARTNERS_WITH})
CORE_TYPES = (RelationType.PARTNERS_WITH, RelationType.DEPLOYS_ON, RelationType.INCUBATES)


@dataclass(frozen=True)
class Article:
    """One decoded, cleaned news article. `id` is the file stem (or the JSON record id)."""

    id: str
    text: str
    lang: str
    title: str | None
    published: str | None  # YYYY, YYYY-MM or YYYY-MM-DD
    source: str  # path or URL the text came from
    sha256: str  # of the normalized text: equal texts are one article
    encoding: str = "utf-8"

    def meta(self) -> dict:
        return {
            "id": self.id,
            "lang": self.lang,
            "title": self.title,
            "published": self.published,
            "source": self.source,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class Mention:
    """A surface form of an entity at [start, end) of the article text."""

    start: int
    end: int
    text: str
    entity_key: str  # canonical id of the entity the mention refers to
    type: EntityType
    confidence: float  # 1.0 for lexicon names, lower for discovered names
    origin: str = "lexicon"  # how it was found: lexicon, legal_form, coordination, quoted_program, ...


@dataclass(frozen=True)
class Entity:
    id: str
    name: str
    type: EntityType
    kind: str | None = None
    country: str | None = None
    parent: str | None = None
    wikidata: str | None = None
    names: dict = field(default_factory=dict, hash=False, compare=False)  # lang -> name
    mentions: tuple = ()  # surface strings exactly as in the text
    spans: tuple = ()  # (start, end) per mention occurrence
    confidence: float = 1.0


@dataclass(frozen=True)
class Relation:
    type: RelationType
    head: str  # entity id
    tail: str  # entity id
    evidence: str
    evidence_span: tuple  # (start, end) in the article text
    date: str | None
    confidence: float
    rule: str  # which rule fired, for error analysis
    article: str = ""

    def key(self) -> tuple:
        """(type, head, tail) with symmetric types ordered, so one pair is one fact."""
        head, tail = self.head, self.tail
        if self.type in SYMMETRIC_TYPES and tail < head:
            head, tail = tail, head
        return (self.type.value, head, tail)


@dataclass(frozen=True)
class Extraction:
    article: Article
    entities: tuple  # of Entity
    relations: tuple  # of Relation

    def to_json(self) -> dict:
        """The `graphkit extract` contract (see README)."""
        return {
            "article": self.article.meta(),
            "entities": [
                {
                    "id": e.id,
                    "name": e.name,
                    "type": e.type.value,
                    "kind": e.kind,
                    "country": e.country,
                    "wikidata": e.wikidata,
                    "names": e.names,
                    "mentions": list(e.mentions),
                    "confidence": e.confidence,
                }
                for e in self.entities
            ],
            "relations": [
                {
                    "type": r.type.value,
                    "head": r.head,
                    "tail": r.tail,
                    "evidence": r.evidence,
                    "date": r.date,
                    "confidence": r.confidence,
                    "rule": r.rule,
                }
                for r in self.relations
            ],
        }
