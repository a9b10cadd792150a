"""Fill an EMPTY Neo4j database with the offline importer (`graphkit load --bulk`).

`neo4j-admin database import full` writes a store directly from CSV files, without
transactions, several times faster than any Cypher load. In Community edition it can only
write the one user database while the server is stopped, so the bulk load needs the
server's installation folder (NEO4J_HOME) and runs these steps:

1. connect through Bolt, check that NEO4J_HOME is the home of that very server (its
   `server.directories.neo4j_home` setting) and that the database holds no node at all;
2. write CSV files of the rows graphkit.neo4j.plan makes (the incremental loader's rows:
   same ids, labels, relationship types and properties);
3. stop the server (`bin/neo4j stop`), run the importer, start it again (`bin/neo4j start`)
   and wait for Bolt (the server is started again even when the import fails);
4. create the constraints and indexes of cypher/schema, and set the few values CSV cannot
   express (an empty list, or a list holding one empty string, arrive as no property).

The result is the store an incremental load of the same graph into an empty database
writes (tests/test_bulk_neo4j.py compares the two).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Optional

from graphkit.errors import StoreError
from graphkit.model import RelationType
from graphkit.neo4j.bulkcsv import ARRAY_DELIMITER, BulkCounts, ImportFiles, without_gc, write_import_csv
from graphkit.neo4j.connection import Neo4jSettings, connect, store_errors
from graphkit.neo4j.plan import make_plan
from graphkit.neo4j.schema import apply_schema

__all__ = ["ARRAY_DELIMITER", "BulkCounts", "bulk_import", "write_import_csv", "check_neo4j_home"]

START_WAIT_SECONDS = 180
STOP_WAIT_SECONDS = 120

# Worker threads of the importer: on 2 shared cores, 4 threads imported 1M edges in 11.9 s and
# 13.9 s where the default (one per core) took 13.4 s and 15.6 s (two series of interleaved
# runs; docs/performance.md): its stages also wait on I/O.
IMPORTER_OPTIONS = [f"--threads={max(4, os.cpu_count() or 1)}"]

Stage = Callable[[str], None]
"""stage(message): called as each step of the bulk load starts."""


# --------------------------------------------------------------------------- the server

def _home_of_server(driver, database: str) -> Optional[Path]:
    with store_errors("reading the server's settings"):
        records = driver.execute_query("SHOW SETTINGS YIELD name, value WHERE name = 'server.directories.neo4j_home' "
                                       "RETURN value", database_=database).records
    return Path(records[0]["value"]).resolve() if records else None


def check_neo4j_home(neo4j_home: Path) -> Path:
    """The home folder, checked to hold bin/neo4j and bin/neo4j-admin."""
    home = Path(neo4j_home).expanduser().resolve()
    for tool in ("neo4j", "neo4j-admin"):
        if not os.access(home / "bin" / tool, os.X_OK):
            raise StoreError(f"{home}: no bin/{tool}; --neo4j-home (or NEO4J_HOME) must be the folder of the "
                             "Neo4j installation that serves the database")
    return home


def _env(home: Path) -> dict:
    env = dict(os.environ, NEO4J_HOME=str(home))
    env.pop("NEO4J_CONF", None)  # the home's own conf/, the one the running server read
    return env


def _failure(home: Path, doing: str, returncode: int, stdout: str, stderr: str) -> StoreError:
    lines = [ln.strip() for ln in (stderr + "\n" + stdout).splitlines() if ln.strip()]
    reason = next((ln for ln in lines if "rror" in ln or "xception" in ln), lines[-1] if lines else "")
    return StoreError(f"Neo4j at {home}: {doing} failed (exit {returncode}): {reason[:300]}")


def _run(home: Path, args: list, doing: str, timeout: float) -> str:
    try:
        done = subprocess.run(args, cwd=home, env=_env(home), capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise StoreError(f"Neo4j at {home}: {doing} failed: {exc}") from None
    if done.returncode != 0:
        raise _failure(home, doing, done.returncode, done.stdout, done.stderr)
    return done.stdout


def _server_pid(home: Path) -> Optional[int]:
    """The pid in run/neo4j.pid, if it is a running Neo4j server of this home (Linux /proc)."""
    try:
        pid = int((home / "run" / "neo4j.pid").read_text().strip())
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except (OSError, ValueError):
        return None
    homes = [Path(a.split("=", 1)[1]).resolve() for a in args if a.startswith("--home-dir=")]
    return pid if homes == [home] and any(a.startswith("org.neo4j.") for a in args) else None


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie has stopped; its parent (not us) reaps it


class _Stop:
    """The server's stop, begun at once and awaited later (`wait()`), so the CSV files are
    written meanwhile without a thread in this process (the CSV writer forks workers).

    SIGTERM to the server's process, then waiting until it is gone: what `bin/neo4j stop`
    does, without the ~2 s of starting a JVM for it and its coarse polling. When the pid file
    does not name a server of this home, `bin/neo4j stop` is run (in the background)."""

    def __init__(self, home: Path):
        self.home = home
        self.pid = _server_pid(home)
        self.launcher: Optional[subprocess.Popen] = None
        if self.pid is None:
            try:
                self.launcher = subprocess.Popen([str(home / "bin" / "neo4j"), "stop"], cwd=home, env=_env(home),
                                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            except OSError as exc:
                raise StoreError(f"Neo4j at {home}: stopping the server failed: {exc}") from None
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            self.pid = None
        except OSError as exc:
            raise StoreError(f"Neo4j at {home}: stopping the server failed: {exc}") from None

    def wait(self) -> None:
        if self.launcher is not None:
            try:
                out, err = self.launcher.communicate(timeout=STOP_WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.launcher.kill()
                self.launcher.communicate()
                raise StoreError(f"Neo4j at {self.home}: stopping the server failed: bin/neo4j stop took more "
                                 f"than {STOP_WAIT_SECONDS} s") from None
            if self.launcher.returncode != 0:
                raise _failure(self.home, "stopping the server", self.launcher.returncode, out, err)
            return
        if self.pid is None:
            return
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        while _running(self.pid):
            if time.monotonic() > deadline:
                raise StoreError(f"Neo4j at {self.home}: the server (pid {self.pid}) did not stop within "
                                 f"{STOP_WAIT_SECONDS} s")
            time.sleep(0.05)
        (self.home / "run" / "neo4j.pid").unlink(missing_ok=True)


def _wait_for_bolt(settings: Neo4jSettings, seconds: float = START_WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return connect(settings)
        except StoreError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _start_server(home: Path, settings: Neo4jSettings):
    """Start the server and return a driver once Bolt answers."""
    _run(home, [str(home / "bin" / "neo4j"), "start"], "starting the server", 120)
    return _wait_for_bolt(settings)


_STAGE_NAMES = {"Node import": "import_nodes", "Relationship import": "import_relationships",
                "Relationship linking": "import_linking", "Post processing": "import_post",
                "IMPORT DONE": "import_inside"}


def _importer_stages(output: str) -> dict:
    """The importer's own times per stage ("Node import COMPLETED in 2s 782ms"), so a
    timing log shows what the importer's JVM costs around them (import - import_inside)."""
    stages = {}
    for line in output.splitlines():
        match = re.match(r"\s*(Node import|Relationship import|Relationship linking|Post processing|IMPORT DONE)"
                         r"(?: COMPLETED)? in ((?:\d+[a-z]+ ?)+)", line)
        if match:
            units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
            stages[_STAGE_NAMES[match.group(1)]] = sum(int(n) * units.get(u, 0) for n, u in
                                                       re.findall(r"(\d+)([a-z]+)", match.group(2)))
    return stages


