"""The incremental loader: a graph dict -> Neo4j, in batches, additive per article.

Every write is one fixed `UNWIND $rows AS row ...` query per shape (graphkit.neo4j.cypher:
one per entity type and per relation type from the closed enums), each in a transaction of
its own: a deadlock is retried at once, any other transient failure through the driver's
managed transactions (`driver.execute_query`), which retry it. Article text only
ever travels as parameters. Each batch first asks which of its nodes or edges the store
holds already: those are MERGEd, the rest CREATEd (a first load is all CREATE, several
times faster than MERGE), under uniqueness constraints that turn a wrong guess into a
failed batch rather than a duplicate.

Loading is additive per article: an edge keeps parallel per-article lists (`articles`,
`evidence`, `dates`, `confidences`, `rules`); loading article X replaces X's item (or
appends it) and leaves other articles' items alone. Each `:Article` node keeps the keys
of the edges it supports (`edge_keys`, loader bookkeeping), so re-loading a re-extracted
article removes its items from edges it no longer supports, and `retract_article` finds
its edges without scanning the graph. The order of the steps keeps `edge_keys` a superset
of the truth at every moment, so a load killed half way and run again converges to the
graph an uninterrupted load writes.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Optional

import neo4j
from neo4j import exceptions as neo4j_exc

from graphkit.errors import StoreError
from graphkit.model import EntityType, RelationType
from graphkit.neo4j import cypher
from graphkit.neo4j.batchwriter import BatchWriter
from graphkit.neo4j.connection import RERUN_HINT, store_errors
from graphkit.neo4j.plan import LoadPlan, WriteCounts, make_plan, new_entity_props
from graphkit.neo4j.schema import apply_schema

__all__ = ["DEFAULT_BATCH_SIZE", "DEFAULT_WRITERS", "LoadCounts", "Progress", "load_graph", "sweep_orphans",
           "batches"]

DEFAULT_BATCH_SIZE = 2000
DEFAULT_WRITERS = 2  # one builds rows while one waits; both cores of a small server write
DEADLOCK = "Neo.TransientError.Transaction.DeadlockDetected"
DEADLOCK_RETRIES = 5

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): stage is "nodes" or "relationships"; done is cumulative."""


@dataclass
class LoadCounts(WriteCounts):
    """What a load wrote: rows sent per kind, and how many of them were new to the store."""

    entities_created: int = 0
    relationships_created: int = 0
    stale_items: int = 0
    orphans_deleted: int = 0

    def as_dict(self) -> dict:
        return {"entities": self.entities, "articles": self.articles, "nodes": self.nodes,
                "relationships": self.relationships, "mentions": self.mentions,
                "entities_created": self.entities_created, "relationships_created": self.relationships_created,
                "stale_items": self.stale_items, "orphans_deleted": self.orphans_deleted}


class _Clock:
    """Wall time between named laps: lap(name) closes the previous step and opens `name`."""

    def __init__(self):
        self.laps, self._name, self._t = {}, "prepare", time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[self._name] = round(self.laps.get(self._name, 0.0) + now - self._t, 3)
        self._name, self._t = name, now


def batches(rows: list, size: int) -> Iterator[list]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


