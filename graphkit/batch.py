"""The extract/build loop: ingest -> extract -> output, streamed, on N processes.

Units of work (a file, or one record of a JSON/JSONL file) flow from `sources.iter_units`
in input order; batches of them are ingested and extracted in a process pool, at most a
few batches ahead of the consumer, and come back in submission order. So `--jobs N` gives
the same output as `--jobs 1`, and memory holds a bounded window of articles, never the
folder. Deduplication and id disambiguation happen in the consumer, in input order.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import stat
import sys
import tempfile
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import InputError, OutputError
from .extract import extract_article
from .ingest import Deduplicator, articles_from_unit
from .model import Article, Entity, Extraction, Relation
from .sources import Note, Unit, display_name, iter_units, max_bytes_from_env

__all__ = ["RunCounts", "default_jobs", "extractions", "write_jsonl", "build", "check_output_path"]

_BATCH_UNITS = 64  # units per task: amortizes inter-process overhead (measured: 8 cost 3.8x the parent CPU on short JSONL records)
_BATCH_BYTES = 1 << 20  # ... but a task never carries much more than 1 MiB of input
_AHEAD_PER_JOB = 4  # tasks in flight per worker: keeps workers busy, bounds memory


@dataclass
class RunCounts:
    articles: int = 0
    skipped: int = 0  # inputs (files, records, articles) reported as errors
    notes: int = 0


def default_jobs() -> int:
    return os.cpu_count() or 1


def _extract_safely(article):
    """Extraction of one article, or an InputError naming it: an engine failure on one
    article (whatever it is) must not end the run."""
    try:
        return extract_article(article)
    except Exception as exc:  # noqa: BLE001 - reported per article, the run goes on
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        return InputError(article.source, f"{article.id}: extraction failed ({type(exc).__name__}"
                          + (f": {detail}" if detail else "") + ")")


def _pack(extraction: Extraction, as_json: bool):
    """What crosses back from a worker: the JSON line for `extract`, else the extraction as
    plain tuples (unpickling frozen dataclasses costs the consumer 1.6x more: measured),
    without the article text (the consumer needs metadata only)."""
    extraction = replace(extraction, article=replace(extraction.article, text=""))
    if as_json:
        return json.dumps(extraction.to_json(), ensure_ascii=False)
    return (_fields(extraction.article), tuple(_fields(e) for e in extraction.entities),
            tuple(_fields(r) for r in extraction.relations))


def _unpack(payload):
    if isinstance(payload, str):
        return payload
    article, entities, relations = payload
    return Extraction(Article(*article), tuple(Entity(*e) for e in entities), tuple(Relation(*r) for r in relations))


def _fields(obj) -> tuple:
    return tuple(getattr(obj, f.name) for f in fields(obj))


def _process_batch(units: list, as_json: bool = False, sign: bool = False) -> list:
    """Worker side: each unit -> [notes..., (sha256, id, packed extraction or InputError,
    MinHash signature if `sign`)...] or [InputError]."""
    out = []
    for unit in units:
        try:
            articles, notes = articles_from_unit(unit)
        except InputError as exc:
            out.append([exc])
            continue
        except Exception as exc:  # noqa: BLE001 - an ingest bug costs one input, not the run
            out.append([InputError(unit.name, f"cannot read ({type(exc).__name__}: {str(exc)[:200]})")])
            continue
        items = list(notes)
        for article in articles:
            extraction = _extract_safely(article)
            if isinstance(extraction, Extraction):
                extraction = _pack(extraction, as_json)
            items.append((article.sha256, article.id, extraction, _signature(article) if sign else None))
        out.append(items)
    return out


def _signature(article) -> str:
    from .neardup import encode_signature, signature

    return encode_signature(signature(article.text))


def _batches(items):
    """Group units into tasks; walk problems and notes pass through as ready items."""
    batch, size = [], 0
    for item in items:
        if isinstance(item, Unit):
            batch.append(item)
            size += len(item.payload)
            if len(batch) >= _BATCH_UNITS or size >= _BATCH_BYTES:
                yield batch
                batch, size = [], 0
        else:
            if batch:
                yield batch
                batch, size = [], 0
            yield item
    if batch:
        yield batch


def _ordered_results(items, jobs: int, as_json: bool, sign: bool = False):
    """Yield (unit, worker items) and pass-through items in input order."""
    work = functools.partial(_process_batch, as_json=as_json, sign=sign)
    if jobs <= 1:
        for entry in _batches(items):
            if isinstance(entry, list):
                yield from zip(entry, work(entry))
            else:
                yield entry
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context)
    window = deque()  # (batch, future) or a pass-through item, in input order
    try:
        for entry in _batches(items):
            window.append((entry, pool.submit(work, entry)) if isinstance(entry, list) else entry)
            while sum(isinstance(e, tuple) for e in window) > jobs * _AHEAD_PER_JOB:
                pool = yield from _drain_one(window, pool, jobs, context, work)
        while window:
            pool = yield from _drain_one(window, pool, jobs, context, work)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _drain_one(window, pool, jobs, context, work):
    """Yield the results of the oldest window entry; a dead worker costs only its batch."""
    entry = window.popleft()
    if not isinstance(entry, tuple):
        yield entry
        return pool
    batch, future = entry
    try:
        results = future.result()
    except BrokenProcessPool:
        pool.shutdown(wait=False, cancel_futures=True)
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context)
        for i, later in enumerate(window):  # resubmit what the dead pool still owed
            if isinstance(later, tuple):
                window[i] = (later[0], pool.submit(work, later[0]))
        results = [[InputError(u.name, "the worker process reading it died (out of memory?); skipped")]
                   for u in batch]
    yield from zip(batch, results)
    return pool


def extractions(paths, jobs: int = 1, max_bytes: int | None = None, as_json: bool = False,
                near_duplicates=None):
    """Yield Extraction (or, with `as_json`, its JSON line), InputError and Note items in
    input order. The Extraction's article carries metadata only (its text is dropped once
    extracted). With a `near_duplicates` filter (graphkit.neardup.NearDuplicateFilter),
    workers sign each article and near-copies of an earlier one are skipped with a note."""
    max_bytes = max_bytes_from_env() if max_bytes is None else max_bytes
    dedup = Deduplicator()
    if jobs > 1:
        _warm_up()
    for entry in _ordered_results(iter_units(paths, max_bytes), jobs, as_json, sign=near_duplicates is not None):
        if not isinstance(entry, tuple):
            yield entry
            continue
        unit, items = entry
        for item in items:
            if not isinstance(item, tuple):
                yield item
                continue
            sha256, article_id, extraction, sig = item
            probe = _Probe(id=article_id, sha256=sha256)
            kept, original = dedup.admit(probe)
            if kept is None:
                yield Note(unit.name, f"{article_id}: same text as {original}, skipped as a duplicate")
            elif near_duplicates is not None and kept.id == article_id and not isinstance(extraction, InputError) \
                    and (copy := near_duplicates.admit(article_id, sig, unit.name)) is not None:
                yield Note(unit.name, f"{article_id}: near-duplicate of {copy[0]} (similarity {copy[1]:.2f}); counted once")
            elif kept.id != article_id:  # same id, other text: extract again under the new id
                yield _renamed(unit, sha256, kept.id, as_json)
            else:
                yield _unpack(extraction) if isinstance(extraction, (str, tuple)) else extraction


@dataclass(frozen=True)
class _Probe:
    """What the deduplicator looks at: id and hash."""

    id: str
    sha256: str


def _renamed(unit: Unit, sha256: str, new_id: str, as_json: bool):
    articles, _ = articles_from_unit(unit)
    article = next(a for a in articles if a.sha256 == sha256)
    result = _extract_safely(replace(article, id=new_id))
    return _unpack(_pack(result, as_json)) if isinstance(result, Extraction) else result


def _warm_up() -> None:
    """Load the lexicon and scorer and compile every language's rules and automaton once,
    before the pool forks (else each worker builds them again)."""
    from .extract.rulebook import load_language_rules
    from .lexicon import LANGS

    for lang in LANGS:
        load_language_rules(lang).prefilter
    article = articles_from_unit(Unit("warm-up", "warm-up", "txt", b"BMW und Alibaba arbeiten zusammen.", "warm-up"))[0][0]
    _extract_safely(article)


# --- outputs -----------------------------------------------------------------------------


def check_output_path(out: Path, regular_file: bool = True) -> None:
    """Fail before any work when `out` cannot be a file we write. A device or pipe (e.g.
    /dev/null) is refused when a `regular_file` is needed; never replaced by one."""
    from .graphfile import is_columnar

    out = Path(out)
    if out.is_dir() and not is_columnar(out):  # a columnar graph file is a folder; it gets replaced
        raise OutputError(f"{display_name(out)}: is a folder; give a file name for the output")
    if regular_file and _is_special(out):
        raise OutputError(f"{display_name(out)}: is a device or pipe, not a file; give a file name for the output")
    folder = out.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{display_name(out)}: cannot create its folder ({exc.strerror or exc})") from None
    if not folder.is_dir():
        raise OutputError(f"{display_name(out)}: {display_name(folder)} is not a folder")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"{display_name(out)}: folder {display_name(folder)} is not writable")


def _is_special(path: Path) -> bool:
    """An existing device, FIFO or socket (following links: /dev/stdout is one)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


