"""Check cypher/browser/graphkit.grass in the real Neo4j Browser, headless, against a real server.

What it does
  1. Loads the graph built from fixtures/articles into the Neo4j server of NEO4J_URI under a
     private id prefix (deleted again at the end, pass or fail).
  2. Opens the Neo4j Browser that the server itself serves (http://<host of NEO4J_URI>:7474/browser/,
     or NEO4J_BROWSER_URL / --browser-url), or serves a built Browser folder on 127.0.0.1
     (--browser-dir), in headless Chromium through Playwright. Requests to any host other than
     loopback are aborted.
  3. Connects through the Browser's own connect form (the Browser talks Bolt over a WebSocket
     to the server), then applies the style the way a user does: drops the .grass file onto
     the Browser window (its FileDrop handler parses it and runs `:style`).
  4. Runs starter queries on the prefixed data (BMW's neighbourhood, Tencent/Dongfeng,
     who deploys on which cloud, one article and what it mentions), waits for the force
     layout to settle, and screenshots each graph frame (fullscreen, zoomed to fit).

What it asserts (exit 1 on any failure)
  * the style the Browser stored (localStorage `neo4j.grass`) equals the .grass file, rule for
    rule and property for property;
  * in every graph: each node circle has the fill, border colour, border width and radius of
    the grass rules matching its labels (`node`, then `node.Label` rules in file order), and
    the same labels as the node in the database;
  * each node caption (the Browser's text lines, joined) is the grass caption filled in from
    the node's properties in the database (`{name}`, `{title}`), or a prefix of it cut by the
    Browser with "…" when it does not fit the circle (listed as a note);
  * each relationship arrow has its type's grass colour, and its caption is the grass caption
    with `<type>` and `{property}` filled in from the database (a prefix ending in "…" when the
    Browser shortens it to fit the arrow: a note);
  * the screenshot holds pixels of every node colour drawn (decoded by Chromium itself);
  * caption text on every node colour used has a contrast ratio of at least 3:1.

Prerequisites (exit 2 when one is missing): Playwright for Python (`pip install playwright`;
no `playwright install`: the system Chromium is used), Chromium (/usr/bin/chromium), a Neo4j
Browser answering at the URL (or a built one in --browser-dir), and a reachable server from
NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD (NEO4J_DATABASE optional). The password is never printed.

    python scripts/check_browser_real.py                       # the server's own /browser/
    python scripts/check_browser_real.py --browser-url http://127.0.0.1:7474/browser/
    python scripts/check_browser_real.py --browser-dir /opt/neo4j-browser

Screenshots and a summary.json go to graphkit-out/browser-real/ (--out-dir).
Exit 0 = pass, 1 = fail, 2 = a prerequisite is missing.
"""

from __future__ import annotations

import argparse
import base64
import functools
import importlib.util
import json
import os
import re
import secrets
import shutil
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode, urlparse
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
GRASS = ROOT / "cypher" / "browser" / "graphkit.grass"
FIXTURES = ROOT / "fixtures" / "articles"
VIEWPORT = {"width": 1600, "height": 1000}
# Debian's Chromium on a machine with no outside network: without the background-networking
# flags it keeps trying (and failing) to reach Google's hosts.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MIN_CONTRAST = 3.0

# name -> Cypher; {p} is the private id prefix of this run.
QUERIES = {
    "bmw": "MATCH p = (c:Entity {{id: '{p}bmw'}})-[]-(:Entity) RETURN p",
    "tencent-dongfeng": "MATCH p = (c:Entity)-[]-(:Entity) "
                        "WHERE c.id IN ['{p}tencent', '{p}dongfeng-motor', '{p}dongfeng-liuzhou-motor'] RETURN p",
    "deploys-on": "MATCH p = (:Entity)-[:DEPLOYS_ON]->(t:Entity) WHERE t.id STARTS WITH '{p}' RETURN p",
    "article": "MATCH p = (a:Article {{id: '{p}de_tencent_dongfeng'}})-[:MENTIONS]->(:Entity) RETURN p",
}


class Prerequisite(Exception):
    """Something the check needs is not there (exit 2)."""


# --- the .grass file, read the way the Browser reads it -------------------------------------

