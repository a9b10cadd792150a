"""Graph -> ranked players with reasons, communities, and per-entity explanations.

The provenance multigraph is collapsed to a weighted simple undirected graph first:
weight = sum over edges between two nodes of support x confidence. Betweenness and
closeness read weight as *distance*, so they get `distance = 1 / weight` on purpose.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import networkx as nx

from . import fastmetrics
from .model import RelationType
from .textnorm import fold_key

__all__ = [
    "METRICS",
    "EXACT_BETWEENNESS_LIMIT",
    "RankOptions",
    "RankResult",
    "filter_graph",
    "collapse",
    "rank",
    "communities",
    "find_node",
    "suggest_names",
    "Explanation",
    "explain",
]

METRICS = ("pagerank", "degree", "betweenness", "eigenvector", "closeness", "composite")
EXACT_BETWEENNESS_LIMIT = 5000  # nodes; above this betweenness samples pivots (seeded)
BETWEENNESS_SAMPLES = 500
SEED = 42


@dataclass
class RankOptions:
    metric: str = "pagerank"
    top: int = 10
    types: tuple = ()  # node types to list (Organization, Product, Program)
    kinds: tuple = ()  # node kinds to list (carmaker, cloud, ...)
    relations: tuple = ()  # edge types to use; empty = all
    since: str | None = None
    until: str | None = None
    undated: str = "keep"  # undated edges under --since/--until: keep or drop (both bounds alike)


@dataclass
class Explanation:
    """What `explain` says about one node; `to_json()` is the `explain -f json` document."""
    id: str
    name: str
    original_name: str | None
    type: str | None
    kind: str | None
    ranks: dict  # metric -> {rank, of, score}
    community: dict | None  # {community, size, peers}
    curation: list  # what curation changed about the node, one line each
    notes: list  # fallbacks and estimates used while ranking
    edges: list  # one dict per edge: type, direction, partner, support, first_seen, confidence, languages, evidence, article

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class RankResult:
    rows: list
    notes: list = field(default_factory=list)  # e.g. "betweenness sampled with k=500"


def filter_graph(graph: nx.MultiDiGraph, relations=(), since=None, until=None, undated: str = "keep") -> nx.MultiDiGraph:
    """Sub-multigraph with only the given relation types and edges seen in [since, until]
    (graphkit.timewindow: compared at common precision; undated edges kept or dropped by both bounds)."""
    from .timewindow import Window

    window = Window(since, until, undated)
    wanted = {RelationType(r).value for r in relations} if relations else None
    sub = nx.MultiDiGraph(**graph.graph)
    sub.add_nodes_from(graph.nodes(data=True))
    if wanted is None and not window.active:
        kept = graph.edges(keys=True, data=True)
    else:
        kept = ((h, t, k, d) for h, t, k, d in graph.edges(keys=True, data=True)
                if (wanted is None or k in wanted) and window.holds_span(d.get("first_seen"), d.get("last_seen")))
    sub.add_edges_from(kept)  # one bulk call; each edge gets its own (shallow) attribute dict copy
    return sub


def collapse(graph: nx.MultiDiGraph) -> nx.Graph:
    """Weighted simple graph; `weight` = sum(support x confidence), `distance` = 1/weight."""
    # sum in a plain dict keyed by the pair as first seen, then build the graph in one
    # call: same edges, same insertion order and same float sums as adding edge by edge
    weights = {}
    for h, t, d in graph.edges(data=True):
        if h == t:
            continue
        w = d.get("support", 1) * d.get("confidence", 1.0)
        pair = (t, h) if (t, h) in weights else (h, t)
        weights[pair] = weights.get(pair, 0) + w
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    simple.add_edges_from((h, t, {"weight": w, "distance": 1.0 / w if w > 0 else 1e9}) for (h, t), w in weights.items())
    return simple


def _pagerank(simple: nx.Graph, alpha: float = 0.85, max_iter: int = 100, tol: float = 1.0e-6) -> dict:
    """nx.pagerank(simple, weight="weight") for a simple undirected graph, same iteration.

    networkx's scipy PageRank spends most of its time converting the graph edge by edge
    (to_scipy_sparse_array); the CSR matrix is built here straight from the adjacency.
    Uniform teleport, dangling nodes spread uniformly, stop when the L1 change < n x tol;
    raises nx.PowerIterationFailedConvergence like networkx.
    """
    import numpy as np
    import scipy.sparse as sp

    nodes = list(simple)
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    adj = simple._adj
    counts = np.fromiter((len(nbrs) for nbrs in adj.values()), dtype=np.int64, count=n)
    total = int(counts.sum())
    cols = np.fromiter((index[v] for nbrs in adj.values() for v in nbrs), dtype=np.int64, count=total)
    vals = np.fromiter((d.get("weight", 1) for nbrs in adj.values() for d in nbrs.values()), dtype=float, count=total)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    A = sp.csr_array((vals, cols, indptr), shape=(n, n))
    return dict(zip(nodes, map(float, fastmetrics.pagerank_matrix(A, alpha, max_iter, tol))))


def _scores(simple: nx.Graph, metric: str, notes: list, fast=None) -> dict:
    """{node: score}. Above fastmetrics.FAST_ABOVE_NODES nodes the work runs in C
    (graphkit.fastmetrics, same definitions); `fast` is the graph's Adjacency if already built."""
    if simple.number_of_nodes() == 0:
        return {}
    if metric != "composite" and (fast is not None or simple.number_of_nodes() > fastmetrics.FAST_ABOVE_NODES
                                  or _dense(simple)):
        fast = fast if fast is not None else fastmetrics.Adjacency.from_networkx(simple)
        return fastmetrics.scores(fast, metric, notes, EXACT_BETWEENNESS_LIMIT, BETWEENNESS_SAMPLES)
    if metric == "pagerank":
        return _pagerank(simple)
    if metric == "degree":
        return dict(simple.degree(weight="weight"))
    if metric == "betweenness":
        n = simple.number_of_nodes()
        if n > EXACT_BETWEENNESS_LIMIT:
            k = min(BETWEENNESS_SAMPLES, n)
            notes.append(f"betweenness estimated from {k} sampled pivots (seed {SEED}); graph has {n} nodes > {EXACT_BETWEENNESS_LIMIT}")
            return nx.betweenness_centrality(simple, k=k, weight="distance", seed=SEED)
        return nx.betweenness_centrality(simple, weight="distance")
    if metric == "eigenvector":
        return _eigenvector(simple, notes)
    if metric == "closeness":
        return _closeness(simple)
    if metric == "composite":
        return _composite(simple, notes)
    raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")


