"""Render the fixture graph from a real Neo4j server with cypher/browser/graphkit.grass in
headless Chromium, and check that the style's colours and captions are what is drawn.

No Neo4j Browser build can be had on this machine (the server ships without the Browser
jar, and npm has no `neo4j-browser` / `@neo4j/browser` package), so this check stands in
for it: it parses the .grass file the way the Browser applies it (`node` / `relationship`
defaults, then one rule per label or type in file order; captions interpolate `{property}`,
`<type>` and `<id>`), loads the graph built from fixtures/articles into the server under a
private id prefix, reads the nodes and relationships back with Cypher, draws them as a
self-contained SVG page, screenshots it with headless Chromium and then checks

  * every label and relationship type in the store has a rule with a colour and a caption;
  * the DOM after rendering has one styled circle per node and one line per relationship,
    with the grass colour and the interpolated caption (via --dump-dom);
  * the screenshot holds pixels of every node label's colour (PNG decoded with zlib).

The prefixed data is deleted afterwards. Exit 0 = pass, 1 = fail, 2 = no Chromium or no
Neo4j. Needs NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD.

    python scripts/check_browser_style.py [--out-dir graphkit-out/browser-check]
"""

from __future__ import annotations

import argparse
import html
import json
import re
import secrets
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRASS = ROOT / "cypher" / "browser" / "graphkit.grass"
FIXTURES = ROOT / "fixtures" / "articles"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]
WIDTH, HEIGHT = 1800, 1400


# --- grass ------------------------------------------------------------------------------

def parse_grass(text: str) -> list[tuple[str, dict]]:
    """[(selector, {property: value})] in file order, e.g. ("node.Organization", {"color": "#4C8EDA"}).

    Braces inside quoted values (captions like "{name}") belong to the value."""
    rules, buf, selector, in_string, props = [], "", None, False, {}
    for ch in text:
        if ch == '"':
            in_string = not in_string
            buf += ch
        elif in_string:
            buf += ch
        elif ch == "{" and selector is None:
            selector, buf, props = buf.strip(), "", {}
        elif ch in ";}" and selector is not None:
            if ":" in buf:
                key, value = buf.split(":", 1)
                props[key.strip()] = value.strip().strip('"')
            buf = ""
            if ch == "}":
                rules.append((selector, props))
                selector = None
        else:
            buf += ch
    return rules


def style_for(rules, kind: str, names) -> dict:
    """Browser order: the bare `node`/`relationship` rule, then matching `kind.Name` rules in file order."""
    style = {}
    for selector, props in rules:
        parts = selector.split(".")
        if parts[0] != kind:
            continue
        if len(parts) == 1 or all(p in names for p in parts[1:]):
            style.update(props)
    return style


def caption(template: str, item_id: str, rtype: str | None, props: dict) -> str:
    def prop(match):
        value = props.get(match.group(1))
        return "" if value is None else str(value)

    text = re.sub(r"\{([^{}]*)\}", prop, template or "")
    return text.replace("<type>", rtype or "").replace("<id>", item_id)


# --- data from the real server -----------------------------------------------------------

def load_and_read(prefix: str):
    from graphkit.extract import extract_article
    from graphkit.graph import build_graph, graph_to_dict
    from graphkit.ingest import load_articles
    from graphkit.store import Neo4jSettings, connect, load_graph

    settings = Neo4jSettings.from_env()
    driver = connect(settings)
    graph = build_graph(extract_article(a) for a in load_articles([FIXTURES]).articles)
    load_graph(driver, graph_to_dict(graph), id_prefix=prefix, database=settings.database)
    # what a Browser user sees for "MATCH (e:Entity)-[r]->(f:Entity) RETURN *" plus one article
    nodes = {}
    rels = []
    records = driver.execute_query(
        "MATCH (h:Entity)-[r]->(t:Entity) WHERE h.id STARTS WITH $p RETURN h, r, t "
        "UNION ALL "
        "MATCH (h:Article)-[r:MENTIONS]->(t:Entity) WHERE h.id = $p + $article RETURN h, r, t",
        parameters_={"p": prefix, "article": sorted(graph.graph["articles"])[0]},
        database_=settings.database).records
    for rec in records:
        for n in (rec["h"], rec["t"]):
            nodes[n.element_id] = {"id": n["id"], "labels": sorted(n.labels), "props": dict(n)}
        r = rec["r"]
        rels.append({"type": r.type, "start": r.start_node.element_id, "end": r.end_node.element_id,
                     "props": dict(r)})
    return settings, driver, nodes, rels


# --- page ----------------------------------------------------------------------------------

