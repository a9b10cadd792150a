"""Graph file -> Neo4j: schema from cypher/schema/*.cypher, then batched parameter writes.

The data model is docs/neo4j-model.md. Every write is one fixed `UNWIND $rows AS row ...`
query per shape (graphkit.store_cypher: one per entity type and per relation type from
the closed enums), run in managed transactions (`driver.execute_query`), so a transient
failure is retried. Article text only ever travels as parameters. Each batch first asks
which of its nodes or edges the store holds already: those are MERGEd, the rest CREATEd
(a first load is all CREATE, several times faster than MERGE), under uniqueness
constraints that turn a wrong guess into a failed batch rather than a duplicate.

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
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

import neo4j
from neo4j import exceptions as neo4j_exc

from . import store_cypher as cypher
from .batchwriter import BatchWriter
from .errors import StoreError
from .model import SYMMETRIC_TYPES, EntityType, RelationType

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
DEFAULT_WRITERS = 2  # one builds rows while one waits; both cores of a small server write
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
                if not _idempotent(stmt):
                    raise StoreError(f"{path}: schema statement that is not idempotent (CREATE needs "
                                     f"IF NOT EXISTS, DROP needs IF EXISTS): {stmt[:60]}")
                statements.append(stmt)
    return statements


def _idempotent(statement: str) -> bool:
    words = statement.upper().split()
    if words and words[0] == "DROP":
        return "IF EXISTS" in " ".join(words)
    return "IF NOT EXISTS" in " ".join(words)


def apply_schema(driver: neo4j.Driver, database: str = "neo4j", folder: Optional[Path] = None) -> int:
    """Create every constraint and index of cypher/schema (idempotent); wait until online."""
    statements = read_schema(folder)
    with _store_errors("applying the schema"):
        for stmt in statements:
            driver.execute_query(stmt, database_=database)
        driver.execute_query("CALL db.awaitIndexes(300)", database_=database)
    return len(statements)


# --------------------------------------------------------------------------- rows

@dataclass
class LoadCounts:
    """What a load wrote: rows sent per kind, and how many of them were new to the store."""

    entities: int = 0
    articles: int = 0
    relationships: int = 0
    mentions: int = 0
    entities_created: int = 0
    relationships_created: int = 0
    stale_items: int = 0
    orphans_deleted: int = 0
    seconds: dict = field(default_factory=dict)  # wall time per step, for benchmarks

    @property
    def nodes(self) -> int:
        return self.entities + self.articles

    def as_dict(self) -> dict:
        return {"entities": self.entities, "articles": self.articles, "nodes": self.nodes,
                "relationships": self.relationships, "mentions": self.mentions,
                "entities_created": self.entities_created, "relationships_created": self.relationships_created,
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
    row = {"id": p + node["id"], "props": props, "aliases": list(dict.fromkeys(node.get("aliases") or [])),
           "confidence": float(node.get("confidence") if node.get("confidence") is not None else 1.0)}
    return etype, row


def _new_entity_row(row: dict) -> dict:
    """The CREATE form of an entity row: one map with every property."""
    return {"props": {**row["props"], "id": row["id"], "aliases": row["aliases"], "confidence": row["confidence"]}}


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


def _edge_row(edges: list, p: str) -> dict:
    """One row for the edge(s) sharing a key (a file may hold A-B and B-A of a symmetric type)."""
    rtype, head, tail = _edge_ends(edges[0], p)
    items: dict[str, tuple] = {}  # article -> (evidence, date, confidence, rule); last record wins
    for edge in edges:
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
    return {"head": head, "tail": tail, "key": props["key"], "props": props}


def _noisy_or(confidences) -> float:
    """1 - product(1 - c), c clamped to [0, 1], rounded to 4 places (as the Cypher in _DERIVED)."""
    miss = 1.0
    for c in confidences:
        miss *= 1.0 - min(1.0, max(0.0, c))
    return round(1.0 - miss, 4)


@dataclass
class _LoadPlan:
    """What a graph file asks the store to hold, in rows (no server involved).

    Edge rows are built per batch at write time, so a million edges are never held twice:
    the plan keeps, per relation type, the index of the first edge of each key, and the
    indices of any later edges with the same key (`twins`)."""

    entities: dict  # EntityType -> [entity row]
    articles: list  # [{"id", "props"}]
    edges: list  # the file's edge dicts
    edge_order: dict  # RelationType -> [index of the first edge with each key]
    twins: dict  # index -> [indices of later edges with its key]
    article_edge_keys: dict  # article id -> [keys of the edges it supports in this file]
    mentions: dict  # article id -> [entity ids]

    def edge_row(self, index: int, p: str) -> dict:
        return _edge_row([self.edges[index]] + [self.edges[j] for j in self.twins.get(index, ())], p)

    @property
    def n_edges(self) -> int:
        return sum(len(v) for v in self.edge_order.values())

    @property
    def n_mentions(self) -> int:
        return sum(len(v) for v in self.mentions.values())


def _plan(graph: dict, p: str) -> _LoadPlan:
    entities: dict[EntityType, list] = defaultdict(list)
    mentions: dict[str, list] = defaultdict(list)
    for node in graph.get("nodes", []):
        etype, row = _entity_row(node, p)
        entities[etype].append(row)
        for aid in dict.fromkeys(node.get("articles") or []):
            mentions[p + aid].append(row["id"])
    edges = graph.get("edges", [])
    edge_order: dict[RelationType, list] = defaultdict(list)
    first_of_key: dict[str, int] = {}
    twins: dict[int, list] = defaultdict(list)
    article_edge_keys: dict[str, list] = defaultdict(list)
    for i, edge in enumerate(edges):
        rtype, key, arts = _edge_identity(edge, p)
        if not arts:
            continue  # an edge no article supports is not stored
        if key in first_of_key:
            twins[first_of_key[key]].append(i)
        else:
            first_of_key[key] = i
            edge_order[rtype].append(i)
        for aid in arts:
            article_edge_keys[aid].append(key)
    del first_of_key
    articles = []
    for meta in graph.get("articles", []):
        props = {k: v for k, v in meta.items() if v is not None and k != "id"}
        articles.append({"id": p + meta["id"], "props": {"id": p + meta["id"], **props}})
    known = {a["id"] for a in articles}
    for aid in list(article_edge_keys) + list(mentions):
        if aid not in known:  # an edge or node cites an article the file does not describe
            articles.append({"id": aid, "props": {"id": aid}})
            known.add(aid)
    return _LoadPlan(dict(entities), articles, edges, dict(edge_order), dict(twins),
                     dict(article_edge_keys), dict(mentions))


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
               progress: Optional[Progress] = None, database: str = "neo4j", schema: bool = True,
               writers: int = DEFAULT_WRITERS) -> LoadCounts:
    """Write a graph dict (`graphkit.graph.graph_to_dict` format) to Neo4j; return counts.

    `id_prefix` is put before every node id (entities and articles, and so in edge keys and
    `articles` lists). Idempotent: loading the same graph twice leaves the store unchanged.
    `writers` threads send batches while the next ones are built. One load at a time per
    database: a second concurrent load may fail on a uniqueness constraint (never duplicate).
    Raises StoreError when the server fails or goes away (after the driver's retries).
    """
    if batch_size < 1:
        raise StoreError(f"batch size must be at least 1 (got {batch_size})")
    if writers < 1:
        raise StoreError(f"need at least one writer (got {writers})")
    with _gc_paused():
        loader = _Loader(driver, database, id_prefix or "", batch_size, progress)
        return loader.load(graph, schema, writers)


class _Loader:
    """One load: the steps in the order that keeps `edge_keys` a superset of the truth.

    Each step submits its batches to a BatchWriter and waits for them before the next step
    starts; within a step, batches are independent of each other."""

    def __init__(self, driver, database, prefix, batch_size, progress):
        self.driver, self.database, self.p, self.batch_size = driver, database, prefix, batch_size
        self.report = progress or (lambda stage, done, total: None)
        self.counts = LoadCounts()
        self._tally_lock = threading.Lock()
        self.node_ids: dict[str, str] = {}  # entity id -> elementId, filled by the entity step
        self.done = {"nodes": 0, "relationships": 0}
        self.total = {"nodes": 0, "relationships": 0}

    # -- plumbing
    def write(self, query: str, rows: list, what: str) -> list:
        with _store_errors(what, hint=RERUN_HINT):
            return self.driver.execute_query(query, parameters_={"rows": rows}, database_=self.database).records

    def read(self, query: str, what: str, **params) -> list:
        with _store_errors(what, hint=RERUN_HINT):
            return self.driver.execute_query(query, parameters_=params, database_=self.database,
                                             routing_=neo4j.RoutingControl.READ).records

    def tally(self, stage: Optional[str] = None, n: int = 0, **fields: int) -> None:
        """Add to counts (thread-safe) and move the progress bar of `stage` by n."""
        with self._tally_lock:
            for name, value in fields.items():
                setattr(self.counts, name, getattr(self.counts, name) + value)
            if stage:
                self.done[stage] += n
                self.report(stage, self.done[stage], self.total[stage])

    # -- the load
    def load(self, graph: dict, schema: bool, writers: int) -> LoadCounts:
        clock = _Clock()
        plan = _plan(graph, self.p)
        self.total["nodes"] = sum(len(r) for r in plan.entities.values()) + len(plan.articles)
        self.total["relationships"] = plan.n_edges + plan.n_mentions
        self.report("nodes", 0, self.total["nodes"])
        self.report("relationships", 0, self.total["relationships"])
        clock.lap("schema")
        if schema:
            apply_schema(self.driver, self.database)
        clock.lap("read_old_keys")
        old_keys = self.read_old_keys([a["id"] for a in plan.articles])
        with BatchWriter(threads=writers) as writer:
            clock.lap("entities")
            self.write_entities(writer, plan)
            clock.lap("articles")
            stale, final_keys = self.write_articles(writer, plan, old_keys)
            clock.lap("stale_items")
            self.drop_stale_items(writer, stale)
            clock.lap("edges")
            self.write_edges(writer, plan)
            clock.lap("mentions")
            self.write_mentions(writer, plan)
        clock.lap("finish")
        # edge_keys back to exactly the edges supported now; drop entities nothing points at
        for chunk in _batches(final_keys, self.batch_size):
            self.write(cypher.ARTICLE_KEYS_QUERY, chunk, "updating articles")
        self.counts.orphans_deleted = _sweep(self.driver, self.p, self.database)
        clock.lap("end")
        self.counts.seconds = clock.laps
        return self.counts

    def read_old_keys(self, article_ids: list) -> dict:
        """Edge keys each already stored article supported at its previous load."""
        old_keys: dict[str, list] = {}
        for chunk in _batches(article_ids, self.batch_size * 5):
            records = self.read(cypher.OLD_KEYS_QUERY, "reading articles", ids=chunk)
            old_keys.update({r["id"]: r["keys"] for r in records})
        return old_keys

    def write_entities(self, writer: BatchWriter, plan: _LoadPlan) -> None:
        for etype, rows in plan.entities.items():
            for chunk in _batches(rows, self.batch_size):
                writer.submit(lambda etype=etype, chunk=chunk: self._entity_batch(etype, chunk))
        writer.barrier()

    def _entity_batch(self, etype: EntityType, rows: list) -> None:
        stored = {r["id"] for r in self.read(cypher.ENTITY_NODES_QUERY, f"reading {etype.value} nodes",
                                             ids=[row["id"] for row in rows])}
        fresh = [_new_entity_row(row) for row in rows if row["id"] not in stored]
        known = [row for row in rows if row["id"] in stored]
        written = []
        if fresh:
            written += self.write(cypher.ENTITY_CREATE_QUERY[etype], fresh, f"writing {etype.value} nodes")
        if known:
            written += self.write(cypher.ENTITY_QUERY[etype], known, f"writing {etype.value} nodes")
        with self._tally_lock:
            self.node_ids.update((r["id"], r["node"]) for r in written)
        self.tally("nodes", len(rows), entities=len(rows), entities_created=len(fresh))

    def write_articles(self, writer: BatchWriter, plan: _LoadPlan, old_keys: dict) -> tuple[dict, list]:
        """Articles with edge_keys = old ∪ new, so they never miss an edge holding an item of theirs.

        Returns the stale items (type -> key -> articles whose item on that edge must go)
        and the exact edge_keys to set once the edges are written."""
        stale: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        final_keys, fresh, known = [], [], []
        for a in plan.articles:
            new = list(dict.fromkeys(plan.article_edge_keys.get(a["id"], [])))
            new_set = set(new)
            gone = [k for k in old_keys.get(a["id"], []) if k not in new_set]
            for key in gone:
                stale[key.split("|", 1)[0]][key].append(a["id"])
            if gone:
                final_keys.append({"id": a["id"], "keys": new})
            row = {"id": a["id"], "props": a["props"], "keys": new + gone,
                   "entities": plan.mentions.get(a["id"], [])}
            (known if a["id"] in old_keys else fresh).append(row)
        for query, rows in ((cypher.ARTICLE_CREATE_QUERY, fresh), (cypher.ARTICLE_QUERY, known)):
            for chunk in _batches(rows, self.batch_size):
                writer.submit(lambda query=query, chunk=chunk: self._article_batch(query, chunk))
        writer.barrier()
        return stale, final_keys

    def _article_batch(self, query: str, rows: list) -> None:
        self.write(query, rows, "writing articles")
        self.tally("nodes", len(rows), articles=len(rows))

    def drop_stale_items(self, writer: BatchWriter, stale: dict) -> None:
        """Items of re-extracted articles on edges they no longer support."""
        for type_name, by_key in stale.items():
            rtype = RelationType(type_name)
            rows = [{"key": k, "drop": drops} for k, drops in by_key.items()]
            for chunk in _batches(rows, self.batch_size):
                writer.submit(lambda rtype=rtype, chunk=chunk: self._stale_batch(rtype, chunk))
        writer.barrier()

    def _stale_batch(self, rtype: RelationType, rows: list) -> None:
        self.write(cypher.EDGE_DROP_QUERY[rtype], rows, f"removing stale {rtype.value} items")
        self.tally(stale_items=sum(len(r["drop"]) for r in rows))

    def write_edges(self, writer: BatchWriter, plan: _LoadPlan) -> None:
        self.look_up_end_nodes(plan)
        for rtype, order in plan.edge_order.items():
            for chunk_ids in _batches(order, self.batch_size):
                rows = [plan.edge_row(i, self.p) for i in chunk_ids]
                for row in rows:
                    row["head_node"], row["tail_node"] = self.node_ids[row["head"]], self.node_ids[row["tail"]]
                writer.submit(lambda rtype=rtype, rows=rows: self._edge_batch(rtype, rows))
        writer.barrier()

    def look_up_end_nodes(self, plan: _LoadPlan) -> None:
        """elementIds of edge ends the file has no node for (the store may hold them)."""
        missing = {end for order in plan.edge_order.values() for i in order
                   for end in _edge_ends(plan.edges[i], self.p)[1:] if end not in self.node_ids}
        for chunk in _batches(sorted(missing), self.batch_size * 5):
            records = self.read(cypher.ENTITY_NODES_QUERY, "reading entities", ids=chunk)
            self.node_ids.update((r["id"], r["node"]) for r in records)
        absent = missing.difference(self.node_ids)
        if absent:
            raise StoreError(f"{len(absent)} edge end(s) are neither nodes of the graph file nor in the store, "
                             f"e.g. {sorted(absent)[0]!r}: is the graph file complete?")

    def _edge_batch(self, rtype: RelationType, rows: list) -> None:
        what = f"writing {rtype.value} relationships"
        result = self.write(cypher.EDGE_WRITE_QUERY[rtype], rows, what)[0]
        if result["created"] != result["absent"]:
            raise StoreError(f"Neo4j: {what} failed: {result['absent'] - result['created']} edge(s) lost an end "
                             f"node deleted during the load{RERUN_HINT}")
        self.tally("relationships", len(rows), relationships=len(rows), relationships_created=result["created"])

    def write_mentions(self, writer: BatchWriter, plan: _LoadPlan) -> None:
        """(:Article)-[:MENTIONS]->(:Entity), always MERGEd: MENTIONS carry no key a constraint
        could guard, and a transaction retried after an unacknowledged commit must not
        double them (cheap here: a new article has no relationships to look through)."""
        batch, size = [], 0
        for aid, entity_ids in plan.mentions.items():
            batch.append({"article": aid, "entities": entity_ids})
            size += len(entity_ids)
            if size >= self.batch_size * 2:
                writer.submit(lambda batch=batch: self._mention_batch(batch))
                batch, size = [], 0
        if batch:
            writer.submit(lambda batch=batch: self._mention_batch(batch))
        writer.barrier()

    def _mention_batch(self, rows: list) -> None:
        self.write(cypher.MENTIONS_QUERY, rows, "writing MENTIONS relationships")
        n = sum(len(r["entities"]) for r in rows)
        self.tally("relationships", n, mentions=n)


def _sweep(driver: neo4j.Driver, prefix: str, database: str) -> int:
    """Delete entities (ids starting with prefix) with no MENTIONS and no edges."""
    with _store_errors("removing orphan entities"):
        records = driver.execute_query(cypher.SWEEP_QUERY, parameters_={"prefix": prefix}, database_=database).records
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
                rec = driver.execute_query(cypher.EDGE_DROP_QUERY[RelationType(type_name)], parameters_={"rows": chunk},
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
