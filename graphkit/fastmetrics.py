"""Centralities and communities of a large weighted undirected graph, in C.

graphkit.analyze keeps NetworkX for small graphs (its API, its exact results); above
FAST_ABOVE_NODES nodes it hands the collapsed graph to this module as arrays (an
`Adjacency`), and the work runs in compiled code:

* pagerank: the same power iteration as analyze._pagerank, on a CSR matrix (numpy/scipy);
* degree: weighted degree (numpy);
* betweenness: igraph (C), exact up to analyze.EXACT_BETWEENNESS_LIMIT nodes, above it
  from the very pivots networkx would sample (random.Random(SEED).sample(nodes, k)),
  rescaled as networkx rescales, so the numbers are networkx's estimator;
* closeness: above EXACT_CLOSENESS_LIMIT nodes all-pairs distances are out of reach for
  any library, so harmonic closeness (sum of 1/distance) is estimated from the same
  seeded pivots (scipy's Dijkstra, in C), scaled by (n-1)/pivots; below it, exact
  Wasserman-Faust closeness as networkx computes it;
* eigenvector: per connected component, the leading eigenvector of the weighted
  adjacency (scipy ARPACK, dense for small components), unit length, times the
  component's share of the nodes: analyze._eigenvector's definition;
* communities: Louvain by igraph's multilevel algorithm, seeded through Python's random
  module (which python-igraph uses as its random source).

tests/test_fastmetrics.py checks each against plain NetworkX on small graphs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

__all__ = ["FAST_ABOVE_NODES", "EXACT_CLOSENESS_LIMIT", "Adjacency", "scores", "louvain"]

FAST_ABOVE_NODES = 1000  # measured: exact betweenness at 2,500 nodes takes networkx 58 s, igraph 1.4 s
EXACT_CLOSENESS_LIMIT = 5000  # nodes; above this closeness is harmonic, estimated from pivots
SEED = 42
PIVOTS = 500


@dataclass
class Adjacency:
    """A weighted simple undirected graph as arrays: node i is `names[i]`; edge j joins
    src[j] and dst[j] (each pair once) with weight[j] > 0 (distance = 1 / weight)."""

    names: list
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray

    @property
    def n(self) -> int:
        return len(self.names)

    @classmethod
    def from_networkx(cls, simple) -> "Adjacency":
        names = list(simple)
        index = {node: i for i, node in enumerate(names)}
        m = simple.number_of_edges()
        src = np.empty(m, dtype=np.int64)
        dst = np.empty(m, dtype=np.int64)
        weight = np.empty(m, dtype=float)
        for j, (u, v, w) in enumerate(simple.edges(data="weight", default=1.0)):
            src[j], dst[j], weight[j] = index[u], index[v], w
        return cls(names, src, dst, weight)

    def distance(self) -> np.ndarray:
        return np.where(self.weight > 0, 1.0 / np.where(self.weight > 0, self.weight, 1.0), 1e9)

    def csr(self, values: np.ndarray):
        """Symmetric CSR matrix with `values` on both (i, j) and (j, i)."""
        import scipy.sparse as sp

        rows = np.concatenate([self.src, self.dst])
        cols = np.concatenate([self.dst, self.src])
        return sp.csr_array((np.concatenate([values, values]), (rows, cols)), shape=(self.n, self.n))

    def igraph(self):
        import igraph as ig

        g = ig.Graph(n=self.n, edges=np.column_stack([self.src, self.dst]).tolist(), directed=False)
        g.es["weight"] = self.weight.tolist()
        g.es["distance"] = self.distance().tolist()
        return g


def pivots(adj: Adjacency, k: int) -> list:
    """Indices of the nodes nx.betweenness_centrality(k=k, seed=SEED) samples (same RNG calls)."""
    index = {name: i for i, name in enumerate(adj.names)}
    return [index[name] for name in random.Random(SEED).sample(list(adj.names), k)]


def pagerank(adj: Adjacency, alpha: float = 0.85, max_iter: int = 100, tol: float = 1.0e-6) -> np.ndarray:
    """analyze._pagerank's iteration (networkx's), on arrays."""
    return pagerank_matrix(adj.csr(adj.weight), alpha, max_iter, tol)


def pagerank_matrix(A, alpha: float = 0.85, max_iter: int = 100, tol: float = 1.0e-6) -> np.ndarray:
    """networkx's PageRank power iteration on a weighted adjacency matrix (scipy CSR):
    uniform teleport, dangling nodes spread uniformly, stop when the L1 change < n x tol;
    raises nx.PowerIterationFailedConvergence like networkx. The one copy of the
    iteration, for analyze._pagerank and for large graphs here."""
    import scipy.sparse as sp

    n = A.shape[0]
    S = np.asarray(A.sum(axis=1)).ravel()
    inv = np.zeros(n)
    inv[S != 0] = 1.0 / S[S != 0]
    A = sp.dia_array((inv[np.newaxis, :], 0), shape=(n, n)).tocsr() @ A
    x = np.repeat(1.0 / n, n)
    p = np.repeat(1.0 / n, n)
    dangling = np.where(S == 0)[0]
    for _ in range(max_iter):
        xlast = x
        x = alpha * (x @ A + sum(x[dangling]) * p) + (1 - alpha) * p
        if np.absolute(x - xlast).sum() < n * tol:
            return x
    import networkx as nx

    raise nx.PowerIterationFailedConvergence(max_iter)


def degree(adj: Adjacency) -> np.ndarray:
    return np.bincount(adj.src, adj.weight, adj.n) + np.bincount(adj.dst, adj.weight, adj.n)


def betweenness(adj: Adjacency, exact_limit: int, samples: int, notes: list) -> np.ndarray:
    """networkx's normalized betweenness (weight = distance), exact or from its k pivots."""
    n = adj.n
    if n < 3:
        return np.zeros(n)
    g = adj.igraph()
    if n <= exact_limit:
        raw = np.asarray(g.betweenness(directed=False, weights="distance"))
        return raw * 2.0 / ((n - 1) * (n - 2))
    k = min(samples, n)
    notes.append(f"betweenness estimated from {k} sampled pivots (seed {SEED}); graph has {n} nodes > {exact_limit}")
    sources = pivots(adj, k)
    raw = np.asarray(g.betweenness(directed=False, weights="distance", sources=sources))
    # igraph halves undirected pair counts; networkx rescales sources and the rest apart
    scale = np.full(n, 2.0 / (k * (n - 2)))
    scale[sources] = 2.0 / ((k - 1) * (n - 2)) if k > 1 else np.nan
    return raw * scale


