"""Graph file -> Neo4j: schema from cypher/schema/*.cypher, then batched parameter writes.

The data model is docs/neo4j-model.md. Every write is one fixed `UNWIND $rows AS row
MERGE ...` query per shape (one per entity type and per relation type from the closed
enums), run in managed transactions (`driver.execute_query`), so a transient failure is
retried and a replayed batch is harmless. Article text only ever travels as parameters.

Loading is additive per article: an edge keeps parallel per-article lists (`articles`,
`evidence`, `dates`, `confidences`, `rules`); loading article X replaces X's item (or
appends it) and leaves other articles' items alone. Each `:Article` node keeps the keys
of the edges it supports (`edge_keys`, loader bookkeeping), so re-loading a re-extracted
article removes its items from edges it no longer supports, and `retract_article` finds
its edges without scanning the graph. The order of the steps keeps `edge_keys` a superset
of the truth at every moment, so a load killed half way and run again converges to the
graph an uninterrupted load writes.

>>> settings = Neo4jSettings("bolt://127.0.0.1:7687", "neo4j", "secret")
>>> "secret" in repr(settings)
False
"""

from __future__ import annotations

import gc
import logging
import os
import re
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

import neo4j
from neo4j import exceptions as neo4j_exc

from .errors import StoreError
from .model import SYMMETRIC_TYPES, EntityType, RelationType

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "EVIDENCE_MAX_CHARS",
    "Neo4jSettings",
    "LoadCounts",
    "connect",
    "cypher_dir",
    "read_schema",
    "apply_schema",
    "load_graph",
    "retract_article",
    "count_graph",
    "delete_prefixed",
]

# The driver logs each retry of a failing transaction as a warning; with no logging set up
# those would reach stderr through logging's last-resort handler, around the one-line
# StoreError that reports the failure. Applications that configure logging still get them.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

DEFAULT_BATCH_SIZE = 2000
EVIDENCE_MAX_CHARS = 400
URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
LANGS = ("zh", "de", "ru", "en")

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): stage is "nodes" or "relationships"; done is cumulative."""


# --------------------------------------------------------------------------- connection

@dataclass(frozen=True)
class Neo4jSettings:
    """Where and as whom to connect. The password is left out of repr (and so of logs)."""

    uri: str = "bolt://127.0.0.1:7687"
    user: str = "neo4j"
    password: str = field(default="", repr=False)
    database: str = "neo4j"
    max_retry_seconds: float = 30.0  # how long managed transactions retry transient errors

    @classmethod
    def from_env(cls, env=None) -> "Neo4jSettings":
        """NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE (defaults: local, neo4j)."""
        env = os.environ if env is None else env
        return cls(uri=env.get("NEO4J_URI") or cls.uri, user=env.get("NEO4J_USER") or cls.user,
                   password=env.get("NEO4J_PASSWORD") or "", database=env.get("NEO4J_DATABASE") or cls.database)

    def where(self) -> str:
        """`uri as user` for messages: never the password."""
        return f"{self.uri} as {self.user!r}"


def _one_line(text: str, secret: str = "") -> str:
    text = " ".join(str(text).split())
    if secret:
        text = text.replace(secret, "***")
    return text


def _describe(exc: BaseException, secret: str = "") -> str:
    if isinstance(exc, neo4j_exc.AuthError):
        return "authentication failed (wrong user or password?)"
    if isinstance(exc, (neo4j_exc.ServiceUnavailable, neo4j_exc.SessionExpired)):
        return "server unavailable (is Neo4j running and reachable?)"
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return _one_line(message, secret)


@contextmanager
def _store_errors(doing: str, where: str = "", secret: str = "", hint: str = "") -> Iterator[None]:
    """Turn driver errors into one-line StoreErrors (never the password, never a trace)."""
    try:
        yield
    except StoreError:
        raise
    except (neo4j_exc.Neo4jError, neo4j_exc.DriverError, OSError, ValueError) as exc:
        place = f" at {where}" if where else ""
        raise StoreError(f"Neo4j{place}: {doing} failed: {_describe(exc, secret)}{hint}") from None


RERUN_HINT = "; the load stopped part way: run it again once Neo4j is back (loads are idempotent)"


def connect(settings: Neo4jSettings) -> neo4j.Driver:
    """Open a driver and check that the server answers and accepts the credentials.

    Raises StoreError naming the uri and user (not the password) when the URI is not
    bolt://, neo4j:// or their +s/+ssc forms, the server is unreachable, or auth fails.
    """
    scheme = settings.uri.split("://", 1)[0].lower() if "://" in settings.uri else ""
    if scheme not in URI_SCHEMES:
        raise StoreError(f"Neo4j URI {settings.uri!r} not understood: use bolt://HOST:7687, "
                         "neo4j://HOST:7687 or neo4j+s://ID.databases.neo4j.io (Aura)")
    driver = None
    with _store_errors("connecting", settings.where(), settings.password):
        driver = neo4j.GraphDatabase.driver(
            settings.uri, auth=(settings.user, settings.password),
            max_transaction_retry_time=settings.max_retry_seconds, connection_timeout=10.0,
            user_agent="graphkit", notifications_min_severity="OFF")
        try:
            driver.verify_connectivity()
            driver.execute_query("RETURN 1", database_=settings.database)
        except BaseException:
            driver.close()
            raise
    return driver


# --------------------------------------------------------------------------- schema

def cypher_dir() -> Path:
    """The repository's cypher/ folder (GRAPHKIT_CYPHER_DIR overrides)."""
    override = os.environ.get("GRAPHKIT_CYPHER_DIR")
    return Path(override) if override else Path(__file__).resolve().parent.parent / "cypher"