class _Background:
    """Run one job on a thread while the caller does something else; `join()` waits and
    re-raises the job's failure. `seconds`: how long the job took."""

    def __init__(self, job: Callable[[], None]):
        self.error: Optional[BaseException] = None
        self.seconds = 0.0
        self._thread = threading.Thread(target=self._run, args=(job,), name="graphkit-bulk", daemon=True)
        self._thread.start()

    def _run(self, job: Callable[[], None]) -> None:
        t = time.perf_counter()
        try:
            job()
        except BaseException as exc:  # handed to join()
            self.error = exc
        self.seconds = time.perf_counter() - t

    def join(self) -> None:
        self._thread.join()
        if self.error is not None:
            raise self.error


def bulk_import(graph: dict, neo4j_home: Path, settings: Neo4jSettings, id_prefix: str = "",
                stage: Optional[Stage] = None, workdir: Optional[Path] = None) -> BulkCounts:
    """Fill the empty database of the server at settings.uri, installed in neo4j_home, with graph.

    Refuses (StoreError, nothing changed) when the database holds any node, or when
    neo4j_home is not the home of that server. Stops and restarts the server."""
    say = stage or (lambda message: None)
    home = check_neo4j_home(neo4j_home)
    clock: dict = {}
    t0 = time.perf_counter()
    driver = connect(settings)
    try:
        served_from = _home_of_server(driver, settings.database)
        if served_from != home:
            raise StoreError(f"the server at {settings.uri} runs from {served_from}, not from {home}: point "
                             "--neo4j-home (NEO4J_HOME) at the installation of the server in --uri")
        with store_errors("checking the database is empty", settings.where()):
            held = driver.execute_query("MATCH (n) RETURN count(n) AS n", database_=settings.database).records[0]["n"]
        if held:
            raise StoreError(f"database {settings.database!r} at {settings.uri} is not empty ({held} nodes): --bulk "
                             "only fills an empty database; load without --bulk to add to it")
    finally:
        driver.close()

    folder = Path(tempfile.mkdtemp(prefix="graphkit-import-", dir=workdir))
    try:
        say(f"stopping the server in {home} and writing CSV files")
        t = time.perf_counter()
        stopping = _Stop(home)  # the CSV files do not need the server
        try:
            with without_gc():
                plan = make_plan(graph, id_prefix or "")
            clock["plan"] = time.perf_counter() - t
            files = write_import_csv(plan, folder)
            del plan
        except StoreError as exc:  # bad input: the server back as it was, nothing written
            try:
                stopping.wait()
                _start_server(home, settings).close()
            except StoreError as restart:
                raise StoreError(f"{exc}; and then {restart}") from None
            raise
        except BaseException:
            stopping.wait()
            raise
        counts = files.counts
        clock["csv"] = time.perf_counter() - t
        t_wait = time.perf_counter()
        stopping.wait()
        clock["stop_wait"] = time.perf_counter() - t_wait
        clock["csv_and_stop"] = time.perf_counter() - t
        try:
            say(f"importing {counts.nodes} nodes and {counts.relationships + counts.mentions} relationships")
            t = time.perf_counter()
            args = [str(home / "bin" / "neo4j-admin"), "database", "import", "full", "--overwrite-destination=true",
                    "--array-delimiter=U+001F", f"--report-file={folder / 'import.report'}", *IMPORTER_OPTIONS,
                    *(f"--nodes={p}" for p in files.nodes),
                    *(f"--relationships={','.join(map(str, group))}" for group in files.relationships)]
            if files.multiline:
                args.append("--multiline-fields=true")
            report = _run(home, args + [settings.database], "the import", 3600)
            clock["import"] = time.perf_counter() - t
            clock.update(_importer_stages(report))
        finally:
            say("starting the server")
            t = time.perf_counter()
            driver = _start_server(home, settings)
            clock["start"] = time.perf_counter() - t
        try:
            say("creating constraints and indexes, and setting the lists CSV cannot express")
            t = time.perf_counter()
            fixups = _Background(lambda: _set_what_csv_cannot_say(driver, settings.database, files))
            try:
                apply_schema(driver, settings.database)  # meanwhile: the fix-ups touch no indexed property
            finally:
                clock["schema"] = time.perf_counter() - t
                fixups.join()
            clock["fixups"] = fixups.seconds
            clock["schema_and_fixups"] = time.perf_counter() - t
        finally:
            driver.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    clock["total"] = time.perf_counter() - t0
    counts.seconds = {k: round(v, 2) for k, v in clock.items()}
    return counts