def read_grass(text: str) -> dict[str, dict[str, str]]:
    """{selector: {property: value}} in file order.

    As the Browser's FileDrop parser does: quotes (' or ") are dropped, braces inside them
    belong to the value, a declaration is `key: value` split at `;`, and a declaration with
    more than one colon is ignored."""
    rules: dict[str, dict[str, str]] = {}
    selector, body, quoted, in_body = "", "", False, False
    for ch in text:
        if ch in "'\"":
            quoted = not quoted
        elif quoted:
            body += ch if in_body else ""
        elif ch == "{":
            in_body = True
        elif ch == "}":
            props = {}
            for decl in body.split(";"):
                parts = decl.split(":")
                if len(parts) == 2:
                    props[parts[0].strip()] = parts[1].strip()
            rules[selector] = props
            selector, body, in_body = "", "", False
        elif in_body:
            body += ch
        elif not ch.isspace():
            selector += ch
    return rules


def resolve_style(rules: dict, tag: str, classes) -> dict[str, str]:
    """Properties for a node (tag "node", classes = labels) or relationship (tag
    "relationship", classes = [type]): the bare rule first, then every rule whose classes
    are all among `classes`, in file order, later ones winning."""
    ordered = sorted(rules.items(), key=lambda kv: kv[0] != tag)  # stable: bare rule first
    style: dict[str, str] = {}
    for selector, props in ordered:
        sel_tag, *sel_classes = selector.split(".")
        if sel_tag == tag and all(c in classes for c in sel_classes):
            style.update(props)
    return style


def intended_caption(template: str, item_type: str, props: dict) -> str:
    """The caption the style's author means: `{key}` -> property, `<type>` -> relationship type."""
    def value(match):
        v = props.get(match.group(1))
        if v is None:
            return ""
        return ", ".join(map(str, v)) if isinstance(v, list) else str(v)

    return re.sub(r"\{([^{}]*)\}", value, template).replace("<type>", item_type)


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio of two #RRGGBB colours."""
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def px(value: str) -> float:
    return float(re.match(r"\s*([\d.]+)", value).group(1))


def rgb_to_hex(css: str) -> str:
    """'rgb(76, 142, 218)' -> '#4C8EDA' (other strings unchanged)."""
    m = re.match(r"rgba?\((\d+),\s*(\d+),\s*(\d+)", css or "")
    return "#" + "".join(f"{int(v):02X}" for v in m.groups()) if m else css


def same_colour(a: str, b: str) -> bool:
    return (a or "").strip().lower() == (b or "").strip().lower()


def matches_or_cut(shown: str, full: str) -> str:
    """"full" when shown == full, "cut" when shown is a prefix of full ending in "…", else "wrong"."""
    if shown == full:
        return "full"
    if shown.endswith("\u2026") and full.startswith(shown[:-1].rstrip()) and len(shown) > 1:
        return "cut"
    return "wrong"


# --- where the Browser is ----------------------------------------------------------------------