def read_schema(folder: Optional[Path] = None) -> list[str]:
    """Statements of cypher/schema/*.cypher in file order (`//` comments dropped)."""
    folder = Path(folder) if folder else cypher_dir() / "schema"
    files = sorted(folder.glob("*.cypher")) if folder.is_dir() else []
    if not files:
        raise StoreError(f"{folder}: no schema files (*.cypher); run graphkit from its source "
                         "checkout or set GRAPHKIT_CYPHER_DIR to the repository's cypher/ folder")
    statements = []
    for path in files:
        text = "\n".join(re.sub(r"^\s*//.*$", "", line) for line in path.read_text(encoding="utf-8").splitlines())
        for stmt in text.split(";"):
            stmt = stmt.strip()
            if stmt:
                if "IF NOT EXISTS" not in stmt.upper():
                    raise StoreError(f"{path}: schema statement without IF NOT EXISTS: {stmt[:60]}")
                statements.append(stmt)
    return statements


def apply_schema(driver: neo4j.Driver, database: str = "neo4j", folder: Optional[Path] = None) -> int:
    """Create every constraint and index of cypher/schema (idempotent); wait until online."""
    statements = read_schema(folder)
    with _store_errors("applying the schema"):
        for stmt in statements:
            driver.execute_query(stmt, database_=database)
        driver.execute_query("CALL db.awaitIndexes(300)", database_=database)
    return len(statements)


# --------------------------------------------------------------------------- queries

_ENTITY_QUERY = {
    t: f"""
UNWIND $rows AS row
MERGE (e:Entity {{id: row.id}})
SET e:{t.value}
REMOVE e:{":".join(o.value for o in EntityType if o is not t)}
SET e += row.props,
    e.aliases = coalesce(e.aliases, []) + [a IN row.aliases WHERE NOT a IN coalesce(e.aliases, [])],
    e.confidence = CASE WHEN e.confidence IS NULL OR row.confidence > e.confidence
                        THEN row.confidence ELSE e.confidence END
"""
    for t in EntityType
}

_OLD_KEYS_QUERY = """
UNWIND $ids AS id
MATCH (a:Article {id: id})
RETURN a.id AS id, coalesce(a.edge_keys, []) AS keys
"""

