"""The review's worker processes: forked from a fork server that imported the libraries and
loaded the models once (`pipelines.warm`).

No Prefect and no model here, on purpose: the CLI imports this module first and starts the
fork server before it imports Prefect, so the server's imports and model loading (3-4 s of
one core) run while Prefect imports and starts its temporary API server, instead of after."""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Imported once by the fork server, which then forks every worker with it loaded.
_PRELOAD = "pipelines.warm"


def workers_wanted(workers: int | None) -> int:
    return workers or os.cpu_count() or 1


def mp_context() -> multiprocessing.context.BaseContext:
    """Workers forked from a fork server that imported the libraries and loaded the models
    once (`pipelines.warm`): a worker then starts in milliseconds and exits at once, where a
    spawned one spent 5-6 CPU-seconds importing and loading and about a second tearing it
    all down at the end. Not forked from the flow's process: it runs Prefect's threads, and
    a fork copies their locks in whatever state they are. Spawned where there is no fork
    server (Windows)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([_PRELOAD])
    return ctx


def start_workers_early(workers: int | None = None) -> bool:
    """Start the fork server (its imports and model loading) in the background, so that it
    is ready when the first school needs a worker; False when the run will not use it (one
    worker: the flow's own process does the work) or there is no fork server (Windows). The
    server lives as long as this process, so later runs in it (`serve`, a notebook, the
    tests) start their workers at once. Starting it again is free."""
    if workers_wanted(workers) == 1:
        return False
    ctx = mp_context()
    if ctx.get_start_method() != "forkserver":
        return False
    from multiprocessing import forkserver

    forkserver.ensure_running()
    return True


def work_pool(workers: int | None = None, jobs: int | None = None) -> WorkerPool | None:
    """Where the schools' work runs: a pool of `workers` processes (every core), since
    reading, lemmatising, classifying and matching are CPU-bound Python and threads would
    share one core under the GIL; no more processes than `jobs`, the schools to review.
    None for one worker: the work runs in the flow's process, one school at a time."""
    from pipelines.work import STALL_AFTER_S, record_crash, warm_worker

    workers = workers_wanted(workers)
    if workers == 1:
        return None
    return WorkerPool(
        max_workers=workers if jobs is None else max(1, min(workers, jobs)),
        mp_context=mp_context(),
        initializer=warm_worker,
        on_crash=record_crash,
        stall_after=STALL_AFTER_S,
    )


class WorkerDied(RuntimeError):
    """A job's worker process died under it (a crash in a native library, the system's
    out-of-memory killer) more often than the pool retries it."""


@dataclass(frozen=True)
class Crash:
    """A worker's death under a job: the job (`fn`, `args`), how the process ended, and the
    last note the job left (`note_work`), such as the file it was reading."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    how: str
    note: str


@dataclass
class _Job:
    id: int
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    future: Future
    strikes: int = 0  # deaths under it that `on_crash` could not deal with
    crashes: int = 0
    how: str = ""  # how its worker died last
    inner: Future | None = None  # in the current process pool; None: waiting for a new one


# The most deaths one job may meet, dealt with or not: a bound on a hook that says it dealt
# with a crash it did not.
_MOST_CRASHES = 20


class WorkerPool(Executor):
    """A process pool that outlives the death of a worker. A `ProcessPoolExecutor` whose
    worker dies (a segfault in a PDF library, the kernel's out-of-memory killer) is broken
    for good: every job in it and every job still queued fails, which failed every school
    of the run not yet reviewed. Here the pool is made anew and those jobs run again. The
    job whose worker died is told apart by the worker's exit (the broken pool ends the
    others with SIGTERM) and handed to `on_crash` with what it last noted (`note_work`).
    When `on_crash` dealt with it (returns True: the review records the file the worker
    was reading as unreadable, so that the job does not read it again) the job runs again
    as well; otherwise it runs again `retries` times, then fails with `WorkerDied`. A
    death no job can be blamed for (a worker ended by SIGTERM from outside) counts against
    every job that was running.

    With `stall_after` (seconds), a worker whose note has not changed for that long is
    killed, and its death dealt with as any other: a file that hangs a native reader (a
    page pdfium or pdfminer never finishes, where the per-file budget is only checked
    between pages) would otherwise hold the whole run for ever."""

    def __init__(
        self,
        max_workers: int,
        mp_context: multiprocessing.context.BaseContext | None = None,
        initializer: Callable[[], object] | None = None,
        on_crash: Callable[[Crash], bool] | None = None,
        retries: int = 1,
        stall_after: float | None = None,
    ) -> None:
        self._max_workers = max_workers
        self._mp_context = mp_context
        self._initializer = initializer
        self.on_crash = on_crash
        self.retries = retries
        self._notes = Path(tempfile.mkdtemp(prefix="evidence-review-workers-"))
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self._jobs: dict[int, _Job] = {}  # submitted and not finished
        self._generation = 0  # the current process pool's: one more after each break
        self._recovering = -1  # the generation whose break is being (or was) recovered from
        # Breaks in a row after which no job finished and no death was dealt with: workers
        # that die before any job (an initializer that fails) would otherwise be made anew
        # for ever.
        self._fruitless = 0
        self._progress = False
        self._closed = False
        self._executor, self._processes = self._new_executor()
        self.stall_after = stall_after
        self._stalled: dict[int, float] = {}  # pid -> its note's age when the watch killed it
        self._stop = threading.Event()
        if stall_after:
            threading.Thread(target=self._watch, name="worker-pool-watch", daemon=True).start()

    def _new_executor(self) -> tuple[ProcessPoolExecutor, dict[int, Any]]:
        executor = ProcessPoolExecutor(
            max_workers=self._max_workers,
            mp_context=self._mp_context,
            initializer=self._initializer,
        )
        # Its worker processes by pid, added as they start and kept by its manager thread
        # after a break: their exit codes tell which worker died first. Private, and the
        # same in Python 3.11-3.14; without it no job is blamed alone (see `_recover`).
        processes = getattr(executor, "_processes", None)
        return executor, processes if isinstance(processes, dict) else {}

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            job = _Job(next(self._ids), fn, args, kwargs, Future())
            self._jobs[job.id] = job
            self._start(job)
        return job.future

    def _start(self, job: _Job) -> None:
        # Under the lock. A pool that broke a moment ago refuses the job: the recovery its
        # break set off runs the job on the next pool, as it does the jobs that were in it.
        generation = self._generation
        job.inner = None
        try:
            job.inner = self._executor.submit(
                _run_noted, str(self._notes), job.id, job.fn, job.args, job.kwargs
            )
        except BrokenProcessPool:
            return
        job.inner.add_done_callback(lambda done: self._finished(job.id, generation, done))

    def _finished(self, job_id: int, generation: int, done: Future) -> None:
        # Runs in the process pool's manager thread: nothing here may wait for that thread.
        broke = not done.cancelled() and isinstance(done.exception(), BrokenProcessPool)
        with self._lock:
            if broke:
                # The first of the break's failures sets off its one recovery; the job stays
                # in `_jobs` for the recovery to run again.
                first = not self._closed and self._recovering < generation
                if first:
                    self._recovering = generation
            else:
                job = self._jobs.pop(job_id, None)
                self._progress = True
        if broke:
            if first:
                threading.Thread(
                    target=self._recover, name="worker-pool-recovery", daemon=True
                ).start()
            return
        if job is None or job.future.done():
            return
        if done.cancelled():
            job.future.cancel()
        elif done.exception() is not None:
            job.future.set_exception(done.exception())
        else:
            job.future.set_result(done.result())

    def _recover(self) -> None:
        with self._lock:
            broken, processes = self._executor, self._processes
        # Waits for the broken pool's manager thread: by the time it returns, every job in
        # that pool has failed (its callback has run) and every worker has ended.
        broken.shutdown(wait=True)
        notes = _read_notes(self._notes)
        for leftover in self._notes.iterdir():
            leftover.unlink(missing_ok=True)
        with self._lock:
            stalled, self._stalled = self._stalled, {}
        died = {
            pid: f"stopped after {stalled[pid]:.0f} s without progress"
            if pid in stalled
            else _how(process.exitcode)
            for pid, process in processes.items()
            if process.exitcode not in (None, 0, -signal.SIGTERM)
        }
        with self._lock:
            running = {job_id for job_id, _ in notes.values() if job_id in self._jobs}
            blamed = [
                (self._jobs[notes[pid][0]], how, notes[pid][1])
                for pid, how in died.items()
                if pid in notes and notes[pid][0] in self._jobs
            ]
            if not died:  # nobody to tell apart: every job that was running is a suspect
                for job_id in running:
                    self._jobs[job_id].strikes += 1
        dealt_with = False
        for job, how, note in blamed:
            _log.warning("a worker process died (%s)", how)
            job.crashes += 1
            job.how = how
            dealt = False
            if self.on_crash is not None:
                try:
                    dealt = bool(self.on_crash(Crash(job.fn, job.args, how, note)))
                except Exception:  # then the job runs again as if nothing was done
                    _log.exception("recording a worker's death failed")
            if dealt:
                dealt_with = True
            else:
                job.strikes += 1
        with self._lock:
            self._fruitless = 0 if self._progress or dealt_with else self._fruitless + 1
            self._progress = False
            hopeless = self._fruitless > self.retries
            if self._closed:  # shut down meanwhile: what was to run again never will
                for job in self._jobs.values():
                    if not job.future.done():
                        job.future.set_exception(
                            BrokenProcessPool("a worker died and the pool was shut down")
                        )
                self._jobs.clear()
                return
            self._executor, self._processes = self._new_executor()
            self._generation += 1
            for job in list(self._jobs.values()):
                if job.strikes > self.retries or job.crashes >= _MOST_CRASHES:
                    how = f" ({job.how})" if job.how else ""
                    times = max(job.crashes, job.strikes)
                    failure = WorkerDied(f"its worker process died {times} time(s){how}")
                elif hopeless:
                    how = ", ".join(sorted(set(died.values()))) or "no exit code says why"
                    failure = WorkerDied(f"the worker processes keep dying ({how})")
                else:
                    self._start(job)
                    continue
                del self._jobs[job.id]
                job.future.set_exception(failure)

    def _watch(self) -> None:
        # A note is rewritten at each job's start and each file's reading (`note_work`):
        # its age is how long the worker has been on one thing.
        assert self.stall_after
        while not self._stop.wait(min(5.0, self.stall_after / 4)):
            now = time.time()
            try:
                notes = list(self._notes.iterdir())
            except OSError:  # removed by `shutdown`
                return
            for path in notes:
                try:
                    pid, age = int(path.name), now - path.stat().st_mtime
                except (OSError, ValueError):  # the job ended meanwhile
                    continue
                with self._lock:
                    if age <= self.stall_after or pid in self._stalled:
                        continue
                    if pid not in self._processes:  # a note of a pool already replaced
                        continue
                    self._stalled[pid] = age
                _log.warning("a worker process made no progress in %.0f s; stopping it", age)
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._stop.set()
        with self._lock:
            self._closed = True
            executor = self._executor
            # Jobs waiting for the pool a recovery was about to make; those in the process
            # pool are cancelled, or not, by its own shutdown, and their futures follow.
            for job in [j for j in self._jobs.values() if j.inner is None]:
                del self._jobs[job.id]
                if cancel_futures:
                    job.future.cancel()
                else:
                    job.future.set_exception(
                        BrokenProcessPool("a worker died and the pool was shut down")
                    )
        executor.shutdown(wait=wait, cancel_futures=cancel_futures)
        shutil.rmtree(self._notes, ignore_errors=True)


_log = logging.getLogger(__name__)


def _how(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        # SIGKILL from nobody else is most often the kernel's out-of-memory killer.
        return f"killed by {name}" + (", out of memory?" if exitcode == -signal.SIGKILL else "")
    return f"exit status {exitcode}"


def _read_notes(folder: Path) -> dict[int, tuple[int, str]]:
    """What each worker noted last: its pid -> (job id, note)."""
    notes: dict[int, tuple[int, str]] = {}
    for path in folder.iterdir():
        try:
            job, _, note = path.read_text(encoding="utf-8").partition("\n")
            notes[int(path.name)] = (int(job), note)
        except (OSError, ValueError):  # a note cut short by the death it would explain
            continue
    return notes


# In a worker: where the job it is running keeps its note, and the job's id.
_note: tuple[Path, int] | None = None


def _run_noted(
    notes: str, job_id: int, fn: Callable[..., Any], args: tuple, kwargs: dict[str, Any]
) -> Any:
    global _note
    _note = (Path(notes) / str(os.getpid()), job_id)
    note_work("")
    try:
        return fn(*args, **kwargs)
    finally:
        _note[0].unlink(missing_ok=True)
        _note = None


def note_work(text: str) -> None:
    """In a `WorkerPool`'s job: say what the job is doing now (one line, such as the file it
    reads), for the pool to tell `on_crash` if the worker dies under it. A no-op elsewhere."""
    if _note is not None:
        _note[0].write_text(f"{_note[1]}\n{text}", encoding="utf-8")
