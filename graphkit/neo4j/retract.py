"""Take one article back out of the store (`graphkit retract`)."""

from __future__ import annotations

from collections import defaultdict

import neo4j

from graphkit.model import RelationType
from graphkit.neo4j import cypher
from graphkit.neo4j.connection import store_errors
from graphkit.neo4j.loader import DEFAULT_BATCH_SIZE, batches, sweep_orphans

__all__ = ["retract_article"]


def retract_article(driver: neo4j.Driver, article_id: str, id_prefix: str = "", database: str = "neo4j") -> dict:
    """Remove an article's items from every edge, edges left with none, its :Article node
    and entities left with no MENTIONS and no edges. Returns what went; `found` is False
    when the store holds no such article (nothing is changed then)."""
    aid = (id_prefix or "") + article_id
    with store_errors(f"retracting {article_id}"):
        records = driver.execute_query(
            "MATCH (a:Article {id: $id}) RETURN coalesce(a.edge_keys, []) AS keys",
            parameters_={"id": aid}, database_=database).records
        if not records:
            return {"found": False, "edges_updated": 0, "edges_deleted": 0, "entities_deleted": 0}
        keys = records[0]["keys"]
        by_type: dict[str, list] = defaultdict(list)
        for key in keys:
            by_type[key.split("|", 1)[0]].append({"key": key, "drop": [aid]})
        updated = deleted = 0
        for type_name, rows in by_type.items():
            for chunk in batches(rows, DEFAULT_BATCH_SIZE):
                rec = driver.execute_query(cypher.EDGE_DROP_QUERY[RelationType(type_name)], parameters_={"rows": chunk},
                                           database_=database).records
                updated += rec[0]["matched"] - (rec[0]["deleted"] or 0)
                deleted += rec[0]["deleted"] or 0
        driver.execute_query("MATCH (a:Article {id: $id}) DETACH DELETE a", parameters_={"id": aid},
                             database_=database)
    deleted_entities = sweep_orphans(driver, id_prefix or "", database)
    return {"found": True, "edges_updated": updated, "edges_deleted": deleted,
            "entities_deleted": deleted_entities}
