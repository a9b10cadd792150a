"""The analyst's loop at scale: build generated corpora with near-duplicates, then explain,
communities and every rank metric; near-duplicate detection alone on 100k articles.

    python benchmarks/bench_analyst.py [--sizes 1000 10000] [--neardup 100000] [--copies 0.15]

Articles come from benchmarks/bench_extract.py's generator (zh/de/ru/en, 2-5 KB, lexicon
names); a share of them (--copies) is re-published with small edits (new headline, one
sentence dropped, a credit line), the way syndication and re-crawls do. Each size runs in
its own process so peak RSS is that size's. Figures are printed with a reference measured
in the same run: near-duplicate detection is compared with sha256 of the same texts (the
exact-duplicate check it extends) and with extraction of the same articles.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_extract import generate  # noqa: E402


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def with_copies(docs: list, share: float, seed: int) -> list:
    """Append edited copies of a random `share` of the articles."""
    rng = random.Random(seed)
    out = list(docs)
    for stem, data in rng.sample(docs, int(len(docs) * share)):
        lines = data.decode("utf-8").split("\n")
        body = lines[1:]
        if len(body) > 3:
            del body[rng.randrange(1, len(body))]  # an edited re-crawl loses a paragraph
        text = "\n".join([f"Republished: {lines[0]}"] + body + ["(c) syndicated copy"])
        out.append((f"{stem}-copy", text.encode("utf-8")))
    return out


def run_size(size: int, copies: float, explained: int = 5) -> dict:
    """`graphkit build` on files, then explain and rank by every metric; timings, memory, errors."""
    import tempfile

    from graphkit import analyze, batch
    from graphkit.neardup import NearDuplicateFilter

    docs = with_copies(generate(size, seed=11), copies, seed=12)
    problems = []
    with tempfile.TemporaryDirectory() as folder:
        for stem, data in docs:
            Path(folder, f"{stem}.txt").write_bytes(data)
        near = NearDuplicateFilter()
        t0 = time.perf_counter()
        graph, counts = batch.build([Path(folder)], lambda item, is_error: problems.append(str(item)) if is_error else None,
                                    jobs=1, near_duplicates=near)
        near.record(graph)
        t_build = time.perf_counter() - t0
    result = {"articles": len(docs), "copies_made": len(docs) - size, "near_duplicates": len(near.duplicates),
              **_accuracy([(d[0], d[1]) for d in near.duplicates], len(docs) - size),
              "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
              "build_s": round(t_build, 2), "build_articles_per_s": round(len(docs) / t_build),
              "errors": problems[:5]}
    for metric in analyze.METRICS:
        t = time.perf_counter()
        try:
            rank = analyze.rank(graph, analyze.RankOptions(metric=metric, top=10))
            result[f"rank_{metric}_s"] = round(time.perf_counter() - t, 2)
            if rank.notes:
                result[f"rank_{metric}_notes"] = rank.notes
        except Exception:  # the benchmark reports a crash instead of stopping at it
            result["errors"].append(f"rank {metric}: " + traceback.format_exc(limit=2))
    t = time.perf_counter()
    try:
        result["communities"] = len(analyze.communities(graph))
        result["communities_s"] = round(time.perf_counter() - t, 2)
    except Exception:
        result["errors"].append("communities: " + traceback.format_exc(limit=2))
    top = [r["id"] for r in analyze.rank(graph, analyze.RankOptions(metric="degree", top=explained)).rows]
    t = time.perf_counter()
    for node in top:
        try:
            analyze.explain(graph, node)
        except Exception:
            result["errors"].append(f"explain {node}: " + traceback.format_exc(limit=2))
    result["explain_per_company_s"] = round((time.perf_counter() - t) / max(1, len(top)), 2)
    result["explained_companies"] = len(top)
    result["peak_rss_mb"] = round(_rss_mb())
    return result


def synthetic_extractions(count: int, seed: int = 31):
    """Extractions shaped like the generated corpus (lexicon companies, 8 relations per
    article, dated 2015-2024, a tenth undated) without running extraction: for ranking,
    communities and explain at 100k articles in minutes."""
    from graphkit.lexicon import load_lexicon
    from graphkit.model import Article, Entity, Extraction, Relation, RelationType

    rng = random.Random(seed)
    entries = [e for e in load_lexicon().entries.values()
               if e.kind in {"carmaker", "tech", "internet", "supplier", "startup", "mobility", "chip", "cloud"}]
    clouds = [e for e in entries if e.kind == "cloud"]
    others = [e for e in entries if e.kind != "cloud"]
    kinds = (RelationType.PARTNERS_WITH, RelationType.DEPLOYS_ON, RelationType.INVESTS_IN)
    for i in range(count):
        date = None if i % 10 == 0 else f"{rng.randint(2015, 2024)}-{rng.randint(1, 12):02d}"
        article = Article(id=f"syn-{i}", text="", lang="en", title=f"Article {i}", published=date,
                          source=f"https://example.org/{i}", sha256=f"{i:064x}")
        relations, used = [], {}
        for _ in range(8):
            rtype = rng.choice(kinds)
            head = rng.choice(others)
            tail = rng.choice(clouds if rtype is RelationType.DEPLOYS_ON else others)
            if head.id == tail.id:
                continue
            used[head.id], used[tail.id] = head, tail
            relations.append(Relation(rtype, head.id, tail.id, f"{head.name} and {tail.name} ({rtype.value}).",
                                      (0, 0), date, 0.8, "synthetic"))
        entities = tuple(Entity(e.id, e.name, e.type, e.kind, e.country, names={"en": e.name}, mentions=(e.name,))
                         for e in used.values())
        yield Extraction(article, entities, tuple(relations))


def run_synthetic(count: int) -> dict:
    """rank (every metric), communities and explain on a graph of `count` synthetic articles."""
    from graphkit import analyze
    from graphkit.graph import add_extraction, build_graph

    t = time.perf_counter()
    graph = build_graph([])
    for extraction in synthetic_extractions(count):
        add_extraction(graph, extraction)
    result = {"articles": count, "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
              "aggregate_s": round(time.perf_counter() - t, 1), "errors": []}
    for metric in analyze.METRICS:
        t = time.perf_counter()
        try:
            analyze.rank(graph, analyze.RankOptions(metric=metric, top=10, since="2018", until="2022"))
            result[f"rank_{metric}_s"] = round(time.perf_counter() - t, 2)
        except Exception:
            result["errors"].append(f"rank {metric}: " + traceback.format_exc(limit=2))
    t = time.perf_counter()
    try:
        result["communities"] = len(analyze.communities(graph))
        result["communities_s"] = round(time.perf_counter() - t, 2)
    except Exception:
        result["errors"].append("communities: " + traceback.format_exc(limit=2))
    top = [r["id"] for r in analyze.rank(graph, analyze.RankOptions(metric="degree", top=3)).rows]
    t = time.perf_counter()
    for node in top:
        try:
            analyze.explain(graph, node)
        except Exception:
            result["errors"].append(f"explain {node}: " + traceback.format_exc(limit=2))
    result["explain_per_company_s"] = round((time.perf_counter() - t) / max(1, len(top)), 2)
    result["peak_rss_mb"] = round(_rss_mb())
    return result


def run_neardup(count: int, copies: float) -> dict:
    """MinHash/LSH over `count` articles (signing + LSH, one process) vs sha256 of the same
    texts and vs extraction of a sample."""
    from graphkit.extract import extract_article
    from graphkit.ingest import articles_from_bytes
    from graphkit.neardup import find_near_duplicates

    base = generate(max(1, int(count / (1 + copies))), seed=21)
    docs = with_copies(base, copies, seed=22)[:count]
    articles = [articles_from_bytes(d, f"{s}.txt", ".txt", s)[0] for s, d in docs]
    t = time.perf_counter()
    for a in articles:
        hashlib.sha256(a.text.encode("utf-8")).hexdigest()
    t_sha = time.perf_counter() - t
    t = time.perf_counter()
    found = find_near_duplicates(articles)
    t_nd = time.perf_counter() - t
    made = sum(a.id.endswith("-copy") for a in articles)
    sample = articles[:500]
    t = time.perf_counter()
    for a in sample:
        extract_article(a)
    t_extract_each = (time.perf_counter() - t) / len(sample)
    return {"articles": len(articles), "copies_made": made,
            "near_duplicates": len(found.duplicates),
            **_accuracy([(a.id, kept) for a, kept, _ in found.duplicates], made), "megabytes": round(sum(len(a.text.encode()) for a in articles) / 1e6),
            "neardup_s": round(t_nd, 1), "articles_per_s": round(len(articles) / t_nd),
            "sha256_s": round(t_sha, 2), "ratio_vs_sha256": round(t_nd / t_sha, 1),
            "share_of_extraction": round(t_nd / (t_extract_each * len(articles)), 3),
            "peak_rss_mb": round(_rss_mb())}


def _accuracy(pairs, made: int) -> dict:
    """Copies found (recall) and flagged pairs that really are a copy and its original (precision)."""
    right = sum(dup == f"{kept}-copy" or kept == f"{dup}-copy" for dup, kept in pairs)  # folder order may put the copy first
    return {"copies_found_pct": round(100 * right / max(1, made), 1),
            "flagged_correctly_pct": round(100 * right / max(1, len(pairs)), 1)}


def _child(kind: str, n: int, copies: float) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(n), "--copies", str(copies)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return {"errors": [out.stderr.strip()[-2000:]]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--neardup", type=int, default=100000, help="articles for the near-duplicate run (0: skip)")
    parser.add_argument("--copies", type=float, default=0.15)
    parser.add_argument("--synthetic", type=int, default=0,
                        help="also rank/explain a graph aggregated from this many synthetic extractions (e.g. 100000)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, n = args.child[0], int(args.child[1])
        work = {"size": lambda: run_size(n, args.copies), "neardup": lambda: run_neardup(n, args.copies),
                "synthetic": lambda: run_synthetic(n)}[kind]
        print(json.dumps(work()))
        return 0
    failed = False
    for size in args.sizes:
        r = _child("size", size, args.copies)
        failed |= bool(r.get("errors"))
        print(f"== {size} generated articles + {args.copies:.0%} edited copies")
        print(json.dumps(r, indent=1, ensure_ascii=False))
    if args.synthetic:
        r = _child("synthetic", args.synthetic, args.copies)
        failed |= bool(r.get("errors"))
        print(f"== rank, communities and explain on {args.synthetic} synthetic articles (extraction skipped)")
        print(json.dumps(r, indent=1, ensure_ascii=False))
    if args.neardup:
        r = _child("neardup", args.neardup, args.copies)
        failed |= bool(r.get("errors"))
        print(f"== near-duplicate detection on {args.neardup} articles")
        print(json.dumps(r, indent=1, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
