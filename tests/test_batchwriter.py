"""graphkit.neo4j.batchwriter: jobs run off the calling thread; the first failure surfaces in it."""

from __future__ import annotations

import threading

import pytest

from graphkit.neo4j.batchwriter import BatchWriter


def test_jobs_run_on_writer_threads_and_barrier_waits_for_all():
    seen = []
    with BatchWriter(threads=2) as writer:
        for i in range(50):
            writer.submit(lambda i=i: seen.append((i, threading.current_thread().name)))
        writer.barrier()
        assert sorted(i for i, _ in seen) == list(range(50))
    assert all(name.startswith("graphkit-writer-") for _, name in seen)


def test_first_failure_is_raised_in_the_caller_and_later_jobs_are_dropped():
    ran = []

    def fail():
        raise RuntimeError("batch 3 failed")

    with pytest.raises(RuntimeError, match="batch 3 failed"):
        with BatchWriter(threads=1) as writer:
            writer.submit(lambda: ran.append(1))
            writer.submit(fail)
            writer.barrier()
            writer.submit(lambda: ran.append(2))  # pragma: no cover - never reached
    assert ran == [1]


def test_a_failing_caller_drops_the_jobs_still_queued():
    ran, gate = [], threading.Event()
    with pytest.raises(KeyboardInterrupt):
        with BatchWriter(threads=1, depth=10) as writer:
            writer.submit(gate.wait)  # holds the only thread until the caller has failed
            for i in range(5):
                writer.submit(lambda i=i: ran.append(i))
            threading.Timer(0.2, gate.set).start()
            raise KeyboardInterrupt
    assert ran == []


def test_writer_needs_a_thread():
    with pytest.raises(ValueError):
        BatchWriter(threads=0)
