"""Helpers for the fault tests: a private Neo4j server, and a digest of what a load stored.

The fault tests kill, stop and restart a server, so they never touch the shared one of
NEO4J_URI: `PrivateNeo4j` unpacks the bundled server (../shared/neo4j, through
../shared/tools/neo4j-local.sh) into a folder of its own, on free loopback ports, and is
stopped and deleted afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the clone (GRAPHKIT_SHARED_DIR elsewhere, e.g. from a git worktree)
SHARED = Path(os.environ.get("GRAPHKIT_SHARED_DIR") or ROOT.parent / "shared")
NEO4J_LOCAL = SHARED / "tools" / "neo4j-local.sh"
PASSWORD = "graphkit-faults"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateNeo4j:
    """A Neo4j server of the test's own in `home`, controlled through neo4j-local.sh."""

    def __init__(self, home: Path):
        self.home = home
        self.bolt_port = free_port()
        self.http_port = free_port()
        while self.http_port == self.bolt_port:
            self.http_port = free_port()
        self.uri = f"bolt://127.0.0.1:{self.bolt_port}"

    def _ctl(self, command: str, timeout: float = 180) -> subprocess.CompletedProcess:
        env = dict(os.environ, NEO4J_HOME=str(self.home), NEO4J_PASSWORD=PASSWORD,
                   NEO4J_BOLT_PORT=str(self.bolt_port), NEO4J_HTTP_PORT=str(self.http_port),
                   NEO4J_HEAP="512m", NEO4J_PAGECACHE="128m", NEO4J_WAIT_SECONDS="150")
        return subprocess.run(["bash", str(NEO4J_LOCAL), command], capture_output=True, text=True, env=env,
                              timeout=timeout)

    def start(self) -> None:
        proc = self._ctl("start")
        if proc.returncode != 0:
            raise RuntimeError(f"private Neo4j did not start: {(proc.stdout + proc.stderr)[-1500:]}")

    def stop(self) -> None:
        self._ctl("stop", timeout=120)

    def pid(self) -> int:
        return int((self.home / "run" / "neo4j.pid").read_text().strip())

    def kill9(self) -> None:
        """kill -9 the server process and wait until it is gone."""
        pid = self.pid()
        os.kill(pid, signal.SIGKILL)
        for _ in range(200):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def env(self) -> dict:
        """Environment for a graphkit process talking to this server."""
        env = dict(os.environ, NEO4J_URI=self.uri, NEO4J_USER="neo4j", NEO4J_PASSWORD=PASSWORD,
                   NEO4J_DATABASE="neo4j", PYTHONPATH=str(ROOT))
        env.pop("GRAPHKIT_ID_PREFIX", None)
        return env

    def settings(self):
        from graphkit.neo4j import Neo4jSettings

        return Neo4jSettings(uri=self.uri, user="neo4j", password=PASSWORD, database="neo4j")

    def remove(self) -> None:
        """Kill the server (its data is thrown away, so no clean shutdown is needed) and delete it."""
        try:
            self.kill9()
        except (OSError, ValueError):
            pass  # never started, or already gone
        shutil.rmtree(self.home, ignore_errors=True)

def graphkit(*args: str, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the graphkit CLI as a user does (a separate process)."""
    return subprocess.run([sys.executable, "-m", "graphkit.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=ROOT)


def store_digest(driver, prefix: str) -> dict:
    """Counts and a digest of every label and property stored under `prefix` (prefix stripped).

    Lists whose order is not part of the data model are compared as sets: an edge's
    per-article items (articles, evidence, dates, confidences, rules, zipped) and an
    article's edge_keys."""
    from graphkit.neo4j import count_graph

    def strip(value):
        if isinstance(value, str):
            return value.replace(prefix, "")
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    digest = hashlib.sha256()
    queries = (
        "MATCH (n) WHERE n.id STARTS WITH $p RETURN n.id AS k, labels(n) AS l, properties(n) AS pr ORDER BY k",
        "MATCH (a)-[r]->(b) WHERE a.id STARTS WITH $p "
        "RETURN a.id + '|' + type(r) + '|' + b.id AS k, [] AS l, properties(r) AS pr ORDER BY k",
    )
    for query in queries:
        for rec in driver.execute_query(query, parameters_={"p": prefix}).records:
            props = {k: strip(v) for k, v in rec["pr"].items()}
            if "edge_keys" in props:
                props["edge_keys"] = sorted(props["edge_keys"])
            if "articles" in props and "evidence" in props:
                lists = ("articles", "evidence", "dates", "confidences", "rules")
                props["items"] = sorted(zip(*(props.pop(x) for x in lists if x in props)))
            row = [strip(rec["k"]), sorted(rec["l"]), props]
            digest.update(json.dumps(row, sort_keys=True, ensure_ascii=False, default=str).encode())
    counts = count_graph(driver, prefix)
    return {"nodes": counts["nodes"], "relationships": counts["relationships"], "mentions": counts["MENTIONS"],
            "digest": digest.hexdigest()[:16]}
