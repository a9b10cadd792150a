"""Run write jobs on background threads, so Python builds the next batch while Neo4j
writes the current one.

A load spends its time in two places that can overlap: building row dicts (Python, holds
the GIL) and waiting for the server to run a batch (socket I/O, releases it). One writer
thread already overlaps the two; more threads also let the server write batches in
parallel. Jobs submitted between two `barrier()` calls must not depend on each other.

>>> done = []
>>> with BatchWriter(threads=2) as writer:
...     for i in range(5):
...         writer.submit(lambda i=i: done.append(i))
...     writer.barrier()
>>> sorted(done)
[0, 1, 2, 3, 4]
"""

from __future__ import annotations

import queue
import threading
from typing import Callable, Optional

Job = Callable[[], None]


class BatchWriter:
    """A small pool of threads running jobs from a bounded queue.

    The first job that raises stops the pool: queued jobs are dropped, and the error is
    raised in the submitting thread at the next `submit()` or `barrier()`."""

    def __init__(self, threads: int = 1, depth: Optional[int] = None):
        if threads < 1:
            raise ValueError(f"need at least one writer thread (got {threads})")
        # depth bounds the rows held in memory: built batches waiting for a writer
        self._jobs: queue.Queue = queue.Queue(maxsize=depth or threads + 1)
        self._error: Optional[BaseException] = None
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._work, name=f"graphkit-writer-{i}", daemon=True)
                         for i in range(threads)]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if self._error is None:
                    job()
            except BaseException as exc:  # handed to the submitting thread
                with self._lock:
                    if self._error is None:
                        self._error = exc
            finally:
                self._jobs.task_done()

    def _raise_failure(self) -> None:
        if self._error is not None:
            raise self._error

    def submit(self, job: Job) -> None:
        """Queue a job; blocks while the queue is full (so rows are built only as fast as written)."""
        self._raise_failure()
        self._jobs.put(job)

    def barrier(self) -> None:
        """Wait until every submitted job has finished; raise the first failure."""
        self._jobs.join()
        self._raise_failure()

    def close(self) -> None:
        """Stop the threads after the queued jobs (dropped if a job failed)."""
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()

    def __enter__(self) -> "BatchWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc is not None and self._error is None:
            with self._lock:
                self._error = exc  # the caller failed: drop what is still queued
        self.close()