DENSE_WORK = 2_000_000  # nodes x edges above which even a small graph goes to fastmetrics


def _dense(simple: nx.Graph) -> bool:
    """Few nodes but many edges (generated or long-running corpora): networkx's all-pairs
    betweenness costs nodes x edges Python steps (30 s on 370 nodes / 19k edges), so the
    same exact computation runs in C instead."""
    return simple.number_of_nodes() * simple.number_of_edges() > DENSE_WORK


def _closeness(simple: nx.Graph, chunk: int = 256) -> dict:
    """nx.closeness_centrality(simple, distance="distance") (Wasserman-Faust scaling for
    disconnected graphs), with the all-pairs Dijkstra done by scipy in C, a block of
    sources at a time so memory stays at chunk x n distances."""
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    nodes = list(simple)
    n = len(nodes)
    if n < 2:
        return {node: 0.0 for node in nodes}
    matrix = nx.to_scipy_sparse_array(simple, nodelist=nodes, weight="distance", format="csr")
    scores = {}
    for start in range(0, n, chunk):
        rows = dijkstra(matrix, directed=False, indices=np.arange(start, min(n, start + chunk)))
        for offset, row in enumerate(rows):
            reached = row[np.isfinite(row)]
            total, r = float(reached.sum()), len(reached)
            scores[nodes[start + offset]] = ((r - 1) / total) * ((r - 1) / (n - 1)) if total > 0 else 0.0
    return scores


def _eigenvector(simple: nx.Graph, notes: list) -> dict:
    """Eigenvector centrality per connected component, scaled by the component's share of
    the nodes (a disconnected graph has no single leading eigenvector).

    Each component's leading eigenvector comes from ARPACK (networkx's numpy variant). If
    ARPACK does not converge, power iteration runs on A + I: same leading eigenvector, but
    it converges on bipartite components too (A alone oscillates between the two sides,
    which is the crash plain power iteration had). If that does not converge either, the
    component falls back to weighted degree, and a note says so.
    """
    n = simple.number_of_nodes()
    scores, fallbacks, shifted = {}, 0, 0
    for comp in nx.connected_components(simple):
        if len(comp) < 3:
            scores.update({node: 0.0 for node in comp})  # a lone pair is symmetric: no signal
            continue
        sub = simple.subgraph(comp)
        try:
            part = _leading_eigenvector(sub)
        except (nx.NetworkXException, ArithmeticError, ValueError, RuntimeError):  # ArpackNoConvergence is a RuntimeError
            part = _shifted_power_iteration(sub)
            shifted += 1
            if part is None:
                fallbacks += 1
                degree = dict(sub.degree(weight="weight"))
                top = max(degree.values()) or 1.0
                part = {node: value / top for node, value in degree.items()}
        frac = len(comp) / n
        scores.update({node: abs(float(v)) * frac for node, v in part.items()})
    if shifted:
        notes.append(f"eigenvector: ARPACK did not converge on {shifted} component(s); power iteration on A+I used instead")
    if fallbacks:
        notes.append(f"eigenvector: {fallbacks} component(s) did not converge at all; weighted degree (scaled to 1) used for them")
    return scores


