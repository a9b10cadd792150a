"""What a graph file asks the store to hold, as rows: pure Python, no server involved.

The incremental loader and the bulk importer write the same rows, so a store filled by
either holds the same nodes, relationships and properties (docs/neo4j-model.md):

* entity rows: `{"id", "props", "aliases", "confidence"}` per EntityType;
* article rows: `{"id", "props"}` (an article an edge or node cites without describing it
  gets a row with its id only);
* edge rows: `{"head", "tail", "key", "props"}` with the per-article parallel lists and
  the values graphkit.edgerules derives from them; PARTNERS_WITH from the smaller id to the
  larger, one row per key even when the file lists A-B and B-A;
* mentions: article id -> [entity ids].

`id_prefix` (p) goes before every node id, and so into keys and `articles` lists.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from graphkit.edgerules import date_span, noisy_or
from graphkit.errors import StoreError
from graphkit.model import SYMMETRIC_TYPES, EntityType, RelationType

__all__ = ["EVIDENCE_MAX_CHARS", "LANGS", "LoadPlan", "WriteCounts", "make_plan", "edge_key", "edge_row", "entity_row",
           "new_entity_props"]

EVIDENCE_MAX_CHARS = 400
LANGS = ("zh", "de", "ru", "en")


@dataclass
class WriteCounts:
    """The plan's rows a load wrote, per kind, and the wall time of each step (for benchmarks)."""

    entities: int = 0
    articles: int = 0
    relationships: int = 0
    mentions: int = 0
    seconds: dict = field(default_factory=dict)

    @property
    def nodes(self) -> int:
        return self.entities + self.articles


def edge_key(rtype: str, head: str, tail: str) -> str:
    return f"{rtype}|{head}|{tail}"


def entity_row(node: dict, p: str) -> tuple[EntityType, dict]:
    """(label, row) of one graph-file node."""
    try:
        etype = EntityType(node.get("type") or "Organization")
    except ValueError:
        raise StoreError(f"node {node.get('id')!r}: unknown entity type {node.get('type')!r}") from None
    props = {"name": node.get("name") or node["id"]}
    names = node.get("names") or {}
    for lang in LANGS:
        if names.get(lang):
            props[f"name_{lang}"] = names[lang]
    for key in ("kind", "country", "wikidata"):
        if node.get(key) is not None:
            props[key] = node[key]
    if node.get("parent"):
        props["parent"] = p + node["parent"]
    row = {"id": p + node["id"], "props": props, "aliases": list(dict.fromkeys(node.get("aliases") or [])),
           "confidence": float(node.get("confidence") if node.get("confidence") is not None else 1.0)}
    return etype, row


def new_entity_props(row: dict) -> dict:
    """Every property of a new entity node in one map (the CREATE form of an entity row)."""
    return {**row["props"], "id": row["id"], "aliases": row["aliases"], "confidence": row["confidence"]}


_RELATION_TYPES = {t.value: t for t in RelationType}  # a dict lookup, not Enum.__call__, per edge


def edge_ends(edge: dict, p: str) -> tuple[RelationType, str, str]:
    rtype = _RELATION_TYPES.get(edge["type"]) if isinstance(edge.get("type"), str) else None
    if rtype is None:
        raise StoreError(f"edge {edge.get('head')!r}->{edge.get('tail')!r}: unknown relation type "
                         f"{edge.get('type')!r}")
    head, tail = p + edge["head"], p + edge["tail"]
    if rtype in SYMMETRIC_TYPES and tail < head:
        head, tail = tail, head  # stored once per pair, smaller id -> larger id
    return rtype, head, tail


def _edge_identity(edge: dict, p: str) -> tuple[RelationType, str, list]:
    """(type, key, distinct supporting article ids) without building the row."""
    rtype, head, tail = edge_ends(edge, p)
    arts = list(dict.fromkeys(p + rec["article"] for rec in edge.get("provenance") or []))
    return rtype, edge_key(rtype.value, head, tail), arts


def _item(rec: dict) -> tuple:
    """(evidence, date, confidence, rule) of one provenance record, as stored."""
    conf = rec.get("confidence")
    return ((rec.get("evidence") or "")[:EVIDENCE_MAX_CHARS], rec.get("date") or "",
            float(conf if conf is not None else 1.0), rec.get("rule") or "")


