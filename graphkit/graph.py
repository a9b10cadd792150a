"""Extractions -> one NetworkX MultiDiGraph with provenance, persisted as JSON or Parquet.

One edge per (type, head, tail), keyed by type; PARTNERS_WITH is stored once per pair
(head < tail by id). Every edge keeps its per-article provenance (evidence sentence, date,
confidence, rule), from which support, first/last seen and confidence are derived, so a
re-extracted or retracted article can be replaced without touching other articles' facts.
"""

from __future__ import annotations

import json
import os
import tempfile
import weakref
from pathlib import Path

import networkx as nx

from .edgerules import CONFIDENCE_DIGITS, date_span, noisy_or
from .errors import GraphFileError, OutputError
from .model import SYMMETRIC_TYPES, Extraction, RelationType

__all__ = [
    "DEFAULT_GRAPH_PATH",
    "EVIDENCE_CAP",
    "build_graph",
    "add_extraction",
    "remove_article",
    "graph_to_dict",
    "graph_from_dict",
    "save_graph",
    "load_graph",
    "edge_summary",
    "record_prefix",
    "loaded_prefix",
]

DEFAULT_GRAPH_PATH = Path("graphkit-out/graph.json")  # the CLI reads GRAPHKIT_GRAPH once, in graphkit.settings
EVIDENCE_CAP = 5  # evidence sentences kept on an edge summary
FORMAT = "graphkit-graph/1"


def edge_summary(provenance: list) -> dict:
    """Derived edge attributes from its provenance records (one per article); the rules are
    graphkit.edgerules', shared with the Neo4j loader."""
    first_seen, last_seen = date_span(p.get("date") for p in provenance)
    return {
        "support": len(provenance),
        "articles": [p["article"] for p in provenance],
        "evidence": [p["evidence"] for p in provenance][:EVIDENCE_CAP],
        "first_seen": first_seen,
        "last_seen": last_seen,
        "confidence": noisy_or(p["confidence"] for p in provenance),
    }


def _merge_node(graph, entity, article_id, new_in_article: bool = True):
    if entity.id not in graph:
        graph.add_node(entity.id, name=entity.name, type=entity.type.value, kind=entity.kind,
                       country=entity.country, parent=entity.parent, wikidata=entity.wikidata,
                       names=dict(entity.names), aliases=[], articles=[], confidence=entity.confidence)
    node = graph.nodes[entity.id]
    for lang, name in entity.names.items():
        node["names"].setdefault(lang, name)
    for alias in entity.mentions:
        if alias not in node["aliases"]:
            node["aliases"].append(alias)
    if new_in_article:  # (a list search here made build quadratic in a node's articles)
        node["articles"].append(article_id)
    node["confidence"] = max(node["confidence"], entity.confidence)


def add_extraction(graph: nx.MultiDiGraph, extraction: Extraction) -> None:
    """Add one article's entities and relations; an article already present is replaced.

    Linear in the article: each edge's summary is updated from the new item alone, never
    recomputed over every article behind the edge."""
    article = extraction.article
    if article.id in graph.graph["articles"]:
        remove_article(graph, article.id)
    graph.graph["articles"][article.id] = article.meta()
    merged = set()
    for entity in extraction.entities:
        _merge_node(graph, entity, article.id, new_in_article=entity.id not in merged)
        merged.add(entity.id)
    records = {}  # one item per edge and article: the last statement of a fact wins
    for rel in extraction.relations:
        records[rel.key()] = {"article": article.id, "evidence": rel.evidence, "date": rel.date or article.published,
                              "confidence": rel.confidence, "rule": rel.rule}
    for (rtype, head, tail), record in records.items():
        if graph.has_edge(head, tail, key=rtype):
            _append_item(graph, graph.edges[head, tail, rtype], (head, tail, rtype), record)
        else:
            graph.add_edge(head, tail, key=rtype, type=rtype, provenance=[record])
            data = graph.edges[head, tail, rtype]
            data.update(edge_summary(data["provenance"]))


# graph -> {edge key: (provenance list, its length, confidence written, unrounded miss
# product)}: the noisy-or state of each edge, kept beside the graph (not in it, so never
# saved). An entry is used only while the edge still holds exactly what it describes;
# any other change to the edge (retract, curation) makes it recomputed once.
_NOISY_OR_STATE = weakref.WeakKeyDictionary()


def _append_item(graph, data: dict, key: tuple, record: dict) -> None:
    """Add one article's item to an existing edge and update its summary in O(1): the same
    values edge_summary() would derive from the whole provenance (pinned by a test)."""
    provenance = data["provenance"]
    states = _NOISY_OR_STATE.setdefault(graph, {})
    state = states.get(key)
    if state and state[0] is provenance and state[1] == len(provenance) and state[2] == data.get("confidence"):
        miss = state[3]
    else:
        miss = _miss(p["confidence"] for p in provenance)
    provenance.append(record)
    miss = _miss((record["confidence"],), miss)
    data["support"] = len(provenance)
    data["articles"].append(record["article"])
    if len(data["evidence"]) < EVIDENCE_CAP:
        data["evidence"].append(record["evidence"])
    date = record["date"]
    if date:
        if data["first_seen"] is None or date < data["first_seen"]:
            data["first_seen"] = date
        if data["last_seen"] is None or date > data["last_seen"]:
            data["last_seen"] = date
    data["confidence"] = round(1.0 - miss, CONFIDENCE_DIGITS)
    states[key] = (provenance, len(provenance), data["confidence"], miss)


