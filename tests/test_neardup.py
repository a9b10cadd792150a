"""Copies of one story with small edits count once for support, and are listed."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from graphkit.cli import app
from graphkit.graph import load_graph
from graphkit.ingest import articles_from_bytes
from graphkit.neardup import decode_signature, encode_signature, find_near_duplicates, signature

runner = CliRunner()

STORY = ("Autonomous driving alliance\n2023-09-12\n"
         "Volkswagen and Horizon Robotics signed a strategic partnership to develop driver assistance chips for China. "
         "The two companies will set up a joint venture in Hangzhou with about 500 engineers. "
         "Volkswagen will deploy its connected car platform on Alibaba Cloud. "
         "Analysts said the deal shows how carmakers now compete on software rather than engines. "
         "Neither company disclosed the financial terms of the agreement, which still needs regulatory approval. "
         "The first models using the chips are expected to reach dealers in 2025.\n")
# a syndicated copy: new headline, one word changed, a credit line appended
COPY = STORY.replace("Autonomous driving alliance", "VW teams up on chips").replace("about 500", "roughly 500") + \
    "Reporting by the wire desk.\n"
OTHER = ("Cloud deal\n2023-10-01\nBMW will deploy its apps on Microsoft Azure, the companies said on Monday. "
         "The carmaker expects the move to cut its data-centre costs by a third over five years.\n")


def _article(text, stem):
    return articles_from_bytes(text.encode("utf-8"), f"{stem}.txt", ".txt", stem)[0]


def test_copy_with_small_edits_is_found_and_a_different_story_is_not():
    story, copy, other = _article(STORY, "story"), _article(COPY, "copy"), _article(OTHER, "other")
    result = find_near_duplicates([story, copy, other])
    assert [a.id for a in result.kept] == ["story", "other"]
    assert [(a.id, kept) for a, kept, _ in result.duplicates] == [("copy", "story")]
    assert 0.7 <= result.duplicates[0][2] < 1.0
    again = decode_signature(encode_signature(signature(STORY)))
    assert again.jaccard(signature(STORY)) == 1.0  # signatures survive the graph file


def _run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_build_counts_a_copied_story_once_and_lists_the_copy(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a_story.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "in" / "b_copy.txt").write_text(COPY, encoding="utf-8")
    graph = tmp_path / "g.json"
    result = _run("build", tmp_path / "in", "-g", graph)
    assert result.exit_code == 0
    assert "b_copy: near-duplicate of a_story" in result.stderr
    g = load_graph(graph)
    assert set(g.graph["articles"]) == {"a_story"}
    assert [d["id"] for d in g.graph["articles"]["a_story"]["duplicates"]] == ["b_copy"]
    assert all(d["support"] == 1 for _, _, d in g.edges(data=True))
    rows = json.loads(_run("edges", "-g", graph, "-f", "json").stdout)
    assert rows and all(r["copies"] == ["b_copy"] for r in rows)


def test_add_recognises_a_copy_of_an_article_added_earlier(tmp_path):
    (tmp_path / "a_story.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "b_copy.txt").write_text(COPY, encoding="utf-8")
    graph = tmp_path / "g.json"
    _run("add", tmp_path / "a_story.txt", "-g", graph)
    before = {(h, t, k): d["support"] for h, t, k, d in load_graph(graph).edges(keys=True, data=True)}
    result = _run("add", tmp_path / "b_copy.txt", "-g", graph, "-f", "json")
    assert result.exit_code == 0 and "near-duplicate of a_story" in result.stderr
    report = json.loads(result.stdout)
    assert report["counts"]["articles_added"] == 0 and report["counts"]["support_changed"] == 0
    after = load_graph(graph)
    assert {(h, t, k): d["support"] for h, t, k, d in after.edges(keys=True, data=True)} == before
    assert [d["id"] for d in after.graph["articles"]["a_story"]["duplicates"]] == ["b_copy"]
