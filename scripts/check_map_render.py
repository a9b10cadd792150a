"""Render the fixtures' ecosystem map in headless Chromium and check the JS drew it.

Builds the graph from fixtures/articles, writes the map, then runs Chromium twice:
--screenshot (a PNG to look at) and --dump-dom (the DOM after the page's script ran).
Passes when the DOM holds one `circle.node` per map node and one `path.edge` per map
edge and the SVG is marked ready. Exit 0 = pass, 1 = fail, 2 = no Chromium.

    python scripts/check_map_render.py [--out-dir DIR] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "articles"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]


def build_fixture_map(out: Path) -> dict:
    from graphkit.extract import extract_article
    from graphkit.graph import build_graph
    from graphkit.ingest import load_articles
    from graphkit.mapview import map_data, map_html

    graph = build_graph(extract_article(a) for a in load_articles([FIXTURES]).articles)
    out.write_text(map_html(graph), encoding="utf-8")
    return map_data(graph)


def run_chromium(chromium: str, html: Path, work: Path, *extra: str) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=work)
    try:
        return subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--window-size=1400,900",
                               *extra, html.resolve().as_uri()],
                              capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def check(out_dir: Path, chromium: str) -> list:
    """Problems found (empty list = the map rendered as expected)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = out_dir / "ecosystem.html"
    png = out_dir / "ecosystem.png"
    data = build_fixture_map(html)
    problems = []
    shot = run_chromium(chromium, html, out_dir, f"--screenshot={png}")
    if shot.returncode != 0 or not png.exists() or png.stat().st_size < 10_000:
        problems.append(f"screenshot failed (exit {shot.returncode}): {shot.stderr.strip()[-400:]}")
    dom = run_chromium(chromium, html, out_dir, "--virtual-time-budget=3000", "--dump-dom").stdout
    circles = len(re.findall(r'<circle\b[^>]*\bclass="node', dom))
    edges = len(re.findall(r'<path\b[^>]*\bclass="edge"', dom))
    if 'data-ready="true"' not in dom:
        problems.append("the page script did not finish (no data-ready on the SVG)")
    if circles != len(data["nodes"]):
        problems.append(f"{circles} node circles drawn, expected {len(data['nodes'])}")
    if edges != len(data["edges"]):
        problems.append(f"{edges} edge paths drawn, expected {len(data['edges'])}")
    print(f"nodes {circles}/{len(data['nodes'])}, edges {edges}/{len(data['edges'])}, screenshot {png}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=None, help="keep HTML and PNG here (default: a temp dir)")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args(argv)
    if not Path(args.chromium).exists():
        print(f"no Chromium at {args.chromium}; apt-get install -y chromium", file=sys.stderr)
        return 2
    out_dir = args.out_dir or Path(tempfile.mkdtemp(prefix="graphkit-map-"))
    problems = check(out_dir, args.chromium)
    for p in problems:
        print(f"FAIL: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