def _miss(confidences, miss: float = 1.0) -> float:
    """The running product of edgerules.noisy_or, same operations in the same order."""
    for c in confidences:
        miss *= 1.0 - min(1.0, max(0.0, c))
    return miss


def remove_article(graph: nx.MultiDiGraph, article_id: str) -> bool:
    """Withdraw an article's contribution; edges and nodes left with no support go."""
    if article_id not in graph.graph["articles"]:
        return False
    del graph.graph["articles"][article_id]
    for head, tail, key, data in list(graph.edges(keys=True, data=True)):
        kept = [p for p in data["provenance"] if p["article"] != article_id]
        if not kept:
            graph.remove_edge(head, tail, key=key)
        elif len(kept) != len(data["provenance"]):
            data["provenance"] = kept
            data.update(edge_summary(kept))
    for node_id in list(graph.nodes):
        articles = graph.nodes[node_id]["articles"]
        if article_id in articles:
            articles.remove(article_id)
        if not articles and graph.degree(node_id) == 0:
            graph.remove_node(node_id)
    return True


def build_graph(extractions) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(articles={})
    for extraction in extractions:
        add_extraction(graph, extraction)
    return graph


def graph_to_dict(graph: nx.MultiDiGraph) -> dict:
    nodes = [{"id": n, **data} for n, data in sorted(graph.nodes(data=True))]
    edges = [
        {"type": key, "head": h, "tail": t, "symmetric": RelationType(key) in SYMMETRIC_TYPES,
         **{k: v for k, v in data.items() if k != "type"}}
        for h, t, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[2], e[0], e[1]))
    ]
    articles = [graph.graph["articles"][a] for a in sorted(graph.graph["articles"])]
    meta = {k: v for k, v in graph.graph.items() if k != "articles"}
    return {"format": FORMAT, "meta": meta, "articles": articles, "nodes": nodes, "edges": edges}


def graph_from_dict(data: dict) -> nx.MultiDiGraph:
    if data.get("format") != FORMAT:
        raise GraphFileError(f"not a graphkit graph file (format {data.get('format')!r}, expected {FORMAT!r})")
    graph = nx.MultiDiGraph(**data.get("meta", {}), articles={a["id"]: a for a in data["articles"]})
    for node in data["nodes"]:
        attrs = dict(node)
        graph.add_node(attrs.pop("id"), **attrs)
    for edge in data["edges"]:
        attrs = {k: v for k, v in edge.items() if k not in ("head", "tail", "symmetric")}
        graph.add_edge(edge["head"], edge["tail"], key=edge["type"], **attrs)
    return graph


def save_graph(graph: nx.MultiDiGraph, path: Path) -> None:
    """Write atomically: a crash mid-write never leaves a truncated graph behind. A `.parquet`
    path (or a columnar graph already there) gets the columnar form (graphkit.graphfile)."""
    from .graphfile import save_parquet, wants_columnar

    path = Path(path)
    if wants_columnar(path):
        save_parquet(graph, path)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".graph-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(graph_to_dict(graph), fh, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
    except OSError as exc:  # a full disk: no half-written temp file is left beside the graph
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write the graph file ({exc.strerror or exc})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_graph(path: Path) -> nx.MultiDiGraph:
    """The graph of a JSON or columnar graph file (told apart by what is on disk), checked:
    a bad file is one GraphFileError naming it (graphkit.graphfile.check_graph)."""
    from .graphfile import check_graph, is_columnar, load_parquet

    path = Path(path)
    if not path.exists():
        raise GraphFileError(f"{path}: no graph file; run `graphkit build ARTICLES...` first")
    if is_columnar(path):
        return load_parquet(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GraphFileError(f"{path}: cannot read graph file ({exc})") from None
    try:
        graph = graph_from_dict(data)
        node_ids = [n["id"] for n in data["nodes"]]
    except GraphFileError as exc:
        raise GraphFileError(f"{path}: {exc}") from None
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise GraphFileError(f"{path}: malformed graph file ({type(exc).__name__}: {exc})") from None
    check_graph(graph, path, node_ids)
    return graph


def record_prefix(graph: nx.MultiDiGraph, prefix: str) -> bool:
    """Remember the Neo4j id prefix the graph was loaded with; True when it changed."""
    if graph.graph.get("neo4j_id_prefix") == prefix:
        return False
    graph.graph["neo4j_id_prefix"] = prefix
    return True


def loaded_prefix(graph: nx.MultiDiGraph) -> str | None:
    """The id prefix of the last `graphkit load` of this graph, None if never loaded."""
    return graph.graph.get("neo4j_id_prefix")
