"""`graphkit report run` while the Neo4j server is killed and restarted: every run either
prints its rows or says what went wrong in one line (exit 1), never a traceback or the password.

Runs the CLI in a loop on the private server of the fault tests while the test kills it with
-9 and starts it again, so runs land before, during and after the outage (connection refused,
the port open while the database is still starting, and a server that is back).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest
from faults_support import PASSWORD, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.neo4j]


def test_reports_while_the_server_restarts_print_rows_or_one_line(private_neo4j, fixture_graph):
    from graphkit.graph import graph_to_dict
    from graphkit.neo4j import connect, delete_prefixed, load_graph

    driver = connect(private_neo4j.settings())
    load_graph(driver, graph_to_dict(fixture_graph), id_prefix="restart-")
    driver.close()

    env = private_neo4j.env()
    runs, stop = [], threading.Event()

    def report_loop() -> None:
        while not stop.is_set():
            started = time.monotonic()
            proc = subprocess.run([sys.executable, "-m", "graphkit.cli", "report", "run", "company_partners",
                                   "-p", "company=BMW", "--format", "json"],
                                  capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
            runs.append((started, time.monotonic(), proc))

    loop = threading.Thread(target=report_loop)
    loop.start()
    try:
        while len(runs) < 2:
            time.sleep(0.2)
        down = time.monotonic()
        private_neo4j.kill9()
        time.sleep(3)
        private_neo4j.start()
        up = time.monotonic()
        n_after = len(runs)
        while len(runs) < n_after + 2:
            time.sleep(0.2)
    finally:
        stop.set()
        loop.join(timeout=180)

    failed_in_outage = ok_after = 0
    for started, ended, proc in runs:
        out, err = proc.stdout, proc.stderr
        assert "Traceback" not in err and PASSWORD not in out + err, err[-2000:]
        if proc.returncode == 0:
            rows = json.loads(out)
            assert rows and all(row["partner"] for row in rows), out[-500:]
            ok_after += started > up
        else:
            assert proc.returncode == 1, err
            lines = [line for line in err.splitlines() if line.strip()]
            assert lines[0].startswith("error: ") and all(line.startswith("hint: ") for line in lines[1:]), err
            assert "Neo4j" in lines[0]
            failed_in_outage += down < started < up
    assert failed_in_outage >= 1, "no report ran while the server was down"
    assert ok_after >= 1, "no report succeeded once the server was back"
    driver = connect(private_neo4j.settings())
    try:
        delete_prefixed(driver, "restart-")
    finally:
        driver.close()
