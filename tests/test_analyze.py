"""Ranking on graphs small enough to check by hand."""

from __future__ import annotations

import networkx as nx
import pytest

from graphkit import analyze


def _graph(edges):
    g = nx.MultiDiGraph(articles={})
    for h, t, k, support in edges:
        for n in (h, t):
            g.add_node(n, name=n.upper(), type="Organization", kind="carmaker" if n.startswith("c") else "tech", names={}, aliases=[])
        g.add_edge(h, t, key=k, type=k, support=support, confidence=1.0, articles=[f"a{i}" for i in range(support)],
                   evidence=["e"], first_seen="2020", last_seen="2021", provenance=[])
    return g


STAR = _graph([("hub", "c1", "PARTNERS_WITH", 1), ("hub", "c2", "PARTNERS_WITH", 1), ("hub", "c3", "DEPLOYS_ON", 2), ("c1", "c2", "PARTNERS_WITH", 1)])


@pytest.mark.parametrize("metric", ["pagerank", "degree", "betweenness", "eigenvector", "closeness", "composite"])
def test_analyze_hub_of_a_star_ranks_first(metric):
    rows = analyze.rank(STAR, analyze.RankOptions(metric=metric)).rows
    assert rows[0]["id"] == "hub"


def test_analyze_degree_is_weighted_by_support():
    rows = analyze.rank(STAR, analyze.RankOptions(metric="degree")).rows
    scores = {r["id"]: r["score"] for r in rows}
    assert scores == {"hub": 4.0, "c1": 2.0, "c2": 2.0, "c3": 2.0}
    assert rows[0]["partners"][0] == "C3"  # the support-2 edge is the strongest


def test_analyze_relation_and_kind_filters():
    rows = analyze.rank(STAR, analyze.RankOptions(metric="degree", relations=("DEPLOYS_ON",))).rows
    assert {r["id"] for r in rows} == {"hub", "c3"}
    rows = analyze.rank(STAR, analyze.RankOptions(kinds=("tech",))).rows
    assert [r["id"] for r in rows] == ["hub"]


def test_analyze_date_window_drops_edges():
    g = _graph([("a", "b", "PARTNERS_WITH", 1)])
    assert analyze.rank(g, analyze.RankOptions(since="2022")).rows == []
    assert len(analyze.rank(g, analyze.RankOptions(since="2021")).rows) == 2


def test_analyze_large_graph_betweenness_is_sampled_and_says_so(monkeypatch):
    monkeypatch.setattr(analyze, "EXACT_BETWEENNESS_LIMIT", 3)
    result = analyze.rank(STAR, analyze.RankOptions(metric="betweenness"))
    assert result.notes and "sampled" in result.notes[0]


def test_analyze_communities_are_seeded_and_cover_nodes():
    g = _graph([("a", "b", "PARTNERS_WITH", 3), ("b", "c", "PARTNERS_WITH", 3), ("a", "c", "PARTNERS_WITH", 3),
                ("x", "y", "PARTNERS_WITH", 3), ("y", "z", "PARTNERS_WITH", 3), ("x", "z", "PARTNERS_WITH", 3),
                ("c", "x", "PARTNERS_WITH", 1)])
    first = analyze.communities(g)
    assert first == analyze.communities(g)
    assert sorted(sorted(c["members"]) for c in first) == [["A", "B", "C"], ["X", "Y", "Z"]]
    assert any(c["links"] for c in first)


def test_community_members_of_equal_weight_keep_the_graph_order():
    # two rings of equal-weight partnerships: every member's weighted degree ties; the order
    # used to follow Python's set order of the names (changing with PYTHONHASHSEED)
    ring = ["kilo", "alpha", "echo", "bravo", "hotel", "delta"]
    other = ["yankee", "xray", "zulu", "whiskey", "victor", "uniform"]
    edges = [(a, b, "PARTNERS_WITH", 2) for names in (ring, other) for a, b in zip(names, names[1:] + names[:1])]
    g = _graph(edges + [("kilo", "yankee", "SUPPLIES", 1)])
    order = list(g)
    for community in analyze.communities(g):
        ties = [m for m in community["members"] if m not in ("KILO", "YANKEE")]  # the two also hold the bridge
        assert ties == sorted(ties, key=lambda name: order.index(name.lower()))