class AtomicFile:
    """A text file that appears under its name only when complete (temp file + rename).
    A device or pipe (/dev/stdout, a FIFO) is written in place: renaming over it would
    replace the device."""

    def __init__(self, path: Path):
        self.path = Path(path)
        check_output_path(self.path, regular_file=False)
        self.tmp = None
        try:
            if _is_special(self.path):
                self.fh = open(self.path, "w", encoding="utf-8", errors="replace", newline="\n")
                return
            fd, self.tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}-", suffix=".tmp")
        except OSError as exc:
            raise OutputError(f"{display_name(self.path)}: cannot write ({exc.strerror or exc})") from None
        self.fh = os.fdopen(fd, "w", encoding="utf-8", errors="replace", newline="\n")

    def write(self, text: str) -> None:
        try:
            self.fh.write(text)
        except OSError as exc:
            self.abort()
            raise OutputError(f"{display_name(self.path)}: cannot write ({exc.strerror or exc})") from None

    def commit(self) -> None:
        try:
            self.fh.close()
            if self.tmp:
                os.replace(self.tmp, self.path)
        except OSError as exc:
            self.abort()
            raise OutputError(f"{display_name(self.path)}: cannot write ({exc.strerror or exc})") from None

    def abort(self) -> None:
        try:
            self.fh.close()
        except OSError:
            pass
        try:
            if self.tmp:
                os.unlink(self.tmp)
        except OSError:
            pass