# Replace the article's properties, record (a superset of) the edges it supports, and
# drop MENTIONS of entities the article no longer mentions.
_ARTICLE_QUERY = """
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

_ARTICLE_KEYS_QUERY = """
UNWIND $rows AS row
MATCH (a:Article {id: row.id})
SET a.edge_keys = row.keys
"""

_MENTIONS_QUERY = """
UNWIND $rows AS row
MATCH (a:Article {id: row.article})
MATCH (e:Entity {id: row.entity})
MERGE (a)-[:MENTIONS]->(e)
"""

# Derived properties from the parallel lists, recomputed on every write (docs/neo4j-model.md).
_DERIVED = """
WITH r, row, arts, items, [x IN items WHERE x.date IS NOT NULL AND x.date <> "" | x.date] AS ds
SET r.articles = arts,
    r.evidence = [x IN items | x.evidence],
    r.dates = [x IN items | coalesce(x.date, "")],
    r.confidences = [x IN items | x.confidence],
    r.rules = [x IN items | x.rule],
    r.support = size(arts),
    r.first_seen = reduce(m = null, d IN ds | CASE WHEN m IS NULL OR d < m THEN d ELSE m END),
    r.last_seen = reduce(m = null, d IN ds | CASE WHEN m IS NULL OR d > m THEN d ELSE m END),
    r.confidence = round(1.0 - reduce(p = 1.0, x IN items |
        p * (1.0 - CASE WHEN x.confidence < 0.0 THEN 0.0 WHEN x.confidence > 1.0 THEN 1.0 ELSE x.confidence END)), 4),
    r.key = row.key
"""

# row: {head, tail, props}: props holds the per-article parallel lists in file order
# (articles, evidence, dates, confidences, rules) and the derived values computed from them
# (support, first_seen, last_seen, confidence, key). A new edge takes props as they are; an
# edge whose lists already equal props is left alone (a re-load writes nothing); any other
# existing edge keeps the items of other articles in place, and this row's articles replace
# theirs in place or are appended, after which the derived values are recomputed.
_EDGE_QUERY = {
    t: f"""
UNWIND $rows AS row
MATCH (h:Entity {{id: row.head}})
MATCH (t:Entity {{id: row.tail}})
MERGE (h)-[r:{t.value}]->(t)
ON CREATE SET r += row.props
WITH r, row, row.props AS new
WHERE NOT (coalesce(r.articles, []) = new.articles AND coalesce(r.evidence, []) = new.evidence
           AND coalesce(r.dates, []) = new.dates AND coalesce(r.confidences, []) = new.confidences
           AND coalesce(r.rules, []) = new.rules)
WITH r, row, new, coalesce(r.articles, []) AS old
WITH r, row, new, old + [a IN new.articles WHERE NOT a IN old] AS arts
WITH r, row, new, arts, [a IN arts | [j IN range(0, size(new.articles) - 1) WHERE new.articles[j] = a]] AS pos
WITH r, row, arts, [i IN range(0, size(arts) - 1) |
  CASE WHEN size(pos[i]) > 0
       THEN {{evidence: new.evidence[pos[i][0]], date: new.dates[pos[i][0]],
             confidence: new.confidences[pos[i][0]], rule: new.rules[pos[i][0]]}}
       ELSE {{evidence: r.evidence[i], date: r.dates[i], confidence: r.confidences[i], rule: r.rules[i]}} END] AS items
