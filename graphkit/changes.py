"""Grow a graph article by article and say what changed.

Articles are keyed by their content hash (sha256 of the normalized text): an article
whose text is already in the graph changes nothing (under its own id or another one), an
article whose id is in the graph with another hash replaces its own contribution, any
other article adds one. Every change is reported as a GraphDiff between two snapshots
(entities, edges with their support, articles), which also compares two graph files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from .graph import add_extraction, remove_article

__all__ = ["Snapshot", "GraphDiff", "AddPlan", "AddResult", "RetractResult",
           "snapshot", "diff_graphs", "plan_add", "apply_add", "retract_articles"]


@dataclass(frozen=True)
class Snapshot:
    """What a change summary compares: node names, edge supports, article hashes."""
    nodes: dict  # id -> name
    edges: dict  # (type, head, tail) -> support
    articles: dict  # id -> sha256


def snapshot(graph: nx.MultiDiGraph) -> Snapshot:
    return Snapshot(
        nodes={n: d.get("name", n) for n, d in graph.nodes(data=True)},
        edges={(k, h, t): d.get("support", 1) for h, t, k, d in graph.edges(keys=True, data=True)},
        articles={a: (m or {}).get("sha256") for a, m in graph.graph.get("articles", {}).items()},
    )


@dataclass
class GraphDiff:
    articles_added: list = field(default_factory=list)
    articles_removed: list = field(default_factory=list)
    articles_changed: list = field(default_factory=list)  # same id, new text
    entities_added: list = field(default_factory=list)  # [(id, name)]
    entities_removed: list = field(default_factory=list)
    edges_added: list = field(default_factory=list)  # [(type, head name, tail name, support)]
    edges_removed: list = field(default_factory=list)
    support_changed: list = field(default_factory=list)  # [(type, head name, tail name, old, new)]

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f) for f in self.__dataclass_fields__)

    def counts(self) -> dict:
        return {f: len(getattr(self, f)) for f in self.__dataclass_fields__}

    def summary(self) -> str:
        c = self.counts()
        return (f"articles +{c['articles_added']} -{c['articles_removed']} ~{c['articles_changed']}; "
                f"entities +{c['entities_added']} -{c['entities_removed']}; "
                f"edges +{c['edges_added']} -{c['edges_removed']}; support changed on {c['support_changed']} edges")

    def rows(self) -> list:
        """One row per change, for tables and exports."""
        rows = []
        for kind, items in (("article added", self.articles_added), ("article removed", self.articles_removed),
                            ("article changed", self.articles_changed)):
            rows += [{"change": kind, "what": a, "support": None} for a in items]
        for kind, items in (("entity added", self.entities_added), ("entity removed", self.entities_removed)):
            rows += [{"change": kind, "what": f"{name} ({node})", "support": None} for node, name in items]
        rows += [{"change": "edge added", "what": f"{h} {k} {t}", "support": str(s)} for k, h, t, s in self.edges_added]
        rows += [{"change": "edge removed", "what": f"{h} {k} {t}", "support": str(s)} for k, h, t, s in self.edges_removed]
        rows += [{"change": "support changed", "what": f"{h} {k} {t}", "support": f"{old} -> {new}"}
                 for k, h, t, old, new in self.support_changed]
        return rows

    def to_json(self) -> dict:
        return {"counts": self.counts(), "changes": self.rows()}


def diff_graphs(old, new) -> GraphDiff:
    """Changes from `old` to `new` (graphs or snapshots)."""
    a = old if isinstance(old, Snapshot) else snapshot(old)
    b = new if isinstance(new, Snapshot) else snapshot(new)
    name = lambda n: b.nodes.get(n) or a.nodes.get(n) or n  # noqa: E731
    diff = GraphDiff(
        articles_added=sorted(set(b.articles) - set(a.articles)),
        articles_removed=sorted(set(a.articles) - set(b.articles)),
        articles_changed=sorted(x for x in set(a.articles) & set(b.articles) if a.articles[x] != b.articles[x]),
        entities_added=sorted((n, b.nodes[n]) for n in set(b.nodes) - set(a.nodes)),
        entities_removed=sorted((n, a.nodes[n]) for n in set(a.nodes) - set(b.nodes)),
    )
    for key in sorted(set(b.edges) - set(a.edges)):
        diff.edges_added.append((key[0], name(key[1]), name(key[2]), b.edges[key]))
    for key in sorted(set(a.edges) - set(b.edges)):
        diff.edges_removed.append((key[0], name(key[1]), name(key[2]), a.edges[key]))
    for key in sorted(set(a.edges) & set(b.edges)):
        if a.edges[key] != b.edges[key]:
            diff.support_changed.append((key[0], name(key[1]), name(key[2]), a.edges[key], b.edges[key]))
    return diff


@dataclass
class AddPlan:
    """Which articles to extract: new ones and changed ones; unchanged ones and near-duplicates are skipped."""
    new: list = field(default_factory=list)  # Article
    changed: list = field(default_factory=list)  # Article whose id is in the graph with another text
    unchanged: list = field(default_factory=list)  # (article id, id in the graph holding the same text)
    near_duplicates: list = field(default_factory=list)  # (Article, id of the copy kept, similarity)
    signatures: dict = field(default_factory=dict)  # article id -> MinHash signature (graphkit.neardup)

    @property
    def to_extract(self) -> list:
        return self.new + self.changed


def plan_add(graph: nx.MultiDiGraph, articles, near_duplicates: bool = True) -> AddPlan:
    """Sort articles by what adding them would do, by content hash (no extraction needed);
    then set aside near-duplicates of one another or of articles in the graph."""
    known = graph.graph.setdefault("articles", {})
    by_hash = {(meta or {}).get("sha256"): aid for aid, meta in known.items()}
    plan = AddPlan()
    for article in articles:
        holder = by_hash.get(article.sha256)
        if holder is not None:
            plan.unchanged.append((article.id, holder))
            continue
        (plan.changed if article.id in known else plan.new).append(article)
        by_hash[article.sha256] = article.id
    if near_duplicates and plan.to_extract:
        from .neardup import find_near_duplicates

        found = find_near_duplicates(plan.to_extract, {a: (m or {}).get("minhash") for a, m in known.items()})
        kept = {a.id for a in found.kept}
        plan.new = [a for a in plan.new if a.id in kept]
        plan.changed = [a for a in plan.changed if a.id in kept]
        plan.near_duplicates, plan.signatures = found.duplicates, found.signatures
    return plan


@dataclass
class AddResult:
    added: list  # article ids
    replaced: list
    unchanged: list  # (article id, id holding the same text)
    diff: GraphDiff


def apply_add(graph: nx.MultiDiGraph, plan: AddPlan, extractions, after=None) -> AddResult:
    """Merge the extractions of `plan.to_extract` into `graph` in place.

    `after(graph)` runs before the diff is taken (curation is re-applied there, so the
    summary shows what the user will see)."""
    before = snapshot(graph)
    articles = graph.graph.setdefault("articles", {})
    copies = {a: list(m.get("duplicates") or []) for a, m in articles.items() if m and m.get("duplicates")}
    for extraction in extractions:
        add_extraction(graph, extraction)  # replaces the article's own earlier contribution
    for article_id, encoded in plan.signatures.items():
        if article_id in articles:
            articles[article_id]["minhash"] = encoded
    for article_id, listed in copies.items():
        if article_id in articles:
            articles[article_id].setdefault("duplicates", listed)
    for article, kept_id, similarity in plan.near_duplicates:
        listed = articles[kept_id].setdefault("duplicates", []) if kept_id in articles else None
        if listed is not None and article.id not in [d["id"] for d in listed]:
            listed.append({"id": article.id, "similarity": similarity, "source": article.source, "title": article.title})
    if after is not None:
        after(graph)
    return AddResult(added=[a.id for a in plan.new], replaced=[a.id for a in plan.changed],
                     unchanged=list(plan.unchanged), diff=diff_graphs(before, graph))


@dataclass
class RetractResult:
    removed: list  # article ids withdrawn from the graph
    missing: list  # ids the graph does not hold
    diff: GraphDiff


def retract_articles(graph: nx.MultiDiGraph, article_ids) -> RetractResult:
    """Withdraw articles from the graph in place; edges and entities left without support go."""
    before = snapshot(graph)
    removed, missing = [], []
    for article_id in article_ids:
        (removed if remove_article(graph, article_id) else missing).append(article_id)
    return RetractResult(removed=removed, missing=missing, diff=diff_graphs(before, graph))
