"""Configuration: graphkit.toml, environment and flags, in that order of strength."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphkit.cli import app
from graphkit.errors import ConfigError
from graphkit.settings import load_settings

from conftest import FIXTURES

runner = CliRunner()


def _run(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False, **kwargs)


def test_settings_precedence_file_then_env(tmp_path):
    (tmp_path / "graphkit.toml").write_text('graph = "data/g.json"\nformat = "csv"\n[neo4j]\nuri = "bolt://db:7687"\n'
                                            'id_prefix = "trial-"\n', encoding="utf-8")
    s = load_settings(env={}, cwd=tmp_path)
    assert s.graph == tmp_path / "data" / "g.json" and s.format == "csv"
    assert s.neo4j_uri == "bolt://db:7687" and s.id_prefix == "trial-" and s.source("graph") == "file"
    s = load_settings(env={"GRAPHKIT_GRAPH": "env.json", "NEO4J_URI": "bolt://envdb:7687"}, cwd=tmp_path)
    assert s.graph == Path("env.json") and s.neo4j_uri == "bolt://envdb:7687" and s.source("graph") == "env"
    s = s.with_flags(graph=Path("flag.json"), neo4j_uri=None)
    assert s.graph == Path("flag.json") and s.neo4j_uri == "bolt://envdb:7687" and s.source("graph") == "flag"


@pytest.mark.parametrize("text, problem", [
    ("graph = [1", "invalid TOML"),
    ("grpah = 'x'", "grpah: unknown key"),
    ("[neo4j]\npassword = 'secret'", "password: not read from a file"),
    ("graph = 3", "graph: expected a string"),
])
def test_settings_broken_config_names_file_and_problem(tmp_path, text, problem):
    (tmp_path / "graphkit.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(env={}, cwd=tmp_path)
    assert str(tmp_path / "graphkit.toml") in str(info.value) and problem in str(info.value)
    assert "secret" not in str(info.value)


def test_cli_config_file_sets_graph_and_format_flag_wins(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "graphkit.toml").write_text('graph = "mine/graph.json"\nformat = "json"\n', encoding="utf-8")
    assert _run("build", FIXTURES).exit_code == 0
    assert (tmp_path / "mine" / "graph.json").exists()
    rows = json.loads(_run("rank", "--top", "3").stdout)  # format from the file
    assert len(rows) == 3
    assert _run("rank", "--top", "3", "-f", "csv").stdout.startswith("rank,id,name")  # flag beats file
    other = tmp_path / "other.toml"
    other.write_text('graph = "nowhere.json"\n', encoding="utf-8")
    result = _run("--config", other, "rank")
    assert result.exit_code == 1 and "nowhere.json" in result.stderr
    result = _run("rank", env={"GRAPHKIT_CONFIG": str(other)})
    assert result.exit_code == 1 and "nowhere.json" in result.stderr


def test_cli_broken_config_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "graphkit.toml").write_text("graph = [", encoding="utf-8")
    result = _run("rank")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "graphkit.toml" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_version_and_short_help():
    result = _run("--version")
    assert result.exit_code == 0 and result.stdout.startswith("graphkit ")
    result = _run("rank", "-h")
    assert result.exit_code == 0 and "--metric" in result.stdout


def test_cli_error_text_is_printed_literally(tmp_path):
    result = _run("explain", "[red]Nobody[/red]", "-g", tmp_path / "x.json")
    assert result.exit_code == 1
    result = _run("build", FIXTURES, "-g", tmp_path / "g.json")
    result = _run("explain", "[red]Nobody[/red]", "-g", tmp_path / "g.json")
    assert result.exit_code == 1 and "[red]Nobody[/red]" in result.stderr
