"""Ranking benchmark: graphkit's metrics vs python-igraph in the same run, 10k-1M edges.

Synthetic scale-free-ish provenance multigraphs (Chung-Lu style: both ends of an edge
drawn from a Zipf-like weight over nodes, nodes = edges / 4, relation types mixed like
the real graph) carry the attributes analyze.rank reads. Each size is generated once
(seed 42) and written as a JSON and as a columnar (Parquet) graph file; every measurement
runs in a fresh subprocess and reports wall time and peak RSS (VmHWM, reset before the
task; MB above the process's resident size at that point). A task over --timeout
seconds is killed and reported as such.

Tasks per size:
  cli json / cli parquet   `graphkit rank --graph G --top 10` as a user runs it (read +
                           rank + print); MB is that whole process's peak RSS
  rank:<metric>            graphkit.fastrank.ColumnarGraph(G.parquet).rank(metric, top 10):
                           read the columns, collapse, score, rows
  score:<metric>           graphkit.fastmetrics.scores on the collapsed graph (arrays given),
                           like for like with igraph build + metric
  cli communities          `graphkit communities --graph G.parquet --format json` as a user
                           runs it (read, Louvain, members and links, print)
  communities              read the columns, collapse, Louvain (graphkit.fastmetrics)
  igraph build             igraph.Graph from the collapsed weighted edge list (arrays given)
  igraph <metric>          the same metric on that Graph, build excluded: pagerank;
                           strength (degree); betweenness from the same 500 seeded pivots
                           graphkit uses (exact when graphkit is exact); harmonic closeness
                           of the 500 pivots (the same 500 Dijkstra runs graphkit's
                           estimate makes; exact closeness of all nodes when graphkit is
                           exact); eigenvector_centrality of the giant component (igraph
                           refuses a disconnected graph); community_multilevel
Ratios printed: graphkit task / (igraph build + igraph metric), same run; for `rank`
end to end: cli parquet / (igraph build + pagerank); for `communities` end to end:
cli communities / (igraph build + louvain).

    python benchmarks/bench_rank.py [--sizes 10000 100000 1000000] [--timeout 300] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import os
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


def _top(scores: dict, n=10) -> list:
    return [k for k, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def worker(task: str, path: str) -> dict:
    import gc

    import numpy  # noqa: F401  imports are not what is measured
    import scipy.sparse  # noqa: F401
    import scipy.sparse.csgraph  # noqa: F401
    import scipy.sparse.linalg  # noqa: F401

    from graphkit import analyze, fastmetrics
    from graphkit.fastrank import ColumnarGraph

    prep = None
    if task.startswith("score:"):
        adj = ColumnarGraph(path).collapse(analyze.RankOptions())[0]
    if task.startswith("igraph"):
        import igraph as ig

        adj = ColumnarGraph(path).collapse(analyze.RankOptions())[0]
        edges = numpy.column_stack([adj.src, adj.dst]).tolist()
        if task != "igraph build":
            prep = ig.Graph(n=adj.n, edges=edges, directed=False)
            prep.es["weight"] = adj.weight.tolist()
            prep.es["distance"] = adj.distance().tolist()
    gc.collect()
    reset = _reset_peak()
    base_rss, base_max = _rss(), _maxrss()
    out = {"task": task}
    t0 = time.perf_counter()
    if task.startswith("rank:"):
        result = ColumnarGraph(path).rank(analyze.RankOptions(metric=task[5:], top=10))
        out["top"] = [r["id"] for r in result.rows]
        out["notes"] = result.notes
    elif task.startswith("score:"):
        notes = []
        out["top"] = _top(fastmetrics.scores(adj, task[6:], notes, analyze.EXACT_BETWEENNESS_LIMIT,
                                             analyze.BETWEENNESS_SAMPLES))
    elif task == "communities":
        adj = ColumnarGraph(path).collapse(analyze.RankOptions())[0]
        out["communities"] = len(fastmetrics.louvain(adj))
    elif task == "igraph build":
        g = ig.Graph(n=adj.n, edges=edges, directed=False)
        g.es["weight"] = adj.weight.tolist()
        g.es["distance"] = adj.distance().tolist()
    else:
        g, n = prep, prep.vcount()
        big = n > analyze.EXACT_BETWEENNESS_LIMIT
        sources = fastmetrics.pivots(adj, min(analyze.BETWEENNESS_SAMPLES, n))
        if task == "igraph pagerank":
            values = g.pagerank(weights="weight", damping=0.85)
        elif task == "igraph degree":
            values = g.strength(weights="weight")
        elif task == "igraph betweenness":
            values = g.betweenness(directed=False, weights="distance", sources=sources if big else None)
        elif task == "igraph closeness":
            big = n > fastmetrics.EXACT_CLOSENESS_LIMIT
            values = (g.harmonic_centrality(vertices=sources, weights="distance") if big
                      else g.closeness(weights="distance"))
            names = [adj.names[i] for i in sources] if big else adj.names
        elif task == "igraph eigenvector":
            # igraph refuses a disconnected graph: the giant component, where the work is
            giant = g.connected_components().giant()
            values = giant.eigenvector_centrality(weights="weight")
            values = values + [0.0] * (n - len(values))  # names do not line up: no top-10 overlap
            out["no_overlap"] = True
        elif task == "igraph louvain":
            values = None
            out["communities"] = len(g.community_multilevel(weights="weight"))
        else:
            raise SystemExit(f"unknown task {task}")
        if values is not None:
            out["top"] = _top(dict(zip(names if task == "igraph closeness" else adj.names, values)))
    out["seconds"] = time.perf_counter() - t0
    peak = _maxrss()
    out["peak_mb"] = (peak - base_rss) / 2**20
    out["peak_bounded"] = not reset and peak == base_max  # never above the loading peak: an upper bound
    out["graph_rss_mb"] = base_rss / 2**20
    return out


# ---------------------------------------------------------------- driver side

METRICS = ("pagerank", "degree", "betweenness", "eigenvector", "closeness")
TASKS = (["cli json", "cli parquet", "cli communities"] + [f"rank:{m}" for m in METRICS] + ["rank:composite"]
         + [f"score:{m}" for m in METRICS] + ["communities", "igraph build"]
         + [f"igraph {m}" for m in METRICS] + ["igraph louvain"])


CLI_WITH_PEAK = """
import atexit, os
def _peak():
    with open("/proc/self/status") as fh:
        kb = next(line.split()[1] for line in fh if line.startswith("VmHWM:"))
    with open(os.environ["GK_BENCH_PEAK_FILE"], "w") as out:
        out.write(kb)