""" + _DERIVED
    for t in RelationType
}

# row: {key, drop: [article ids]}: remove those articles' items; delete the edge when none is left.
_EDGE_DROP_QUERY = {
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

_SWEEP_QUERY = """
MATCH (e:Entity)
WHERE e.id STARTS WITH $prefix AND NOT (e)--()
DELETE e
RETURN count(*) AS deleted
"""


# --------------------------------------------------------------------------- rows

@dataclass
class LoadCounts:
    """What a load wrote: rows sent per kind (MERGEs, so a re-load sends the same)."""

    entities: int = 0
    articles: int = 0
    relationships: int = 0
    mentions: int = 0
    stale_items: int = 0
    orphans_deleted: int = 0
    seconds: dict = field(default_factory=dict)  # wall time per step, for benchmarks

    @property
    def nodes(self) -> int:
        return self.entities + self.articles

    def as_dict(self) -> dict:
        return {"entities": self.entities, "articles": self.articles, "nodes": self.nodes,
                "relationships": self.relationships, "mentions": self.mentions,
                "stale_items": self.stale_items, "orphans_deleted": self.orphans_deleted}


def _edge_key(rtype: str, head: str, tail: str) -> str:
    return f"{rtype}|{head}|{tail}"


def _entity_row(node: dict, p: str) -> tuple[EntityType, dict]:
    try:
        etype = EntityType(node.get("type") or "Organization")
    except ValueError:
        raise StoreError(f"node {node.get('id')!r}: unknown entity type {node.get('type')!r}") from None
    props = {"name": node.get("name") or node["id"]}
    names = node.get("names") or {}
    for lang in LANGS:
        if names.get(lang):
            props[f"name_{lang}"] = names[lang]
    for key in ("kind", "country", "wikidata"):
        if node.get(key) is not None:
            props[key] = node[key]
    if node.get("parent"):
        props["parent"] = p + node["parent"]
    row = {"id": p + node["id"], "props": props, "aliases": list(node.get("aliases") or []),
           "confidence": float(node.get("confidence") if node.get("confidence") is not None else 1.0)}
    return etype, row


def _edge_ends(edge: dict, p: str) -> tuple[RelationType, str, str]:
    try:
        rtype = RelationType(edge["type"])
    except ValueError:
        raise StoreError(f"edge {edge.get('head')!r}->{edge.get('tail')!r}: unknown relation type "
                         f"{edge.get('type')!r}") from None
    head, tail = p + edge["head"], p + edge["tail"]
    if rtype in SYMMETRIC_TYPES and tail < head:
        head, tail = tail, head  # stored once per pair, smaller id -> larger id
    return rtype, head, tail


def _edge_identity(edge: dict, p: str) -> tuple[RelationType, str, list]:
    """(type, key, distinct supporting article ids) without building the row."""
    rtype, head, tail = _edge_ends(edge, p)
    arts = list(dict.fromkeys(p + rec["article"] for rec in edge.get("provenance") or []))
    return rtype, _edge_key(rtype.value, head, tail), arts


def _edge_row(edge: dict, p: str) -> tuple[RelationType, dict]:
    rtype, head, tail = _edge_ends(edge, p)
    items: dict[str, tuple] = {}  # article -> (evidence, date, confidence, rule); last record wins
    for rec in edge.get("provenance") or []:
        items[p + rec["article"]] = (
            (rec.get("evidence") or "")[:EVIDENCE_MAX_CHARS], rec.get("date") or "",
            float(rec.get("confidence") if rec.get("confidence") is not None else 1.0), rec.get("rule") or "")
    dates = sorted(v[1] for v in items.values() if v[1])
    props = {"articles": list(items), "evidence": [v[0] for v in items.values()],
             "dates": [v[1] for v in items.values()], "confidences": [v[2] for v in items.values()],
             "rules": [v[3] for v in items.values()], "support": len(items),
             "confidence": _noisy_or(v[2] for v in items.values()), "key": _edge_key(rtype.value, head, tail)}
    if dates:
        props["first_seen"], props["last_seen"] = dates[0], dates[-1]
    return rtype, {"head": head, "tail": tail, "key": props["key"], "props": props}


def _noisy_or(confidences) -> float:
    """1 - product(1 - c), c clamped to [0, 1], rounded to 4 places (as the Cypher in _DERIVED)."""
    miss = 1.0
    for c in confidences:
        miss *= 1.0 - min(1.0, max(0.0, c))
    return round(1.0 - miss, 4)


class _Clock:
    """Wall time between named laps: lap(name) closes the previous step and opens `name`."""

    def __init__(self):
        self.laps, self._name, self._t = {}, "prepare", time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[self._name] = round(self.laps.get(self._name, 0.0) + now - self._t, 3)
        self._name, self._t = name, now


def _batches(rows: list, size: int) -> Iterator[list]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


# --------------------------------------------------------------------------- load

@contextmanager
def _gc_paused() -> Iterator[None]:
    """Move everything alive (the caller's graph) out of the collector's sight for the load.

    Building a million small row dicts next to a large graph otherwise triggers full
    collections that walk the whole graph each time (3-4x the cost of the rows). Freezing
    instead of disabling the collector still frees the driver's per-query reference cycles."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def load_graph(driver: neo4j.Driver, graph: dict, batch_size: int = DEFAULT_BATCH_SIZE, id_prefix: str = "",
               progress: Optional[Progress] = None, database: str = "neo4j", schema: bool = True) -> LoadCounts:
    """Write a graph dict (`graphkit.graph.graph_to_dict` format) to Neo4j; return counts.

    `id_prefix` is put before every node id (entities and articles, and so in edge keys and
    `articles` lists). Idempotent: loading the same graph twice leaves the store unchanged.
    Raises StoreError when the server fails or goes away (after the driver's retries).
    """
    if batch_size < 1:
        raise StoreError(f"batch size must be at least 1 (got {batch_size})")
    with _gc_paused():
        return _load_graph(driver, graph, batch_size, id_prefix or "", progress, database, schema)


