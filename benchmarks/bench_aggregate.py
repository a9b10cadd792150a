"""`build` aggregation cost per article as the articles behind one edge grow: n, 2n, 4n, 8n
articles that all state the same fact (and mention the same two companies).

    python benchmarks/bench_aggregate.py [--n 2000]

Prints seconds and the growth per doubling: about 2x is linear, about 4x is quadratic.
Uses only model objects and graphkit.graph.build_graph, so it runs against older
checkouts too (PYTHONPATH=...) for a before/after comparison.
"""

from __future__ import annotations

import argparse
import time

from graphkit.graph import build_graph
from graphkit.model import Article, Entity, EntityType, Extraction, Relation, RelationType


def extractions(count: int):
    bmw = Entity(id="bmw", name="BMW", type=EntityType.ORGANIZATION, mentions=("BMW",))
    alibaba = Entity(id="alibaba", name="Alibaba", type=EntityType.ORGANIZATION, mentions=("Alibaba",))
    for i in range(count):
        article = Article(id=f"a{i}", text="", lang="en", title=None, published=f"20{10 + i % 12}-0{1 + i % 9}",
                          source=f"a{i}.txt", sha256=f"{i:064x}")
        relation = Relation(type=RelationType.PARTNERS_WITH, head="bmw", tail="alibaba",
                            evidence=f"BMW and Alibaba agreed, said report {i}.", evidence_span=(0, 10),
                            date=None, confidence=0.5 + (i % 5) / 10, rule="bench")
        yield Extraction(article=article, entities=(bmw, alibaba), relations=(relation,))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    previous = None
    print("articles behind one edge   seconds   x previous")
    for count in (args.n, 2 * args.n, 4 * args.n, 8 * args.n):
        items = list(extractions(count))
        start = time.perf_counter()
        graph = build_graph(items)
        seconds = time.perf_counter() - start
        growth = f"{seconds / previous:.2f}" if previous else "-"
        print(f"{count:>24}   {seconds:7.3f}   {growth:>10}")
        previous = seconds
        assert graph.edges["alibaba", "bmw", "PARTNERS_WITH"]["support"] == count


if __name__ == "__main__":
    main()
