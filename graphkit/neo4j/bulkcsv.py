"""The CSV files of a bulk import (graphkit.neo4j.bulk): the plan's rows in neo4j-admin's format.

Edges are nearly all of the bytes (445 MB for a 1M-edge graph, 360 MB of them edges), so on
a large graph their file is written in parts by worker processes forked from this one: a
forked worker reads the plan in its copy of the parent's memory, so nothing but each part's
counts travels between processes. Meanwhile this process writes the nodes and `MENTIONS`.
The importer reads the parts of one `--relationships` group as one file, header in the
first part; the bytes are the same for any number of parts (tests/test_bulk_csv.py).
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from graphkit.errors import StoreError
from graphkit.neo4j.plan import LANGS, LoadPlan, WriteCounts, new_entity_props

__all__ = ["ARRAY_DELIMITER", "BulkCounts", "ImportFiles", "write_import_csv", "edge_parts", "without_gc"]

ARRAY_DELIMITER = "\x1f"  # ASCII unit separator: not in any text graphkit extracts
PARALLEL_MIN_EDGES = 50_000  # below this a worker process costs more than it saves


BulkCounts = WriteCounts  # what the bulk load wrote (every row is new to the empty store)


@dataclass
class ImportFiles:
    """The CSV files of one import and what the importer needs to be told about them."""

    nodes: list  # paths, one --nodes each
    relationships: list  # groups of paths, one --relationships each (the parts of one file: header in the first)
    multiline: bool  # some field holds a line break
    counts: BulkCounts
    entities_without_aliases: list  # ids whose alias list CSV cannot express ([] or [""])
    blank_lists: dict  # relation type -> the lists ("evidence", "dates", "rules") some one-item edge has as [""]


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _array(values: list, what: str) -> str:
    for v in values:
        if ARRAY_DELIMITER in v:
            raise StoreError(f"{what}: a value holds the control character U+001F, which the bulk import "
                             "uses between list items; load without --bulk")
    return _quote(ARRAY_DELIMITER.join(values))


def _scalar(value) -> str:
    """One CSV field: strings quoted (so "" stays an empty string), None empty (no property)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        raise StoreError(f"value {value!r} cannot be imported")
    return repr(value)


_TYPE_NAMES = {str: "string", int: "long", float: "double", bool: "boolean"}


def _column_type(name: str, values: list) -> str:
    kinds = {type(v) for v in values if v is not None}
    if len(kinds) > 1 or (kinds and next(iter(kinds)) not in _TYPE_NAMES):
        raise StoreError(f"article property {name!r} holds values of type(s) "
                         f"{sorted(k.__name__ for k in kinds)}: the bulk import takes one of str, int, float, bool")
    return _TYPE_NAMES[kinds.pop()] if kinds else "string"


ENTITY_COLUMNS = ["name", *(f"name_{lang}" for lang in LANGS), "kind", "country", "wikidata", "parent"]
EDGE_HEADER = (":START_ID(Entity),:END_ID(Entity),:TYPE,key,articles:string[],evidence:string[],dates:string[],"
               "confidences:double[],rules:string[],support:long,confidence:double,first_seen,last_seen")


# --------------------------------------------------------------------------- edges

def _edge_line(row: dict, type_field: str) -> str:
    """An edge's line, refusing U+001F inside a list item."""
    p = row["props"]
    what = f"edge {row['key']!r}"
    return ",".join([_quote(row["head"]), _quote(row["tail"]), type_field, _quote(row["key"]),
                     _array(p["articles"], what), _array(p["evidence"], what), _array(p["dates"], what),
                     _quote(ARRAY_DELIMITER.join(map(repr, p["confidences"]))),
                     _array(p["rules"], what), str(p["support"]), repr(p["confidence"]),
                     _scalar(p.get("first_seen")), _scalar(p.get("last_seen"))])


