"""Every edge with every supporting article, offline, from the graph file.

One row per (edge, article): the edge (type, head, tail, support, confidence, confirmed)
and the article's id, title, date, URL or source path, its evidence sentence and the
confidence and rule of that one extraction. Nothing is capped: the graph keeps a
provenance record per article, and this lists them all.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .timewindow import Window

__all__ = ["EdgeQuery", "edge_rows", "TABLE_COLUMNS"]

# the columns a terminal table shows by default (every column with --wide or another format)
TABLE_COLUMNS = ("type", "head", "tail", "support", "date", "article_id", "evidence")


@dataclass(frozen=True)
class EdgeQuery:
    company: str | None = None  # node id (resolve names with analyze.find_node first)
    types: tuple = ()  # relation type values; empty = all
    window: Window = Window()


def _url(source: str | None) -> str | None:
    return source if source and source.startswith(("http://", "https://")) else None


def edge_rows(graph: nx.MultiDiGraph, query: EdgeQuery = EdgeQuery()) -> list:
    """Rows sorted by edge (type, head, tail) then article date and id."""
    articles = graph.graph.get("articles", {})
    names = lambda n: graph.nodes[n].get("name", n) if n in graph else n  # noqa: E731
    if query.company is not None:
        edges = list(graph.out_edges(query.company, keys=True, data=True))
        edges += [e for e in graph.in_edges(query.company, keys=True, data=True) if e[0] != query.company]
    else:
        edges = graph.edges(keys=True, data=True)
    rows = []
    for head, tail, rtype, data in edges:
        if query.types and rtype not in query.types:
            continue
        for record in data.get("provenance") or []:
            meta = articles.get(record["article"]) or {}
            date = record.get("date") or meta.get("published")
            if not query.window.holds(date):
                continue
            rows.append({
                "type": rtype,
                "head": names(head),
                "tail": names(tail),
                "head_id": head,
                "tail_id": tail,
                "support": data.get("support", 1),
                "edge_confidence": data.get("confidence"),
                "confirmed": bool(data.get("confirmed")),
                "article_id": record["article"],
                "title": meta.get("title"),
                "date": date,
                "published": meta.get("published"),
                "lang": meta.get("lang"),
                "url": _url(meta.get("source")),
                "source": meta.get("source"),
                "evidence": record.get("evidence"),
                "confidence": record.get("confidence"),
                "rule": record.get("rule"),
                "copies": [d["id"] for d in meta.get("duplicates") or []],
            })
    rows.sort(key=lambda r: (r["type"], r["head"], r["tail"], r["date"] or "", r["article_id"]))
    return rows