def _load_graph(driver, graph, batch_size, p, progress, database, schema) -> LoadCounts:
    clock = _Clock()
    counts = LoadCounts()
    report = progress or (lambda stage, done, total: None)

    entity_rows: dict[EntityType, list] = defaultdict(list)
    for node in graph.get("nodes", []):
        etype, row = _entity_row(node, p)
        entity_rows[etype].append(row)
    # edge rows are built per batch (step 5), so a million edges are never held twice;
    # here only which edges go with which type, and each article's edge keys
    edges = graph.get("edges", [])
    edge_rows: dict[RelationType, list] = defaultdict(list)  # type -> indices into edges
    new_keys: dict[str, list] = defaultdict(list)  # article id -> keys of edges it supports here
    for i, edge in enumerate(edges):
        rtype, key, arts = _edge_identity(edge, p)
        if arts:
            edge_rows[rtype].append(i)
            for aid in arts:
                new_keys[aid].append(key)
    mentions = defaultdict(list)
    for node in graph.get("nodes", []):
        for aid in node.get("articles") or []:
            mentions[p + aid].append(p + node["id"])
    articles = []
    for meta in graph.get("articles", []):
        props = {k: v for k, v in meta.items() if v is not None and k != "id"}
        articles.append({"id": p + meta["id"], "props": {"id": p + meta["id"], **props}})
    known = {a["id"] for a in articles}
    for aid in list(new_keys) + list(mentions):
        if aid not in known:  # an edge or node cites an article the file does not describe
            articles.append({"id": aid, "props": {"id": aid}})
            known.add(aid)

    n_nodes = sum(len(r) for r in entity_rows.values()) + len(articles)
    mention_rows = [{"article": a, "entity": e} for a, ents in mentions.items() for e in ents]
    n_rels = sum(len(r) for r in edge_rows.values()) + len(mention_rows)
    done_nodes = done_rels = 0
    report("nodes", 0, n_nodes)
    report("relationships", 0, n_rels)

    def run(query: str, rows: list, what: str):
        with _store_errors(what, hint=RERUN_HINT):
            return driver.execute_query(query, parameters_={"rows": rows}, database_=database)

    clock.lap("schema")
    if schema:
        apply_schema(driver, database)

    clock.lap("read_old_keys")
    # 1. edges each article supported at its previous load
    old_keys: dict[str, list] = {}
    ids = [a["id"] for a in articles]
    for chunk in _batches(ids, batch_size * 5):
        with _store_errors("reading articles"):
            records = driver.execute_query(_OLD_KEYS_QUERY, parameters_={"ids": chunk}, database_=database).records
        old_keys.update({r["id"]: r["keys"] for r in records})

    clock.lap("entities")
    # 2. entities, one fixed query per label
    for etype in EntityType:
        for chunk in _batches(entity_rows.get(etype, []), batch_size):
            run(_ENTITY_QUERY[etype], chunk, f"writing {etype.value} nodes")
            done_nodes += len(chunk)
            counts.entities += len(chunk)
            report("nodes", done_nodes, n_nodes)

    clock.lap("articles")
    # 3. articles; edge_keys = old ∪ new, so it never misses an edge holding an item of theirs
    stale: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))  # type -> key -> articles
    final_keys = []
    for a in articles:
        new = list(dict.fromkeys(new_keys.get(a["id"], [])))
        new_set = set(new)
        gone = [k for k in old_keys.get(a["id"], []) if k not in new_set]
        a["keys"] = new + gone
        a["entities"] = mentions.get(a["id"], [])
        for key in gone:
            stale[key.split("|", 1)[0]][key].append(a["id"])
        if gone:
            final_keys.append({"id": a["id"], "keys": new})
    for chunk in _batches(articles, batch_size):
        run(_ARTICLE_QUERY, [{"id": a["id"], "props": a["props"], "keys": a["keys"], "entities": a["entities"]}
                             for a in chunk], "writing articles")
        done_nodes += len(chunk)
        counts.articles += len(chunk)
        report("nodes", done_nodes, n_nodes)

    clock.lap("stale_items")
    # 4. items of re-extracted articles on edges they no longer support
    for type_name, by_key in stale.items():
        rtype = RelationType(type_name)
        rows = [{"key": k, "drop": drops} for k, drops in by_key.items()]
        for chunk in _batches(rows, batch_size):
            run(_EDGE_DROP_QUERY[rtype], chunk, f"removing stale {type_name} items")
            counts.stale_items += sum(len(r["drop"]) for r in chunk)

    clock.lap("edges")
    # 5. typed edges, one fixed query per relation type
    for rtype in RelationType:
        for chunk_ids in _batches(edge_rows.get(rtype, []), batch_size):
            chunk = [_edge_row(edges[i], p)[1] for i in chunk_ids]
            run(_EDGE_QUERY[rtype], chunk, f"writing {rtype.value} relationships")
            done_rels += len(chunk)
            counts.relationships += len(chunk)
            report("relationships", done_rels, n_rels)

    clock.lap("mentions")
    # 6. (:Article)-[:MENTIONS]->(:Entity)
    for chunk in _batches(mention_rows, batch_size * 2):
        run(_MENTIONS_QUERY, chunk, "writing MENTIONS relationships")
        done_rels += len(chunk)
        counts.mentions += len(chunk)
        report("relationships", done_rels, n_rels)

    clock.lap("finish")
    # 7. edge_keys back to exactly the edges supported now; drop entities nothing points at
    for chunk in _batches(final_keys, batch_size):
        run(_ARTICLE_KEYS_QUERY, chunk, "updating articles")
    counts.orphans_deleted = _sweep(driver, p, database)
    clock.lap("end")
    counts.seconds = clock.laps
    return counts


