"""Graph -> one self-contained, offline, interactive HTML map (inline SVG + vanilla JS).

Nodes are coloured by kind and sized by PageRank (the default `graphkit rank` metric);
edges are styled by relation type; hovering shows the evidence behind a node or an edge.
The layout is computed here (networkx spring layout, seed 42, per connected component,
components packed in rows), so the same graph always gives byte-identical HTML. Nothing
is fetched at view time: no CDN, no web font, no external script or stylesheet.

>>> import networkx as nx
>>> g = nx.MultiDiGraph(articles={})
>>> g.add_node("a", name="A", type="Organization", kind="carmaker", names={})
>>> g.add_node("b", name="B", type="Organization", kind="cloud", names={})
>>> g.add_edge("a", "b", key="DEPLOYS_ON", type="DEPLOYS_ON", support=1, confidence=0.9,
...            first_seen="2020", last_seen="2020", evidence=["A runs on B."], articles=["x"])
'DEPLOYS_ON'
>>> "<svg" in map_html(g) and "http://" not in map_html(g).replace("http://www.w3.org/2000/svg", "")
True
"""

from __future__ import annotations

import html
import json
import math

import networkx as nx
import numpy as np

from . import analyze
from .model import RelationType

__all__ = ["KIND_COLORS", "EDGE_STYLES", "map_data", "map_html"]

SEED = 42
MAX_RADIUS = 26.0
MIN_RADIUS = 5.0
EDGE_PX = 95.0  # mean drawn edge length
KK_LIMIT = 400  # nodes; Kamada-Kawai is O(n^2) memory, bigger components use spring layout

# Colour per node kind (colour-blind-friendly first; unknown kinds fall back in order).
KIND_COLORS = {
    "carmaker": "#d1495b",
    "cloud": "#1f78b4",
    "internet": "#ff9f1c",
    "tech": "#6a4c93",
    "supplier": "#2a9d8f",
    "chip": "#8ab17d",
    "telecom": "#e76f51",
    "mobility": "#b5838d",
    "brand": "#f4a6a6",
    "investor": "#457b9d",
    "incubator": "#c9a227",
    "government": "#4d5057",
}
_FALLBACK_COLORS = ("#7f5539", "#43aa8b", "#bc6c25", "#577590", "#9d4edd", "#588157")
UNKNOWN_KIND = "unknown"
UNKNOWN_COLOR = "#9aa0a6"

# SVG stroke per relation type: colour, width, dash pattern, arrow head (directed types).
_STRUCTURAL = {"color": "#b0b4b9", "width": 1.0, "dash": "", "arrow": True, "label": "structural"}
EDGE_STYLES = {
    "PARTNERS_WITH": {"color": "#3d5a80", "width": 2.2, "dash": "", "arrow": False, "label": "solid"},
    "DEPLOYS_ON": {"color": "#1f78b4", "width": 2.0, "dash": "8 5", "arrow": True, "label": "dashed, arrow"},
    "INCUBATES": {"color": "#c9a227", "width": 2.4, "dash": "2 4", "arrow": True, "label": "dotted, arrow"},
    "INVESTS_IN": {"color": "#2a9d8f", "width": 1.8, "dash": "10 3 2 3", "arrow": True, "label": "dash-dot, arrow"},
    "SUPPLIES": {"color": "#8d6e63", "width": 1.6, "dash": "4 3", "arrow": True, "label": "short dashes, arrow"},
    "SUBSIDIARY_OF": _STRUCTURAL,
    "OPERATES": _STRUCTURAL,
    "PRODUCT_OF": _STRUCTURAL,
    "JOINT_VENTURE_OF": _STRUCTURAL,
}


def _kind_colors(kinds) -> dict:
    colors, spare = {}, iter(_FALLBACK_COLORS)
    for kind in sorted(kinds):
        if kind == UNKNOWN_KIND:
            colors[kind] = UNKNOWN_COLOR
        elif kind in KIND_COLORS:
            colors[kind] = KIND_COLORS[kind]
        else:
            colors[kind] = next(spare, UNKNOWN_COLOR)
    return colors