atexit.register(_peak)
from graphkit.cli import main
main()
"""


CLI_COMMANDS = {"rank": ["rank", "--top", "10", "--format", "csv"], "communities": ["communities", "--format", "json"]}


def run_cli(command: str, graph_path: Path, timeout: float) -> dict:
    """`graphkit rank` or `graphkit communities` end to end on a saved graph file: read,
    compute, print; the peak RSS the child reports itself (VmHWM at exit: a fork of this
    large process would otherwise count the parent's pages in the child's ru_maxrss)."""
    peak_file = Path(tempfile.mkstemp(prefix="gk-peak-")[1])
    cmd = [sys.executable, "-c", CLI_WITH_PEAK, *CLI_COMMANDS[command], "--graph", str(graph_path)]
    env = dict(os.environ, GK_BENCH_PEAK_FILE=str(peak_file))
    name = f"cli: graphkit {command}"
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"task": name, "timeout": timeout}
    seconds = time.perf_counter() - t0
    try:
        if proc.returncode:
            return {"task": name, "error": f"exit {proc.returncode}"}
        peak_mb = int(peak_file.read_text() or 0) / 1024
    finally:
        peak_file.unlink(missing_ok=True)
    return {"task": name, "seconds": seconds, "peak_mb": peak_mb, "peak_bounded": False, "absolute": True}


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


IGRAPH_OF = {"pagerank": "igraph pagerank", "degree": "igraph degree", "betweenness": "igraph betweenness",
             "eigenvector": "igraph eigenvector", "closeness": "igraph closeness", "communities": "igraph louvain"}


def ratios(rows: dict) -> list:
    """graphkit / (igraph build + the same metric), per metric, and rank end to end."""
    build = rows.get("igraph build", {}).get("seconds")
    out = []
    pairs = [(f"{kind}:{m}", IGRAPH_OF[m]) for kind in ("score", "rank") for m in METRICS]
    for ours, theirs in pairs + [("communities", "igraph louvain"), ("cli parquet", "igraph pagerank"),
                                 ("cli communities", "igraph louvain")]:
        a, b = rows.get(ours, {}), rows.get(theirs, {})
        if "seconds" in a and "seconds" in b and build is not None:
            ref = b["seconds"] + build
            overlap = ""
            if "top" in a and "top" in b and not ours.endswith("closeness") and not b.get("no_overlap"):
                overlap = f", top-10 overlap {len(set(a['top']) & set(b['top']))}/10"
            out.append(f"{ours} {a['seconds']:.2f}s / igraph {ref:.2f}s = {a['seconds'] / ref:.1f}x{overlap}")
        elif "timeout" in a or "error" in a:
            out.append(f"{ours}: {'killed after ' + str(a['timeout']) + 's' if 'timeout' in a else a['error']}")
    return out


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

    from graphkit.graph import save_graph

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-rank-") as tmp:
        for size in args.sizes:
            t0 = time.perf_counter()
            graph = make_graph(size)
            info = (graph.number_of_nodes(), graph.number_of_edges())
            parquet, json_path = Path(tmp) / f"g{size}.parquet", Path(tmp) / f"g{size}.json"
            save_graph(graph, parquet)
            if "cli json" in args.tasks:
                save_graph(graph, json_path)
            del graph
            print(f"# {size} edges: {info[0]} nodes, {info[1]} edges, generated and written in "
                  f"{time.perf_counter() - t0:.1f}s", file=sys.stderr)
            rows = {}
            for task in args.tasks:
                if task == "cli communities":
                    rows[task] = run_cli("communities", parquet, args.timeout)
                elif task.startswith("cli "):
                    rows[task] = run_cli("rank", json_path if task == "cli json" else parquet, args.timeout)
                else:
                    rows[task] = run_task(task, parquet, args.timeout)
                print(f"  {task:20s} {_fmt(rows[task])}", file=sys.stderr, flush=True)
            results[size] = (info, rows)
            import shutil

            shutil.rmtree(parquet, ignore_errors=True)
            json_path.unlink(missing_ok=True)
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
        notes = [f"{label(s)}: {n} nodes, {m} edges; ratios vs igraph (build + metric, same run):"] + ratios(rows)
        graphkit_notes = sorted({note for r in rows.values() for note in r.get("notes", [])})
        print("- " + "\n  ".join(notes + [f"graphkit: {x}" for x in graphkit_notes]))
    print(f"\npython {sys.version.split()[0]}, networkx {networkx.__version__}, igraph {igraph.__version__}, "
          f"{os.cpu_count()} CPUs; time = wall seconds, MB = peak RSS above the process at the task's start "
          f"(cli: the whole process; ≤ = never exceeded the loading peak, an upper bound)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
