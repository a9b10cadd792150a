"""Counting and deleting what was loaded under an id prefix (tests, benchmarks, checks)."""

from __future__ import annotations

import neo4j

from graphkit.errors import StoreError
from graphkit.model import EntityType, RelationType
from graphkit.neo4j.connection import store_errors

__all__ = ["count_graph", "delete_prefixed"]


def count_graph(driver: neo4j.Driver, id_prefix: str = "", database: str = "neo4j") -> dict:
    """Node counts per label and relationship counts per type among ids starting with id_prefix.

    Keys: "Entity", "Organization", "Product", "Program", "Article", "MENTIONS", one per
    relation type, and "nodes" / "relationships" (all typed edges, MENTIONS excluded)."""
    p = id_prefix or ""
    counts = {label: 0 for label in ("Entity", *(t.value for t in EntityType), "Article")}
    counts.update({"MENTIONS": 0, **{t.value: 0 for t in RelationType}})
    with store_errors("counting"):
        for label in ("Entity", *(t.value for t in EntityType), "Article"):
            rec = driver.execute_query(f"MATCH (n:{label}) WHERE n.id STARTS WITH $p RETURN count(n) AS n",
                                       parameters_={"p": p}, database_=database).records
            counts[label] = rec[0]["n"]
        rec = driver.execute_query(
            "MATCH (h)-[r]->(:Entity) WHERE h.id STARTS WITH $p RETURN type(r) AS t, count(r) AS n",
            parameters_={"p": p}, database_=database).records
        for r in rec:
            counts[r["t"]] = r["n"]
    counts["nodes"] = counts["Entity"] + counts["Article"]
    counts["relationships"] = sum(counts[t.value] for t in RelationType)
    return counts


def delete_prefixed(driver: neo4j.Driver, id_prefix: str, database: str = "neo4j", batch_size: int = 10000) -> int:
    """Delete every node whose id starts with id_prefix (and its relationships), in batches.

    For tests and benchmarks that load under a private prefix; refuses an empty prefix."""
    if not id_prefix:
        raise StoreError("refusing to delete with an empty id prefix (that would be the whole store)")
    total = 0
    with store_errors("deleting test data"):
        for label in ("Article", "Entity"):
            while True:
                rec = driver.execute_query(
                    f"MATCH (n:{label}) WHERE n.id STARTS WITH $p WITH n LIMIT $limit "
                    "DETACH DELETE n RETURN count(*) AS n",
                    parameters_={"p": id_prefix, "limit": batch_size}, database_=database).records
                total += rec[0]["n"]
                if rec[0]["n"] == 0:
                    break
    return total
