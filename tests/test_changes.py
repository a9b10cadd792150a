"""Growing a graph article by article: add, replace, same text again, retract, diff."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from graphkit.cli import app
from graphkit.graph import load_graph

from conftest import FIXTURES

runner = CliRunner()

QUALCOMM = """Bavarian carmaker deal
2023-05-04
BMW and Qualcomm signed a partnership to develop driver assistance chips. BMW will deploy its apps on Microsoft Azure.
"""


def _run(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False, **kwargs)


def _built(tmp_path):
    graph = tmp_path / "graph.json"
    assert _run("build", FIXTURES, "-g", graph).exit_code == 0
    return graph


def test_add_new_article_reports_its_entities_and_edges(tmp_path):
    graph = _built(tmp_path)
    article = tmp_path / "qualcomm_deal.txt"
    article.write_text(QUALCOMM, encoding="utf-8")
    result = _run("add", article, "-g", graph, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"]["articles_added"] == 1 and report["counts"]["entities_added"] == 1
    whats = {(c["change"], c["what"]) for c in report["changes"]}
    assert ("entity added", "Qualcomm (qualcomm)") in whats
    assert ("edge added", "BMW PARTNERS_WITH Qualcomm") in whats
    g = load_graph(graph)
    assert "qualcomm_deal" in g.graph["articles"] and g.has_node("qualcomm")
    # Azure already had support from the sample: the new article is counted, nothing else moves
    assert any(c["change"] in ("support changed", "edge added") and "Azure" in c["what"] for c in report["changes"])


def test_add_same_text_again_changes_nothing_even_under_another_name(tmp_path):
    graph = _built(tmp_path)
    article = tmp_path / "qualcomm_deal.txt"
    article.write_text(QUALCOMM, encoding="utf-8")
    _run("add", article, "-g", graph)
    before = graph.read_bytes()
    copy = tmp_path / "copy_of_deal.txt"
    copy.write_text(QUALCOMM, encoding="utf-8")
    result = _run("add", article, copy, "-g", graph, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["counts"] == {k: 0 for k in json.loads(result.stdout)["counts"]}
    assert "already in the graph" in result.stderr and "same text as qualcomm_deal" in result.stderr
    assert graph.read_bytes() == before


def test_add_changed_article_replaces_only_its_own_contribution(tmp_path):
    graph = _built(tmp_path)
    article = tmp_path / "qualcomm_deal.txt"
    article.write_text(QUALCOMM, encoding="utf-8")
    _run("add", article, "-g", graph)
    article.write_text(QUALCOMM.replace(" BMW will deploy its apps on Microsoft Azure.", ""), encoding="utf-8")
    result = _run("add", article, "-g", graph, "--format", "json")
    report = json.loads(result.stdout)
    assert report["counts"]["articles_changed"] == 1 and report["counts"]["articles_added"] == 0
    g = load_graph(graph)
    azure_edges = [d for h, t, k, d in g.edges(keys=True, data=True) if h == "bmw" and k == "DEPLOYS_ON" and t == "azure"]
    assert all("qualcomm_deal" not in d["articles"] for d in azure_edges)
    assert g.has_edge("bmw", "qualcomm", key="PARTNERS_WITH") or g.has_edge("qualcomm", "bmw", key="PARTNERS_WITH")


def test_add_to_a_missing_graph_starts_one(tmp_path):
    article = tmp_path / "qualcomm_deal.txt"
    article.write_text(QUALCOMM, encoding="utf-8")
    result = _run("add", article, "-g", tmp_path / "new.json")
    assert result.exit_code == 0 and "1 articles added" in result.stdout
    assert load_graph(tmp_path / "new.json").has_node("qualcomm")


def test_diff_between_two_graph_files(tmp_path):
    graph = _built(tmp_path)
    old = tmp_path / "old.json"
    old.write_bytes(graph.read_bytes())
    article = tmp_path / "qualcomm_deal.txt"
    article.write_text(QUALCOMM, encoding="utf-8")
    _run("add", article, "-g", graph)
    result = _run("diff", old, graph, "--format", "csv")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "change,what,support"
    assert "article added,qualcomm_deal," in lines and "entity added,Qualcomm (qualcomm)," in lines
    back = json.loads(_run("diff", graph, old, "--format", "json").stdout)
    assert back["counts"]["entities_removed"] == 1 and back["counts"]["articles_removed"] == 1


def test_retract_works_offline_on_the_graph_file(tmp_path):
    graph = _built(tmp_path)
    article = tmp_path / "qualcomm_deal.txt"
    article.write_text(QUALCOMM, encoding="utf-8")
    _run("add", article, "-g", graph)
    # no Neo4j anywhere: an unreachable URI proves retract does not try to connect
    result = _run("retract", "qualcomm_deal", "-g", graph, "--format", "json",
                  env={"NEO4J_URI": "bolt://127.0.0.1:1"})
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"]["articles_removed"] == 1 and report["counts"]["entities_removed"] == 1
    assert "qualcomm_deal" not in load_graph(graph).graph["articles"]
    again = _run("retract", "qualcomm_deal", "-g", graph)
    assert again.exit_code == 1 and again.stderr.startswith("error: article qualcomm_deal is not in")


def test_build_replaces_the_graph_file(tmp_path):
    graph = _built(tmp_path)
    article = tmp_path / "qualcomm_deal.txt"
    article.write_text(QUALCOMM, encoding="utf-8")
    result = _run("build", article, "-g", graph)
    assert result.exit_code == 0 and "replaced by a graph of these articles only" in result.stderr
    assert list(load_graph(graph).graph["articles"]) == ["qualcomm_deal"]


def test_add_with_worker_processes_gives_the_same_graph(tmp_path):
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    assert _run("add", FIXTURES, "-g", one, "--jobs", "1").exit_code == 0
    assert _run("add", FIXTURES, "-g", two, "--jobs", "2").exit_code == 0
    assert one.read_bytes() == two.read_bytes()