def _leading_eigenvector(sub: nx.Graph) -> dict:
    """nx.eigenvector_centrality_numpy(sub, weight="weight") from a fixed start vector:
    ARPACK's random start made scores differ in the last bits from run to run, enough to
    reorder ties in a ranking."""
    import numpy as np
    from scipy.sparse.linalg import eigsh

    nodes = list(sub)
    matrix = nx.to_scipy_sparse_array(sub, nodelist=nodes, weight="weight", dtype=float, format="csr")
    _, vectors = eigsh(matrix, k=1, which="LA", maxiter=max(1000, 50 * len(nodes)), tol=0, v0=np.ones(len(nodes)))
    largest = vectors[:, 0].real
    norm = np.sign(largest.sum()) * np.linalg.norm(largest)
    return dict(zip(nodes, (largest / norm).tolist()))


def _shifted_power_iteration(sub: nx.Graph, max_iter: int = 5000, tol: float = 1e-9):
    """Leading eigenvector of the weighted adjacency by power iteration on A + I, or None."""
    import numpy as np

    nodes = list(sub)
    matrix = nx.to_scipy_sparse_array(sub, nodelist=nodes, weight="weight", format="csr")
    scale = abs(matrix).sum(axis=1).max() or 1.0  # keep the identity shift comparable to the weights
    x = np.ones(len(nodes)) / len(nodes)
    for _ in range(max_iter):
        nxt = matrix @ x / scale + x
        nxt /= np.linalg.norm(nxt)
        if np.abs(nxt - x).sum() < len(nodes) * tol:
            return dict(zip(nodes, nxt))
        x = nxt
    return None


def _composite(simple, notes) -> dict:
    """Mean percentile rank over pagerank, degree, betweenness and eigenvector (0..1)."""
    fast = fastmetrics.Adjacency.from_networkx(simple) if simple.number_of_nodes() > fastmetrics.FAST_ABOVE_NODES else None
    parts = [_scores(simple, m, notes, fast) for m in ("pagerank", "degree", "betweenness", "eigenvector")]
    n = simple.number_of_nodes()
    total = defaultdict(float)
    for scores in parts:
        ordered = sorted(scores, key=lambda x: scores[x])
        for position, node in enumerate(ordered):
            total[node] += position / max(1, n - 1)
    return {node: v / len(parts) for node, v in total.items()}


def _edge_counts(graph, node, order=None) -> Counter:
    """Edges per type at `node`. `order` (node -> position) lists in-edges by predecessor
    position, the order a filter_graph copy holds them in, so ties rank alike with or
    without the copy."""
    counts = Counter()
    for _, _, k in graph.out_edges(node, keys=True):
        counts[k] += 1
    in_edges = graph.in_edges(node, keys=True)
    if order is not None:
        in_edges = sorted(in_edges, key=lambda e: order[e[0]])
    for _, _, k in in_edges:
        counts[k] += 1
    return counts


def _original_name(data) -> str | None:
    names = data.get("names") or {}
    for lang in ("zh", "ru"):
        if names.get(lang) and names[lang] != data.get("name"):
            return names[lang]
    return None