def _write_stdout(line: str) -> None:
    try:
        sys.stdout.write(line)
    except UnicodeEncodeError:  # a terminal that cannot show some character
        encoding = sys.stdout.encoding or "utf-8"
        sys.stdout.write(line.encode(encoding, "backslashreplace").decode(encoding))


def _consume(items, counts: RunCounts, report, on_extraction, tick=None) -> None:
    for item in items:
        if isinstance(item, (Extraction, str)):
            counts.articles += 1
            on_extraction(item)
            if tick:
                tick()
        elif isinstance(item, Note):
            counts.notes += 1
            report(item, False)
        else:
            counts.skipped += 1
            report(item, True)


def write_jsonl(paths, out: Path | None, report, jobs: int = 1, tick=None) -> RunCounts:
    """`graphkit extract`: one JSON line per article to `out` (atomically) or stdout, as
    extracted. `report(item, is_error)` is called for every problem and note, `tick()`
    after every article."""
    counts = RunCounts()
    if out is None:
        _consume(extractions(paths, jobs, as_json=True), counts, report, lambda line: _write_stdout(line + "\n"), tick)
        sys.stdout.flush()
        return counts
    target = AtomicFile(out)
    try:
        _consume(extractions(paths, jobs, as_json=True), counts, report, lambda line: target.write(line + "\n"), tick)
    except BaseException:
        target.abort()
        raise
    if counts.articles:
        target.commit()
    else:
        target.abort()
    return counts


def build(paths, report, jobs: int = 1, tick=None, near_duplicates=None):
    """`graphkit build`: (graph, counts); extractions are added to the graph as they come."""
    from .graph import add_extraction, build_graph

    counts = RunCounts()
    graph = build_graph(())
    _consume(extractions(paths, jobs, near_duplicates=near_duplicates), counts, report,
             lambda x: add_extraction(graph, x), tick)
    return graph, counts
