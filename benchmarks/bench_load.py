"""Benchmark graphkit's Neo4j loaders on a generated graph against a real Neo4j server.

Generates, in-process and seeded, a graph in the graph-file format ("graphkit-graph/1")
with --nodes entities, --articles articles and --edges typed edges (plus the MENTIONS
each node's `articles` list implies), loads it under a private id prefix, loads it again
(the idempotent re-load), prints relationships/s for both and the loader's peak memory,
then deletes everything under the prefix.

    NEO4J_PASSWORD=... python benchmarks/bench_load.py                 # 100k nodes, 1M edges
    NEO4J_PASSWORD=... python benchmarks/bench_load.py --edges 100000  # quick run
    python benchmarks/bench_load.py --private-server --baseline --bulk --edges 200000 --nodes 20000 --articles 4000

--private-server starts a Neo4j of its own (the bundled distribution, through
shared/tools/neo4j-local.sh, in a temporary NEO4J_HOME on free ports; stopped and deleted at
the end) and runs everything on it. --baseline times a bare CREATE of the same
relationships (no properties) on the same server: the reference the ratios are against;
then the same CREATE writing the loader's properties (rows built beforehand), a second
reference that separates what the properties cost the server from what the loader adds.
--bulk then empties the database and fills it again with `graphkit load --bulk`'s importer
(graphkit.neo4j.bulk; needs --private-server, or --neo4j-home of the NEO4J_URI server with
an empty database). Ratios printed: loader rel/s / bare CREATE rel/s.

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

import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from graphkit.model import RelationType
from graphkit.neo4j import (DEFAULT_BATCH_SIZE, DEFAULT_WRITERS, Neo4jSettings, connect, count_graph, delete_prefixed,
                            load_graph, make_plan)
from graphkit.neo4j.bulk import bulk_import

ROOT = Path(__file__).resolve().parent.parent

TYPE_WEIGHTS = {RelationType.PARTNERS_WITH: 40, RelationType.DEPLOYS_ON: 15, RelationType.SUPPLIES: 12,
                RelationType.INVESTS_IN: 8, RelationType.INCUBATES: 6, RelationType.SUBSIDIARY_OF: 6,
                RelationType.PRODUCT_OF: 5, RelationType.OPERATES: 4, RelationType.JOINT_VENTURE_OF: 4}
KINDS = ["carmaker", "cloud", "internet", "supplier", "investor", "incubator", "chipmaker"]
WORDS = "partnership cloud platform vehicle 合作 宝马 阿里云 Partnerschaft Plattform Облако партнёрство".split()


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def load_avg() -> str:
    """The 1-min load average, printed beside each figure (the cores are shared)."""
    return f"[load average {os.getloadavg()[0]:.1f}]"


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


def warm(driver, database: str, n_edges: int) -> None:
    """Load a small graph of the same shape under a scratch prefix, and delete it."""
    prefix = f"gkwarm-{secrets.token_hex(4)}-"
    t = time.perf_counter()
    try:
        load_graph(driver, generate(max(10, n_edges // 10), max(2, n_edges // 50), n_edges, seed=11),
                   id_prefix=prefix, database=database)
    finally:
        delete_prefixed(driver, prefix, database=database, batch_size=5000)
    print(f"warm-up   : loaded and deleted {n_edges} edges in {time.perf_counter() - t:.1f}s", flush=True)


def run_bulk(graph: dict, settings: Neo4jSettings, home: Path, prefix: str) -> dict:
    """Empty the database, then time bulk_import of the same graph into it."""
    driver = connect(settings)
    try:
        delete_prefixed(driver, prefix, database=settings.database, batch_size=5000)
        left = driver.execute_query("MATCH (n) RETURN count(n) AS n", database_=settings.database).records[0]["n"]
        if left:
            raise SystemExit(f"error: --bulk needs an empty database; {left} nodes are not the benchmark's")
    finally:
        driver.close()
    t = time.perf_counter()
    counts = bulk_import(graph, home, settings, prefix)
    secs = time.perf_counter() - t
    driver = connect(settings)
    try:
        stored = count_graph(driver, prefix, settings.database)
    finally:
        driver.close()
    as_generated = (stored["relationships"] == len(graph["edges"])
                    and stored["MENTIONS"] == sum(len(n["articles"]) for n in graph["nodes"]))
    print(f"stored    : {stored['nodes']} nodes, {stored['relationships']} edges, {stored['MENTIONS']} MENTIONS "
          f"after the bulk import ({'as generated' if as_generated else 'MISMATCH'})")
    rels = counts.relationships + counts.mentions
    s = counts.seconds
    print(f"bulk      : {rels} relationships ({counts.relationships} edges + {counts.mentions} MENTIONS), "
          f"{counts.nodes} nodes in {secs:.1f}s = {rels / secs:,.0f} rel/s end to end; the importer alone "
          f"{s['import']:.1f}s = {rels / s['import']:,.0f} rel/s {load_avg()}\n            steps (s): {s}", flush=True)
    return {"seconds": round(secs, 1), "relationships": rels, "rel_per_s": round(rels / secs),
            "import_rel_per_s": round(rels / s["import"]), "steps_s": s, "as_generated": as_generated}


def _ratios_against(results: dict, reference: float) -> list:
    """'first load 0.42x', ... : each loader's rel/s over the reference's."""
    parts = [f"{label} {results[which]['rel_per_s'] / reference:.2f}x"
             for which, label in (("first_load", "first load"), ("reload", "re-load")) if which in results]
    if "bulk" in results:
        parts += [f"bulk end to end {results['bulk']['rel_per_s'] / reference:.2f}x",
                  f"bulk importer alone {results['bulk']['import_rel_per_s'] / reference:.2f}x"]
    return parts


def print_ratios(results: dict) -> None:
    base = results.get("baseline_create", {}).get("rel_per_s")
    if not base:
        return
    parts = results["ratios_vs_bare_create"] = _ratios_against(results, base)
    print(f"ratios    : rel/s vs bare CREATE ({base:,} rel/s, same server, same run): " + ", ".join(parts), flush=True)
    same = results["baseline_create"].get("same_properties_rel_per_s")
    if same:
        parts = results["ratios_vs_same_properties_create"] = _ratios_against(results, same)
        print(f"ratios    : rel/s vs the same CREATE with the loader's properties ({same:,} rel/s): "
              + ", ".join(parts), flush=True)


def baseline(driver, graph: dict, batch_size: int, database: str, same_properties: bool = True) -> dict:
    """Bare `UNWIND $rows MATCH MATCH CREATE` of the same typed edges between the same nodes
    (the reference), then the same query writing the properties the loader writes (rows
    built before the clock starts): what the properties alone cost the server."""
    prefix = f"gkbase-{secrets.token_hex(4)}-"
    try:
        load_graph(driver, {**graph, "edges": []}, batch_size=batch_size, id_prefix=prefix, database=database)
        by_type = {}
        for e in graph["edges"]:
            by_type.setdefault(e["type"], []).append({"h": prefix + e["head"], "t": prefix + e["tail"]})

        def create(query: str, rows_by_type: dict) -> float:
            t = time.perf_counter()
            for rtype, rows in rows_by_type.items():
                q = query.replace("TYPE", RelationType(rtype).value)
                for i in range(0, len(rows), batch_size):
                    driver.execute_query(q, parameters_={"rows": rows[i:i + batch_size]}, database_=database)
            return time.perf_counter() - t

        match = "UNWIND $rows AS row MATCH (h:Entity {id: row.h}) MATCH (t:Entity {id: row.t}) "
        secs = create(match + "CREATE (h)-[:TYPE]->(t)", by_type)
        print(f"baseline  : bare CREATE of {len(graph['edges'])} relationships in {secs:.1f}s = "
              f"{len(graph['edges']) / secs:,.0f} rel/s {load_avg()}", flush=True)
        result = {"seconds": round(secs, 1), "rel_per_s": round(len(graph["edges"]) / secs)}
        if not same_properties:
            return result
        plan = make_plan(graph, prefix)
        with_props = {rtype.value: [{"h": row["head"], "t": row["tail"], "props": row["props"]}
                                    for row in map(plan.edge_row, order)] for rtype, order in plan.edge_order.items()}
        same = create(match + "CREATE (h)-[r:TYPE]->(t) SET r = row.props", with_props)
        sizes = [len(row["props"]) for rows in with_props.values() for row in rows]
        print(f"reference : the same CREATE with the loader's properties ({min(sizes)}-{max(sizes)} per edge, "
              f"{sum(sizes) / len(sizes):.1f} on average) in {same:.1f}s = {len(graph['edges']) / same:,.0f} rel/s "
              f"{load_avg()}",
              flush=True)
        return {**result, "same_properties_seconds": round(same, 1),
                "same_properties_rel_per_s": round(len(graph["edges"]) / same)}
    finally:
        delete_prefixed(driver, prefix, database=database, batch_size=2000)


def _local_sh() -> Path:
    for d in ROOT.parents:
        if (d / "shared" / "tools" / "neo4j-local.sh").is_file():
            return d / "shared" / "tools" / "neo4j-local.sh"
    raise SystemExit("error: shared/tools/neo4j-local.sh not found beside the checkout or its parents")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def private_server(heap: str, pagecache: str):
    """(settings, home) of a Neo4j started for this run; stopped and deleted afterwards."""
    home = Path(tempfile.mkdtemp(prefix="gkbench-neo4j-")) / "home"
    bolt, password = _free_port(), "gkbench-" + secrets.token_hex(6)
    env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_BOLT_PORT=str(bolt), NEO4J_HTTP_PORT=str(_free_port()),
               NEO4J_PASSWORD=password, NEO4J_HEAP=heap, NEO4J_PAGECACHE=pagecache, NEO4J_APOC="0")
    env.pop("NEO4J_CONF", None)
    try:
        subprocess.run(["bash", str(_local_sh()), "start"], env=env, check=True, capture_output=True, timeout=300)
        print(f"server    : private Neo4j in {home} on bolt port {bolt} (heap {heap}, page cache {pagecache})", flush=True)
        yield Neo4jSettings(uri=f"bolt://127.0.0.1:{bolt}", user="neo4j", password=password), home
    finally:
        subprocess.run(["bash", str(_local_sh()), "stop"], env=env, capture_output=True, timeout=120)
        shutil.rmtree(home.parent, ignore_errors=True)


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
    ap.add_argument("--warmup", type=int, default=None, help="edges of a graph loaded and deleted before the "
                    "timed runs, so a freshly started server's JIT warm-up is not counted (0: none; default: as many "
                    "as --edges, at most 200,000: the baseline runs after both loads, on a server that has "
                    "written at least that much)")
    ap.add_argument("--private-server", action="store_true", help="start a Neo4j of its own for the run")
    ap.add_argument("--heap", default="2g", help="heap of the private server")
    ap.add_argument("--pagecache", default="2g", help="page cache of the private server")
    ap.add_argument("--bulk", action="store_true", help="also time the bulk importer into the emptied database")
    ap.add_argument("--neo4j-home", help="installation of the NEO4J_URI server (for --bulk without --private-server)")
    ap.add_argument("--bare-only", action="store_true", help="with --baseline: only the bare CREATE, not the "
                    "same CREATE writing the loader's properties")
    ap.add_argument("--skip-incremental", action="store_true", help="leave out the first load and the re-load "
                    "(for quick --baseline --bulk runs)")
    args = ap.parse_args(argv)
    if args.bulk and not (args.private_server or args.neo4j_home):
        ap.error("--bulk needs --private-server or --neo4j-home")
    if args.private_server:
        with private_server(args.heap, args.pagecache) as (settings, home):
            return run(args, settings, home)
    return run(args, Neo4jSettings.from_env(), Path(args.neo4j_home) if args.neo4j_home else None)


def run(args, settings: Neo4jSettings, home) -> int:
    t0 = time.perf_counter()
    graph = generate(args.nodes, args.articles, args.edges)
    gen_s = time.perf_counter() - t0
    n_mentions = sum(len(n["articles"]) for n in graph["nodes"])
    rss_generated = max_rss_mb()
    print(f"generated {len(graph['nodes'])} entities, {len(graph['articles'])} articles, {len(graph['edges'])} edges, "
          f"{n_mentions} MENTIONS in {gen_s:.1f}s (max RSS {rss_generated:.0f} MB)", flush=True)

    prefix = f"gkbench-{secrets.token_hex(4)}-"
    driver = connect(settings)
    warmup = min(args.edges, 200_000) if args.warmup is None else args.warmup
    if warmup:
        warm(driver, settings.database, warmup)
    if args.trace_memory:
        tracemalloc.start()  # from here on: what the loader allocates (the graph is already built)
    results = {"nodes": len(graph["nodes"]) + len(graph["articles"]), "edges": len(graph["edges"]),
               "mentions": n_mentions, "batch_size": args.batch_size, "writers": args.writers, "cpus": os.cpu_count(),
               "python": platform.python_version()}
    ok = True
    try:
        for which in () if args.skip_incremental else ("first_load", "reload"):
            t = time.perf_counter()
            counts = load_graph(driver, graph, batch_size=args.batch_size, id_prefix=prefix,
                                database=settings.database, writers=args.writers)
            secs = time.perf_counter() - t
            rels = counts.relationships + counts.mentions
            results[which] = {"seconds": round(secs, 1), "relationships": rels,
                            "rel_per_s": round(rels / secs), "edges_per_s": round(counts.relationships / secs),
                            "created": counts.relationships_created,
                            "steps_s": counts.seconds}
            print(f"{which:10s}: {rels} relationships ({counts.relationships} edges, {counts.relationships_created} new, "
                  f"+ {counts.mentions} MENTIONS), "
                  f"{counts.nodes} nodes in {secs:.1f}s = {rels / secs:,.0f} rel/s {load_avg()}\n"
                  f"            steps (s): {counts.seconds}", flush=True)
        if not args.skip_incremental:
            stored = count_graph(driver, prefix, settings.database)
            results["stored"] = {"nodes": stored["nodes"], "relationships": stored["relationships"],
                                 "mentions": stored["MENTIONS"]}
            ok = stored["relationships"] == len(graph["edges"]) and stored["MENTIONS"] == n_mentions
            print(f"stored    : {stored['nodes']} nodes, {stored['relationships']} edges, {stored['MENTIONS']} "
                  f"MENTIONS ({'as generated' if ok else 'MISMATCH'})")
        rss_after = max_rss_mb()  # before the baseline, which holds rows of its own
        if args.trace_memory:
            traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            results["loader_peak_traced_mb"] = round(traced_peak)
            print(f"memory    : loader peak {traced_peak:.0f} MB allocated by Python (tracemalloc, both loads)")
        if args.baseline:
            results["baseline_create"] = baseline(driver, graph, args.batch_size, settings.database,
                                                  same_properties=not args.bare_only)
        if args.bulk:
            driver.close()
            driver = None
            results["bulk"] = run_bulk(graph, settings, home, prefix)
            ok = ok and results["bulk"]["as_generated"]
            driver = connect(settings)
        print_ratios(results)
        results["max_rss_mb_after_generate"] = round(rss_generated)
        results["max_rss_mb_after_loads"] = round(rss_after)
        results["loader_peak_extra_mb"] = round(rss_after - rss_generated)
        print(f"memory    : max RSS {rss_after:.0f} MB after the loads, {rss_after - rss_generated:.0f} MB above the "
              f"generated graph ({rss_generated:.0f} MB)")
    finally:
        if driver is None:
            driver = connect(settings)
        if not args.keep and not args.private_server:
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
