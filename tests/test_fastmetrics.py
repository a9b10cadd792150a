"""graphkit.fastmetrics (the C-backed metrics analyze uses on large graphs) agrees with plain
NetworkX on small graphs, metric by metric and through analyze.rank / communities."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest

from graphkit import analyze, fastmetrics
from graphkit.fastmetrics import Adjacency


def weighted_graph(n=160, m=420, seed=5, islands=True):
    """A random weighted simple graph with a few separate small components."""
    rng = random.Random(seed)
    g = nx.gnm_random_graph(n, m, seed=seed)
    g = nx.relabel_nodes(g, {i: f"v{i:03d}" for i in g})
    if islands:
        g.add_edges_from([("i1", "i2"), ("i2", "i3"), ("i3", "i1"), ("i4", "i5"), ("i6", "i7"), ("i7", "i8")])
    for u, v in g.edges:
        w = round(rng.uniform(0.2, 3.0), 3)
        g[u][v].update(weight=w, distance=1.0 / w)
    g.remove_nodes_from([x for x in list(g) if g.degree(x) == 0])
    return g


def close(fast: dict, slow: dict, tol=1e-7):
    assert fast.keys() == slow.keys()
    a = np.array([fast[k] for k in slow])
    b = np.array([slow[k] for k in slow])
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@pytest.fixture(scope="module")
def g():
    return weighted_graph()


def test_pagerank_and_degree_match_networkx(g):
    adj = Adjacency.from_networkx(g)
    close(fastmetrics.scores(adj, "pagerank", [], 5000, 500), nx.pagerank(g, weight="weight"), 1e-5)
    close(fastmetrics.scores(adj, "pagerank", [], 5000, 500), analyze._pagerank(g), 1e-12)
    close(fastmetrics.scores(adj, "degree", [], 5000, 500), dict(g.degree(weight="weight")))


def test_betweenness_exact_and_from_the_same_pivots_match_networkx(g):
    adj = Adjacency.from_networkx(g)
    close(fastmetrics.scores(adj, "betweenness", [], 5000, 500), nx.betweenness_centrality(g, weight="distance"))
    notes = []
    sampled = fastmetrics.scores(adj, "betweenness", notes, 50, 40)  # "large": 40 pivots
    close(sampled, nx.betweenness_centrality(g, k=40, weight="distance", seed=analyze.SEED))
    assert "40 sampled pivots" in notes[0]


def test_closeness_exact_and_harmonic_match_networkx(g):
    adj = Adjacency.from_networkx(g)
    close(fastmetrics.scores(adj, "closeness", [], 5000, 500), nx.closeness_centrality(g, distance="distance"))
    # every node a pivot: the estimate is the exact harmonic closeness
    harmonic = fastmetrics.harmonic(adj, [], samples=adj.n)
    close(dict(zip(adj.names, harmonic)), nx.harmonic_centrality(g, distance="distance"))


def test_eigenvector_matches_the_networkx_definition(g):
    notes = []
    close(fastmetrics.scores(Adjacency.from_networkx(g), "eigenvector", notes, 5000, 500),
          analyze._eigenvector(g, []), 1e-6)
    assert not notes


def test_louvain_finds_planted_communities_like_networkx_and_is_seeded():
    g = nx.Graph()
    for c in range(4):  # four dense groups, joined by one weak edge each
        members = [f"c{c}m{i}" for i in range(8)]
        g.add_edges_from(((a, b, {"weight": 2.0}) for j, a in enumerate(members) for b in members[j + 1:]))
    g.add_edges_from([("c0m0", "c1m0", {"weight": 0.1}), ("c1m1", "c2m1", {"weight": 0.1}),
                      ("c2m2", "c3m2", {"weight": 0.1})])
    adj = Adjacency.from_networkx(g)
    ours = fastmetrics.louvain(adj, seed=3)
    assert sorted(map(sorted, ours)) == sorted(map(sorted, nx.community.louvain_communities(g, weight="weight", seed=3)))
    assert fastmetrics.louvain(adj, seed=3) == ours


def test_louvain_modularity_close_to_networkx_on_a_random_graph(g):
    ours = fastmetrics.louvain(Adjacency.from_networkx(g))
    theirs = nx.community.louvain_communities(g, weight="weight", seed=analyze.SEED)
    q_ours = nx.community.modularity(g, ours, weight="weight")
    q_theirs = nx.community.modularity(g, theirs, weight="weight")
    assert q_ours == pytest.approx(q_theirs, abs=0.03)


def _multigraph(n=150, m=500, seed=11):
    rng = random.Random(seed)
    mg = nx.MultiDiGraph(articles={})
    for i in range(n):
        mg.add_node(f"n{i:03d}", name=f"N{i}", type="Organization", kind="carmaker", names={})
    types = [t.value for t in analyze.RelationType]
    for _ in range(m):
        h, t, k = f"n{rng.randrange(n):03d}", f"n{rng.randrange(n):03d}", rng.choice(types)
        mg.add_edge(h, t, key=k, type=k, support=rng.randint(1, 4), confidence=round(rng.uniform(0.3, 1), 3),
                    first_seen="2020", last_seen="2021", articles=[f"a{rng.randrange(40)}"])
    return mg


@pytest.mark.parametrize("metric", ["pagerank", "degree", "betweenness", "eigenvector", "closeness", "composite"])
def test_rank_through_the_fast_path_lists_what_networkx_lists(metric, monkeypatch):
    mg = _multigraph()
    slow = analyze.rank(mg, analyze.RankOptions(metric=metric, top=15)).rows
    monkeypatch.setattr(fastmetrics, "FAST_ABOVE_NODES", 10)
    fast = analyze.rank(mg, analyze.RankOptions(metric=metric, top=15)).rows
    assert [r["id"] for r in fast] == [r["id"] for r in slow]
    assert [r["score"] for r in fast] == pytest.approx([r["score"] for r in slow], abs=2e-6)
