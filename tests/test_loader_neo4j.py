"""graphkit.neo4j.loader's CREATE path for rows it found absent, against a real server.

The loader asks which nodes and edges of a batch are stored and CREATEs the others. When
that answer is out of date (another load created them in between, or the driver retried a
transaction whose commit was not acknowledged) the uniqueness constraints fail the CREATE,
and the rows must go through the merging queries instead: same store, nothing doubled."""

from __future__ import annotations

import pytest

from conftest import new_id_prefix
from test_store_neo4j import snapshot

from graphkit.graph import graph_to_dict
from graphkit.neo4j import count_graph, cypher, delete_prefixed, load_graph
from graphkit.model import RelationType

pytestmark = pytest.mark.neo4j

NOTHING_STORED = "UNWIND $keys AS key WITH key WHERE false RETURN key"
NO_NODES = "UNWIND $ids AS id WITH id WHERE false RETURN id, '' AS node"


def test_rows_wrongly_thought_new_are_merged_not_doubled(neo4j_driver, fixture_graph, monkeypatch):
    data = graph_to_dict(fixture_graph)
    prefix = new_id_prefix()
    try:
        load_graph(neo4j_driver, data, id_prefix=prefix)
        before, counts = snapshot(neo4j_driver, prefix), count_graph(neo4j_driver, prefix)
        # the loader now believes nothing is stored: every CREATE hits a constraint
        monkeypatch.setattr(cypher, "EDGE_KEYS_QUERY", {t: NOTHING_STORED for t in RelationType})
        monkeypatch.setattr(cypher, "ENTITY_NODES_QUERY", NO_NODES)
        again = load_graph(neo4j_driver, data, id_prefix=prefix, batch_size=5)
        assert again.relationships_created == 0
        assert count_graph(neo4j_driver, prefix) == counts
        assert snapshot(neo4j_driver, prefix) == before
    finally:
        delete_prefixed(neo4j_driver, prefix)