def served_browser_url() -> str:
    """The Browser the Neo4j server of NEO4J_URI serves: same host, HTTP port NEO4J_HTTP_PORT (7474)."""
    host = urlparse(os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687")).hostname or "127.0.0.1"
    return f"http://{host}:{os.environ.get('NEO4J_HTTP_PORT', '7474')}/browser/"


def require_browser_at(url: str) -> None:
    """Raise Prerequisite unless `url` answers with the Neo4j Browser's page."""
    try:
        with urlopen(url, timeout=10) as response:
            page = response.read(4096).decode("utf-8", "replace")
    except (OSError, ValueError) as exc:
        raise Prerequisite(f"no Neo4j Browser answers at {url}: {exc}") from exc
    if "Neo4j Browser" not in page:
        raise Prerequisite(f"{url} answers, but not with the Neo4j Browser")


# --- data in the server ----------------------------------------------------------------------

def load_fixture(prefix: str):
    """Load the fixture graph under `prefix`; return (settings, driver, nodes, rels) where nodes /
    rels map elementId -> {labels|type, props} for everything under the prefix."""
    from graphkit.errors import StoreError
    from graphkit.extract import extract_article
    from graphkit.graph import build_graph, graph_to_dict
    from graphkit.ingest import load_articles
    from graphkit.neo4j import Neo4jSettings, connect, load_graph

    settings = Neo4jSettings.from_env()
    if not settings.password:
        raise Prerequisite("NEO4J_PASSWORD is not set")
    try:
        driver = connect(settings)
    except StoreError as exc:
        raise Prerequisite(str(exc)) from exc
    graph = build_graph(extract_article(a) for a in load_articles([FIXTURES]).articles)
    load_graph(driver, graph_to_dict(graph), id_prefix=prefix, database=settings.database)
    nodes, rels = {}, {}
    for rec in driver.execute_query("MATCH (n) WHERE n.id STARTS WITH $p RETURN n", parameters_={"p": prefix},
                                    database_=settings.database).records:
        n = rec["n"]
        nodes[n.element_id] = {"labels": sorted(n.labels), "props": dict(n)}
    for rec in driver.execute_query("MATCH (h)-[r]->() WHERE h.id STARTS WITH $p RETURN r", parameters_={"p": prefix},
                                    database_=settings.database).records:
        r = rec["r"]
        rels[r.element_id] = {"type": r.type, "props": dict(r)}
    return settings, driver, nodes, rels


# --- serving and driving the Browser ---------------------------------------------------------

class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve_folder(folder: Path):
    """Serve `folder` on 127.0.0.1 at a free port; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


JS_DROP_FILE = """([name, text]) => {
  const data = new DataTransfer();
  data.items.add(new File([text], name, {type: 'text/plain'}));
  const target = document.querySelector('.filedrop');
  for (const kind of ['dragenter', 'dragover', 'drop']) {
    target.dispatchEvent(new DragEvent(kind, {bubbles: true, cancelable: true, dataTransfer: data}));
  }
}"""

# What d3 bound to the drawn SVG: the Browser's own node and relationship models.
JS_READ_GRAPH = """(frame) => {
  const attr = (el, name) => el ? el.getAttribute(name) : null;
  const nodes = Array.from(frame.querySelectorAll('svg g.node')).map(g => {
    const d = g.__data__, circle = g.querySelector('circle.b-outline');
    const texts = Array.from(g.querySelectorAll('text.caption'));
    return {elementId: d.elementId, labels: d.labels, x: d.x, y: d.y,
            fill: attr(circle, 'fill'), stroke: attr(circle, 'stroke'),
            strokeWidth: attr(circle, 'stroke-width'), r: attr(circle, 'r'),
            caption: texts.map(t => t.textContent.trim()).filter(t => t !== '').join(' '),
            captionFill: attr(texts[0], 'fill'), captionSize: attr(texts[0], 'font-size')};
  });
  const rels = Array.from(frame.querySelectorAll('svg g.relationship')).map(g => {
    const d = g.__data__, text = g.querySelector('text');
    return {elementId: d.elementId, type: d.type, fill: attr(g.querySelector('path.b-outline'), 'fill'),
            caption: d.caption, shown: text ? text.textContent : '', textFill: attr(text, 'fill'),
            layout: d.captionLayout};
  });
  // the Overview legend: label chips are round (20px radius), relationship type chips square
  const legend = Array.from(frame.querySelectorAll('div')).filter(el =>
      el.children.length <= 1 && /^\S+ \(\d+\)$/.test(el.textContent.trim()) && el.style.backgroundColor)
    .map(el => ({name: el.textContent.trim().replace(/ \(\d+\)$/, ''),
                 kind: getComputedStyle(el).borderTopLeftRadius === '20px' ? 'node' : 'relationship',
                 background: getComputedStyle(el).backgroundColor, text: getComputedStyle(el).color}));
  return {nodes, rels, legend};
}"""

JS_COUNT_COLOURS = """async ([png, colours]) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + png;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, img.width, img.height).data;
  const want = colours.map(c => [1, 3, 5].map(i => parseInt(c.slice(i, i + 2), 16)));
  const counts = colours.map(() => 0);
  for (let i = 0; i < px.length; i += 4) {
    for (let k = 0; k < want.length; k++) {
      const w = want[k];
      if (Math.abs(px[i] - w[0]) <= 3 && Math.abs(px[i + 1] - w[1]) <= 3 && Math.abs(px[i + 2] - w[2]) <= 3) counts[k]++;
    }
  }
  return Object.fromEntries(colours.map((c, k) => [c, counts[k]]));
}"""


def wait_for_layout(frame, timeout: float) -> None:
    """Wait until no node moves by more than half a pixel between two looks 400 ms apart."""
    end, last = time.monotonic() + timeout, None
    while time.monotonic() < end:
        now = frame.evaluate("f => Array.from(f.querySelectorAll('svg g.node')).map(g => [g.__data__.x, g.__data__.y])")
        if last is not None and len(now) == len(last) and all(
                abs(a[0] - b[0]) < 0.5 and abs(a[1] - b[1]) < 0.5 for a, b in zip(now, last)):
            return
        last = now
        time.sleep(0.4)


def run_command(page, text: str) -> None:
    """Type into the main editor (as one paste, so Monaco adds no closing brackets) and run it."""
    page.click("#monaco-main-editor")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)
    page.click('[data-testid="editor-Run"]')


def drive_browser(url: str, chromium: str, settings, grass_text: str, prefix: str, out_dir: Path,
                  timeout: float) -> dict:
    from playwright.sync_api import sync_playwright

    result = {"blocked_requests": [], "frames": {}}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(timeout * 1000)

            def offline(route):
                host = urlparse(route.request.url).hostname or ""
                if host in ("127.0.0.1", "localhost", "::1") or route.request.url.startswith("data:"):
                    route.continue_()
                else:
                    result["blocked_requests"].append(route.request.url)
                    route.abort()

            page.route("**/*", offline)
            page.goto(url + ("&" if "?" in url else "?") + urlencode({"dbms": settings.uri}))

            # connect through the Browser's form
            page.wait_for_selector('input[data-testid="password"]')
            page.fill('input[data-testid="username"]', settings.user)
            page.fill('input[data-testid="password"]', settings.password)
            page.click('button[data-testid="connect"]')
            page.wait_for_selector("text=You are connected")

            # apply the style: drop the .grass file onto the window
            run_command(page, ":clear")
            page.evaluate(JS_DROP_FILE, [GRASS.name, grass_text])
            page.wait_for_selector('[data-testid="frame"] >> text=:style')
            page.wait_for_function("() => (JSON.parse(localStorage.getItem('neo4j.grass')) || {}).node")
            result["stored_grass"] = json.loads(page.evaluate("() => localStorage.getItem('neo4j.grass')"))
            page.screenshot(path=str(out_dir / "00-style-applied.png"))

            for index, (name, template) in enumerate(QUERIES.items(), start=1):
                run_command(page, ":clear")
                run_command(page, template.format(p=prefix))
                frame = page.locator('[data-testid="frame"]').first
                frame.locator("svg g.node").first.wait_for()
                frame.locator('button[title="Fullscreen"]').click()
                wait_for_layout(frame, timeout)
                drawn = frame.evaluate(JS_READ_GRAPH)
                # fold the Overview panel away, or zoom-to-fit puts nodes behind it
                frame.locator('[title="Collapse the node properties display"]').click()
                frame.locator('button[aria-label="zoom-to-fit"]').click()
                time.sleep(1.0)  # the zoom is animated
                shot = out_dir / f"{index:02d}-{name}.png"
                png = frame.screenshot(path=str(shot))
                colours = sorted({n["fill"].upper() for n in drawn["nodes"] if n["fill"]})
                drawn["pixels"] = page.evaluate(JS_COUNT_COLOURS, [base64.b64encode(png).decode(), colours])
                drawn["screenshot"] = str(shot)
                drawn["query"] = template.format(p="<prefix>")
                result["frames"][name] = drawn
                frame.locator('button[title="Close fullscreen"]').click()
        finally:
            browser.close()
    return result


# --- the checks ------------------------------------------------------------------------------

def check_node(name: str, n: dict, db: dict, rules: dict, prefix: str, problems: list, notes: list) -> dict:
    """Compare one drawn node with its grass style and database record; returns the style."""
    want = resolve_style(rules, "node", db["labels"])
    label = f"{name}: node {db['props'].get('id', '').removeprefix(prefix)}"
    if sorted(n["labels"]) != db["labels"]:
        problems.append(f"{label} drawn with labels {n['labels']}, database has {db['labels']}")
    for attr, prop in (("fill", "color"), ("stroke", "border-color"), ("captionFill", "text-color-internal")):
        if not same_colour(n[attr], want.get(prop)):
            problems.append(f"{label} {attr} {n[attr]}, grass {prop} is {want.get(prop)}")
    if n["strokeWidth"] != want.get("border-width"):
        problems.append(f"{label} border {n['strokeWidth']}, grass says {want.get('border-width')}")
    if abs(float(n["r"]) - px(want["diameter"]) / 2) > 0.01:
        problems.append(f"{label} radius {n['r']}, grass diameter is {want['diameter']}")
    full = intended_caption(want.get("caption", ""), "", db["props"])
    verdict = matches_or_cut(n["caption"], full)
    if verdict == "wrong" or not n["caption"]:
        problems.append(f"{label} caption {n['caption']!r}, expected {full!r}")
    elif verdict == "cut":
        notes.append(f"{name}: node caption cut to fit: {n['caption']!r} of {full!r}")
    return want


def check_relationship(name: str, r: dict, db: dict, rules: dict, problems: list, notes: list) -> None:
    """Compare one drawn relationship with its grass style and database record."""
    want = resolve_style(rules, "relationship", [db["type"]])
    label = f"{name}: {db['type']}"
    if not same_colour(r["fill"], want.get("color")):
        problems.append(f"{label} drawn {r['fill']}, grass colour is {want.get('color')}")
    text_colour = want.get(f"text-color-{r['layout']}")
    if not same_colour(r["textFill"], text_colour):
        problems.append(f"{label} caption colour {r['textFill']}, grass text-color-{r['layout']} is {text_colour}")
    full = intended_caption(want.get("caption", ""), db["type"], db["props"])
    if r["caption"] != full:
        problems.append(f"{label} captioned {r['caption']!r} by the Browser, the style means {full!r}")
    elif r["shown"] and matches_or_cut(r["shown"], full) == "cut":
        notes.append(f"{name}: relationship caption shortened to fit: {r['shown']!r} of {full!r}")
    elif r["shown"] == "" and full:
        notes.append(f"{name}: relationship caption {full!r} left out (arrow too short)")


def check_frames(rules: dict, result: dict, nodes: dict, rels: dict, prefix: str):
    """(problems, notes, caption contrast per label set) for everything the Browser drew."""
    problems, notes = [], []
    stored = result.get("stored_grass") or {}
    if stored != rules:
        diff = sorted(k for k in set(stored) | set(rules) if stored.get(k) != rules.get(k))
        problems.append(f"the Browser stored a different style than the file for: {', '.join(diff)}")
    used_node_styles = {}
    for name, drawn in result["frames"].items():
        if not drawn["nodes"]:
            problems.append(f"{name}: no nodes drawn")
        for kind, items, known in (("node", drawn["nodes"], nodes), ("relationship", drawn["rels"], rels)):
            for item in items:
                db = known.get(item["elementId"])
                if db is None:
                    problems.append(f"{name}: drawn {kind} {item['elementId']} is not under the prefix")
                elif kind == "node":
                    used_node_styles[":".join(db["labels"])] = check_node(name, item, db, rules, prefix,
                                                                          problems, notes)
                else:
                    check_relationship(name, item, db, rules, problems, notes)
        if not drawn["legend"]:
            problems.append(f"{name}: no label or type chips found in the Overview legend")
        for chip in drawn["legend"]:
            if chip["name"] == "*":
                continue
            want = resolve_style(rules, chip["kind"], [chip["name"]])
            if not same_colour(rgb_to_hex(chip["background"]), want.get("color")):
                problems.append(f"{name}: legend chip {chip['kind']} {chip['name']} is {chip['background']}, "
                                f"grass colour is {want.get('color')}")
        for colour, count in drawn["pixels"].items():
            if count < 100:
                problems.append(f"{name}: screenshot has only {count} pixels of node colour {colour}")
    contrasts = {}
    for labels, style in sorted(used_node_styles.items()):
        ratio = contrast_ratio(style["text-color-internal"], style["color"])
        contrasts[labels] = round(ratio, 2)
        if ratio < MIN_CONTRAST:
            problems.append(f"caption {style['text-color-internal']} on {labels} {style['color']} has contrast "
                            f"{ratio:.2f}:1, below {MIN_CONTRAST}:1")
    return problems, notes, contrasts


def check(args) -> int:
    from graphkit.neo4j import delete_prefixed

    rules = read_grass(args.grass.read_text(encoding="utf-8"))
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for old in args.out_dir.glob("*.png"):
        old.unlink()
    prefix = f"gkbrowserreal-{secrets.token_hex(4)}-"
    started = time.monotonic()
    settings, driver, nodes, rels = load_fixture(prefix)
    grass_text = args.grass.read_text(encoding="utf-8")
    try:
        if not args.browser_dir:
            result = drive_browser(args.browser_url, args.chromium, settings, grass_text, prefix, args.out_dir,
                                   args.timeout)
        else:
            with serve_folder(args.browser_dir) as url:
                result = drive_browser(url, args.chromium, settings, grass_text, prefix, args.out_dir, args.timeout)
    except Exception as exc:  # a step timed out or the page broke: say which, never the password
        message = " ".join(str(exc).split()).replace(settings.password, "***")[:600]
        print(f"FAIL: driving the Browser: {type(exc).__name__}: {message}")
        return 1
    finally:
        deleted = delete_prefixed(driver, prefix, database=settings.database)
        driver.close()
    problems, notes, contrasts = check_frames(rules, result, nodes, rels, prefix)
    summary = {
        "server": settings.where(),
        "prefix": prefix, "deleted_nodes": deleted,
        "frames": {name: {"query": d["query"], "nodes": len(d["nodes"]), "relationships": len(d["rels"]),
                          "legend": {c["name"]: rgb_to_hex(c["background"]) for c in d["legend"]},
                          "pixels_per_node_colour": d["pixels"], "screenshot": d["screenshot"]}
                   for name, d in result["frames"].items()},
        "caption_contrast": contrasts,
        "blocked_requests": sorted(set(result["blocked_requests"])),
        "notes": sorted(set(notes)),
        "problems": problems,
        "seconds": round(time.monotonic() - started, 1),
    }
    (args.out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    for name, frame in summary["frames"].items():
        print(f"{name}: {frame['nodes']} nodes, {frame['relationships']} relationships -> {frame['screenshot']}")
    print(f"caption contrast: {contrasts}")
    for note in summary["notes"]:
        print(f"note: {note}")
    for problem, count in Counter(problems).items():
        print(f"FAIL: {problem}" + (f" (x{count})" if count > 1 else ""))
    print(f"{'PASS' if not problems else 'FAIL'}: {len(problems)} problem(s), {summary['seconds']} s, "
          f"{deleted} test nodes deleted; details in {args.out_dir / 'summary.json'}")
    return 1 if problems else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--browser-url", default=os.environ.get("NEO4J_BROWSER_URL") or served_browser_url(),
                    help="the Browser to open (default: the one the server of NEO4J_URI serves at /browser/)")
    ap.add_argument("--browser-dir", type=Path, default=None,
                    help="serve this folder of a built Neo4j Browser (its index.html) on 127.0.0.1 instead")
    ap.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser") or "")
    ap.add_argument("--grass", type=Path, default=GRASS)
    ap.add_argument("--out-dir", type=Path, default=ROOT / "graphkit-out" / "browser-real")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each step")
    args = ap.parse_args(argv)
    try:
        if importlib.util.find_spec("playwright") is None:
            raise Prerequisite("Playwright for Python is missing (pip install playwright; "
                               "the system Chromium is used, no `playwright install`)")
        if not args.chromium or not Path(args.chromium).exists():
            raise Prerequisite("no Chromium found (apt-get install chromium, or --chromium PATH)")
        if args.browser_dir and not (args.browser_dir / "index.html").is_file():
            raise Prerequisite(f"no built Neo4j Browser in {args.browser_dir}")
        if not args.browser_dir:
            require_browser_at(args.browser_url)
        return check(args)
    except Prerequisite as exc:
        print(f"check_browser_real: prerequisite missing: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
