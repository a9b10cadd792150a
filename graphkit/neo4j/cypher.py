"""The fixed Cypher the loader and retract run: one query per shape, with the entity label
or relation type taken from the closed enums in graphkit.model and every value passed as a
parameter.

* Nodes and typed edges: the loader asks which ids (keys) of a batch are stored; new ones
  take the plain `*_CREATE_QUERY` (properties as they are), stored ones the full query that
  merges aliases, labels and confidence (ENTITY_QUERY) or this load's per-article items
  (EDGE_WRITE_QUERY, which also creates an edge still missing).
* Every query is safe to run twice (the driver retries transactions): the uniqueness
  constraints of cypher/schema turn a second CREATE of a node or an edge into a no-op or a
  failed batch, never a duplicate.
"""

from __future__ import annotations

from graphkit.edgerules import cypher_date_span, cypher_noisy_or
from graphkit.model import EntityType, RelationType

# --------------------------------------------------------------------------- stored rows

ENTITY_QUERY = {
    t: f"""
UNWIND $rows AS row
MERGE (e:Entity {{id: row.id}})
SET e:{t.value}
REMOVE e:{":".join(o.value for o in EntityType if o is not t)}
SET e += row.props,
    e.aliases = coalesce(e.aliases, []) + [a IN row.aliases WHERE NOT a IN coalesce(e.aliases, [])],
    e.confidence = CASE WHEN e.confidence IS NULL OR row.confidence > e.confidence
                        THEN row.confidence ELSE e.confidence END
RETURN e.id AS id, elementId(e) AS node
"""
    for t in EntityType
}

OLD_KEYS_QUERY = """
UNWIND $ids AS id
MATCH (a:Article {id: id})
RETURN a.id AS id, coalesce(a.edge_keys, []) AS keys
"""

# Replace the article's properties, record (a superset of) the edges it supports, and
# drop MENTIONS of entities the article no longer mentions.
ARTICLE_QUERY = """
UNWIND $rows AS row
MERGE (a:Article {id: row.id})
SET a = row.props, a.edge_keys = row.keys
WITH a, row
CALL {
  WITH a, row
  MATCH (a)-[m:MENTIONS]->(e:Entity)
  WHERE NOT e.id IN row.entities
  DELETE m
}
"""

ARTICLE_KEYS_QUERY = """
UNWIND $rows AS row
MATCH (a:Article {id: row.id})
SET a.edge_keys = row.keys
"""

# row: {article, entities: [ids]}
MENTIONS_QUERY = """
UNWIND $rows AS row
MATCH (a:Article {id: row.article})
UNWIND row.entities AS entity_id
MATCH (e:Entity {id: entity_id})
MERGE (a)-[:MENTIONS]->(e)
"""

# Derived properties from the parallel lists, recomputed on every write (docs/neo4j-model.md);
# the rules are graphkit.edgerules', the same the graph file and the loader's rows follow.
_FIRST_SEEN, _LAST_SEEN = cypher_date_span("ds")
_DERIVED = f"""
WITH r, row, arts, items, [x IN items WHERE x.date IS NOT NULL AND x.date <> "" | x.date] AS ds
SET r.articles = arts,
    r.evidence = [x IN items | x.evidence],
    r.dates = [x IN items | coalesce(x.date, "")],
    r.confidences = [x IN items | x.confidence],
    r.rules = [x IN items | x.rule],
    r.support = size(arts),
    r.first_seen = {_FIRST_SEEN},
    r.last_seen = {_LAST_SEEN},
    r.confidence = {cypher_noisy_or("items")},
    r.key = row.key
"""

