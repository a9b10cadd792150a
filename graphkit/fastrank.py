"""`graphkit rank` on a columnar graph file, reading only the columns ranking needs.

analyze.rank works on the NetworkX multigraph the whole file turns into. On a columnar
graph (graphkit.graphfile) this module gives the same rows without building it: node
ids, names, types and kinds, and per edge its ends, type, support and confidence (dates
only under --since/--until, article lists and node attributes only for the listed rows)
become numpy arrays; the weighted simple graph is collapsed with numpy in the order
analyze.collapse would meet the edges; small graphs then go through analyze._scores as a
NetworkX graph (same numbers as the plain path), large ones through graphkit.fastmetrics.
tests/test_fastrank.py compares the rows with analyze.rank's.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
import numpy as np

from . import analyze, fastmetrics
from .errors import GraphFileError
from .graphfile import check_columns, read_manifest, read_table
from .model import RelationType

__all__ = ["ColumnarGraph", "open_for_rank"]


def open_for_rank(path: Path):
    """A ColumnarGraph for a columnar graph file, else the NetworkX graph of the JSON file."""
    from .graph import load_graph
    from .graphfile import is_columnar

    return ColumnarGraph(path) if is_columnar(path) else load_graph(path)


class ColumnarGraph:
    """A columnar graph file opened for ranking; node columns are read at once, edge columns
    when ranked. `nodes(data=True)` yields (id, {"type", "kind"}) for option checks."""

    def __init__(self, path: Path):
        self.path = Path(path)
        read_manifest(self.path)
        nodes = read_table(self.path, "nodes", ("id", "name", "type", "kind"))
        self.ids = nodes.column("id").to_pylist()
        self.names = nodes.column("name").to_pylist()
        self.types = nodes.column("type").to_pylist()
        self.kinds = nodes.column("kind").to_pylist()
        self._ids_array = nodes.column("id")

    def nodes(self, data: bool = False):
        if not data:
            return iter(self.ids)
        return ((n, {"type": t, "kind": k}) for n, t, k in zip(self.ids, self.types, self.kinds))

    # -- edges, as arrays
    def _edges(self, options) -> dict:
        import pyarrow as pa
        import pyarrow.compute as pc

        window_needed = bool(options.since or options.until)
        columns = ["head", "tail", "type", "support", "confidence"] + (["first_seen", "last_seen"] if window_needed else [])
        table = read_table(self.path, "edges", columns)
        head = pc.index_in(table.column("head"), value_set=self._ids_array)
        tail = pc.index_in(table.column("tail"), value_set=self._ids_array)
        if head.null_count or tail.null_count:
            bad = table.column("head" if head.null_count else "tail").filter(pc.is_null(head if head.null_count else tail))
            raise GraphFileError(f"{self.path}: an edge end {bad[0].as_py()!r} is not a node of the graph")
        if pc.any(pc.is_nan(table.column("confidence"))).as_py():
            raise GraphFileError(f"{self.path}: an edge has confidence NaN")
        support = table.column("support").to_numpy(zero_copy_only=False).astype(float)
        confidence = table.column("confidence").to_numpy(zero_copy_only=False).astype(float)
        check_columns(self.path, support, confidence)  # NaN here is a missing value
        # relation types as small integer codes into `type_names` (no million Python strings)
        encoded = table.column("type").combine_chunks()
        if not pa.types.is_dictionary(encoded.type):
            encoded = encoded.dictionary_encode()
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        type_names = encoded.dictionary.to_pylist()
        keep = np.ones(len(codes), dtype=bool)
        if options.relations:
            wanted = {RelationType(r).value for r in options.relations}
            keep &= np.isin(codes, [i for i, name in enumerate(type_names) if name in wanted])
        if window_needed:
            from .timewindow import Window

            window = Window(options.since, options.until, options.undated)
            firsts, lasts = table.column("first_seen").to_pylist(), table.column("last_seen").to_pylist()
            keep &= np.fromiter((window.holds_span(f, last) for f, last in zip(firsts, lasts)), dtype=bool,
                                count=len(codes))
        position = np.flatnonzero(keep)
        return {"head": head.to_numpy(zero_copy_only=False)[keep].astype(np.int64),
                "tail": tail.to_numpy(zero_copy_only=False)[keep].astype(np.int64),
                "weight": np.nan_to_num(support[keep], nan=1.0) * np.nan_to_num(confidence[keep], nan=1.0),
                "code": codes[keep], "type_names": type_names, "row": position}

    def collapse(self, options) -> tuple:
        """(Adjacency of the weighted simple graph, node index of each of its nodes, the
        kept edges, their order as analyze.collapse meets them)."""
        n = len(self.ids)
        e = self._edges(options)
        head, tail = e["head"], e["tail"]
        # the order analyze.collapse meets the edges in: by head node, then by the first
        # appearance of the (head, tail) pair, then in file order
        order = _graph_order(head, tail, n)
        # collapse: self-loops dropped, one pair per unordered couple, oriented as first met
        o = order[head[order] != tail[order]]
        h, t, w = head[o], tail[o], e["weight"][o]
        pairs, pfirst, pinv = np.unique(np.minimum(h, t) * n + np.maximum(h, t), return_index=True,
                                        return_inverse=True)
        sums = np.bincount(pinv, weights=w, minlength=len(pairs))
        porder = np.argsort(pfirst, kind="stable")  # pairs in first-met order
        src, dst, weight = h[pfirst[porder]], t[pfirst[porder]], sums[porder]
        present = np.zeros(n, dtype=bool)
        present[src] = present[dst] = True
        kept = np.flatnonzero(present)  # node order, isolated nodes removed
        new = np.full(n, -1)
        new[kept] = np.arange(len(kept))
        adj = fastmetrics.Adjacency([self.ids[i] for i in kept], new[src], new[dst], weight)
        return adj, kept, e, order

    def rank(self, options) -> "analyze.RankResult":
        notes: list = []
        adj, kept, e, order = self.collapse(options)
        names = adj.names
        scores = self._scores(adj, options.metric, notes)
        degree = np.bincount(adj.src, minlength=adj.n) + np.bincount(adj.dst, minlength=adj.n)
        values = np.fromiter((scores[name] for name in names), dtype=float, count=len(names))
        eligible = np.ones(len(names), dtype=bool)
        if options.types:
            eligible &= np.fromiter((self.types[i] in options.types for i in kept), dtype=bool, count=len(kept))
        if options.kinds:
            eligible &= np.fromiter((self.kinds[i] in options.kinds for i in kept), dtype=bool, count=len(kept))
        candidates = np.flatnonzero(eligible)
        if len(candidates) > options.top:  # only nodes that can reach the top rows get sorted in Python
            threshold = np.partition(values[candidates], -options.top)[-options.top]
            candidates = candidates[values[candidates] >= threshold - 2e-6]  # margin: scores are rounded to 1e-6
        ranked = []
        for j in candidates.tolist():
            node_index = kept[j]
            name = self.names[node_index] or self.ids[node_index]
            ranked.append((-round(float(values[j]), 6), -int(degree[j]), name, j))
        ranked.sort(key=lambda r: r[:3])
        top = [j for *_, j in ranked[: options.top]]
        rows = self._rows(top, kept, adj, scores, degree, e, order)
        return analyze.RankResult(rows=[{"rank": i, **r} for i, r in enumerate(rows, 1)], notes=notes)

    def communities(self, relations=(), seed: int = analyze.SEED) -> list:
        """analyze.communities' rows from the columns: Louvain on the collapsed graph, members
        by weighted degree, and the edges that leave each community (every relation type)."""
        adj, kept, e, order = self.collapse(analyze.RankOptions(relations=tuple(relations)))
        if adj.n == 0:
            return []
        if adj.n <= fastmetrics.FAST_ABOVE_NODES and adj.n * len(adj.src) <= analyze.DENSE_WORK:
            simple = _networkx(adj)  # NetworkX's Louvain and float sums, exactly as the plain path
            parts, strength = analyze.louvain(simple, seed), dict(simple.degree(weight="weight"))
        else:
            parts = fastmetrics.louvain(adj, seed=seed)
            sums = np.bincount(adj.src, weights=adj.weight, minlength=adj.n) \
                + np.bincount(adj.dst, weights=adj.weight, minlength=adj.n)
            strength = dict(zip(adj.names, sums.tolist()))
        if relations:  # the links between communities count every edge, as the plain path does
            e = self._edges(analyze.RankOptions())
            order = _graph_order(e["head"], e["tail"], len(self.ids))
        position = {name: j for j, name in enumerate(adj.names)}
        member_of = np.full(len(self.ids), -1)  # file node index -> community, -1: not in one
        for i, part in enumerate(parts):
            member_of[kept[[position[n] for n in part]]] = i
        # only the edges between two communities become Python tuples, in graph order
        ends = member_of[e["head"][order]], member_of[e["tail"][order]]
        leaving = order[(ends[0] >= 0) & (ends[1] >= 0) & (ends[0] != ends[1])]
        ids, type_names = self.ids, e["type_names"]
        triples = [(ids[h], ids[t], type_names[c]) for h, c, t in
                   zip(e["head"][leaving].tolist(), e["code"][leaving].tolist(), e["tail"][leaving].tolist())]
        display = {i: name for i, name in zip(self.ids, self.names) if name}
        return analyze.community_rows(parts, strength, position, lambda n: display.get(n, n), triples)

    @staticmethod
    def _scores(adj, metric: str, notes: list) -> dict:
        if adj.n <= fastmetrics.FAST_ABOVE_NODES:  # NetworkX, exactly as the plain path
            return analyze._scores(_networkx(adj), metric, notes)
        if metric == "composite":
            parts = [fastmetrics.scores(adj, m, notes, analyze.EXACT_BETWEENNESS_LIMIT, analyze.BETWEENNESS_SAMPLES)
                     for m in ("pagerank", "degree", "betweenness", "eigenvector")]
            total = defaultdict(float)
            for part in parts:
                for position, node in enumerate(sorted(part, key=lambda x: part[x])):
                    total[node] += position / max(1, adj.n - 1)
            return {node: v / len(parts) for node, v in total.items()}
        return fastmetrics.scores(adj, metric, notes, analyze.EXACT_BETWEENNESS_LIMIT, analyze.BETWEENNESS_SAMPLES)

    def _rows(self, top: list, kept, adj, scores, degree, e, order) -> list:
        if not top:
            return []
        import pyarrow.parquet as pq

        wanted = kept[top]
        # node attributes (original names) and edge article lists, only where needed
        nodes = pq.read_table(self.path / "nodes.parquet", columns=["attrs"]).column("attrs")
        attrs = {int(i): json.loads(nodes[int(i)].as_py() or "{}") for i in wanted}
        head, tail = e["head"], e["tail"]
        touching = np.flatnonzero(np.isin(head, wanted) | np.isin(tail, wanted))
        articles_col = pq.read_table(self.path / "edges.parquet", columns=["articles"]).column("articles")
        rows = []
        in_order = np.lexsort((np.arange(len(head)), head))  # in-edges by predecessor position, then file order
        for j in top:
            node = int(kept[j])
            incident = np.flatnonzero((adj.src == j) | (adj.dst == j))
            others = np.where(adj.src[incident] == j, adj.dst[incident], adj.src[incident])
            by_weight = sorted(zip(others.tolist(), adj.weight[incident].tolist()), key=lambda kv: -kv[1])
            counts: Counter = Counter()
            for i in order[head[order] == node]:
                counts[e["type_names"][e["code"][i]]] += 1
            for i in in_order[tail[in_order] == node]:
                counts[e["type_names"][e["code"][i]]] += 1
            mine = touching[(head[touching] == node) | (tail[touching] == node)]
            articles = set()
            for i in mine:
                articles.update(articles_col[int(e["row"][i])].as_py() or ())
            data = attrs[node]
            rows.append({
                "id": self.ids[node],
                "name": data.get("name", self.ids[node]),
                "original_name": analyze._original_name(data),
                "type": data.get("type"),
                "kind": data.get("kind"),
                "score": round(float(scores[self.ids[node]]), 6),
                "degree": int(degree[j]),
                "partners": [self.names[kept[o]] or self.ids[kept[o]] for o, _ in by_weight[:3]],
                "why": ", ".join(f"{v} {k}" for k, v in counts.most_common()) + f"; {len(articles)} articles",
            })
        return rows


def _graph_order(head: np.ndarray, tail: np.ndarray, n: int) -> np.ndarray:
    """Edge indices in the order the NetworkX multigraph of the file yields them: by head
    node, then by the first appearance of the (head, tail) pair, then in file order."""
    _, first, inverse = np.unique(head * n + tail, return_index=True, return_inverse=True)
    return np.lexsort((np.arange(len(head)), first[inverse], head))


def _networkx(adj) -> nx.Graph:
    """The Adjacency as the NetworkX graph analyze.collapse builds (same node and edge order)."""
    simple = nx.Graph()
    simple.add_nodes_from(adj.names)
    simple.add_edges_from((adj.names[a], adj.names[b], {"weight": x, "distance": 1.0 / x if x > 0 else 1e9})
                          for a, b, x in zip(adj.src.tolist(), adj.dst.tolist(), adj.weight.tolist()))
    return simple
