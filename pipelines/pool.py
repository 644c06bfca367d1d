"""The review's worker processes: forked from a fork server that imported the libraries and
loaded the models once (`pipelines.warm`).

No Prefect and no model here, on purpose: the CLI imports this module first and starts the
fork server before it imports Prefect, so the server's imports and model loading (3-4 s of
one core) run while Prefect imports and starts its temporary API server, instead of after."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor

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


def work_pool(workers: int | None = None, jobs: int | None = None) -> Executor | None:
    """Where the schools' work runs: a pool of `workers` processes (every core), since
    reading, lemmatising, classifying and matching are CPU-bound Python and threads would
    share one core under the GIL; no more processes than `jobs`, the schools to review.
    None for one worker: the work runs in the flow's process, one school at a time."""
    from pipelines.work import warm_worker

    workers = workers_wanted(workers)
    if workers == 1:
        return None
    return ProcessPoolExecutor(
        max_workers=workers if jobs is None else max(1, min(workers, jobs)),
        mp_context=mp_context(),
        initializer=warm_worker,
    )