def closeness(adj: Adjacency, notes: list, exact_limit: int = EXACT_CLOSENESS_LIMIT,
              samples: int = PIVOTS, chunk: int = 64) -> np.ndarray:
    """Exact closeness (networkx's, Wasserman-Faust) up to exact_limit nodes; above it
    harmonic closeness estimated from seeded pivots."""
    from scipy.sparse.csgraph import dijkstra

    n = adj.n
    if n < 2:
        return np.zeros(n)
    matrix = adj.csr(adj.distance())
    if n <= exact_limit:
        out = np.zeros(n)
        for start in range(0, n, chunk):
            block = dijkstra(matrix, directed=False, indices=np.arange(start, min(n, start + chunk)))
            for offset, row in enumerate(block):
                reached = row[np.isfinite(row)]
                total, r = float(reached.sum()), len(reached)
                out[start + offset] = ((r - 1) / total) * ((r - 1) / (n - 1)) if total > 0 else 0.0
        return out
    return harmonic(adj, notes, samples, chunk, matrix)


def harmonic(adj: Adjacency, notes: list, samples: int = PIVOTS, chunk: int = 64, matrix=None) -> np.ndarray:
    """Harmonic closeness sum_v 1/d(u, v), from k seeded pivots, scaled to n-1 terms."""
    from scipy.sparse.csgraph import dijkstra

    n = adj.n
    matrix = adj.csr(adj.distance()) if matrix is None else matrix
    k = min(samples, n)
    sources = np.asarray(pivots(adj, k))
    total = np.zeros(n)
    for start in range(0, k, chunk):
        block = dijkstra(matrix, directed=False, indices=sources[start:start + chunk])
        with np.errstate(divide="ignore"):
            inv = np.where(np.isfinite(block) & (block > 0), 1.0 / block, 0.0)
        total += inv.sum(axis=0)
    others = np.full(n, float(k))
    others[sources] -= 1  # a pivot is not its own source
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = np.where(others > 0, total * (n - 1) / others, 0.0)
    notes.append(f"closeness: harmonic closeness estimated from {k} sampled pivots (seed {SEED}); graph has "
                 f"{n} nodes > {EXACT_CLOSENESS_LIMIT}, too many for all-pairs distances")
    return estimate