def _sweep(driver: neo4j.Driver, prefix: str, database: str) -> int:
    """Delete entities (ids starting with prefix) with no MENTIONS and no edges."""
    with _store_errors("removing orphan entities"):
        records = driver.execute_query(_SWEEP_QUERY, parameters_={"prefix": prefix}, database_=database).records
    return records[0]["deleted"] if records else 0


# --------------------------------------------------------------------------- retract

def retract_article(driver: neo4j.Driver, article_id: str, id_prefix: str = "", database: str = "neo4j") -> dict:
    """Remove an article's items from every edge, edges left with none, its :Article node
    and entities left with no MENTIONS and no edges. Returns what went; `found` is False
    when the store holds no such article (nothing is changed then)."""
    aid = (id_prefix or "") + article_id
    with _store_errors(f"retracting {article_id}"):
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
            for chunk in _batches(rows, DEFAULT_BATCH_SIZE):
                rec = driver.execute_query(_EDGE_DROP_QUERY[RelationType(type_name)], parameters_={"rows": chunk},
                                           database_=database).records
                updated += rec[0]["matched"] - (rec[0]["deleted"] or 0)
                deleted += rec[0]["deleted"] or 0
        driver.execute_query("MATCH (a:Article {id: $id}) DETACH DELETE a", parameters_={"id": aid},
                             database_=database)
    deleted_entities = _sweep(driver, id_prefix or "", database)
    return {"found": True, "edges_updated": updated, "edges_deleted": deleted,
            "entities_deleted": deleted_entities}


# --------------------------------------------------------------------------- counts / cleanup

def count_graph(driver: neo4j.Driver, id_prefix: str = "", database: str = "neo4j") -> dict:
    """Node counts per label and relationship counts per type among ids starting with id_prefix.

    Keys: "Entity", "Organization", "Product", "Program", "Article", "MENTIONS", one per
    relation type, and "nodes" / "relationships" (all typed edges, MENTIONS excluded)."""
    p = id_prefix or ""
    counts = {label: 0 for label in ("Entity", *(t.value for t in EntityType), "Article")}
    counts.update({"MENTIONS": 0, **{t.value: 0 for t in RelationType}})
    with _store_errors("counting"):
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
    with _store_errors("deleting test data"):
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