def _separate(pos: dict, radius: dict, gap: float = 40.0, rounds: int = 80) -> dict:
    """Push apart nodes whose circles (plus room for a label) overlap; deterministic."""
    names = list(pos)
    if len(names) < 2 or len(names) > KK_LIMIT:
        return pos
    p = np.array([pos[n] for n in names], dtype=float)
    r = np.array([radius[n] for n in names], dtype=float)
    need = r[:, None] + r[None, :] + gap
    np.fill_diagonal(need, 0.0)
    idx = np.arange(len(names))
    for _ in range(rounds):
        diff = p[:, None, :] - p[None, :, :]
        dist = np.sqrt((diff ** 2).sum(-1))
        short = np.clip(need - dist, 0.0, None)
        if short.max() < 0.5:
            break
        unit = diff / np.where(dist > 1e-9, dist, 1.0)[..., None]
        # coincident points: split along a fixed diagonal, the lower index going up-left
        same = (dist <= 1e-9) & (need > 0)
        order = np.sign(idx[:, None] - idx[None, :]).astype(float)
        unit[same] = (order[same] * 0.7071)[:, None]
        p += (unit * (short / 2.0)[..., None]).sum(1) * 0.5
    return {n: (float(x), float(y)) for n, (x, y) in zip(names, p)}


