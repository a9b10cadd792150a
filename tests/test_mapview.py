"""The offline HTML map: names present, nothing external, text escaped, same bytes each run."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from graphkit.graph import graph_from_dict, graph_to_dict
from graphkit.mapview import map_data, map_html

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SVG_NS = "http://www.w3.org/2000/svg"


def _tiny_graph(name_a="BMW", evidence="BMW deploys on Azure.") -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(articles={})
    g.add_node("a", name=name_a, type="Organization", kind="carmaker", names={"zh": "宝马"})
    g.add_node("b", name="Azure", type="Product", kind="cloud", names={})
    g.add_node("c", name="Alone", type="Organization", kind=None, names={})
    g.add_edge("a", "b", key="DEPLOYS_ON", type="DEPLOYS_ON", support=2, confidence=0.9, first_seen="2020-07-04",
               last_seen="2021", evidence=[evidence], articles=["x"])
    return g


def _embedded_data(page: str) -> dict:
    block = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', page, re.S).group(1)
    return json.loads(block)


def test_mapview_contains_every_node_name(fixture_graph):
    page = map_html(fixture_graph)
    missing = [d.get("name", n) for n, d in fixture_graph.nodes(data=True) if html.escape(d.get("name", n)) not in page]
    assert missing == []


def test_mapview_draws_linked_nodes_and_lists_the_rest(fixture_graph):
    data = map_data(fixture_graph)
    drawn = {n["id"] for n in data["nodes"]}
    linked = {n for h, t in fixture_graph.edges() if h != t for n in (h, t)}
    assert drawn == linked
    assert len(data["unlinked"]) == fixture_graph.number_of_nodes() - len(linked)


def test_mapview_references_nothing_external(fixture_graph):
    page = map_html(fixture_graph)
    assert re.findall(r"https?://[^\s\"'<>)]*", page) == [SVG_NS] * page.count(SVG_NS)
    assert not re.search(r"<(script|img|iframe|link)\b[^>]*\b(src|href)\s*=", page, re.I)
    assert "@import" not in page and "url(http" not in page and "//cdn" not in page


@pytest.mark.parametrize("name, evidence", [
    ("<script>alert(1)</script>", "plain evidence"),
    ("BMW", "</script><img src=x onerror=alert(1)><!--"),
    ("A & B \u2028 <b>", "quote \" and ' and </SCRIPT >"),
])
def test_mapview_escapes_names_and_evidence(name, evidence):
    page = map_html(_tiny_graph(name, evidence))
    assert page.count("<script") == 2 and page.lower().count("</script") == 2
    assert "<img" not in page and "<b>" not in page
    data = _embedded_data(page)
    assert {n["name"] for n in data["nodes"]} == {name, "Azure"}
    assert data["edges"][0]["evidence"] == evidence


def test_mapview_node_and_edge_tooltip_fields():
    data = _embedded_data(map_html(_tiny_graph()))
    bmw = next(n for n in data["nodes"] if n["id"] == "a")
    assert (bmw["name"], bmw["original"], bmw["kind"], bmw["rank"]) == ("BMW", "宝马", "carmaker", 2)  # tie with Azure; names break ties
    edge = data["edges"][0]
    assert (edge["type"], edge["support"], edge["first_seen"], edge["evidence"]) == (
        "DEPLOYS_ON", 2, "2020-07-04", "BMW deploys on Azure.")


def test_mapview_is_deterministic(fixture_graph):
    first = map_html(fixture_graph)
    again = graph_from_dict(graph_to_dict(fixture_graph))
    assert map_html(again) == first
    assert map_html(fixture_graph) == first


@pytest.mark.parametrize("relations, top", [(("DEPLOYS_ON",), None), ((), 5), (("PARTNERS_WITH",), 3)])
def test_mapview_relation_filter_and_top(fixture_graph, relations, top):
    data = map_data(fixture_graph, relations=relations, top=top)
    if relations:
        assert {e["type"] for e in data["edges"]} <= set(relations)
    if top:
        assert 0 < len(data["nodes"]) <= top
        assert max(n["rank"] for n in data["nodes"]) <= top


def test_cli_map_writes_html(tmp_path, fixture_graph):
    from typer.testing import CliRunner

    from graphkit.cli import app
    from graphkit.graph import save_graph

    save_graph(fixture_graph, tmp_path / "graph.json")
    out = tmp_path / "eco.html"
    result = CliRunner().invoke(app, ["map", "--graph", str(tmp_path / "graph.json"), "--out", str(out), "--top", "8"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    bad = CliRunner().invoke(app, ["map", "--graph", str(tmp_path / "graph.json"), "--relation", "LIKES"])
    assert bad.exit_code == 1


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install -y chromium) for the headless render check")
def test_mapview_renders_in_headless_chromium(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_map_render.py"), "--out-dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "ecosystem.png").stat().st_size > 10_000