def _write_edges(plan: LoadPlan, path: Path, spans: list, header: bool) -> tuple:
    """Write the edges of spans [(relation type, start, stop) over plan.edge_order[type]] to
    path. Returns (edges written, any line break inside a field, blank lists by type)."""
    written, multiline, blank_lists = 0, False, {}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        if header:
            fh.write(EDGE_HEADER + "\n")
        for rtype, start, stop in spans:
            type_field = _quote(rtype.value)
            order = plan.edge_order[rtype]
            for begin in range(start, stop, 5000):
                lines = []
                for i in order[begin:min(stop, begin + 5000)]:
                    row = plan.edge_row(i)
                    p = row["props"]
                    if len(p["articles"]) == 1 and not (p["evidence"][0] and p["dates"][0] and p["rules"][0]):
                        blank_lists.setdefault(rtype, set()).update(
                            name for name in ("evidence", "dates", "rules") if not p[name][0])
                    lines.append(_edge_line(row, type_field))
                text = "\n".join(lines) + "\n"
                multiline = multiline or text.count("\n") != len(lines) or "\r" in text
                fh.write(text)
                written += len(lines)
    return written, multiline, blank_lists


def edge_parts(n_edges: int, folder: Path, parts: Optional[int] = None) -> int:
    """How many files (and processes) the edges are written in: one per core on a large graph,
    one on a small graph, where fork() is missing, or when the folder's path holds a comma
    (the importer splits a group's file list at commas)."""
    if parts is None:
        parts = (os.cpu_count() or 1) if n_edges >= PARALLEL_MIN_EDGES else 1
    if parts > 1 and ("fork" not in multiprocessing.get_all_start_methods() or "," in str(folder)):
        parts = 1
    return max(1, min(parts, n_edges))


