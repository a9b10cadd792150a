"""`graphkit load --bulk` (graphkit.neo4j.bulk) against a real, second Neo4j server.

The offline importer rewrites the one user database of a Community server while the server
is stopped, so these tests start a server of their own: the bundled distribution unpacked by
../shared/tools/neo4j-local.sh into a temporary NEO4J_HOME, on free ports, stopped and
deleted afterwards. The shared test server (NEO4J_URI) gets the same graph loaded
incrementally under a private prefix, and the two stores must be equal.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys

import pytest

from conftest import ROOT, neo4j_required, new_id_prefix
from test_store_neo4j import snapshot

from graphkit.graph import graph_to_dict, save_graph
from graphkit.neo4j import Neo4jSettings, connect, count_graph, delete_prefixed, load_graph

pytestmark = pytest.mark.neo4j

# shared/ beside the checkout (as in CI), or beside one of its ancestors (a git worktree)
LOCAL_SH = next((d / "shared" / "tools" / "neo4j-local.sh" for d in ROOT.parents
                 if (d / "shared" / "tools" / "neo4j-local.sh").is_file()), ROOT.parent / "shared" / "tools" / "neo4j-local.sh")
PASSWORD = "graphkit-bulk-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unavailable(reason: str):
    if neo4j_required():
        pytest.fail(f"GRAPHKIT_REQUIRE_NEO4J=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def second_server(tmp_path_factory, neo4j_settings):
    """(settings, home) of a Neo4j server started for this module only."""
    if not LOCAL_SH.is_file():
        _unavailable(f"{LOCAL_SH} not found (the bundled Neo4j distribution starts the second server)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _unavailable("no Java runtime for a second Neo4j server")
    home = tmp_path_factory.mktemp("neo4j-bulk") / "home"
    bolt = _free_port()
    env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_BOLT_PORT=str(bolt), NEO4J_HTTP_PORT=str(_free_port()),
               NEO4J_PASSWORD=PASSWORD, NEO4J_HEAP="512m", NEO4J_PAGECACHE="256m", NEO4J_APOC="0")
    env.pop("NEO4J_CONF", None)
    started = subprocess.run(["bash", str(LOCAL_SH), "start"], env=env, capture_output=True, text=True, timeout=300)
    try:
        if started.returncode != 0:
            _unavailable(f"second Neo4j server did not start: {(started.stderr or started.stdout).strip()[-300:]}")
        yield Neo4jSettings(uri=f"bolt://127.0.0.1:{bolt}", user="neo4j", password=PASSWORD), home
    finally:
        subprocess.run(["bash", str(LOCAL_SH), "stop"], env=env, capture_output=True, timeout=120)
        shutil.rmtree(home, ignore_errors=True)


def _cli(*args, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-c", "from graphkit.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=600)


def test_bulk_load_writes_what_an_incremental_load_writes_and_refuses_a_second_time(
        second_server, neo4j_driver, fixture_graph, tmp_path):
    settings, home = second_server
    path = tmp_path / "graph.json"
    save_graph(fixture_graph, path)
    env = {"NEO4J_URI": settings.uri, "NEO4J_USER": settings.user, "NEO4J_PASSWORD": settings.password,
           "NEO4J_HOME": str(home)}

    result = _cli("load", str(path), "--bulk", env_extra=env)
    assert result.returncode == 0, result.stderr
    data = graph_to_dict(fixture_graph)
    assert f"{len(data['edges'])} edges" in result.stdout and "bulk" in result.stdout

    prefix = new_id_prefix()
    driver = connect(settings)
    try:
        load_graph(neo4j_driver, data, id_prefix=prefix)
        assert snapshot(driver, "") == snapshot(neo4j_driver, prefix)
        bulk_keys = {r["id"]: sorted(r["keys"]) for r in driver.execute_query(
            "MATCH (a:Article) RETURN a.id AS id, a.edge_keys AS keys").records}
        incremental_keys = {r["id"][len(prefix):]: sorted(k.replace(prefix, "") for k in r["keys"])
                            for r in neo4j_driver.execute_query(
                                "MATCH (a:Article) WHERE a.id STARTS WITH $p RETURN a.id AS id, a.edge_keys AS keys",
                                parameters_={"p": prefix}).records}
        assert bulk_keys == incremental_keys

        constraints = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name").records}
        assert {"entity_id", "article_id", "partners_with_key_unique"} <= constraints
        hits = driver.execute_query("CALL db.index.fulltext.queryNodes('entity_names', '宝马') YIELD node "
                                    "RETURN node.id AS id").records
        assert "bmw" in [h["id"] for h in hits]

        before = count_graph(driver)
        again = _cli("load", str(path), "--bulk", env_extra=env)
        assert again.returncode == 1
        assert again.stderr.startswith("error: ") and "not empty" in again.stderr
        assert len(again.stderr.strip().splitlines()) == 1 and PASSWORD not in again.stderr
        assert count_graph(driver) == before
    finally:
        driver.close()
        delete_prefixed(neo4j_driver, prefix)


def test_bulk_load_of_bad_input_says_so_in_one_line_and_leaves_the_server_running_and_empty(
        second_server, fixture_graph, tmp_path):
    """The server is stopped while the CSV files are written: input the importer cannot take
    is found only then, so the server must come back, with nothing in it."""
    settings, home = second_server
    driver = connect(settings)
    try:
        driver.execute_query("MATCH (n) DETACH DELETE n")  # this module's own server: start empty
    finally:
        driver.close()
    data = graph_to_dict(fixture_graph)
    data["edges"][0]["provenance"][0]["evidence"] = "two\x1fparts"  # the importer's list separator
    path = tmp_path / "bad.json"
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
    env = {"NEO4J_URI": settings.uri, "NEO4J_USER": settings.user, "NEO4J_PASSWORD": settings.password,
           "NEO4J_HOME": str(home)}

    result = _cli("load", str(path), "--bulk", env_extra=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()  # the steps ("bulk: ..."), then the error
    assert lines[-1].startswith("error: ") and "U+001F" in lines[-1]
    assert all(line.startswith("bulk: ") for line in lines[:-1]) and "Traceback" not in result.stderr
    driver = connect(settings)  # answers again
    try:
        assert driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"] == 0
    finally:
        driver.close()


def test_bulk_load_needs_the_home_of_the_server_it_talks_to(second_server, neo4j_settings, fixture_graph, tmp_path):
    settings, home = second_server
    path = tmp_path / "graph.json"
    save_graph(fixture_graph, path)
    env = {"NEO4J_URI": settings.uri, "NEO4J_USER": settings.user, "NEO4J_PASSWORD": settings.password}
    result = _cli("load", str(path), "--bulk", env_extra={**env, "NEO4J_HOME": ""})
    assert result.returncode == 1 and "--neo4j-home" in result.stderr
    # the home of the other server: refused before anything is stopped
    result = _cli("load", str(path), "--bulk", "--neo4j-home", str(home), "--uri", neo4j_settings.uri,
                  env_extra={"NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_USER": neo4j_settings.user})
    assert result.returncode == 1 and "runs from" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