def layout(nodes: dict, rels: list) -> dict:
    """Largest component spread over the top of the page, the others in a row of cells below."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from((r["start"], r["end"]) for r in rels)
    comps = sorted(nx.connected_components(g), key=lambda c: (-len(c), sorted(c)))
    main_box = (60, 60, WIDTH - 60, HEIGHT * 0.68)
    small = comps[1:]
    cols = max(1, min(len(small), 8))
    rows_ = max(1, -(-len(small) // cols))
    cell_w, cell_h = (WIDTH - 120) / cols, (HEIGHT * 0.9 - HEIGHT * 0.70) / rows_
    boxes = [main_box] + [(60 + (i % cols) * cell_w + 40, HEIGHT * 0.70 + (i // cols) * cell_h + 30,
                           60 + (i % cols + 1) * cell_w - 40, HEIGHT * 0.70 + (i // cols + 1) * cell_h - 10)
                          for i in range(len(small))]
    pos = {}
    for comp, (x0, y0, x1, y1) in zip(comps, boxes):
        sub = g.subgraph(comp)
        if len(comp) == 1:
            raw = {next(iter(comp)): (0.0, 0.0)}
        else:
            raw = nx.kamada_kawai_layout(sub) if len(comp) > 2 else nx.spring_layout(sub, seed=42)
        xs, ys = [p[0] for p in raw.values()], [p[1] for p in raw.values()]
        sx, sy = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
        for n, (x, y) in raw.items():
            pos[n] = (x0 + (x - min(xs)) / sx * (x1 - x0) if len(comp) > 1 else (x0 + x1) / 2,
                      y0 + (y - min(ys)) / sy * (y1 - y0) if len(comp) > 1 else (y0 + y1) / 2)
    return pos


def px(value: str, default: float) -> float:
    m = re.match(r"([\d.]+)", value or "")
    return float(m.group(1)) if m else default


def render_page(rules, nodes: dict, rels: list, prefix: str) -> str:
    pos = layout(nodes, rels)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif">']
    markers = {}
    for r in rels:
        style = style_for(rules, "relationship", {r["type"]})
        color = style.get("color", "#A5ABB6")
        markers.setdefault(color, f"arrow{len(markers)}")
        x1, y1 = pos[r["start"]]
        x2, y2 = pos[r["end"]]
        end_r = px(style_for(rules, "node", set(nodes[r["end"]]["labels"])).get("diameter"), 50) / 2 + 4
        dx, dy = x2 - x1, y2 - y1
        length = max((dx * dx + dy * dy) ** 0.5, 1)
        x2e, y2e = x2 - dx / length * end_r, y2 - dy / length * end_r
        text = caption(style.get("caption", ""), "", r["type"], r["props"])
        parts.append(f'<line class="rel" data-type="{r["type"]}" data-color="{color}" data-caption="{html.escape(text)}" '
                     f'x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2e:.1f}" y2="{y2e:.1f}" stroke="{color}" '
                     f'stroke-width="{px(style.get("shaft-width"), 1)}" marker-end="url(#{markers[color]})"/>')
        parts.append(f'<text class="rel-caption" x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2 - 3:.1f}" '
                     f'font-size="{px(style.get("font-size"), 8) + 2}" text-anchor="middle" '
                     f'fill="{style.get("text-color-external", "#000000")}">{html.escape(text)}</text>')
    for element_id, n in nodes.items():
        style = style_for(rules, "node", set(n["labels"]))
        x, y = pos[element_id]
        radius = px(style.get("diameter"), 50) / 2
        color = style.get("color", "#A5ABB6")
        text = caption(style.get("caption", ""), n["id"].replace(prefix, ""), None, n["props"])
        label = ":".join(n["labels"])
        parts.append(f'<circle class="node" data-labels="{label}" data-color="{color}" data-caption="{html.escape(text)}" '
                     f'cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{color}" stroke="{style.get("border-color", color)}" '
                     f'stroke-width="{px(style.get("border-width"), 2)}"/>')
        short = text if len(text) <= 14 else text[:13] + "…"
        parts.append(f'<text class="node-caption" x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" '
                     f'font-size="{px(style.get("font-size"), 10) + 1}" fill="{style.get("text-color-internal", "#FFFFFF")}">'
                     f'{html.escape(short)}</text>')
    defs = "".join(f'<marker id="{mid}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
                   f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>'
                   for color, mid in markers.items())
    parts.insert(1, f"<defs>{defs}</defs>")
    legend_y = HEIGHT - 90
    x = 20
    for selector, props in rules:
        if "." not in selector or "color" not in props:
            continue
        parts.append(f'<rect x="{x}" y="{legend_y}" width="14" height="14" fill="{props["color"]}"/>'
                     f'<text x="{x + 18}" y="{legend_y + 12}" font-size="12">{html.escape(selector)} '
                     f'{html.escape(props.get("caption", ""))}</text>')
        x += 250
        if x > WIDTH - 250:
            x, legend_y = 20, legend_y + 24
    parts.append("</svg>")
    return ("<!doctype html><html><head><meta charset='utf-8'><title>graphkit.grass check</title></head>"
            "<body style='margin:0;background:#FFFFFF'>" + "".join(parts) + "</body></html>")


# --- chromium + png --------------------------------------------------------------------

def run_chromium(chromium: str, page: Path, work: Path, *extra: str) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=work)
    try:
        return subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}",
                               *extra, page.resolve().as_uri()], capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def png_pixels(path: Path):
    """(width, height, rows of RGB(A) bytes) of an 8-bit non-interlaced PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color_type = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and color_type in (2, 6), f"unsupported PNG (depth {depth}, colour type {color_type})"
            bpp = 3 if color_type == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def colour_counts(path: Path, colours) -> dict:
    width, height, bpp, rows = png_pixels(path)
    wanted = {c: tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in colours}
    counts = dict.fromkeys(colours, 0)
    for row in rows:
        for x in range(0, width * bpp, bpp):
            px_ = (row[x], row[x + 1], row[x + 2])
            for c, rgb in wanted.items():
                if abs(px_[0] - rgb[0]) <= 3 and abs(px_[1] - rgb[1]) <= 3 and abs(px_[2] - rgb[2]) <= 3:
                    counts[c] += 1
    return counts


