"""The graph file on disk: JSON (one document) or columnar (a folder of Parquet tables).

`graphkit build --out G.json` writes JSON, `--out G.parquet` the columnar form; every
command reads either, telling them apart by what is on disk (a folder holding
`graphkit.json` is columnar). The columnar form is a folder with

* `graphkit.json`: {"format": "graphkit-graph-parquet", "version": 1, "meta": graph.graph
  without the articles};
* `nodes.parquet`: id, name, type, kind, and `attrs` (every attribute as JSON);
* `edges.parquet`: head, tail, type, support, confidence, first_seen, last_seen, articles
  (list), and `attrs` (the remaining attributes as JSON, provenance excluded);
* `evidence.parquet`: one row per (edge, article): edge (row number in edges.parquet),
  article, evidence, date, confidence, rule, and `attrs` (any other keys, as JSON);
* `articles.parquet`: id and `attrs` (the article's metadata as JSON).

So `graphkit rank` and `communities` can read the few columns they need (graphkit.fastrank) without
parsing evidence text, while the other commands rebuild the whole NetworkX graph.

Both readers check what they read; a bad file is one GraphFileError line naming it:
missing tables or columns, NaN, infinite or negative support/confidence, edges whose
ends are not nodes, evidence rows of edges that do not exist.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import networkx as nx
import numpy as np

from .errors import GraphFileError

__all__ = ["PARQUET_FORMAT", "PARQUET_VERSION", "is_columnar", "wants_columnar", "save_parquet", "load_parquet",
           "check_graph"]

PARQUET_FORMAT = "graphkit-graph-parquet"
PARQUET_VERSION = 1
MANIFEST = "graphkit.json"
NODE_COLUMNS = ("id", "name", "type", "kind", "attrs")
EDGE_COLUMNS = ("head", "tail", "type", "support", "confidence", "first_seen", "last_seen", "articles", "attrs")
EVIDENCE_COLUMNS = ("edge", "article", "evidence", "date", "confidence", "rule", "attrs")
EVIDENCE_KEYS = ("article", "evidence", "date", "confidence", "rule")
EDGE_TYPED = ("support", "confidence", "first_seen", "last_seen", "articles")
ABSENT = "__absent"  # in an edge's attrs: typed columns (or provenance) the edge did not have at all


def is_columnar(path: Path) -> bool:
    return (Path(path) / MANIFEST).is_file()


def wants_columnar(path: Path) -> bool:
    """Where to write columnar: a `.parquet` name, or a columnar graph already there."""
    path = Path(path)
    return path.suffix.lower() == ".parquet" or is_columnar(path)


def _dumps(value) -> str | None:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value else None


def save_parquet(graph: nx.MultiDiGraph, path: Path) -> None:
    """Write the columnar folder next to its final place, then swap it in (never half written)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=".graph-"))
    try:
        node_rows = {c: [] for c in NODE_COLUMNS}
        # nodes and edges in the JSON file's order, so both forms load as the same graph
        # (ties in rankings follow insertion order)
        for n, data in sorted(graph.nodes(data=True)):
            node_rows["id"].append(n)
            node_rows["name"].append(data.get("name"))
            node_rows["type"].append(data.get("type"))
            node_rows["kind"].append(data.get("kind"))
            node_rows["attrs"].append(_dumps(data))
        pq.write_table(pa.table({c: pa.array(v, pa.string()) for c, v in node_rows.items()}), tmp / "nodes.parquet")

        edges = {c: [] for c in EDGE_COLUMNS}
        evidence = {c: [] for c in EVIDENCE_COLUMNS}
        ordered = sorted(graph.edges(keys=True, data=True), key=lambda e: (e[2], e[0], e[1]))
        for i, (h, t, key, data) in enumerate(ordered):
            edges["head"].append(h)
            edges["tail"].append(t)
            edges["type"].append(key)
            for c in EDGE_TYPED:
                edges[c].append(data.get(c))
            attrs = {k: v for k, v in data.items() if k not in ("type", "provenance", *EDGE_TYPED)}
            absent = [k for k in ("provenance", *EDGE_TYPED) if k not in data]
            if absent:
                attrs[ABSENT] = absent
            edges["attrs"].append(_dumps(attrs))
            for rec in data.get("provenance") or []:
                evidence["edge"].append(i)
                for c in EVIDENCE_KEYS:
                    evidence[c].append(rec.get(c))
                evidence["attrs"].append(_dumps({k: v for k, v in rec.items() if k not in EVIDENCE_KEYS}))
        edge_types = {"support": pa.int64(), "confidence": pa.float64(), "articles": pa.list_(pa.string())}
        pq.write_table(pa.table({c: pa.array(v, edge_types.get(c, pa.string())) if c != "type"
                                 else pa.array(v, pa.string()).dictionary_encode() for c, v in edges.items()}),
                       tmp / "edges.parquet")
        ev_types = {"edge": pa.int64(), "confidence": pa.float64()}
        pq.write_table(pa.table({c: pa.array(v, ev_types.get(c, pa.string())) for c, v in evidence.items()}),
                       tmp / "evidence.parquet")
        arts = graph.graph.get("articles", {})
        pq.write_table(pa.table({"id": pa.array(list(arts), pa.string()),
                                 "attrs": pa.array([_dumps(a) for a in arts.values()], pa.string())}),
                       tmp / "articles.parquet")
        meta = {k: v for k, v in graph.graph.items() if k != "articles"}
        (tmp / MANIFEST).write_text(json.dumps({"format": PARQUET_FORMAT, "version": PARQUET_VERSION, "meta": meta},
                                               ensure_ascii=False, indent=1), encoding="utf-8")
        _swap_in(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_in(tmp: Path, path: Path) -> None:
    if path.is_dir():
        old = path.with_name(f".{path.name}.old-{os.getpid()}")
        os.replace(path, old)
        os.replace(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
    else:
        if path.exists():
            path.unlink()
        os.replace(tmp, path)


def read_manifest(path: Path) -> dict:
    path = Path(path)
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GraphFileError(f"{path}: cannot read {MANIFEST} ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != PARQUET_FORMAT:
        raise GraphFileError(f"{path}: not a graphkit columnar graph ({MANIFEST} format "
                             f"{manifest.get('format') if isinstance(manifest, dict) else None!r})")
    if manifest.get("version") != PARQUET_VERSION:
        raise GraphFileError(f"{path}: columnar graph version {manifest.get('version')!r}; this graphkit reads "
                             f"version {PARQUET_VERSION}")
    return manifest


def read_table(path: Path, name: str, columns) -> dict:
    """{column: python list} of the named table, only `columns`; GraphFileError on a bad file."""
    import pyarrow.parquet as pq

    file = Path(path) / f"{name}.parquet"
    try:
        table = pq.read_table(file, columns=list(columns))
    except FileNotFoundError:
        raise GraphFileError(f"{path}: {name}.parquet is missing") from None
    except Exception as exc:  # pyarrow raises ArrowInvalid, KeyError-like errors, OSError
        raise GraphFileError(f"{path}: {name}.parquet unreadable or lacks columns {list(columns)} "
                             f"({' '.join(str(exc).split())[:160]})") from None
    return table


def _loads_all(texts: list) -> list:
    """json.loads of every item (None -> {}), parsed as one array: one C call, not millions."""
    return json.loads("[" + ",".join(t or "{}" for t in texts) + "]")


def load_parquet(path: Path) -> nx.MultiDiGraph:
    """The whole graph, as graph.load_graph returns it from JSON."""
    path = Path(path)
    manifest = read_manifest(path)
    nodes = read_table(path, "nodes", ("id", "attrs")).to_pydict()
    edges = read_table(path, "edges", EDGE_COLUMNS).to_pydict()
    evidence = read_table(path, "evidence", EVIDENCE_COLUMNS).to_pydict()
    articles = read_table(path, "articles", ("id", "attrs")).to_pydict()
    try:
        graph = nx.MultiDiGraph(**manifest.get("meta", {}),
                                articles=dict(zip(articles["id"], _loads_all(articles["attrs"]))))
        graph.add_nodes_from(zip(nodes["id"], _loads_all(nodes["attrs"])))
        provenance = [[] for _ in edges["head"]]
        extra = evidence["attrs"]
        columns = [evidence[c] for c in EVIDENCE_KEYS]
        for i, (edge, *values) in enumerate(zip(evidence["edge"], *columns)):
            if edge is None or not 0 <= edge < len(provenance):
                raise GraphFileError(f"evidence row {i} names edge {edge!r}, which edges.parquet does not have")
            rec = dict(zip(EVIDENCE_KEYS, values))
            if extra[i]:
                rec.update(json.loads(extra[i]))
            provenance[edge].append(rec)
        typed = [edges[c] for c in EDGE_TYPED]

        add_edge = graph.add_edge  # one call per edge: add_edges_from is slower for a multigraph
        for i, (h, t, key, attrs, *values) in enumerate(zip(edges["head"], edges["tail"], edges["type"],
                                                           _loads_all(edges["attrs"]), *typed)):
            data = {"type": key, **dict(zip(EDGE_TYPED, values)), "provenance": provenance[i], **attrs}
            for absent in data.pop(ABSENT, ()):
                del data[absent]
            add_edge(h, t, key, **data)
    except (TypeError, ValueError, AttributeError) as exc:
        raise GraphFileError(f"{path}: malformed columnar graph ({exc})") from None
    except GraphFileError as exc:
        raise GraphFileError(f"{path}: {exc}") from None
    check_graph(graph, path, node_ids=nodes["id"])
    return graph


def check_columns(path, support, confidence) -> None:
    """check_graph's number rules on edge columns (numpy arrays; a missing value is NaN and
    counts as absent, as an absent attribute does in the graph)."""
    for field, values in (("support", support), ("confidence", confidence)):
        bad = np.flatnonzero(np.isinf(values) | (values < 0))
        if len(bad):
            value = float(values[bad[0]])
            shown = int(value) if field == "support" and value.is_integer() else value
            raise GraphFileError(f"{path}: edge row {bad[0]}: {field} {shown!r} is not a number >= 0")


def _bad_number(value) -> bool:
    return not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value) or \
        math.isinf(value) or value < 0


def check_graph(graph: nx.MultiDiGraph, path, node_ids=None) -> None:
    """One GraphFileError for the first problem: an edge end that is no node, NaN or negative
    support/confidence on an edge or one of its evidence records."""
    known = set(node_ids) if node_ids is not None else None
    for h, t, key, data in graph.edges(keys=True, data=True):
        where = f"edge {key} {h!r}->{t!r}"
        if known is not None and (h not in known or t not in known):
            missing = h if h not in known else t
            raise GraphFileError(f"{path}: {where}: end {missing!r} is not a node of the graph")
        for field in ("support", "confidence"):
            if field in data and data[field] is not None and _bad_number(data[field]):
                raise GraphFileError(f"{path}: {where}: {field} {data[field]!r} is not a number >= 0")
        for rec in data.get("provenance") or ():
            conf = rec.get("confidence")
            if conf is not None and _bad_number(conf):
                raise GraphFileError(f"{path}: {where}: article {rec.get('article')!r} has confidence {conf!r}")