def rank(graph: nx.MultiDiGraph, options: RankOptions) -> RankResult:
    """Rows sorted by score: rank, id, name, original name, type, kind, score, degree, partners, why."""
    notes = []
    filtered = options.relations or options.since or options.until
    sub = filter_graph(graph, options.relations, options.since, options.until, options.undated) if filtered else graph
    if options.since or options.until:
        undated = sum(1 for _, _, d in graph.edges(data=True) if not (d.get("first_seen") or d.get("last_seen")))
        if undated:
            notes.append(f"{undated} undated edges {'kept' if options.undated == 'keep' else 'left out'} "
                         f"by the date window (--undated {'drop' if options.undated == 'keep' else 'keep'} to change)")
    simple = collapse(sub)
    simple.remove_nodes_from([n for n, d in simple.degree() if d == 0])
    scores = _scores(simple, options.metric, notes)
    degree = dict(simple.degree())
    # order every listed node cheaply, then build the costly rows for the top ones only
    ranked = []
    for node, score in scores.items():
        data = sub.nodes[node]
        if options.types and data.get("type") not in options.types:
            continue
        if options.kinds and data.get("kind") not in options.kinds:
            continue
        ranked.append((-round(float(score), 6), -degree[node], data.get("name", node), node))
    ranked.sort(key=lambda r: r[:3])  # stable: full ties keep score order, as before
    order = None if filtered else {n: i for i, n in enumerate(sub)}
    rows = []
    for _, _, _, node in ranked[: options.top]:
        data = sub.nodes[node]
        score = scores[node]
        neighbours = sorted(simple[node].items(), key=lambda kv: -kv[1]["weight"])
        counts = _edge_counts(sub, node, order)
        articles = {a for _, _, d in sub.edges(node, data=True) for a in d.get("articles", [])}
        articles |= {a for _, _, d in sub.in_edges(node, data=True) for a in d.get("articles", [])}
        rows.append({
            "id": node,
            "name": data.get("name", node),
            "original_name": _original_name(data),
            "type": data.get("type"),
            "kind": data.get("kind"),
            "score": round(float(score), 6),
            "degree": simple.degree(node),
            "partners": [sub.nodes[n].get("name", n) for n, _ in neighbours[:3]],
            "why": ", ".join(f"{v} {k}" for k, v in counts.most_common()) + f"; {len(articles)} articles",
        })
    return RankResult(rows=[{"rank": position, **r} for position, r in enumerate(rows, 1)], notes=notes)


def communities(graph: nx.MultiDiGraph, relations=(), seed: int = SEED, collapsed: nx.Graph | None = None) -> list:
    """Louvain communities (seeded) with members by weighted degree and cross-cluster edges.
    `collapsed`: the graph's collapse() without isolated nodes, when the caller has it."""
    if collapsed is not None and not relations:
        simple = collapsed
    else:
        simple = collapse(filter_graph(graph, relations) if relations else graph)
        simple.remove_nodes_from([n for n in list(simple) if simple.degree(n) == 0])
    if simple.number_of_nodes() == 0:
        return []
    return community_rows(louvain(simple, seed), dict(simple.degree(weight="weight")),
                          {n: i for i, n in enumerate(simple)}, lambda n: graph.nodes[n].get("name", n),
                          graph.edges(keys=True))


def louvain(simple: nx.Graph, seed: int = SEED) -> list:
    """Seeded Louvain communities (sets of nodes): NetworkX, or igraph's multilevel for large or dense graphs."""
    if simple.number_of_nodes() > fastmetrics.FAST_ABOVE_NODES or _dense(simple):  # igraph's multilevel Louvain, in C
        return fastmetrics.louvain(fastmetrics.Adjacency.from_networkx(simple), seed=seed)
    return nx.community.louvain_communities(simple, weight="weight", seed=seed)


def community_rows(parts, strength: dict, position: dict, name_of, edges) -> list:
    """The `communities` rows: parts largest first, members by weighted degree (`strength`;
    ties in graph order, `position`), and per community the (head, type, tail) names of the
    `edges` (head, tail, type: every edge of the graph, in graph order) that leave it."""
    parts = sorted(parts, key=lambda c: (-len(c), sorted(c)))
    index = {n: i for i, c in enumerate(parts) for n in c}
    between = defaultdict(list)
    for h, t, k in edges:
        a, b = index.get(h), index.get(t)
        if a is not None and b is not None and a != b:
            between[(a, b) if a < b else (b, a)].append((name_of(h), k, name_of(t)))
    links: list = [{} for _ in parts]  # community -> {"a-b": edges}, pairs in order
    for (a, b), pair_edges in sorted(between.items()):
        links[a][f"{a + 1}-{b + 1}"] = links[b][f"{a + 1}-{b + 1}"] = pair_edges
    out = []
    for i, members in enumerate(parts):
        ordered = sorted(members, key=lambda n: (-strength[n], position[n]))
        out.append({"community": i + 1, "size": len(members), "members": [name_of(n) for n in ordered],
                    "links": links[i]})
    return out