# --- check -------------------------------------------------------------------------------

def check(out_dir: Path, chromium: str) -> tuple[list, dict]:
    from graphkit.store import delete_prefixed

    out_dir.mkdir(parents=True, exist_ok=True)
    rules = parse_grass(GRASS.read_text(encoding="utf-8"))
    prefix = f"gkbrowser-{secrets.token_hex(4)}-"
    settings, driver, nodes, rels = load_and_read(prefix)
    try:
        problems, facts = [], {"nodes": len(nodes), "relationships": len(rels)}
        labels = sorted({lab for n in nodes.values() for lab in n["labels"]})
        types = sorted({r["type"] for r in rels})
        selectors = {s for s, _ in rules}
        for label in labels:
            if f"node.{label}" not in selectors:
                problems.append(f"no grass rule node.{label}")
        for rtype in types:
            props = dict(rules)[f"relationship.{rtype}"] if f"relationship.{rtype}" in selectors else {}
            if "color" not in props or "caption" not in props:
                problems.append(f"grass rule relationship.{rtype} lacks a colour or caption")
        page = out_dir / "graphkit-grass.html"
        page.write_text(render_page(rules, nodes, rels, prefix), encoding="utf-8")
        png = out_dir / "graphkit-grass.png"
        shot = run_chromium(chromium, page, out_dir, f"--screenshot={png}")
        if shot.returncode != 0 or not png.exists() or png.stat().st_size < 10_000:
            problems.append(f"screenshot failed (exit {shot.returncode}): {shot.stderr.strip()[-300:]}")
            return problems, facts
        dom = run_chromium(chromium, page, out_dir, "--dump-dom").stdout
        circles = re.findall(r'<circle class="node" data-labels="([^"]*)" data-color="([^"]*)" data-caption="([^"]*)"', dom)
        lines = re.findall(r'<line class="rel" data-type="([^"]*)" data-color="([^"]*)" data-caption="([^"]*)"', dom)
        if len(circles) != len(nodes) or len(lines) != len(rels):
            problems.append(f"DOM has {len(circles)} nodes / {len(lines)} relationships, "
                            f"store returned {len(nodes)} / {len(rels)}")
        for labs, color, cap in circles:
            want = style_for(rules, "node", set(labs.split(":")))
            if color != want.get("color") or not cap:
                problems.append(f"node {labs} {cap!r} drawn {color}, grass says {want.get('color')}")
        for rtype, color, cap in lines:
            want = style_for(rules, "relationship", {rtype})
            if color != want.get("color") or rtype not in html.unescape(cap):
                problems.append(f"{rtype} drawn {color} with caption {cap!r}")
        node_colours = {style_for(rules, "node", set(n["labels"]))["color"] for n in nodes.values()}
        counts = colour_counts(png, sorted(node_colours))
        facts["pixels per node colour"] = counts
        facts["labels"], facts["types"] = labels, types
        facts["sample captions"] = sorted({c for _, _, c in circles})[:6] + sorted({html.unescape(c) for _, _, c in lines})[:4]
        for colour, n in counts.items():
            if n < 200:
                problems.append(f"screenshot has only {n} pixels of node colour {colour}")
        return problems, facts
    finally:
        delete_prefixed(driver, prefix, database=settings.database)
        driver.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out-dir", type=Path, default=ROOT / "graphkit-out" / "browser-check")
    ap.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser") or "")
    args = ap.parse_args(argv)
    if not args.chromium:
        print("check_browser_style: no chromium found (apt-get install chromium)", file=sys.stderr)
        return 2
    from graphkit.errors import StoreError

    try:
        problems, facts = check(args.out_dir, args.chromium)
    except StoreError as exc:
        print(f"check_browser_style: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(facts, ensure_ascii=False, indent=1))
    for p in problems:
        print(f"FAIL: {p}")
    print(("PASS" if not problems else "FAIL") + f": screenshot {args.out_dir / 'graphkit-grass.png'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