# row: {key, head_node, tail_node, props}: head_node/tail_node are the elementIds of the
# edge's ends (looked up once per load: a seek by elementId is cheaper than by the `id`
# index); props holds the per-article parallel lists in file order (articles, evidence,
# dates, confidences, rules) and the values derived from them (support, first_seen,
# last_seen, confidence, key).
#
# One query for new and stored edges. The key's unique index says which is which, and its
# locking seek keeps a concurrent load from creating the same key in between. A new edge is
# CREATEd with props as they are. A stored edge whose lists equal props is left alone (a
# re-load writes nothing); any other stored edge keeps the items of other articles in
# place, this row's articles replace theirs in place or are appended, and the derived
# values are recomputed. `absent` vs `created` lets the loader notice a row that created
# nothing because an end node was deleted during the load.
EDGE_WRITE_QUERY = {
    t: f"""
UNWIND $rows AS row
OPTIONAL MATCH ()-[stored:{t.value} {{key: row.key}}]->()
CALL {{
  WITH row, stored
  WITH row WHERE stored IS NULL
  MATCH (h) WHERE elementId(h) = row.head_node
  MATCH (t) WHERE elementId(t) = row.tail_node
  CREATE (h)-[r:{t.value}]->(t)
  SET r = row.props
  RETURN count(r) AS created
}}
CALL {{
  WITH row, stored
  WITH row, stored AS r WHERE stored IS NOT NULL
  WITH r, row, row.props AS new
  WHERE NOT (r.articles = new.articles AND r.evidence = new.evidence AND r.dates = new.dates
             AND r.confidences = new.confidences AND r.rules = new.rules)
  WITH r, row, new, r.articles AS old
  WITH r, row, new, old + [a IN new.articles WHERE NOT a IN old] AS arts
  WITH r, row, new, arts, [a IN arts | [j IN range(0, size(new.articles) - 1) WHERE new.articles[j] = a]] AS pos
  WITH r, row, arts, [i IN range(0, size(arts) - 1) |
    CASE WHEN size(pos[i]) > 0
         THEN {{evidence: new.evidence[pos[i][0]], date: new.dates[pos[i][0]],
               confidence: new.confidences[pos[i][0]], rule: new.rules[pos[i][0]]}}
         ELSE {{evidence: r.evidence[i], date: r.dates[i], confidence: r.confidences[i], rule: r.rules[i]}} END] AS items
""" + _DERIVED + """
}
RETURN sum(CASE WHEN stored IS NULL THEN 1 ELSE 0 END) AS absent, sum(created) AS created
"""
    for t in RelationType
}

# row: {key, drop: [article ids]}: remove those articles' items; delete the edge when none is left.
EDGE_DROP_QUERY = {
    t: f"""
UNWIND $rows AS row
MATCH ()-[r:{t.value} {{key: row.key}}]->()
WITH r, row, [i IN range(0, size(r.articles) - 1) WHERE NOT r.articles[i] IN row.drop] AS keep
WITH r, row, [i IN keep | r.articles[i]] AS arts,
     [i IN keep | {{evidence: r.evidence[i], date: r.dates[i], confidence: r.confidences[i], rule: r.rules[i]}}] AS items
""" + _DERIVED + """
WITH r, arts
FOREACH (_ IN CASE WHEN size(arts) = 0 THEN [1] ELSE [] END | DELETE r)
RETURN count(*) AS matched, sum(CASE WHEN size(arts) = 0 THEN 1 ELSE 0 END) AS deleted
"""
    for t in RelationType
}

SWEEP_QUERY = """
MATCH (e:Entity)
WHERE e.id STARTS WITH $prefix AND NOT (e)--()
DELETE e
RETURN count(*) AS deleted
"""

# --------------------------------------------------------------------------- new rows

ENTITY_NODES_QUERY = """
UNWIND $ids AS id
MATCH (e:Entity {id: id})
RETURN e.id AS id, elementId(e) AS node
"""

# row: {props}: every property of a node the loader found absent, id included. Should it
# exist after all, the id constraint fails the transaction and the loader sends the rows
# through ENTITY_QUERY instead.
ENTITY_CREATE_QUERY = {
    t: f"""
UNWIND $rows AS row
CREATE (e:Entity:{t.value})
SET e = row.props
RETURN e.id AS id, elementId(e) AS node
"""
    for t in EntityType
}

EDGE_KEYS_QUERY = {
    t: f"""
UNWIND $keys AS k
MATCH ()-[r:{t.value} {{key: k}}]->()
RETURN r.key AS key
"""
    for t in RelationType
}

# Rows as for EDGE_WRITE_QUERY, of edges the loader found absent. Should one exist after
# all, the key constraint fails the transaction and the loader sends the rows through
# EDGE_WRITE_QUERY instead.
EDGE_CREATE_QUERY = {
    t: f"""
UNWIND $rows AS row
MATCH (h) WHERE elementId(h) = row.head_node
MATCH (t) WHERE elementId(t) = row.tail_node
CREATE (h)-[r:{t.value}]->(t)
SET r = row.props
RETURN count(r) AS created
"""
    for t in RelationType
}

ARTICLE_CREATE_QUERY = """
UNWIND $rows AS row
MERGE (a:Article {id: row.id})
ON CREATE SET a = row.props, a.edge_keys = row.keys
"""
