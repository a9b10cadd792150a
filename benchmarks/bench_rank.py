"""Ranking benchmark: graphkit's analyze.rank per metric vs python-igraph, 10k-1M edges.

Synthetic scale-free-ish provenance multigraphs (Chung-Lu style: both ends of an edge
drawn from a Zipf-like weight over nodes, nodes = edges / 4, relation types mixed like
the real graph) carry the attributes analyze.rank reads: node name/type/kind/names; edge
type, support, confidence, first_seen/last_seen, articles, evidence. Each size is
generated once (seed 42) and pickled; every measurement then runs in a fresh subprocess
that unpickles the graph, notes its resident memory, runs one task and reports wall time
and peak RSS above that baseline (ru_maxrss - RSS before the task; tracemalloc would be
far too slow at 1M edges). A task over --timeout seconds is killed and reported as such.

Tasks per size:
  cli                  `python -m graphkit.cli rank --graph G.json --top 10` as a user runs it: JSON
                       load + rank + print; MB is that process's total peak RSS
  filter+collapse      analyze.filter_graph + analyze.collapse (what rank does first)
  rank:<metric>        analyze.rank(graph, RankOptions(metric=m, top=10)) end to end
  pagerank (scores)    analyze._scores(collapsed, "pagerank") alone
  igraph build         igraph.Graph from the collapsed graph's weighted edge list
  igraph pagerank      Graph.pagerank(weights="weight", damping=0.85), build excluded
  igraph betweenness   weights="distance"; exact when graphkit is exact (<= EXACT_BETWEENNESS_LIMIT
                       nodes), otherwise restricted to the same 500 seeded pivots graphkit
                       samples (sources=...), i.e. the same estimator in C
Top-10 agreement with igraph is printed for pagerank and betweenness.

    python benchmarks/bench_rank.py [--sizes 10000 100000 1000000] [--timeout 300] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = 42
TYPES = ["PARTNERS_WITH", "DEPLOYS_ON", "INCUBATES", "SUBSIDIARY_OF", "OPERATES", "PRODUCT_OF",
         "INVESTS_IN", "SUPPLIES", "JOINT_VENTURE_OF"]
TYPE_P = [0.5, 0.15, 0.05, 0.06, 0.03, 0.05, 0.06, 0.08, 0.02]
KINDS = ["carmaker", "cloud", "internet", "tech", "supplier", "chip", "telecom", "mobility", None]


def make_graph(n_edges: int, seed: int = SEED):
    """A MultiDiGraph with ~n_edges distinct (head, tail, type) edges in graphkit's shape."""
    import networkx as nx
    import numpy as np

    rng = np.random.default_rng(seed)
    n = max(100, n_edges // 4)
    p = (np.arange(1, n + 1, dtype=float)) ** -0.75
    p /= p.sum()
    m = int(n_edges * 1.15) + 100
    heads = rng.choice(n, size=m, p=p)
    tails = rng.permutation(n)[rng.choice(n, size=m, p=p)]  # hubs on the two ends differ
    types = rng.choice(len(TYPES), size=m, p=TYPE_P)
    keep = heads != tails
    heads, tails, types = heads[keep], tails[keep], types[keep]
    code = (heads.astype(np.int64) * n + tails) * len(TYPES) + types
    _, first = np.unique(code, return_index=True)
    first = np.sort(first)[:n_edges]
    heads, tails, types = heads[first], tails[first], types[first]
    support = rng.geometric(0.6, size=len(first))
    conf = np.round(rng.uniform(0.5, 1.0, size=len(first)), 2)
    year = rng.integers(2015, 2025, size=len(first))
    graph = nx.MultiDiGraph(articles={})
    graph.add_nodes_from(
        (f"n{i}", {"name": f"Org {i}", "type": "Organization" if i % 7 else "Product",
                   "kind": KINDS[i % len(KINDS)], "names": {}, "aliases": [], "articles": []})
        for i in range(n))
    graph.add_edges_from(
        (f"n{h}", f"n{t}", TYPES[k], {
            "type": TYPES[k], "support": int(s), "confidence": float(c),
            "first_seen": f"{y}-01-15", "last_seen": f"{y + int(s) - 1}-06-30",
            "articles": [f"a{j}" for j in range(int(s))], "evidence": ["synthetic evidence sentence"]})
        for h, t, k, s, c, y in zip(heads.tolist(), tails.tolist(), types.tolist(), support.tolist(),
                                    conf.tolist(), year.tolist()))
    return graph


# ---------------------------------------------------------------- worker side

def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _maxrss() -> int:
    """Peak RSS in bytes: VmHWM (resettable, see _reset_peak), else ru_maxrss."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _reset_peak() -> bool:
    """Linux >= 4.0: writing 5 to clear_refs resets VmHWM to the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _pivots(simple, k):
    """The pivots nx.betweenness_centrality(k=k, seed=SEED) samples (same RNG calls)."""
    return random.Random(SEED).sample(list(simple), k)


def _igraph_from(simple):
    import igraph as ig

    index = {n: i for i, n in enumerate(simple)}
    edges, weight, distance = [], [], []
    for u, v, d in simple.edges(data=True):
        edges.append((index[u], index[v]))
        weight.append(d["weight"])
        distance.append(d["distance"])
    g = ig.Graph(n=len(index), edges=edges, directed=False)
    g.es["weight"] = weight
    g.es["distance"] = distance
    return g, list(index)


def _top(scores: dict, n=10) -> list:
    return [k for k, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def worker(task: str, graph_path: str) -> dict:
    import gc

    import numpy  # noqa: F401  imports are not what is measured
    import scipy.sparse  # noqa: F401

    from graphkit import analyze

    with open(graph_path, "rb") as fh:
        graph = pickle.load(fh)
    prep = None
    if task in ("pagerank-scores", "igraph-build", "igraph-pagerank", "igraph-betweenness"):
        simple = analyze.collapse(analyze.filter_graph(graph))
        simple.remove_nodes_from([n for n in list(simple) if simple.degree(n) == 0])
        if task != "igraph-build":
            prep = _igraph_from(simple) if task.startswith("igraph-") else None
        del graph
    gc.collect()
    reset = _reset_peak()
    base_rss, base_max = _rss(), _maxrss()
    out = {"task": task}
    t0 = time.perf_counter()
    if task == "filter+collapse":
        analyze.collapse(analyze.filter_graph(graph))
    elif task.startswith("rank:"):
        result = analyze.rank(graph, analyze.RankOptions(metric=task[5:], top=10))
        out["top"] = [r["id"] for r in result.rows]
        out["notes"] = result.notes
    elif task == "pagerank-scores":
        out["top"] = _top(analyze._scores(simple, "pagerank", []))
    elif task == "igraph-build":
        _igraph_from(simple)
    elif task == "igraph-pagerank":
        g, names = prep
        pr = g.pagerank(weights="weight", damping=0.85)
        out["top"] = _top(dict(zip(names, pr)))
    elif task == "igraph-betweenness":
        g, names = prep
        n = g.vcount()
        if n > analyze.EXACT_BETWEENNESS_LIMIT:
            k = min(analyze.BETWEENNESS_SAMPLES, n)
            pos = {name: i for i, name in enumerate(names)}
            sources = [pos[p] for p in _pivots(simple, k)]
            bc = g.betweenness(directed=False, weights="distance", sources=sources)
            out["mode"] = f"{k} pivots"
        else:
            bc = g.betweenness(directed=False, weights="distance")
            out["mode"] = "exact"
        out["top"] = _top(dict(zip(names, bc)))
    else:
        raise SystemExit(f"unknown task {task}")
    out["seconds"] = time.perf_counter() - t0
    peak = _maxrss()
    out["peak_mb"] = (peak - base_rss) / 2**20
    out["peak_bounded"] = not reset and peak == base_max  # never above the loading peak: an upper bound
    out["graph_rss_mb"] = base_rss / 2**20
    return out


# ---------------------------------------------------------------- driver side

TASKS = ["cli", "filter+collapse"] + [f"rank:{m}" for m in ("pagerank", "degree", "betweenness", "eigenvector", "closeness", "composite")] + [
    "pagerank-scores", "igraph-build", "igraph-pagerank", "igraph-betweenness"]


def run_cli_rank(json_path: Path, timeout: float) -> dict:
    """`graphkit rank` end to end on the saved JSON graph: load, rank, print; the child's own peak RSS."""
    cmd = [sys.executable, "-m", "graphkit.cli", "rank", "--graph", str(json_path), "--top", "10", "--format", "csv"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:  # reap it ourselves: os.wait4 gives this child's rusage (maxrss)
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - t0 > timeout:
            proc.kill()
            os.wait4(proc.pid, 0)
            return {"task": "cli: graphkit rank", "timeout": timeout}
        time.sleep(0.05)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        return {"task": "cli: graphkit rank", "error": f"exit {proc.returncode}"}
    return {"task": "cli: graphkit rank", "seconds": seconds, "peak_mb": usage.ru_maxrss / 1024,
            "peak_bounded": False, "absolute": True}


def run_task(task: str, graph_path: Path, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--worker", task, "--graph-file", str(graph_path)]
    env = dict(os.environ, PYTHONHASHSEED="0")
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"task": task, "timeout": timeout}
    if proc.returncode != 0:
        return {"task": task, "error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _fmt(r: dict) -> tuple:
    if "timeout" in r:
        return (f"> {r['timeout']:.0f} (killed)", "–")
    if "error" in r:
        return ("error", r["error"][:60].replace("|", "/"))
    mem = f"{'≤ ' if r['peak_bounded'] else ''}{r['peak_mb']:.0f}{' (total)' if r.get('absolute') else ''}"
    return (f"{r['seconds']:.2f}", mem)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per task before it is killed")
    ap.add_argument("--tasks", nargs="+", default=TASKS)
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--graph-file", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.graph_file)))
        return 0
    import igraph
    import networkx

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-rank-") as tmp:
        for size in args.sizes:
            t0 = time.perf_counter()
            graph = make_graph(size)
            info = (graph.number_of_nodes(), graph.number_of_edges())
            path = Path(tmp) / f"g{size}.pickle"
            with open(path, "wb") as fh:
                pickle.dump(graph, fh, protocol=pickle.HIGHEST_PROTOCOL)
            del graph
            print(f"# {size} edges: {info[0]} nodes, {info[1]} edges, generated in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
            rows = {}
            if "cli" in args.tasks:
                from graphkit.graph import save_graph

                json_path = Path(tmp) / f"g{size}.json"
                with open(path, "rb") as fh:
                    save_graph(pickle.load(fh), json_path)
            for task in args.tasks:
                rows[task] = run_cli_rank(json_path, args.timeout) if task == "cli" else run_task(task, path, args.timeout)
                print(f"  {task:20s} {_fmt(rows[task])}", file=sys.stderr, flush=True)
            results[size] = (info, rows)
            path.unlink()
            if "cli" in args.tasks:
                json_path.unlink()
    sizes = list(results)
    label = lambda s: f"{s // 1_000_000}M" if s >= 1_000_000 else f"{s // 1000}k"  # noqa: E731
    head = ["task"] + [f"{label(s)} edges {unit}" for s in sizes for unit in ("s", "MB")]
    lines = [[task] + [cell for s in sizes for cell in _fmt(results[s][1][task])] for task in args.tasks]
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for line in lines:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(x[i]) for x in [head] + lines) for i in range(len(head))]
        for line in [head] + lines:
            print("  ".join(c.ljust(w) for c, w in zip(line, widths)))
    print()
    for s in sizes:
        (n, m), rows = results[s]
        notes = [f"{s} edges requested: {n} nodes, {m} edges"]
        gk, ig = rows.get("rank:pagerank", {}), rows.get("igraph-pagerank", {})
        if "seconds" in gk and "seconds" in ig:
            build = rows.get("igraph-build", {}).get("seconds", 0.0)
            both = max(ig["seconds"] + build, 1e-9)
            scores = rows.get("pagerank-scores", {}).get("seconds", float("nan"))
            notes.append(f"pagerank: graphkit scores {scores:.2f}s, whole rank {gk['seconds']:.2f}s; igraph {ig['seconds']:.2f}s "
                         f"+ {build:.2f}s to build its graph from the same collapsed graph -> graphkit scores = "
                         f"{scores / both:.1f}x, whole rank = {gk['seconds'] / both:.1f}x igraph build+pagerank; "
                         f"top-10 overlap {len(set(gk['top']) & set(ig['top']))}/10")
        gb, ib = rows.get("rank:betweenness", {}), rows.get("igraph-betweenness", {})
        if "seconds" in ib:
            overlap = f"; top-10 overlap {len(set(gb['top']) & set(ib['top']))}/10" if "top" in gb else ""
            notes.append(f"betweenness: igraph {ib['mode']} {ib['seconds']:.2f}s{overlap}")
        if gb.get("notes"):
            notes.append("graphkit: " + "; ".join(gb["notes"]))
        print("- " + "\n  ".join(notes))
    print(f"\npython {sys.version.split()[0]}, networkx {networkx.__version__}, igraph {igraph.__version__}, "
          f"{os.cpu_count()} CPUs; time = wall seconds, MB = peak RSS above the loaded graph "
          f"(≤ = never exceeded the loading peak, an upper bound)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
