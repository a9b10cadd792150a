"""Curation that survives rebuilds: the workspace curation file, the curate commands, the
user lexicon folder, and explain showing what curation changed."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from typer.testing import CliRunner

from graphkit.cli import app
from graphkit.curation import load_curation, use_user_lexicon
from graphkit.errors import CurationError
from graphkit.graph import load_graph

from conftest import FIXTURES

runner = CliRunner()

CHIP_DEAL = "Chip deal\n2024-02-01\nBavarian Motor Works and Qualcomm signed a strategic partnership on cockpit chips.\n"


def _run(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False, **kwargs)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A user's folder: the sample articles, no curation yet; the lexicon reset afterwards."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(FIXTURES, tmp_path / "articles")
    yield tmp_path
    use_user_lexicon(None, None)


def _edge(graph, a, rtype, b):
    return graph.has_edge(a, b, key=rtype) or graph.has_edge(b, a, key=rtype)


def test_analyst_loop_end_to_end(workspace):
    """build; add an article and see it; reject an edge and add an alias; rebuild from
    scratch and find both still applied; export edges as CSV; explain by a new alias."""
    assert _run("build", "articles").exit_code == 0
    (workspace / "new").mkdir()
    (workspace / "new" / "bmw_qualcomm.txt").write_text(CHIP_DEAL, encoding="utf-8")
    result = _run("add", "new", "-f", "json")
    assert result.exit_code == 0, result.output
    changes = json.loads(result.stdout)
    assert changes["counts"]["articles_added"] == 1
    assert {"change": "article added", "what": "bmw_qualcomm", "support": None} in changes["changes"]

    result = _run("curate", "reject", "BMW", "partners_with", "Alibaba")
    assert result.exit_code == 0, result.output
    assert "applied" in result.stdout
    assert not _edge(load_graph("graphkit-out/graph.json"), "bmw", "PARTNERS_WITH", "alibaba")
    result = _run("curate", "alias", "BMW", "Bavarian Motor Works")
    assert result.exit_code == 0 and (workspace / "graphkit-curation.toml").exists()

    shutil.rmtree(workspace / "graphkit-out")
    assert _run("build", "articles", "new").exit_code == 0
    graph = load_graph("graphkit-out/graph.json")
    assert not _edge(graph, "bmw", "PARTNERS_WITH", "alibaba")  # rejection survives the rebuild
    assert _edge(graph, "bmw", "PARTNERS_WITH", "qualcomm")  # the alias is found in text now

    result = _run("edges", "--company", "BMW", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert any(r["tail"] == "Qualcomm" or r["head"] == "Qualcomm" for r in rows)
    assert all(r["article_id"] and r["evidence"] for r in rows)

    result = _run("explain", "Bavarian Motor Works", "-f", "json")
    assert result.exit_code == 0
    info = json.loads(result.stdout)
    assert info["name"] == "BMW"
    assert any("reject edge" in n for n in info["curation"]) and any("Bavarian Motor Works" in n for n in info["curation"])
    # names no article uses: a lexicon alias and a curated one
    assert json.loads(_run("explain", "Bayerische Motoren Werke", "-f", "json").stdout)["name"] == "BMW"
    assert _run("curate", "alias", "BMW", "Weiss-Blau Motors").exit_code == 0
    assert json.loads(_run("explain", "weiss-blau motors", "-f", "json").stdout)["name"] == "BMW"


def test_curate_merge_moves_edges_and_survives_rebuild(workspace):
    _run("build", "articles")
    before = load_graph("graphkit-out/graph.json")
    assert "daimler" in before
    daimler_partners = {t if h == "daimler" else h for h, t in before.edges("daimler")} | {
        h for h, _ in before.in_edges("daimler")}
    assert _run("curate", "merge", "Daimler", "Mercedes-Benz").exit_code == 0
    _run("build", "articles")
    after = load_graph("graphkit-out/graph.json")
    assert "daimler" not in after
    merged = set(after.successors("mercedes-benz")) | set(after.predecessors("mercedes-benz"))
    assert daimler_partners - {"mercedes-benz"} <= merged
    assert "Daimler" in after.nodes["mercedes-benz"]["aliases"]
    assert _run("explain", "Daimler", "-f", "json").exit_code == 0  # the old name finds the merged node


def test_curate_reject_entity_and_confirm_edge(workspace):
    _run("build", "articles")
    assert _run("curate", "reject", "21Vianet").exit_code == 0
    assert _run("curate", "confirm", "Tencent", "PARTNERS_WITH", "Dongfeng Motor").exit_code == 0
    _run("build", "articles")
    graph = load_graph("graphkit-out/graph.json")
    assert "21vianet" not in graph
    data = graph.get_edge_data("dongfeng-motor", "tencent", "PARTNERS_WITH") or graph.get_edge_data(
        "tencent", "dongfeng-motor", "PARTNERS_WITH")
    assert data["confirmed"] is True


def test_curate_unknown_relation_type_lists_the_valid_ones(workspace):
    result = _run("curate", "reject", "BMW", "LOVES", "Alibaba")
    assert result.exit_code == 1 and "unknown relation type 'LOVES'" in result.stderr
    assert "PARTNERS_WITH" in result.stderr and not (workspace / "graphkit-curation.toml").exists()


@pytest.mark.parametrize("text, entry, problem", [
    ('[[reject]]\nhead = "BMW"\ntype = "PARTNERS"\ntail = "X"\n', "[[reject]] #1", "unknown relation type"),
    ('[[alias]]\nentity = "BMW"\n', "[[alias]] #1", "`alias` must be a non-empty string"),
    ('[[merge]]\nentity = "A"\ninto = "B"\n[[merge]]\nentitty = "A"\n', "[[merge]] #2", "unknown key 'entitty'"),
    ('[[reject]\n', None, "invalid TOML"),
])
def test_broken_curation_entry_is_one_line_naming_file_entry_problem(workspace, text, entry, problem):
    (workspace / "graphkit-curation.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CurationError):
        load_curation(workspace / "graphkit-curation.toml")
    result = _run("build", "articles")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "graphkit-curation.toml" in lines[0]
    assert problem in lines[0] and (entry is None or entry in lines[0])
    assert "Traceback" not in result.output


@pytest.mark.parametrize("jobs", ["1", "2"])  # worker processes see the user lexicon too
def test_user_lexicon_repeating_an_entry_adds_aliases(workspace, jobs):
    (workspace / "lexicon").mkdir()
    (workspace / "lexicon" / "mine.toml").write_text(
        '[[entity]]\nname = "BMW"\nen = ["Bavarian Motor Works"]\n\n'
        '[[entity]]\nname = "Quasar Robotics"\ntype = "Organization"\nkind = "supplier"\nen = ["Quasar"]\n',
        encoding="utf-8")
    (workspace / "graphkit.toml").write_text('lexicon = "lexicon"\n', encoding="utf-8")
    (workspace / "new").mkdir()
    (workspace / "new" / "deal.txt").write_text(
        CHIP_DEAL + "Quasar will supply lidar sensors to Bavarian Motor Works.\n", encoding="utf-8")
    assert _run("build", "articles", "new", "--jobs", jobs).exit_code == 0
    graph = load_graph("graphkit-out/graph.json")
    assert _edge(graph, "bmw", "PARTNERS_WITH", "qualcomm")
    assert "quasar-robotics" in graph and graph.nodes["quasar-robotics"]["kind"] == "supplier"
    assert "Bavarian Motor Works" in graph.nodes["bmw"]["aliases"]


def test_broken_user_lexicon_names_the_file(workspace):
    (workspace / "lexicon").mkdir()
    (workspace / "lexicon" / "bad.toml").write_text('[[entity]]\nname = "X"\ntype = "Company"\n', encoding="utf-8")
    result = _run("build", "articles", env={"GRAPHKIT_LEXICON": str(workspace / "lexicon")})
    assert result.exit_code == 1
    assert "bad.toml: [[entity]] #1 (X): unknown type 'Company'" in result.stderr
    (workspace / "lexicon" / "bad.toml").write_text('[[entity]\n', encoding="utf-8")
    result = _run("build", "articles", env={"GRAPHKIT_LEXICON": str(workspace / "lexicon")})
    assert result.exit_code == 1 and "bad.toml: invalid TOML" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_explain_finds_lexicon_aliases_and_suggests_close_names(workspace):
    _run("build", "articles")
    for name in ("VW", "大众汽车", "Volkswagen AG"):
        result = _run("explain", name, "-f", "json")
        assert result.exit_code == 0, name
        assert json.loads(result.stdout)["name"] == "Volkswagen"
    result = _run("explain", "Tencnt")
    assert result.exit_code == 1 and "did you mean: Tencent" in result.stderr