class Rows(list):
    """A query parameter list whose repr is one short line.

    The driver builds the text of its debug log line for every query (`" ".join(map(repr,
    fields))`, parameters included) whether or not debug logging is on: for a batch of 2,000
    edge rows that is a 1 MB string, about 13 ms of the GIL per batch, thrown away."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


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
        self.bookmarks = driver.execute_query_bookmark_manager  # causal order with execute_query's writes
        self._tally_lock = threading.Lock()
        self.node_ids: dict[str, str] = {}  # entity id -> elementId, filled by the entity step
        # entities this load CREATEd: no stored edge can end at one of them, so an edge that
        # does is new without asking the store (a first load asks about no edge at all)
        self.created_nodes: set[str] = set()
        self.done = {"nodes": 0, "relationships": 0}
        self.total = {"nodes": 0, "relationships": 0}

    # -- plumbing
    def run(self, query: str, params: dict, read: bool = False) -> list:
        """Records of one query in a transaction of its own.

        A deadlock (two writers' new relationships locking the same chain-head relationship
        in opposite orders; rare with disjoint groups, but the driver's managed retry pauses
        a second or more each time) is retried here at once, a few times. Every other
        failure, and a deadlock that persists, goes to `driver.execute_query`, whose
        managed retries ride out a server that is briefly away."""
        for attempt in range(DEADLOCK_RETRIES):
            try:
                with self.driver.session(database=self.database, bookmark_manager=self.bookmarks,
                                         default_access_mode=neo4j.READ_ACCESS if read else neo4j.WRITE_ACCESS) as session:
                    with session.begin_transaction() as tx:
                        records = list(tx.run(query, params))
                        tx.commit()
                return records
            except neo4j_exc.TransientError as exc:
                if exc.code != DEADLOCK:
                    break
                time.sleep(0.02 * (attempt + 1))
            except (neo4j_exc.ServiceUnavailable, neo4j_exc.SessionExpired, neo4j_exc.IncompleteCommit):
                break
        return self.driver.execute_query(query, parameters_=params, database_=self.database,
                                         routing_=neo4j.RoutingControl.READ if read else neo4j.RoutingControl.WRITE).records

    def write(self, query: str, rows: list, what: str) -> list:
        with store_errors(what, hint=RERUN_HINT):
            return self.run(query, {"rows": Rows(rows)})

    def create(self, query: str, rows: list, fallback: str, fallback_rows: list, what: str) -> tuple[list, bool]:
        """Run the CREATE query of rows checked to be new; (records, True).

        Should one of them exist after all (a concurrent load created it in between, or the
        driver retried a transaction whose commit went unacknowledged), the uniqueness
        constraint fails the whole transaction, and the rows go through the query that
        handles stored items instead: (records, False)."""
        with store_errors(what, hint=RERUN_HINT):
            try:
                return self.run(query, {"rows": Rows(rows)}), True
            except neo4j_exc.ConstraintError:
                return self.run(fallback, {"rows": Rows(fallback_rows)}), False

    def read(self, query: str, what: str, **params) -> list:
        with store_errors(what, hint=RERUN_HINT):
            return self.run(query, {k: Rows(v) if isinstance(v, list) else v for k, v in params.items()}, read=True)

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
        plan = make_plan(graph, self.p)
        self.total["nodes"] = plan.n_entities + len(plan.articles)
        self.total["relationships"] = plan.n_edges + plan.n_mentions
        self.report("nodes", 0, self.total["nodes"])
        self.report("relationships", 0, self.total["relationships"])
        clock.lap("schema")
        if schema:
            apply_schema(self.driver, self.database)
        clock.lap("read_old_keys")
        old_keys = self.read_old_keys([a["id"] for a in plan.articles])
        self.buckets = 2 * writers if writers > 1 else 1
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
        for chunk in batches(final_keys, self.batch_size):
            self.write(cypher.ARTICLE_KEYS_QUERY, chunk, "updating articles")
        self.counts.orphans_deleted = sweep_orphans(self.driver, self.p, self.database)
        clock.lap("end")
        self.counts.seconds = clock.laps
        return self.counts

    def read_old_keys(self, article_ids: list) -> dict:
        """Edge keys each already stored article supported at its previous load."""
        old_keys: dict[str, list] = {}
        for chunk in batches(article_ids, self.batch_size * 5):
            records = self.read(cypher.OLD_KEYS_QUERY, "reading articles", ids=chunk)
            old_keys.update({r["id"]: r["keys"] for r in records})
        return old_keys

    def write_entities(self, writer: BatchWriter, plan: LoadPlan) -> None:
        for etype, rows in plan.entities.items():
            for chunk in batches(rows, self.batch_size):
                writer.submit(lambda etype=etype, chunk=chunk: self._entity_batch(etype, chunk))
        writer.barrier()

    def _entity_batch(self, etype: EntityType, rows: list) -> None:
        stored = {r["id"] for r in self.read(cypher.ENTITY_NODES_QUERY, f"reading {etype.value} nodes",
                                             ids=[row["id"] for row in rows])}
        fresh = [row for row in rows if row["id"] not in stored]
        known = [row for row in rows if row["id"] in stored]
        written, created = [], []
        if fresh:
            records, plain = self.create(cypher.ENTITY_CREATE_QUERY[etype],
                                         [{"props": new_entity_props(r)} for r in fresh],
                                         cypher.ENTITY_QUERY[etype], fresh, f"writing {etype.value} nodes")
            written += records
            if plain:  # after a fallback some of them may have been stored by someone else
                created = [r["id"] for r in fresh]
        if known:
            written += self.write(cypher.ENTITY_QUERY[etype], known, f"writing {etype.value} nodes")
        with self._tally_lock:
            self.node_ids.update((r["id"], r["node"]) for r in written)
            self.created_nodes.update(created)
        self.tally("nodes", len(rows), entities=len(rows), entities_created=len(fresh))

    def write_articles(self, writer: BatchWriter, plan: LoadPlan, old_keys: dict) -> tuple[dict, list]:
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
            for chunk in batches(rows, self.batch_size):
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
            for chunk in batches(rows, self.batch_size):
                writer.submit(lambda rtype=rtype, chunk=chunk: self._stale_batch(rtype, chunk))
        writer.barrier()

    def _stale_batch(self, rtype: RelationType, rows: list) -> None:
        self.write(cypher.EDGE_DROP_QUERY[rtype], rows, f"removing stale {rtype.value} items")
        self.tally(stale_items=sum(len(r["drop"]) for r in rows))

    def write_edges(self, writer: BatchWriter, plan: LoadPlan) -> None:
        """Edges in rounds of node-disjoint groups (see `disjoint_rounds`): one writer per group."""
        k = self.buckets
        groups: dict[tuple, dict] = defaultdict(lambda: defaultdict(list))  # bucket pair -> type -> [edge index]
        missing = set()  # ends the file has no node for (the store may hold them)
        for rtype, order in plan.edge_order.items():
            for i in order:
                _, head, tail = plan.edge_ends(i)
                for end in (head, tail):
                    if end not in self.node_ids:
                        missing.add(end)
                a, b = hash(head) % k, hash(tail) % k
                groups[(a, b) if a <= b else (b, a)][rtype].append(i)
        self.look_up_end_nodes(missing)
        for pairs in disjoint_rounds(k):
            for pair in pairs:
                if pair in groups:
                    writer.submit(lambda by_type=groups.pop(pair): self._edge_group(plan, by_type))
            writer.barrier()

    def _edge_group(self, plan: LoadPlan, by_type: dict) -> None:
        for rtype, indices in by_type.items():
            for chunk in batches(indices, self.batch_size):
                rows, ask = [], []
                for row in map(plan.edge_row, chunk):
                    head, tail = row["head"], row["tail"]
                    if head not in self.created_nodes and tail not in self.created_nodes:
                        ask.append(row["key"])  # both ends stored before this load: the edge may be too
                    rows.append({"key": row["key"], "head_node": self.node_ids[head], "tail_node": self.node_ids[tail],
                                 "props": row["props"]})
                self._edge_batch(rtype, rows, ask)

    def look_up_end_nodes(self, missing: set) -> None:
        """elementIds of edge ends the file has no node for, from the store."""
        for chunk in batches(sorted(missing), self.batch_size * 5):
            records = self.read(cypher.ENTITY_NODES_QUERY, "reading entities", ids=chunk)
            self.node_ids.update((r["id"], r["node"]) for r in records)
        absent = missing.difference(self.node_ids)
        if absent:
            raise StoreError(f"{len(absent)} edge end(s) are neither nodes of the graph file nor in the store, "
                             f"e.g. {sorted(absent)[0]!r}: is the graph file complete?")

    def _edge_batch(self, rtype: RelationType, rows: list, ask: list) -> None:
        """New edges take a plain CREATE (several times cheaper for the server than the query
        that merges items into a stored edge); stored ones the merging query. `ask`: the keys
        that may be stored (the other rows have an end node this load created)."""
        what = f"writing {rtype.value} relationships"
        stored = {r["key"] for r in self.read(cypher.EDGE_KEYS_QUERY[rtype], f"reading {rtype.value} relationships",
                                              keys=ask)} if ask else set()
        fresh = [row for row in rows if row["key"] not in stored]
        known = [row for row in rows if row["key"] in stored]
        absent = created = 0
        if fresh:
            (result,), plain = self.create(cypher.EDGE_CREATE_QUERY[rtype], fresh, cypher.EDGE_WRITE_QUERY[rtype], fresh,
                                           what)
            absent += len(fresh) if plain else result["absent"]
            created += result["created"]
        if known:
            result = self.write(cypher.EDGE_WRITE_QUERY[rtype], known, what)[0]
            absent += result["absent"]
            created += result["created"]
        if created != absent:
            raise StoreError(f"Neo4j: {what} failed: {absent - created} edge(s) lost an end "
                             f"node deleted during the load{RERUN_HINT}")
        self.tally("relationships", len(rows), relationships=len(rows), relationships_created=created)

    def write_mentions(self, writer: BatchWriter, plan: LoadPlan) -> None:
        """(:Article)-[:MENTIONS]->(:Entity), always MERGEd: MENTIONS carry no key a constraint
        could guard, and a transaction retried after an unacknowledged commit must not
        double them (cheap here: a new article has no relationships to look through).

        One writer: a new relationship also locks the first relationship of each end's
        chain, mostly typed edges by now, so even node-disjoint batches deadlock (measured:
        1-4 driver retries of a second or more each per 30,000 MENTIONS with two writers,
        against 0.4-0.6 s for all of them written by one)."""
        rows = [{"article": aid, "entities": entity_ids} for aid, entity_ids in plan.mentions.items()]
        writer.submit(lambda: self._mention_group(rows))
        writer.barrier()

    def _mention_group(self, rows: list) -> None:
        batch, size = [], 0
        for row in rows:
            batch.append(row)
            size += len(row["entities"])
            if size >= self.batch_size * 2:
                self._mention_batch(batch)
                batch, size = [], 0
        if batch:
            self._mention_batch(batch)

    def _mention_batch(self, rows: list) -> None:
        self.write(cypher.MENTIONS_QUERY, rows, "writing MENTIONS relationships")
        n = sum(len(r["entities"]) for r in rows)
        self.tally("relationships", n, mentions=n)


def disjoint_rounds(k: int) -> list[list[tuple[int, int]]]:
    """Every bucket pair (a <= b) of k buckets once, in rounds whose pairs share no bucket.

    Creating a relationship locks both end nodes; two writers whose batches share nodes
    can deadlock (the server then aborts one transaction and the driver retries it after a
    pause of a second or more). Edges grouped by the buckets of their ends, one writer per
    group and only disjoint groups at once, never share a node. The circle method: k - 1
    rounds of k/2 pairs (k even), then the k pairs (a, a).

    >>> disjoint_rounds(4)
    [[(0, 3), (1, 2)], [(0, 2), (1, 3)], [(0, 1), (2, 3)], [(0, 0), (1, 1), (2, 2), (3, 3)]]
    """
    if k == 1:
        return [[(0, 0)]]
    if k % 2:
        raise ValueError(f"need an even number of buckets (got {k})")
    ring, rounds = list(range(1, k)), []
    for _ in range(k - 1):
        line = [0] + ring
        rounds.append(sorted(tuple(sorted((line[i], line[k - 1 - i]))) for i in range(k // 2)))
        ring = ring[-1:] + ring[:-1]
    rounds.append([(a, a) for a in range(k)])
    return rounds


def sweep_orphans(driver: neo4j.Driver, prefix: str, database: str) -> int:
    """Delete entities (ids starting with prefix) with no MENTIONS and no edges."""
    with store_errors("removing orphan entities"):
        records = driver.execute_query(cypher.SWEEP_QUERY, parameters_={"prefix": prefix}, database_=database).records
    return records[0]["deleted"] if records else 0


