"""The lean rank path (filter_graph, collapse, PageRank, top rows) gives what the plain version gave."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from graphkit import analyze


def _naive_collapse(graph):
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    for h, t, d in graph.edges(data=True):
        if h == t:
            continue
        w = d.get("support", 1) * d.get("confidence", 1.0)
        if simple.has_edge(h, t):
            simple[h][t]["weight"] += w
        else:
            simple.add_edge(h, t, weight=w)
    for _, _, d in simple.edges(data=True):
        d["distance"] = 1.0 / d["weight"] if d["weight"] > 0 else 1e9
    return simple


def _random_multigraph(seed=7, n=60, m=240):
    rng = random.Random(seed)
    g = nx.MultiDiGraph(articles={})
    for i in range(n):
        g.add_node(f"n{i}", name=f"N{i}", type="Organization", kind="carmaker")
    types = [t.value for t in analyze.RelationType]
    for _ in range(m):
        h, t, k = f"n{rng.randrange(n)}", f"n{rng.randrange(n)}", rng.choice(types)
        g.add_edge(h, t, key=k, type=k, support=rng.randint(1, 4), confidence=round(rng.uniform(0.3, 1), 2),
                   first_seen="2020", last_seen="2021", articles=["a"])
    return g


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_analyze_collapse_matches_edge_by_edge_version(seed):
    g = _random_multigraph(seed)
    fast, slow = analyze.collapse(g), _naive_collapse(g)
    assert list(fast.nodes) == list(slow.nodes)
    assert list(fast.edges(data=True)) == list(slow.edges(data=True))


def test_analyze_filter_graph_copies_and_filters(fixture_graph):
    full = analyze.filter_graph(fixture_graph)
    assert full is not fixture_graph
    assert list(full.edges(keys=True, data=True)) == list(fixture_graph.edges(keys=True, data=True))
    only = analyze.filter_graph(fixture_graph, ("DEPLOYS_ON",))
    assert {k for _, _, k in only.edges(keys=True)} == {"DEPLOYS_ON"}
    assert only.number_of_nodes() == fixture_graph.number_of_nodes()


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_analyze_pagerank_equals_networkx(seed):
    simple = analyze.collapse(_random_multigraph(seed))
    simple.add_edge("lonely-a", "lonely-b", weight=0.5, distance=2.0)
    ours, theirs = analyze._pagerank(simple), nx.pagerank(simple, weight="weight")
    assert list(ours) == list(theirs)
    assert max(abs(ours[n] - theirs[n]) for n in ours) < 1e-12


def test_analyze_rank_top_rows_are_a_prefix_of_all_rows(fixture_graph):
    everything = analyze.rank(fixture_graph, analyze.RankOptions(top=10_000)).rows
    top5 = analyze.rank(fixture_graph, analyze.RankOptions(top=5)).rows
    assert top5 == everything[:5]
    assert [r["rank"] for r in everything] == list(range(1, len(everything) + 1))
    keys = [(-r["score"], -r["degree"], r["name"]) for r in everything]
    assert keys == sorted(keys)


@pytest.mark.parametrize("metric", ["pagerank", "degree", "eigenvector"])
def test_analyze_rank_without_filters_equals_rank_of_a_filtered_copy(metric):
    g = _random_multigraph(5, 80, 900)  # many parallel edges: ties in the `why` counts
    options = analyze.RankOptions(metric=metric, top=100)
    assert analyze.rank(g, options).rows == analyze.rank(analyze.filter_graph(g), options).rows
