"""cypher/browser/graphkit.grass in the real Neo4j Browser against the real server.

Runs scripts/check_browser_real.py (its docstring lists what it asserts) on the Browser that
the server of NEO4J_URI serves at /browser/ (the bundled server serves Neo4j Browser 2025.6.0).
Needs Playwright (in the `test` extra) and Chromium (/usr/bin/chromium): without one of them the
check exits 2 and this test is skipped with the check's own reason, or fails when
GRAPHKIT_REQUIRE_NEO4J=1 (as in CI, which installs Chromium).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import neo4j_required

ROOT = Path(__file__).resolve().parent.parent
PREREQUISITE_MISSING = 2

pytestmark = pytest.mark.neo4j


def test_grass_style_renders_in_the_real_neo4j_browser(neo4j_settings, tmp_path):
    env = dict(os.environ, NEO4J_URI=neo4j_settings.uri, NEO4J_USER=neo4j_settings.user,
               NEO4J_PASSWORD=neo4j_settings.password, NEO4J_DATABASE=neo4j_settings.database)
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_browser_real.py"), "--out-dir", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=600)
    if proc.returncode == PREREQUISITE_MISSING:
        if neo4j_required():
            pytest.fail("GRAPHKIT_REQUIRE_NEO4J=1 but the real Browser check cannot run: "
                        + (proc.stderr or proc.stdout).strip()[-300:], pytrace=False)
        pytest.skip("real Neo4j Browser check not possible here: " + (proc.stderr or proc.stdout).strip()[-300:])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    shots = sorted(tmp_path.glob("*.png"))
    assert len(shots) >= 4 and all(p.stat().st_size > 20_000 for p in shots)
    assert neo4j_settings.password not in proc.stdout + proc.stderr