def _split(plan: LoadPlan, parts: int) -> list:
    """The edges in plan order cut into `parts` runs of about equal length, as spans."""
    total = plan.n_edges
    bounds = [total * k // parts for k in range(parts + 1)]
    spans: list = [[] for _ in range(parts)]
    offset = 0
    for rtype, order in plan.edge_order.items():
        for k in range(parts):
            start, stop = max(bounds[k], offset) - offset, min(bounds[k + 1], offset + len(order)) - offset
            if start < stop:
                spans[k].append((rtype, start, stop))
        offset += len(order)
    return spans


_FORKED_PLAN: Optional[LoadPlan] = None  # what a forked edge writer reads (set only around the fork)


def _write_edges_forked(path: Path, spans: list, header: bool) -> tuple:
    return _write_edges(_FORKED_PLAN, path, spans, header)


@contextmanager
def without_gc():
    """Python's cyclic collector paused: it would otherwise walk the whole graph (millions of
    objects, none of them garbage) again and again as the rows are made."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --------------------------------------------------------------------------- the files

def write_import_csv(plan: LoadPlan, folder: Path, parts: Optional[int] = None) -> ImportFiles:
    """Write entities.csv, articles.csv, the edges (edges.csv, and edges-1.csv ... when written
    in parts) and mentions.csv into folder. parts: edge files and processes (default:
    edge_parts)."""
    global _FORKED_PLAN
    folder = Path(folder)
    parts = edge_parts(plan.n_edges, folder, parts)
    spans = _split(plan, parts)
    edge_files = [folder / ("edges.csv" if k == 0 else f"edges-{k}.csv") for k in range(parts)]
    with without_gc():
        if parts == 1:
            nodes = _write_nodes(plan, folder)
            edges = [_write_edges(plan, edge_files[0], spans[0], True)]
            mentions = _write_mentions(plan, folder)
        else:
            _FORKED_PLAN = plan
            try:
                with ProcessPoolExecutor(parts, mp_context=multiprocessing.get_context("fork")) as pool:
                    pending = [pool.submit(_write_edges_forked, path, part, k == 0)
                               for k, (path, part) in enumerate(zip(edge_files, spans))]
                    _FORKED_PLAN = None  # the workers hold their copy
                    try:
                        nodes = _write_nodes(plan, folder)
                        mentions = _write_mentions(plan, folder)
                    except BaseException:
                        wait(pending)  # this error, not a worker's, is the one to report
                        raise
                    edges = [job.result() for job in pending]  # a worker's error is raised here
            finally:
                _FORKED_PLAN = None
    counts, multiline, no_aliases = nodes
    blank_lists: dict = {}
    for written, broken, blanks in edges:
        counts.relationships += written
        multiline = multiline or broken
        for rtype, names in blanks.items():
            blank_lists.setdefault(rtype, set()).update(names)
    counts.mentions = mentions
    return ImportFiles([folder / "entities.csv", folder / "articles.csv"], [edge_files, [folder / "mentions.csv"]],
                       multiline, counts, no_aliases, blank_lists)


def _edge_ends(plan: LoadPlan) -> set:
    """Every node id an edge of the plan starts or ends at (plan.edge_ends, without the
    symmetric swap, which does not change the set)."""
    edges, ends = plan.edges, set()
    for order in plan.edge_order.values():
        ends.update(edges[i]["head"] for i in order)
        ends.update(edges[i]["tail"] for i in order)
    return {plan.prefix + end for end in ends}


def _write_nodes(plan: LoadPlan, folder: Path) -> tuple:
    """entities.csv and articles.csv: (counts, multiline, entities without aliases)."""
    counts = BulkCounts()
    multiline = False
    ends = _edge_ends(plan)
    mentioned = {eid for ids in plan.mentions.values() for eid in ids}
    entity_ids = set()

    no_aliases = []
    with open(folder / "entities.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write("id:ID(Entity),:LABEL," + ",".join(ENTITY_COLUMNS) + ",aliases:string[],confidence:double\n")
        for etype, rows in plan.entities.items():
            labels = _quote(f"Entity{ARRAY_DELIMITER}{etype.value}")
            for row in rows:
                if row["id"] not in ends and row["id"] not in mentioned:
                    continue  # the incremental loader's sweep removes such an entity too
                if row["id"] in entity_ids:
                    raise StoreError(f"node {row['id']!r} appears twice in the graph file")
                entity_ids.add(row["id"])
                props = new_entity_props(row)
                if not [a for a in props["aliases"] if a]:
                    no_aliases.append((row["id"], props["aliases"]))
                line = ",".join([_quote(row["id"]), labels, *(_scalar(props.get(c)) for c in ENTITY_COLUMNS),
                                 _array(props["aliases"], f"node {row['id']!r}"), _scalar(props["confidence"])])
                multiline = multiline or "\n" in line or "\r" in line
                fh.write(line + "\n")
                counts.entities += 1

    absent = ends - entity_ids
    if absent:
        raise StoreError(f"{len(absent)} edge end(s) are not nodes of the graph file, e.g. {sorted(absent)[0]!r}: "
                         "is the graph file complete?")

    with open(folder / "articles.csv", "w", encoding="utf-8", newline="") as fh:
        keys = sorted({k for a in plan.articles for k in a["props"] if k != "id"})
        types = {k: _column_type(k, [a["props"].get(k) for a in plan.articles]) for k in keys}
        fh.write("id:ID(Article),:LABEL," + "".join(f"{k}:{types[k]}," for k in keys) + "edge_keys:string[]\n")
        for a in plan.articles:
            edge_keys = list(dict.fromkeys(plan.article_edge_keys.get(a["id"], [])))
            line = ",".join([_quote(a["id"]), '"Article"', *(_scalar(a["props"].get(k)) for k in keys),
                             _array(edge_keys, f"article {a['id']!r}")])
            multiline = multiline or "\n" in line or "\r" in line
            fh.write(line + "\n")
            counts.articles += 1
    return counts, multiline, no_aliases


def _write_mentions(plan: LoadPlan, folder: Path) -> int:
    written = 0
    with open(folder / "mentions.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write(":START_ID(Article),:END_ID(Entity),:TYPE\n")
        for aid, entity_ids_of in plan.mentions.items():
            a = _quote(aid)
            fh.write("".join(f'{a},{_quote(eid)},"MENTIONS"\n' for eid in entity_ids_of))
            written += len(entity_ids_of)
    return written
