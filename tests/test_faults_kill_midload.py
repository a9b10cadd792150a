"""kill -9 of the Neo4j server in the middle of `graphkit load`, restart, load again: the store
converges to exactly what one uninterrupted load writes (nothing lost, nothing doubled).

Runs on a private server (the `private_neo4j` fixture), since it kills it. The graph is
generated (benchmarks/bench_load.generate, seeded) and big enough that the kill lands while
typed edges are being written.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from faults_support import ROOT, PASSWORD, graphkit, store_digest

pytestmark = [pytest.mark.slow, pytest.mark.neo4j]

EDGES = 6_000
KILL_AT = 0.3  # share of the typed edges written before the kill


def write_generated_graph(path, edges: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_load import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    path.write_text(json.dumps(generate(max(100, edges // 10), max(10, edges // 50), edges), ensure_ascii=False),
                    encoding="utf-8")


def typed_edges(driver, prefix: str) -> int:
    return driver.execute_query("MATCH (h:Entity)-[r]->(:Entity) WHERE h.id STARTS WITH $p RETURN count(r) AS n",
                                parameters_={"p": prefix}).records[0]["n"]


def test_kill_9_mid_load_then_reload_converges_to_the_uninterrupted_load(private_neo4j, tmp_path):
    from graphkit.neo4j import connect

    env = private_neo4j.env()
    ref_graph, run_graph = tmp_path / "ref.json", tmp_path / "run.json"
    write_generated_graph(ref_graph, EDGES)
    run_graph.write_bytes(ref_graph.read_bytes())

    ref = graphkit("load", str(ref_graph), "--id-prefix", "ref-", env=env)
    assert ref.returncode == 0, ref.stderr[-2000:]
    driver = connect(private_neo4j.settings())
    try:
        reference = store_digest(driver, "ref-")
    finally:
        driver.close()
    assert reference["relationships"] > EDGES * 0.9

    # the interrupted load: kill -9 once KILL_AT of the typed edges are in
    loader = subprocess.Popen([sys.executable, "-m", "graphkit.cli", "load", str(run_graph), "--id-prefix", "run-"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    driver = connect(private_neo4j.settings())
    try:
        written = 0
        while loader.poll() is None and written < reference["relationships"] * KILL_AT:
            time.sleep(0.2)
            written = typed_edges(driver, "run-")
    finally:
        driver.close()
    assert loader.poll() is None, f"the load finished ({written} edges) before the kill: make EDGES larger"
    private_neo4j.kill9()
    # bring the server back at once, while the loader may still be retrying: it either fails with
    # one line or gets through on its retries; either way the re-run must converge
    private_neo4j.start()
    out, err = loader.communicate(timeout=180)
    assert "Traceback" not in err and PASSWORD not in out + err
    if loader.returncode != 0:
        assert len([line for line in err.splitlines() if line.startswith("error:")]) == 1, err[-2000:]

    driver = connect(private_neo4j.settings())
    try:
        if loader.returncode == 0:  # a load that says it succeeded must have written everything
            assert store_digest(driver, "run-") == reference
        rerun = graphkit("load", str(run_graph), "--id-prefix", "run-", env=env)
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        assert store_digest(driver, "run-") == reference
    finally:
        driver.close()