def _set_what_csv_cannot_say(driver, database: str, files: ImportFiles) -> None:
    """CSV has no way to write [] or [""]: both arrive as a missing property. Set them as the
    incremental loader does."""
    queries = ["MATCH (a:Article) WHERE a.edge_keys IS NULL CALL { WITH a SET a.edge_keys = [] } "
               "IN TRANSACTIONS OF 10000 ROWS"]
    for rtype, names in sorted(files.blank_lists.items(), key=lambda item: item[0].value):
        # an edge always has `support` >= 1 items, so a missing list is exactly [""]; each
        # list on its own, so a present one is not written again
        for name in sorted(names):
            queries.append(f"MATCH ()-[r:{RelationType(rtype).value}]->() WHERE r.{name} IS NULL "
                           f"CALL {{ WITH r SET r.{name} = [''] }} IN TRANSACTIONS OF 10000 ROWS")
    with store_errors("completing the imported lists"):
        with driver.session(database=database) as session:  # IN TRANSACTIONS needs auto-commit queries
            for query in queries:
                session.run(query).consume()
        if files.entities_without_aliases:
            rows = [{"id": eid, "aliases": aliases} for eid, aliases in files.entities_without_aliases]
            driver.execute_query("UNWIND $rows AS row MATCH (e:Entity {id: row.id}) SET e.aliases = row.aliases",
                                 parameters_={"rows": rows}, database_=database)


def load_bulk_cli(data: dict, settings: Neo4jSettings, neo4j_home: Optional[Path], id_prefix: str) -> None:
    """`graphkit load --bulk` of a graph dict: steps on stderr, one summary line on stdout."""
    from graphkit.render import stderr_console, stdout_console

    if neo4j_home is None:
        raise StoreError("--bulk needs the server's installation folder: pass --neo4j-home or set NEO4J_HOME")
    err = stderr_console()
    counts = bulk_import(data, neo4j_home, settings, id_prefix,
                         stage=lambda message: err.print(f"bulk: {message}", markup=False, highlight=False))
    s = counts.seconds
    stdout_console().print(
        f"bulk-imported {counts.nodes} nodes ({counts.entities} entities, {counts.articles} articles) and "
        f"{counts.relationships + counts.mentions} relationships ({counts.relationships} edges, {counts.mentions} "
        f"MENTIONS) into {settings.database} at {settings.uri} in {s['total']:.1f}s (CSV {s['csv']:.1f}s, import "
        f"{s['import']:.1f}s, restart {s['start']:.1f}s, schema {s['schema']:.1f}s)", markup=False, highlight=False)
