"""The review's process pool outlives a worker's death (`pipelines.pool.WorkerPool`)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from concurrent.futures import wait
from pathlib import Path

import pytest

from pipelines.pool import Crash, WorkerDied, WorkerPool, note_work

# Spawned workers import this module by name; they need nothing else of the project.
SPAWN = multiprocessing.get_context("spawn")


def work(what: str) -> str:
    """A job: returns `what`, after a while for "slow ...", or dies of a segfault for "segv"."""
    if what == "segv":
        note_work("reading segv.pdf")
        os.kill(os.getpid(), signal.SIGSEGV)
    if what.startswith("slow"):
        time.sleep(0.3)
    return what


def dies_until(flag: str) -> str:
    """A job whose worker is killed (as the out-of-memory killer does) until `flag` exists."""
    if not Path(flag).exists():
        note_work(flag)
        os.kill(os.getpid(), signal.SIGKILL)
    return "read"


def test_a_dying_worker_fails_its_own_job_only() -> None:
    crashes: list[Crash] = []
    pool = WorkerPool(2, SPAWN, on_crash=lambda c: crashes.append(c) is not None)
    try:
        others = [pool.submit(work, f"slow {i}") for i in range(4)]
        bad = pool.submit(work, "segv")
        others += [pool.submit(work, f"after {i}") for i in range(4)]
        wait([bad, *others], timeout=120)
        # Every other job, in the pool with it or queued behind it, has its own result.
        assert [f.result() for f in others] == [f"slow {i}" for i in range(4)] + [
            f"after {i}" for i in range(4)
        ]
        with pytest.raises(WorkerDied, match="died 2 time"):
            bad.result()
        assert "SIGSEGV" in str(bad.exception())
    finally:
        pool.shutdown()
    # Run once more (retries=1), then given up; the hook was told each time, with the note.
    assert [(c.fn, c.args, c.note) for c in crashes] == [(work, ("segv",), "reading segv.pdf")] * 2
    assert all(c.how == "killed by SIGSEGV" for c in crashes)


def test_a_crash_the_hook_deals_with_runs_the_job_again(tmp_path: Path) -> None:
    flag = tmp_path / "unreadable"

    def record(crash: Crash) -> bool:
        Path(crash.note).touch()  # as the review records the file as unreadable
        return True

    pool = WorkerPool(2, SPAWN, on_crash=record, retries=0)
    try:
        assert pool.submit(dies_until, str(flag)).result(timeout=120) == "read"
        assert pool.submit(work, "next").result(timeout=120) == "next"
    finally:
        pool.shutdown()
    assert flag.exists()


def test_a_crash_no_hook_deals_with_is_retried_then_failed(tmp_path: Path) -> None:
    pool = WorkerPool(2, SPAWN, retries=2)
    try:
        doomed = pool.submit(dies_until, str(tmp_path / "never"))
        with pytest.raises(
            WorkerDied, match=r"died 3 time\(s\) \(killed by SIGKILL, out of memory\?\)"
        ):
            doomed.result(timeout=180)
        assert pool.submit(work, "still works").result(timeout=120) == "still works"
    finally:
        pool.shutdown()


def test_shutdown_cancels_what_is_queued_and_leaves_no_notes() -> None:
    pool = WorkerPool(1, SPAWN)
    notes = pool._notes
    running = pool.submit(work, "slow one")
    queued = [pool.submit(work, f"slow {i}") for i in range(5)]
    time.sleep(0.1)
    pool.shutdown(wait=True, cancel_futures=True)
    assert running.result() == "slow one"
    assert any(f.cancelled() for f in queued)
    assert all(f.done() for f in queued)
    assert not notes.exists()
    with pytest.raises(RuntimeError):
        pool.submit(work, "late")


def test_the_review_records_the_file_that_killed_its_worker(tmp_path: Path, monkeypatch) -> None:
    import json

    from pipelines import work
    from tests.builders import copy_sample

    school = copy_sample(tmp_path / "region", ["school_01_sosnovskaya"]) / "school_01_sosnovskaya"
    bad = school / "Приложение 2.pdf"
    cache = work.FileCache(tmp_path / "cache")
    note = json.dumps({"file": str(bad), "school": str(school), "cache": str(cache.folder)})
    how = "killed by SIGSEGV"
    # Not reading a file, or nowhere to keep the record: the pool is told it was not dealt with.
    assert not work.record_crash(Crash(work.review_school, (), how, ""))
    nowhere = json.dumps({"file": str(bad), "school": str(school), "cache": None})
    assert not work.record_crash(Crash(work.review_school, (), how, nowhere))
    assert work.record_crash(Crash(work.review_school, (), how, note))

    read: list[str] = []
    real = work.extract
    monkeypatch.setattr(
        work, "extract", lambda path, root: read.append(path.name) or real(path, root)
    )
    docs, types = work.school_documents(school, cache, "rules")
    # The school's other files are read; the one that killed the worker is not read again
    # and stands in the sheet with its error record.
    assert bad.name not in read and len(read) == len(docs) - 1
    (doc,) = [d for d in docs if d.name == bad.name]
    assert not doc.ok and doc.sha256 and doc.format == "pdf"
    assert doc.errors[0].reason.startswith("reading the file ended the process reading it")
    assert how in doc.errors[0].reason
    assert bad.name not in {Path(p).name for p in types}
    # A new upload of the file is a new file: read again.
    bad.write_bytes(bad.read_bytes() + b"\n% re-uploaded\n")
    read.clear()
    docs, _ = work.school_documents(school, cache, "rules")
    assert read == [bad.name]


def fails_to_start() -> None:
    raise RuntimeError("the models cannot be loaded")


def test_workers_that_die_before_any_job_fail_the_jobs_not_the_pool_for_ever() -> None:
    pool = WorkerPool(2, SPAWN, initializer=fails_to_start)
    try:
        jobs = [pool.submit(work, str(i)) for i in range(3)]
        wait(jobs, timeout=180)
        for job in jobs:
            assert isinstance(job.exception(), WorkerDied)
            assert "keep dying" in str(job.exception())
    finally:
        pool.shutdown()


def hangs_until(flag: str) -> str:
    """A job stuck on one file (a page a native reader never finishes) until `flag` exists."""
    if not Path(flag).exists():
        note_work(flag)
        time.sleep(600)
    return "read"


def makes_progress(steps: int) -> int:
    for step in range(steps):
        note_work(f"file {step}")
        time.sleep(0.5)
    return steps


def test_a_worker_stuck_on_one_thing_is_stopped_and_its_file_recorded(tmp_path: Path) -> None:
    crashes: list[Crash] = []

    def record(crash: Crash) -> bool:
        crashes.append(crash)
        Path(crash.note).touch()
        return True

    pool = WorkerPool(2, SPAWN, on_crash=record, stall_after=1.5)
    try:
        # Longer in all than the limit, but a new note every half second: not stopped.
        busy = pool.submit(makes_progress, 8)
        stuck = pool.submit(hangs_until, str(tmp_path / "hangs.pdf"))
        assert stuck.result(timeout=120) == "read"
        assert busy.result(timeout=120) == 8
    finally:
        pool.shutdown()
    (crash,) = crashes
    assert crash.note == str(tmp_path / "hangs.pdf")
    assert crash.how.startswith("stopped after ") and crash.how.endswith(" s without progress")