def edge_row(edges: list, p: str) -> dict:
    """One row for the edge(s) sharing a key (a file may hold A-B and B-A of a symmetric type)."""
    rtype, head, tail = edge_ends(edges[0], p)
    key = edge_key(rtype.value, head, tail)
    provenance = edges[0].get("provenance") or ()
    if len(edges) == 1 and len(provenance) == 1:  # the common case, without the merging dict
        evidence, date, confidence, rule = _item(provenance[0])
        props = {"articles": [p + provenance[0]["article"]], "evidence": [evidence], "dates": [date],
                 "confidences": [confidence], "rules": [rule], "support": 1, "confidence": noisy_or((confidence,)),
                 "key": key}
        if date:
            props["first_seen"] = props["last_seen"] = date
        return {"head": head, "tail": tail, "key": key, "props": props}
    items: dict[str, tuple] = {}  # article -> (evidence, date, confidence, rule); last record wins
    for edge in edges:
        for rec in edge.get("provenance") or []:
            items[p + rec["article"]] = _item(rec)
    values = list(items.values())
    dates = [v[1] for v in values]
    confidences = [v[2] for v in values]
    props = {"articles": list(items), "evidence": [v[0] for v in values], "dates": dates,
             "confidences": confidences, "rules": [v[3] for v in values], "support": len(items),
             "confidence": noisy_or(confidences), "key": key}
    first, last = date_span(dates)
    if first is not None:
        props["first_seen"], props["last_seen"] = first, last
    return {"head": head, "tail": tail, "key": key, "props": props}


@dataclass
class LoadPlan:
    """The rows a graph file turns into, for one id prefix.

    Edge rows are built on demand (`edge_row(i)`), so a million edges are never held twice:
    the plan keeps, per relation type, the index of the first edge of each key, and the
    indices of any later edges with the same key (`twins`)."""

    prefix: str
    entities: dict  # EntityType -> [entity row]
    articles: list  # [{"id", "props"}]
    edges: list  # the file's edge dicts
    edge_order: dict  # RelationType -> [index of the first edge with each key]
    twins: dict  # index -> [indices of later edges with its key]
    article_edge_keys: dict  # article id -> [keys of the edges it supports in this file]
    mentions: dict  # article id -> [entity ids]

    def edge_row(self, index: int) -> dict:
        return edge_row([self.edges[index]] + [self.edges[j] for j in self.twins.get(index, ())], self.prefix)

    def edge_ends(self, index: int) -> tuple[RelationType, str, str]:
        return edge_ends(self.edges[index], self.prefix)

    @property
    def n_entities(self) -> int:
        return sum(len(v) for v in self.entities.values())

    @property
    def n_edges(self) -> int:
        return sum(len(v) for v in self.edge_order.values())

    @property
    def n_mentions(self) -> int:
        return sum(len(v) for v in self.mentions.values())


def make_plan(graph: dict, p: str = "") -> LoadPlan:
    """The plan of a graph dict (graphkit.graph.graph_to_dict format) under id prefix p.

    Edges no article supports are left out; raises StoreError on an unknown entity or
    relation type."""
    entities: dict[EntityType, list] = defaultdict(list)
    mentions: dict[str, list] = defaultdict(list)
    for node in graph.get("nodes", []):
        etype, row = entity_row(node, p)
        entities[etype].append(row)
        for aid in dict.fromkeys(node.get("articles") or []):
            mentions[p + aid].append(row["id"])
    edges = graph.get("edges", [])
    edge_order: dict[RelationType, list] = defaultdict(list)
    first_of_key: dict[str, int] = {}
    twins: dict[int, list] = defaultdict(list)
    article_edge_keys: dict[str, list] = defaultdict(list)
    for i, edge in enumerate(edges):
        rtype, key, arts = _edge_identity(edge, p)
        if not arts:
            continue  # an edge no article supports is not stored
        if key in first_of_key:
            twins[first_of_key[key]].append(i)
        else:
            first_of_key[key] = i
            edge_order[rtype].append(i)
        for aid in arts:
            article_edge_keys[aid].append(key)
    del first_of_key
    articles = []
    for meta in graph.get("articles", []):
        props = {k: v for k, v in meta.items() if v is not None and k != "id"}
        articles.append({"id": p + meta["id"], "props": {"id": p + meta["id"], **props}})
    known = {a["id"] for a in articles}
    for aid in list(article_edge_keys) + list(mentions):
        if aid not in known:  # an edge or node cites an article the file does not describe
            articles.append({"id": aid, "props": {"id": aid}})
            known.add(aid)
    return LoadPlan(p, dict(entities), articles, edges, dict(edge_order), dict(twins),
                    dict(article_edge_keys), dict(mentions))