def find_node(graph: nx.MultiDiGraph, name: str) -> str | None:
    """Node id for a name in any script or case: id, canonical name, per-language names,
    aliases seen in the articles, and every alias of the node's lexicon entry (VW, 大众汽车)."""
    key = fold_key(name)
    if not key:
        return None
    best = None
    for node, data in graph.nodes(data=True):
        forms = [node, data.get("name", "")] + list((data.get("names") or {}).values()) + list(data.get("aliases") or [])
        if any(fold_key(f) == key for f in forms if f):
            degree = graph.degree(node)
            if best is None or degree > best[1]:
                best = (node, degree)
    if best is not None:
        return best[0]
    entry = _lexicon_aliases().get(key)
    return entry if entry is not None and entry in graph else None


def _lexicon_aliases() -> dict:
    """folded alias -> lexicon entry id, over the lexicon in force (user additions included)."""
    from .lexicon import load_lexicon

    lexicon = load_lexicon()
    cached = _ALIAS_INDEX.get("index")
    if cached is not None and _ALIAS_INDEX.get("lexicon") is lexicon and _ALIAS_INDEX.get("size") == len(lexicon.entries):
        return cached
    index = {}
    for entry in lexicon.entries.values():
        for alias in entry.aliases():
            index.setdefault(fold_key(alias), entry.id)
    _ALIAS_INDEX.update(index=index, lexicon=lexicon, size=len(lexicon.entries))
    return index


_ALIAS_INDEX: dict = {}


def suggest_names(graph: nx.MultiDiGraph, name: str, limit: int = 5) -> list:
    """Names in the graph closest to `name` (rapidfuzz WRatio over names and aliases)."""
    from rapidfuzz import fuzz, process, utils

    forms = {}
    for node, data in graph.nodes(data=True):
        display = data.get("name", node)
        for form in [display] + list((data.get("names") or {}).values()) + list(data.get("aliases") or []):
            if form:
                forms.setdefault(form, display)
    hits = process.extract(name, list(forms), scorer=fuzz.WRatio, processor=utils.default_process,
                           limit=limit * 4, score_cutoff=60)
    out = []
    for form, _, _ in hits:
        if forms[form] not in out:
            out.append(forms[form])
    return out[:limit]


def explain(graph: nx.MultiDiGraph, node: str, metrics=("pagerank", "degree", "betweenness", "eigenvector", "closeness")) -> "Explanation":
    """Why a node ranks where it does: rank per metric, community, edges with evidence."""
    simple = collapse(graph)
    simple.remove_nodes_from([n for n in list(simple) if simple.degree(n) == 0])
    ranks, notes = {}, []
    large = simple.number_of_nodes() > fastmetrics.FAST_ABOVE_NODES or _dense(simple)
    fast = fastmetrics.Adjacency.from_networkx(simple) if large else None  # built once for every metric
    for metric in metrics:
        scores = _scores(simple, metric, notes, fast)
        ordered = sorted(scores, key=lambda n: -scores[n])
        if node in scores:
            ranks[metric] = {"rank": ordered.index(node) + 1, "of": len(ordered), "score": round(float(scores[node]), 6)}
    community = None
    for c in communities(graph, collapsed=simple):
        if graph.nodes[node].get("name", node) in c["members"]:
            community = {"community": c["community"], "size": c["size"], "peers": c["members"][:8]}
    edges = []
    for h, t, k, d in list(graph.out_edges(node, keys=True, data=True)) + list(graph.in_edges(node, keys=True, data=True)):
        other = t if h == node else h
        direction = "out" if h == node else "in"
        if k == RelationType.PARTNERS_WITH.value:
            direction = "both"
        prov = d.get("provenance") or []
        langs = sorted({(graph.graph.get("articles", {}).get(p["article"]) or {}).get("lang", "?") for p in prov})
        edges.append({
            "type": k,
            "direction": direction,
            "partner": graph.nodes[other].get("name", other),
            "support": d.get("support", 1),
            "first_seen": d.get("first_seen"),
            "confidence": d.get("confidence"),
            "languages": langs,
            "evidence": (d.get("evidence") or [""])[0],
            "article": (d.get("articles") or [""])[0],
        })
    edges.sort(key=lambda e: (e["type"], -e["support"], e["partner"]))
    from .curation import curation_notes

    data = graph.nodes[node]
    return Explanation(id=node, name=data.get("name", node), original_name=_original_name(data),
                       type=data.get("type"), kind=data.get("kind"), ranks=ranks, community=community,
                       curation=curation_notes(graph, node), notes=notes, edges=edges)
