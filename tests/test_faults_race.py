"""Two loads of the same graph racing each other store exactly what one load stores.

Against the shared server of NEO4J_URI, under private id prefixes (deleted afterwards). The two
loads start together (a barrier) with small batches, so their transactions interleave: both
MERGE the same nodes and CREATE the same edges, and the uniqueness constraints plus the
driver's retries must sort that out without a duplicate, a lost item or a failed load.
"""

from __future__ import annotations

import threading

import pytest
from conftest import new_id_prefix
from faults_support import store_digest

pytestmark = pytest.mark.neo4j


def generated_graph(edges: int) -> dict:
    import sys

    from faults_support import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_load import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return generate(max(100, edges // 8), max(10, edges // 40), edges)


def test_two_loads_racing_on_the_same_graph_store_what_one_load_stores(neo4j_settings):
    from graphkit.neo4j import connect, delete_prefixed, load_graph

    graph = generated_graph(3000)
    one, raced = new_id_prefix(), new_id_prefix()
    drivers = [connect(neo4j_settings) for _ in range(3)]
    try:
        load_graph(drivers[0], graph, id_prefix=one, database=neo4j_settings.database)
        reference = store_digest(drivers[0], one)

        start = threading.Barrier(2)
        results, errors = [None, None], []

        def racer(i: int) -> None:
            try:
                start.wait()
                results[i] = load_graph(drivers[i + 1], graph, id_prefix=raced, batch_size=50,
                                        database=neo4j_settings.database)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(f"{type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=racer, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert not errors, errors
        # every edge was created by exactly one of the two loads; the other found it in place
        assert results[0].relationships_created + results[1].relationships_created == reference["relationships"]
        assert store_digest(drivers[0], raced) == reference
    finally:
        for prefix in (one, raced):
            delete_prefixed(drivers[0], prefix, database=neo4j_settings.database)
        for d in drivers:
            d.close()