def _layout(simple: nx.Graph, radius: dict) -> dict:
    """Positions in px, deterministic: one layout per connected component, packed in rows.

    Components up to KK_LIMIT nodes use Kamada-Kawai (hop distances, circular start: no
    randomness, even edge lengths); bigger ones spring layout with seed 42. Each component
    is scaled so its mean edge is EDGE_PX long, then components are shelf-packed, biggest
    first, into rows about as wide as a landscape screen needs.
    """
    comps = sorted((sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c))
    boxes = []
    for comp in comps:
        sub = nx.Graph()
        sub.add_nodes_from(comp)
        sub.add_edges_from(sorted(simple.subgraph(comp).edges()))
        if len(comp) == 1:
            pos = {comp[0]: (0.0, 0.0)}
        elif len(comp) == 2:
            pos = {comp[0]: (0.0, 0.0), comp[1]: (EDGE_PX, 0.0)}
        else:
            if len(comp) <= KK_LIMIT:
                raw = nx.kamada_kawai_layout(sub, weight=None)
            else:
                raw = nx.spring_layout(sub, seed=SEED, iterations=100)
            mean = sum(math.dist(raw[u], raw[v]) for u, v in sub.edges()) / sub.number_of_edges()
            f = EDGE_PX / (mean or 1.0)
            pos = _separate({n: (float(x) * f, float(y) * f) for n, (x, y) in raw.items()}, radius)
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        boxes.append((pos, min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    pad = 120.0
    area = sum((w + pad) * (h + pad) for _, _, _, w, h in boxes)
    row_width = max([b[3] for b in boxes] + [math.sqrt(area * 1.4)])
    out, x, y, row_h = {}, 0.0, 0.0, 0.0
    for pos, x0, y0, w, h in boxes:
        if x > 0 and x + w > row_width:
            x, y, row_h = 0.0, y + row_h + pad, 0.0
        for n, (px, py) in pos.items():
            out[n] = (round(px - x0 + x, 1), round(py - y0 + y, 1))
        x += w + pad
        row_h = max(row_h, h)
    return out


def map_data(graph: nx.MultiDiGraph, relations=(), top: int | None = None) -> dict:
    """Nodes (with x, y, radius, colour, PageRank rank/score) and styled edges for the map.

    `relations` keeps only those edge types; `top` keeps the N nodes with the highest
    PageRank (edges among them only). Nodes with no edge left are listed in `unlinked`.
    """
    sub = analyze.filter_graph(graph, relations)
    rows = analyze.rank(sub, analyze.RankOptions(metric="pagerank", top=max(1, sub.number_of_nodes()))).rows
    if top is not None:
        rows = rows[:top]
    kept = {r["id"]: r for r in rows}
    simple = analyze.collapse(sub).subgraph(kept)
    simple = nx.Graph(simple.edges(data=True))  # drops nodes whose only edges left with `top`
    kept = {n: r for n, r in kept.items() if n in simple}
    max_score = max([r["score"] for r in kept.values()] + [1e-12])
    radius = {n: round(MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(r["score"] / max_score), 1) for n, r in kept.items()}
    pos = _layout(simple, radius)
    kinds = {r["kind"] or UNKNOWN_KIND for r in kept.values()}
    colors = _kind_colors(kinds)
    nodes = []
    for n in sorted(kept):
        r = kept[n]
        kind = r["kind"] or UNKNOWN_KIND
        nodes.append({
            "id": n, "name": r["name"], "original": r["original_name"] or "", "kind": kind,
            "type": r["type"] or "", "rank": r["rank"], "score": r["score"], "degree": r["degree"],
            "x": pos[n][0], "y": pos[n][1], "color": colors[kind],
            "r": radius[n],
        })
    edges = []
    for h, t, k, d in sorted(sub.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        if h not in kept or t not in kept or h == t:
            continue
        evidence = d.get("evidence") or [""]
        edges.append({
            "source": h, "target": t, "type": k, "support": d.get("support", 1),
            "first_seen": d.get("first_seen") or "", "confidence": d.get("confidence"),
            "evidence": evidence[0], "article": (d.get("articles") or [""])[0],
        })
    linked = {n for h, t in sub.edges() if h != t for n in (h, t)}
    unlinked = [] if top is not None else sorted((sub.nodes[n].get("name", n) for n in sub if n not in linked), key=str.casefold)
    types = sorted({e["type"] for e in edges}, key=[t.value for t in RelationType].index)
    return {"nodes": nodes, "edges": edges, "unlinked": unlinked, "kinds": colors,
            "edge_styles": {t: EDGE_STYLES.get(t, _STRUCTURAL) for t in types}}


def _script_json(value) -> str:
    """JSON safe inside <script>: no `</script>`, `<!--` or `&` can end or confuse the block."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _legend(data) -> str:
    esc = html.escape
    kinds = "".join(
        f'<li><svg width="14" height="14" aria-hidden="true"><rect class="swatch" x="1" y="1" width="12" height="12" rx="6" fill="{esc(c)}"/></svg>{esc(k)}</li>'
        for k, c in data["kinds"].items())
    edges = []
    for t, s in data["edge_styles"].items():
        marker = ' marker-end="url(#legend-arrow)"' if s["arrow"] else ""
        edges.append(
            f'<li><svg width="44" height="12" aria-hidden="true"><line x1="2" y1="6" x2="36" y2="6" stroke="{esc(s["color"])}" '
            f'stroke-width="{s["width"]}" stroke-dasharray="{esc(s["dash"])}"{marker}/></svg>{esc(t)}</li>')
    return (f'<h2>Kind</h2><ul>{kinds}</ul><h2>Relation</h2><ul>{"".join(edges)}</ul>'
            '<p class="hint">Size = PageRank. Wheel: zoom. Drag: pan. Click a node: its neighbours.</p>')


def map_html(graph: nx.MultiDiGraph, relations=(), top: int | None = None, title: str = "graphkit ecosystem map") -> str:
    """The whole map as one HTML document (str). Same graph and options -> same bytes."""
    data = map_data(graph, relations, top)
    esc = html.escape
    options = "".join(f'<option value="{esc(n["name"])}"></option>' for n in sorted(data["nodes"], key=lambda n: n["name"].casefold()))
    unlinked = ""
    if data["unlinked"]:
        unlinked = (f'<details><summary>{len(data["unlinked"])} without relations (not drawn)</summary><p>'
                    + ", ".join(esc(n) for n in data["unlinked"]) + "</p></details>")
    summary = f'{len(data["nodes"])} nodes, {len(data["edges"])} relations'
    if relations:
        summary += " (" + ", ".join(esc(r) for r in relations) + ")"
    return _TEMPLATE.format(
        title=esc(title), summary=summary, legend=_legend(data), options=options, unlinked=unlinked,
        data=_script_json({"nodes": data["nodes"], "edges": data["edges"], "styles": data["edge_styles"]}),
        css=_CSS, js=_JS,
    )


_CSS = """
*{box-sizing:border-box}
html,body{margin:0;height:100%;font:13px/1.35 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC",sans-serif;color:#222;background:#fafafa}
#map{position:absolute;inset:0;width:100%;height:100%;cursor:grab;display:block}
#map.dragging{cursor:grabbing}
#panel{position:absolute;top:10px;left:10px;width:230px;max-height:calc(100% - 20px);overflow:auto;background:rgba(255,255,255,.94);border:1px solid #ddd;border-radius:6px;padding:10px 12px;box-shadow:0 1px 4px rgba(0,0,0,.08)}
#panel h1{font-size:15px;margin:0 0 2px}
#panel h2{font-size:12px;margin:10px 0 4px;text-transform:uppercase;letter-spacing:.04em;color:#555}
#panel ul{list-style:none;margin:0;padding:0}
#panel li{display:flex;align-items:center;gap:6px;margin:2px 0}
#panel input{width:100%;padding:4px 6px;margin-top:8px;border:1px solid #bbb;border-radius:4px;font:inherit}
#panel .hint,#panel .summary,#panel details{color:#666;font-size:12px;margin:8px 0 0}
#status{color:#a33;font-size:12px;min-height:1em}
#tip{position:absolute;pointer-events:none;max-width:380px;background:#222;color:#fff;padding:7px 9px;border-radius:5px;font-size:12px;display:none;white-space:normal;box-shadow:0 2px 6px rgba(0,0,0,.25)}
#tip b{font-size:13px}
#tip .ev{margin-top:4px;color:#ddd;font-style:italic}
.label{font-size:11px;fill:#222;paint-order:stroke;stroke:#fafafa;stroke-width:3px;stroke-linejoin:round;pointer-events:none}
circle.node{stroke:#fff;stroke-width:1.5px;cursor:pointer}
path.edge{fill:none;cursor:help}
path.hit{fill:none;stroke:transparent;stroke-width:9px;cursor:help}
.dim{opacity:.12}
circle.focus{stroke:#111;stroke-width:3px}
"""

_JS = r"""
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var svg = document.getElementById("map"), view = document.getElementById("view");
  var tip = document.getElementById("tip"), status = document.getElementById("status");
  var byId = {}, adj = {}, nodeEls = {}, labelEls = {}, edgeEls = [];
  data.nodes.forEach(function (n) { byId[n.id] = n; adj[n.id] = {}; adj[n.id][n.id] = true; });
  data.edges.forEach(function (e) { adj[e.source][e.target] = true; adj[e.target][e.source] = true; });

  function el(name, attrs, parent) {
    var x = document.createElementNS(NS, name);
    for (var k in attrs) { if (attrs[k] !== "" && attrs[k] !== null) x.setAttribute(k, attrs[k]); }
    if (parent) parent.appendChild(x);
    return x;
  }

  // arrow markers, one per styled relation type (colour matches the stroke)
  var defs = el("defs", {}, svg);
  Object.keys(data.styles).forEach(function (t) {
    var m = el("marker", {id: "arrow-" + t, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 9,
                          markerHeight: 9, orient: "auto-start-reverse", markerUnits: "userSpaceOnUse"}, defs);
    el("path", {d: "M0,0 L10,5 L0,10 z", fill: data.styles[t].color}, m);
  });

  // parallel edges between one pair bend apart so each stays hoverable
  var pairCount = {}, pairSeen = {};
  data.edges.forEach(function (e) {
    var key = e.source < e.target ? e.source + "\u0000" + e.target : e.target + "\u0000" + e.source;
    e.pair = key; pairCount[key] = (pairCount[key] || 0) + 1;
  });
  var gEdges = el("g", {"class": "edges"}, view), gNodes = el("g", {"class": "nodes"}, view),
      gLabels = el("g", {"class": "labels"}, view);

  data.edges.forEach(function (e) {
    var a = byId[e.source], b = byId[e.target], s = data.styles[e.type];
    var i = pairSeen[e.pair] = (pairSeen[e.pair] || 0) + 1, n = pairCount[e.pair];
    var bend = (i - (n + 1) / 2) * 26;
    if (e.source > e.target) bend = -bend;  // same side regardless of direction
    var dx = b.x - a.x, dy = b.y - a.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
    var ux = dx / len, uy = dy / len;
    // stop at the circle's rim so the arrow head is visible
    var x1 = a.x + ux * a.r, y1 = a.y + uy * a.r, x2 = b.x - ux * (b.r + 1), y2 = b.y - uy * (b.r + 1);
    var mx = (x1 + x2) / 2 - uy * bend, my = (y1 + y2) / 2 + ux * bend;
    var d = "M" + x1.toFixed(1) + "," + y1.toFixed(1) + " Q" + mx.toFixed(1) + "," + my.toFixed(1) + " " + x2.toFixed(1) + "," + y2.toFixed(1);
    var width = s.width * (1 + 0.35 * Math.log(Math.max(1, e.support)));
    var p = el("path", {d: d, "class": "edge", stroke: s.color, "stroke-width": width.toFixed(2),
                        "stroke-dasharray": s.dash, "marker-end": s.arrow ? "url(#arrow-" + e.type + ")" : ""}, gEdges);
    var hit = el("path", {d: d, "class": "hit"}, gEdges);
    p.__edge = hit.__edge = e;
    edgeEls.push({el: p, e: e});
  });

  data.nodes.slice().sort(function (a, b) { return b.r - a.r; }).forEach(function (n) {
    var c = el("circle", {cx: n.x, cy: n.y, r: n.r, fill: n.color, "class": "node"}, gNodes);
    c.__node = n; nodeEls[n.id] = c;
    var t = el("text", {x: n.x, y: n.y + n.r + 12, "text-anchor": "middle", "class": "label"}, gLabels);
    t.textContent = shortName(n.name); labelEls[n.id] = t;
    if (n.r > 14) t.style.fontWeight = "600";
  });
  placeLabels();

  // long names are cut to ~22 Latin / 11 CJK columns on the map; the tooltip has them whole
  function shortName(name) {
    var w = 0;
    for (var i = 0; i < name.length; i++) {
      w += name.charCodeAt(i) >= 0x2e80 ? 2 : 1;
      if (w > 22) return name.slice(0, i) + "\u2026";
    }
    return name;
  }

  // labels of higher-ranked nodes first: below, above, right, left of the circle, first free spot
  function placeLabels() {
    var placed = [];
    function hits(b) {
      return placed.some(function (p) { return b.x < p.x + p.width && p.x < b.x + b.width && b.y < p.y + p.height && p.y < b.y + b.height; });
    }
    data.nodes.forEach(function (n) { placed.push({x: n.x - n.r, y: n.y - n.r, width: 2 * n.r, height: 2 * n.r}); });
    data.nodes.slice().sort(function (a, b) { return a.rank - b.rank; }).forEach(function (n) {
      var t = labelEls[n.id], box;
      try { box = t.getBBox(); } catch (err) { return; }
      var w = box.width, h = box.height, spots = [
        [n.x, n.y + n.r + 12, "middle"], [n.x, n.y - n.r - 5, "middle"],
        [n.x + n.r + 4, n.y + 4, "start"], [n.x - n.r - 4, n.y + 4, "end"]];
      for (var i = 0; i < spots.length; i++) {
        var s = spots[i], x0 = s[2] === "middle" ? s[0] - w / 2 : s[2] === "start" ? s[0] : s[0] - w;
        var b = {x: x0, y: s[1] - h + 3, width: w, height: h};
        var mine = {x: n.x - n.r, y: n.y - n.r, width: 2 * n.r, height: 2 * n.r};
        var others = placed.filter(function (p) { return !(p.x === mine.x && p.y === mine.y && p.width === mine.width); });
        var clash = others.some(function (p) { return b.x < p.x + p.width && p.x < b.x + b.width && b.y < p.y + p.height && p.y < b.y + b.height; });
        if (!clash || i === spots.length - 1) {
          t.setAttribute("x", s[0]); t.setAttribute("y", s[1]); t.setAttribute("text-anchor", s[2]);
          placed.push(b);
          return;
        }
      }
    });
  }

  // ---- tooltips: text nodes only, never innerHTML, so article text cannot inject markup
  function line(parent, text, cls, bold) {
    var d = document.createElement("div");
    if (cls) d.className = cls;
    var x = document.createElement(bold ? "b" : "span");
    x.textContent = text; d.appendChild(x); parent.appendChild(d);
  }
  function showTip(ev, build) {
    tip.textContent = ""; build(tip); tip.style.display = "block";
    var x = ev.clientX + 14, y = ev.clientY + 14;
    if (x + tip.offsetWidth > window.innerWidth - 8) x = ev.clientX - tip.offsetWidth - 14;
    if (y + tip.offsetHeight > window.innerHeight - 8) y = ev.clientY - tip.offsetHeight - 14;
    tip.style.left = Math.max(4, x) + "px"; tip.style.top = Math.max(4, y) + "px";
  }
  svg.addEventListener("mousemove", function (ev) {
    var t = ev.target;
    if (t.__node) {
      var n = t.__node;
      showTip(ev, function (box) {
        line(box, n.name + (n.original ? "  (" + n.original + ")" : ""), "", true);
        line(box, n.kind + " \u00b7 " + n.type);
        line(box, "PageRank #" + n.rank + " \u00b7 score " + n.score.toFixed(4) + " \u00b7 " + n.degree + " neighbours");
      });
    } else if (t.__edge) {
      var e = t.__edge;
      showTip(ev, function (box) {
        line(box, byId[e.source].name + " \u2192 " + e.type + " \u2192 " + byId[e.target].name, "", true);
        line(box, "support " + e.support + " \u00b7 first seen " + (e.first_seen || "undated") +
                  (e.confidence !== null && e.confidence !== undefined ? " \u00b7 confidence " + e.confidence : ""));
        if (e.evidence) line(box, "\u201c" + e.evidence + "\u201d", "ev");
        if (e.article) line(box, "article: " + e.article);
      });
    } else {
      tip.style.display = "none";
    }
  });
  svg.addEventListener("mouseleave", function () { tip.style.display = "none"; });

  // ---- pan and zoom (wheel zooms around the cursor, drag pans)
  var tx = 0, ty = 0, k = 1;
  function apply() { view.setAttribute("transform", "translate(" + tx.toFixed(2) + "," + ty.toFixed(2) + ") scale(" + k.toFixed(4) + ")"); }
  function fit() {
    var xs = data.nodes.map(function (n) { return n.x; }), ys = data.nodes.map(function (n) { return n.y; });
    if (!xs.length) return;
    var x0 = Math.min.apply(null, xs) - 40, x1 = Math.max.apply(null, xs) + 60;
    var y0 = Math.min.apply(null, ys) - 40, y1 = Math.max.apply(null, ys) + 50;
    var W = svg.clientWidth || window.innerWidth, H = svg.clientHeight || window.innerHeight;
    var left = 260;  // keep clear of the legend panel
    k = Math.min((W - left - 20) / (x1 - x0), (H - 20) / (y1 - y0), 2.5);
    tx = left + ((W - left) - (x1 - x0) * k) / 2 - x0 * k; ty = (H - (y1 - y0) * k) / 2 - y0 * k;
    apply();
  }
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var rect = svg.getBoundingClientRect(), px = ev.clientX - rect.left, py = ev.clientY - rect.top;
    var f = Math.exp(-ev.deltaY * (ev.deltaMode === 1 ? 0.05 : 0.0015));
    var nk = Math.min(12, Math.max(0.1, k * f));
    tx = px - (px - tx) * nk / k; ty = py - (py - ty) * nk / k; k = nk; apply();
  }, {passive: false});
  var drag = null;
  svg.addEventListener("mousedown", function (ev) {
    if (ev.button !== 0) return;
    drag = {x: ev.clientX, y: ev.clientY, tx: tx, ty: ty, moved: false}; svg.classList.add("dragging");
  });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    tx = drag.tx + dx; ty = drag.ty + dy; apply();
  });
  window.addEventListener("mouseup", function () { svg.classList.remove("dragging"); setTimeout(function () { drag = null; }, 0); });

  // ---- neighbourhood highlight
  var focused = null;
  function highlight(id) {
    focused = id;
    Object.keys(nodeEls).forEach(function (n) {
      var on = !id || adj[id][n];
      nodeEls[n].classList.toggle("dim", !on); labelEls[n].classList.toggle("dim", !on);
      nodeEls[n].classList.toggle("focus", n === id);
    });
    edgeEls.forEach(function (x) {
      x.el.classList.toggle("dim", !!id && x.e.source !== id && x.e.target !== id);
    });
  }
  svg.addEventListener("click", function (ev) {
    if (drag && drag.moved) return;
    var n = ev.target.__node;
    highlight(n && n.id !== focused ? n.id : null);
  });

  // ---- search by name, original-script name or id (case-insensitive; exact, then prefix, then substring)
  var search = document.getElementById("search");
  function find(q) {
    q = q.trim().toLowerCase();
    if (!q) return null;
    var tests = [function (s) { return s === q; }, function (s) { return s.indexOf(q) === 0; }, function (s) { return s.indexOf(q) >= 0; }];
    for (var i = 0; i < tests.length; i++) {
      var hits = data.nodes.filter(function (n) {
        return [n.name, n.original, n.id].some(function (s) { return s && tests[i](s.toLowerCase()); });
      });
      if (hits.length) return hits.sort(function (a, b) { return a.rank - b.rank; })[0];
    }
    return null;
  }
  function go() {
    var n = find(search.value);
    status.textContent = search.value.trim() && !n ? "no node matches \u201c" + search.value.trim() + "\u201d" : "";
    if (!n) { if (!search.value.trim()) highlight(null); return; }
    var W = svg.clientWidth, H = svg.clientHeight;
    k = Math.max(k, 1.4); tx = W / 2 + 120 - n.x * k; ty = H / 2 - n.y * k; apply();
    highlight(n.id);
  }
  search.addEventListener("change", go);
  search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") go(); });
  window.addEventListener("resize", fit);
  fit();
  svg.setAttribute("data-ready", "true");
})();
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<svg id="map" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{title}"><g id="view"></g></svg>
<div id="panel">
<h1>{title}</h1>
<p class="summary">{summary}</p>
<input id="search" list="node-names" placeholder="Find a node (宝马, BMW, …)" autocomplete="off" aria-label="Find a node by name">
<datalist id="node-names">{options}</datalist>
<div id="status"></div>
{legend}
<svg width="0" height="0" aria-hidden="true" style="position:absolute"><defs><marker id="legend-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs></svg>
{unlinked}
</div>
<div id="tip" role="tooltip"></div>
<script type="application/json" id="graph-data">{data}</script>
<script>{js}</script>
</body>
</html>
"""