def eigenvector(adj: Adjacency, notes: list) -> np.ndarray:
    """analyze._eigenvector's scores: per component leading eigenvector, |x| / ||x||, times size/n."""
    import scipy.sparse.linalg as sla
    from scipy.sparse.csgraph import connected_components

    n = adj.n
    matrix = adj.csr(adj.weight)
    count, labels = connected_components(matrix, directed=False)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(count + 1))
    out = np.zeros(n)
    failed = 0
    for c in range(count):
        members = order[bounds[c]:bounds[c + 1]]
        if len(members) < 3:
            continue  # a lone pair is symmetric: no signal
        sub = matrix[members][:, members]
        if len(members) <= 64:
            values, vectors = np.linalg.eigh(sub.toarray())
            vec = vectors[:, np.argmax(values)]
        else:
            try:
                # a fixed start vector: ARPACK's default is random, and near-ties would then
                # rank differently from one run to the next
                _, vectors = sla.eigsh(sub.astype(float), k=1, which="LA", maxiter=max(1000, 50 * len(members)),
                                       tol=1e-10, v0=np.ones(len(members)))
                vec = vectors[:, 0]
            except sla.ArpackNoConvergence:
                failed += 1
                strength = np.asarray(sub.sum(axis=1)).ravel()
                vec = strength / (strength.max() or 1.0)
        norm = np.linalg.norm(vec) or 1.0
        out[members] = np.abs(vec) / norm * (len(members) / n)
    if failed:
        notes.append(f"eigenvector: {failed} component(s) did not converge; weighted degree used for them")
    return out


def scores(adj: Adjacency, metric: str, notes: list, exact_betweenness_limit: int, samples: int) -> dict:
    """{name: score} for one of pagerank, degree, betweenness, eigenvector, closeness, harmonic."""
    if adj.n == 0:
        return {}
    if metric == "pagerank":
        values = pagerank(adj)
    elif metric == "degree":
        values = degree(adj)
    elif metric == "betweenness":
        values = betweenness(adj, exact_betweenness_limit, samples, notes)
    elif metric == "eigenvector":
        values = eigenvector(adj, notes)
    elif metric == "closeness":
        values = closeness(adj, notes)
    elif metric == "harmonic":
        values = harmonic(adj, notes, samples)
    else:
        raise ValueError(f"unknown metric {metric!r}")
    return dict(zip(adj.names, values.tolist()))


def louvain(adj: Adjacency, seed: int = SEED) -> list:
    """Louvain communities (sets of names) by igraph's multilevel algorithm, seeded."""
    g = adj.igraph()
    state = random.getstate()
    random.seed(seed)  # python-igraph draws from Python's random module
    try:
        membership = g.community_multilevel(weights="weight").membership
    finally:
        random.setstate(state)
    parts: dict = {}
    for name, part in zip(adj.names, membership):
        parts.setdefault(part, set()).add(name)
    return list(parts.values())
