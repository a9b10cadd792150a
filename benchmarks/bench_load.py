"""Benchmark `graphkit.store.load_graph` on a generated graph against a real Neo4j server.

Generates, in-process and seeded, a graph in the graph-file format ("graphkit-graph/1")
with --nodes entities, --articles articles and --edges typed edges (plus the MENTIONS
each node's `articles` list implies), loads it under a private id prefix, loads it again
(the idempotent re-load), prints relationships/s for both and the loader's peak memory,
then deletes everything under the prefix.

    NEO4J_PASSWORD=... python benchmarks/bench_load.py                 # 100k nodes, 1M edges
    NEO4J_PASSWORD=... python benchmarks/bench_load.py --edges 100000  # quick run

Peak memory: the process's max RSS (resource.getrusage) after generating the graph and
after the loads; the difference is what the loader added on top of the graph it was given.
--trace-memory also reports tracemalloc's peak of what Python allocated during the loads
(tracing slows the loader down, so its run's speed figures are not comparable).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import secrets
import sys
import time
import tracemalloc

from graphkit.model import RelationType
from graphkit.neo4j import DEFAULT_BATCH_SIZE, DEFAULT_WRITERS, Neo4jSettings, connect, count_graph, delete_prefixed, load_graph

TYPE_WEIGHTS = {RelationType.PARTNERS_WITH: 40, RelationType.DEPLOYS_ON: 15, RelationType.SUPPLIES: 12,
                RelationType.INVESTS_IN: 8, RelationType.INCUBATES: 6, RelationType.SUBSIDIARY_OF: 6,
                RelationType.PRODUCT_OF: 5, RelationType.OPERATES: 4, RelationType.JOINT_VENTURE_OF: 4}
KINDS = ["carmaker", "cloud", "internet", "supplier", "investor", "incubator", "chipmaker"]
WORDS = "partnership cloud platform vehicle 合作 宝马 阿里云 Partnerschaft Plattform Облако партнёрство".split()


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def generate(n_nodes: int, n_articles: int, n_edges: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    articles = [{"id": f"a{i:07d}", "lang": rng.choice(["zh", "de", "ru", "en"]), "title": f"Article {i}",
                 "published": f"20{rng.randint(15, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                 "source": f"gen/a{i:07d}.txt", "sha256": f"{rng.getrandbits(256):064x}"} for i in range(n_articles)]
    types = ["Organization"] * 8 + ["Product", "Program"]
    nodes = []
    for i in range(n_nodes):
        name = f"Company {i}"
        nodes.append({"id": f"n{i:07d}", "name": name, "type": rng.choice(types), "kind": rng.choice(KINDS),
                      "country": rng.choice(["CN", "DE", "RU", "US"]), "parent": None, "wikidata": None,
                      "names": {"en": name, "zh": f"公司{i}"}, "aliases": [name, f"公司{i}"],
                      "articles": sorted({articles[rng.randrange(n_articles)]["id"] for _ in range(rng.randint(1, 2))}),
                      "confidence": 1.0})
    rtypes, weights = list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values())
    seen, edges = set(), []
    while len(edges) < n_edges:
        rtype = rng.choices(rtypes, weights)[0]
        h, t = rng.randrange(n_nodes), rng.randrange(n_nodes)
        if h == t:
            continue
        if rtype is RelationType.PARTNERS_WITH and t < h:
            h, t = t, h
        key = (rtype, h, t)
        if key in seen:
            continue
        seen.add(key)
        prov = []
        for a in sorted({rng.randrange(n_articles) for _ in range(1 if rng.random() < 0.8 else 2)}):
            prov.append({"article": articles[a]["id"],
                         "evidence": " ".join(rng.choice(WORDS) for _ in range(12)),
                         "date": articles[a]["published"] if rng.random() < 0.7 else "",
                         "confidence": round(rng.uniform(0.4, 0.95), 3), "rule": "bench:generated"})
        dates = sorted(p["date"] for p in prov if p["date"])
        edges.append({"type": rtype.value, "head": f"n{h:07d}", "tail": f"n{t:07d}",
                      "symmetric": rtype is RelationType.PARTNERS_WITH, "provenance": prov,
                      "support": len(prov), "articles": [p["article"] for p in prov],
                      "evidence": [p["evidence"] for p in prov], "first_seen": dates[0] if dates else None,
                      "last_seen": dates[-1] if dates else None, "confidence": 0.0})
    return {"format": "graphkit-graph/1", "articles": articles, "nodes": nodes, "edges": edges}


def baseline(driver, graph: dict, batch_size: int, database: str) -> dict:
    """Bare `UNWIND $rows MATCH MATCH CREATE` of the same typed edges between the same nodes."""
    prefix = f"gkbase-{secrets.token_hex(4)}-"
    try:
        load_graph(driver, {**graph, "edges": []}, batch_size=batch_size, id_prefix=prefix, database=database)
        by_type = {}
        for e in graph["edges"]:
            by_type.setdefault(e["type"], []).append({"h": prefix + e["head"], "t": prefix + e["tail"]})
        t = time.perf_counter()
        for rtype, rows in by_type.items():
            query = (f"UNWIND $rows AS row MATCH (h:Entity {{id: row.h}}) MATCH (t:Entity {{id: row.t}}) "
                     f"CREATE (h)-[:{RelationType(rtype).value}]->(t)")
            for i in range(0, len(rows), batch_size):
                driver.execute_query(query, parameters_={"rows": rows[i:i + batch_size]}, database_=database)
        secs = time.perf_counter() - t
        print(f"baseline  : bare CREATE of {len(graph['edges'])} relationships in {secs:.1f}s = "
              f"{len(graph['edges']) / secs:,.0f} rel/s", flush=True)
        return {"seconds": round(secs, 1), "rel_per_s": round(len(graph["edges"]) / secs)}
    finally:
        delete_prefixed(driver, prefix, database=database, batch_size=2000)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--articles", type=int, default=20_000)
    ap.add_argument("--edges", type=int, default=1_000_000)
    ap.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    ap.add_argument("--writers", type=int, default=DEFAULT_WRITERS, help="writer threads of the loader")
    ap.add_argument("--trace-memory", action="store_true", help="also measure the loader's Python allocations "
                    "with tracemalloc (slows the loads)")
    ap.add_argument("--keep", action="store_true", help="do not delete the loaded data afterwards")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--baseline", action="store_true",
                    help="also time a bare CREATE of the same relationships (no properties, no MERGE): "
                         "the server's ceiling on this machine")
    args = ap.parse_args(argv)

    settings = Neo4jSettings.from_env()
    t0 = time.perf_counter()
    graph = generate(args.nodes, args.articles, args.edges)
    gen_s = time.perf_counter() - t0
    n_mentions = sum(len(n["articles"]) for n in graph["nodes"])
    rss_generated = max_rss_mb()
    print(f"generated {len(graph['nodes'])} entities, {len(graph['articles'])} articles, {len(graph['edges'])} edges, "
          f"{n_mentions} MENTIONS in {gen_s:.1f}s (max RSS {rss_generated:.0f} MB)", flush=True)

    if args.trace_memory:
        tracemalloc.start()  # from here on: what the loader allocates (the graph is already built)
    prefix = f"gkbench-{secrets.token_hex(4)}-"
    driver = connect(settings)
    results = {"nodes": len(graph["nodes"]) + len(graph["articles"]), "edges": len(graph["edges"]),
               "mentions": n_mentions, "batch_size": args.batch_size, "writers": args.writers, "cpus": os.cpu_count(),
               "python": platform.python_version()}
    try:
        for run in ("first_load", "reload"):
            t = time.perf_counter()
            counts = load_graph(driver, graph, batch_size=args.batch_size, id_prefix=prefix,
                                database=settings.database, writers=args.writers)
            secs = time.perf_counter() - t
            rels = counts.relationships + counts.mentions
            results[run] = {"seconds": round(secs, 1), "relationships": rels,
                            "rel_per_s": round(rels / secs), "edges_per_s": round(counts.relationships / secs),
                            "created": counts.relationships_created,
                            "steps_s": counts.seconds}
            print(f"{run:10s}: {rels} relationships ({counts.relationships} edges, {counts.relationships_created} new, "
                  f"+ {counts.mentions} MENTIONS), "
                  f"{counts.nodes} nodes in {secs:.1f}s = {rels / secs:,.0f} rel/s\n            steps (s): {counts.seconds}", flush=True)
        stored = count_graph(driver, prefix, settings.database)
        results["stored"] = {"nodes": stored["nodes"], "relationships": stored["relationships"],
                             "mentions": stored["MENTIONS"]}
        ok = stored["relationships"] == len(graph["edges"]) and stored["MENTIONS"] == n_mentions
        print(f"stored    : {stored['nodes']} nodes, {stored['relationships']} edges, {stored['MENTIONS']} MENTIONS "
              f"({'as generated' if ok else 'MISMATCH'})")
        rss_after = max_rss_mb()  # before the baseline, which holds rows of its own
        if args.trace_memory:
            traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            results["loader_peak_traced_mb"] = round(traced_peak)
            print(f"memory    : loader peak {traced_peak:.0f} MB allocated by Python (tracemalloc, both loads)")
        if args.baseline:
            results["baseline_create"] = baseline(driver, graph, args.batch_size, settings.database)
        results["max_rss_mb_after_generate"] = round(rss_generated)
        results["max_rss_mb_after_loads"] = round(rss_after)
        results["loader_peak_extra_mb"] = round(rss_after - rss_generated)
        print(f"memory    : max RSS {rss_after:.0f} MB after the loads, {rss_after - rss_generated:.0f} MB above the "
              f"generated graph ({rss_generated:.0f} MB)")
    finally:
        if not args.keep:
            t = time.perf_counter()
            deleted = delete_prefixed(driver, prefix, database=settings.database, batch_size=2000)
            print(f"cleanup   : deleted {deleted} nodes under {prefix} in {time.perf_counter() - t:.1f}s")
        driver.close()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=2)
    return 0 if ok else 1


if __name__ == "__main__":
    from graphkit.errors import StoreError

    try:
        sys.exit(main())
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
