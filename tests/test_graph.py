"""Graph aggregation: one edge per fact, support across articles, retraction, persistence."""

from __future__ import annotations

from graphkit.extract import extract_article
from graphkit.graph import build_graph, graph_from_dict, graph_to_dict, load_graph, remove_article, save_graph
from graphkit.ingest import articles_from_bytes


def _extraction(stem, text):
    return extract_article(articles_from_bytes(text.encode("utf-8"), f"{stem}.txt", ".txt", stem)[0])


A = _extraction("a", "宝马与阿里巴巴达成战略合作。")
B = _extraction("b", "BMW and Alibaba signed a strategic partnership agreement in 2020.")
C = _extraction("c", "Alibaba und BMW vereinbaren eine Partnerschaft. Tencent investiert in Tesla.")


def test_graph_same_fact_in_three_languages_is_one_edge_with_support():
    g = build_graph([A, B, C])
    edges = [(h, t, k) for h, t, k in g.edges(keys=True) if k == "PARTNERS_WITH"]
    assert edges == [("alibaba", "bmw", "PARTNERS_WITH")]
    data = g.edges["alibaba", "bmw", "PARTNERS_WITH"]
    assert data["support"] == 3 and sorted(data["articles"]) == ["a", "b", "c"]
    assert data["confidence"] > max(p["confidence"] for p in data["provenance"])
    assert data["first_seen"] == "2020"


def test_graph_remove_article_keeps_other_support_and_drops_orphans():
    g = build_graph([A, B, C])
    assert remove_article(g, "c")
    assert g.edges["alibaba", "bmw", "PARTNERS_WITH"]["support"] == 2
    assert not g.has_node("tesla") and not g.has_node("tencent")
    assert not remove_article(g, "c")


def test_graph_re_adding_an_article_replaces_its_contribution():
    g = build_graph([A, C])
    changed = _extraction("c", "Alibaba und BMW vereinbaren eine Partnerschaft.")
    build = build_graph([A, C, changed])
    assert not build.has_edge("tencent", "tesla")
    assert build.edges["alibaba", "bmw", "PARTNERS_WITH"]["support"] == 2
    assert g.has_edge("tencent", "tesla")


def test_graph_round_trips_through_json(tmp_path):
    g = build_graph([A, B, C])
    path = tmp_path / "g.json"
    save_graph(g, path)
    again = load_graph(path)
    assert graph_to_dict(again) == graph_to_dict(g)
    assert graph_to_dict(graph_from_dict(graph_to_dict(g))) == graph_to_dict(g)


def test_graph_ids_are_stable_across_runs():
    assert graph_to_dict(build_graph([A, B])) == graph_to_dict(build_graph([A, B]))


def test_a_full_disk_keeps_the_old_graph_and_leaves_no_temp_file(tmp_path, monkeypatch):
    import errno
    import json

    import pytest

    from graphkit.errors import OutputError

    path = tmp_path / "graph.json"
    graph = build_graph([A, B])
    save_graph(graph, path)
    before = path.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(json, "dump", disk_full)
    with pytest.raises(OutputError, match="graph.json: cannot write the graph file .No space left on device."):
        save_graph(graph, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.json"]
