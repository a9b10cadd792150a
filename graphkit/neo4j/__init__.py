"""Graph file -> Neo4j, and back out again; the data model is docs/neo4j-model.md.

Modules, one job each:

* connection: settings, `connect`, driver errors -> one-line StoreError;
* schema: cypher/schema/*.cypher applied before a load;
* plan: the rows a graph file turns into (pure Python, no server);
* cypher: the fixed queries of the loader and of retract;
* loader: the incremental, idempotent, batched load (`graphkit load`);
* batchwriter: the writer threads the loader submits batches to;
* retract: one article back out (`graphkit retract`);
* housekeeping: counting and deleting what was loaded under an id prefix.

The package is named after the database; every module imports the driver as `import neo4j`,
which is absolute and so always the driver, never this package.
"""

from graphkit.neo4j.connection import Neo4jSettings, connect
from graphkit.neo4j.housekeeping import count_graph, delete_prefixed
from graphkit.neo4j.loader import DEFAULT_BATCH_SIZE, DEFAULT_WRITERS, LoadCounts, load_graph
from graphkit.neo4j.plan import EVIDENCE_MAX_CHARS, make_plan
from graphkit.neo4j.retract import retract_article
from graphkit.neo4j.schema import apply_schema, cypher_dir, read_schema

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_WRITERS",
    "EVIDENCE_MAX_CHARS",
    "Neo4jSettings",
    "LoadCounts",
    "connect",
    "cypher_dir",
    "read_schema",
    "apply_schema",
    "make_plan",
    "load_graph",
    "retract_article",
    "count_graph",
    "delete_prefixed",
]
