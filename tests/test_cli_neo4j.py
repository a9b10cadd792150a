"""The id prefix a graph file was loaded with is remembered: retract and report run keep to
that load, so a trial load beside a real one neither doubles counts nor loses articles."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import new_id_prefix
from graphkit.cli import app
from graphkit.graph import load_graph, save_graph
from graphkit.neo4j import count_graph, delete_prefixed

runner = CliRunner()
pytestmark = pytest.mark.neo4j


def _run(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False, **kwargs)


def test_load_records_prefix_and_report_and_retract_use_it(neo4j_settings, neo4j_driver, fixture_graph, tmp_path):
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
           "NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_DATABASE": neo4j_settings.database}
    real, trial = new_id_prefix(), new_id_prefix()
    real_file, trial_file = tmp_path / "real.json", tmp_path / "trial.json"
    save_graph(fixture_graph, real_file)
    save_graph(fixture_graph, trial_file)
    try:
        assert _run("load", "-g", real_file, "--id-prefix", real, env=env).exit_code == 0
        assert _run("load", "-g", trial_file, "--id-prefix", trial, env=env).exit_code == 0
        assert load_graph(real_file).graph["neo4j_id_prefix"] == real

        result = _run("report", "run", "company_partners", "-p", "company=BMW", "-g", real_file, "-f", "json", env=env)
        assert result.exit_code == 0, result.output
        rows = json.loads(result.stdout)
        partners = [r["partner"] for r in rows]
        assert rows and len(partners) == len(set(partners))  # the trial copy does not double them
        assert all(a.startswith(real) for r in rows for a in r["articles"])

        article = sorted(fixture_graph.graph["articles"])[0]
        before_real, before_trial = count_graph(neo4j_driver, real)["Article"], count_graph(neo4j_driver, trial)["Article"]
        result = _run("retract", article, "--neo4j", "-g", real_file, env=env)  # no --id-prefix given
        assert result.exit_code == 0, result.output
        assert count_graph(neo4j_driver, real)["Article"] == before_real - 1
        assert count_graph(neo4j_driver, trial)["Article"] == before_trial
    finally:
        delete_prefixed(neo4j_driver, real, database=neo4j_settings.database)
        delete_prefixed(neo4j_driver, trial, database=neo4j_settings.database)
