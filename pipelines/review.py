"""Prefect flows: a region's export in, draft expert sheets and the region summary out."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future, wait
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import SettingsContext, get_settings_context
from prefect.futures import PrefectFuture, as_completed
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from slugify import slugify

from expert_sheet.records import SchoolSheet
from expert_sheet.settings import load_settings
from expert_sheet.summary import RegionSummary, summarize
from expert_sheet.xlsx import write_summary_xlsx
from extractors.detect import is_image
from extractors.extract import file_stamp, sha256_of
from extractors.model import ExtractionError
from extractors.names import readable
from extractors.version import code_version
from pipelines import school as stages
from pipelines.output_lock import output_lock
from pipelines.pool import start_workers_early, work_pool, workers_wanted
from pipelines.work import (
    FileCache,
    is_extracted,
    merge_vocabulary,
    model_version,
    prune_cache,
    read_file,
    review_school,
)


class RegionError(Exception):
    """The region folder itself is unusable; the message is for the operator."""


class Unreachable(RuntimeError):
    """A service the run is pointed at does not answer; the message is for the operator."""


class ApiUnreachable(Unreachable):
    """The Prefect server the run is pointed at (`PREFECT_API_URL`) does not answer."""


class DaskUnreachable(Unreachable):
    """The Dask scheduler of `--dask-address` is not an address or does not answer."""


def check_dask_scheduler(address: str, timeout: float = 10.0) -> None:
    """Raise `DaskUnreachable` unless `address` (tcp://HOST:PORT or tls://HOST:PORT) takes a
    connection. Without the check a run waited 30 s for the scheduler inside the flow and
    ended in a traceback of 180 lines."""
    import socket
    from urllib.parse import urlsplit

    where = urlsplit(address)
    try:
        port = where.port
    except ValueError:
        port = None
    if where.scheme not in ("tcp", "tls") or not where.hostname or port is None:
        raise DaskUnreachable(f"{address} is not a Dask scheduler address (tcp://HOST:PORT)")
    try:
        socket.create_connection((where.hostname, port), timeout=timeout).close()
    except OSError as exc:
        raise DaskUnreachable(
            f"the Dask scheduler at {address} does not answer ({type(exc).__name__}); start "
            f"it, or leave out --dask-address to run on this machine"
        ) from None


def check_configured_api() -> None:
    """Raise `ApiUnreachable` when a Prefect server is configured and does not answer; with
    none configured Prefect starts a temporary one, and there is nothing to check. Without
    the check a run handed every school to the workers, which reviewed them all, before
    Prefect failed to create the flow run with a traceback of a hundred lines; nothing was
    marked finished, so the next run reviewed them all again."""
    url = PREFECT_API_URL.value()
    if not url:
        return
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        error = client.api_healthcheck()
    if error is not None:
        raise ApiUnreachable(
            f"the Prefect API at {url} (PREFECT_API_URL) does not answer "
            f"({type(error).__name__}); start that server, or unset PREFECT_API_URL to "
            f"have a temporary local one for the run"
        )


def school_folders(region_dir: Path, *written: Path | None) -> list[Path]:
    """The region's school folders. `written`: the run's output and cache folders. One of
    them in the region's top folder is not a school (an `--out` put inside the export);
    the region itself or a school's folder is refused, since every later run would read
    the sheets written there as that school's documents."""
    if not region_dir.is_dir():
        raise RegionError(f"no such folder: {region_dir}")
    region = region_dir.resolve()
    ours = {p.resolve() for p in written if p is not None}
    for path in sorted(ours):
        if path == region:
            raise RegionError(
                f"the output folder {path} is the region's export itself; give an --out "
                f"outside it"
            )
        if not path.is_relative_to(region):
            continue
        top = region / path.relative_to(region).parts[0]
        if top != path and top not in ours:
            raise RegionError(
                f"the output folder {path} is inside the school folder {top.name}: what is "
                f"written there would be read as that school's documents; give an --out "
                f"outside the export"
            )
    folders = sorted(
        p
        for p in region_dir.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.resolve() not in ours
    )
    if not folders:
        raise RegionError(f"no school folders in {region_dir} (expected one folder per school)")
    return folders


def loose_files(region_dir: Path) -> list[str]:
    """The names of the files in the export's top folder, in no school's folder: not
    reviewed, and listed in the summary so that none goes unnoticed (a school's upload put
    beside the folders instead of in its own). Taken as a school's folder's entries are
    (`stages.is_entry`); a ZIP there is expanded into a folder before this is asked
    (`prepare_input`)."""
    return sorted(readable(p.name)[0] for p in region_dir.iterdir() if stages.is_entry(p))


def _storage_path(cache_dir: Path) -> Path:
    """The cache folder of the per-file results (see `FileCache`), made if missing."""
    path = cache_dir.resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


# Progress of a run for whoever shows it (the CLI's bar): called with ("file", n) as files are
# extracted or skipped and ("school", 1) as each school is done. None: nobody is watching.
ProgressHook = Callable[[str, int], None]
_progress: ProgressHook | None = None


def set_progress(hook: ProgressHook | None) -> None:
    global _progress
    _progress = hook


def _report(kind: str, n: int = 1) -> None:
    if _progress is not None:
        _progress(kind, n)


DONE_MARK = ".review-key"


def run_fingerprint(report_date: date, settings_path: Path | None) -> str:
    """What every school's review in a run depends on besides its files: the report date, the
    rubric, the code and the document-type model. Computed once per run."""
    parts = [
        report_date.isoformat(),
        load_settings(settings_path).model_dump_json(),
        model_version(),
    ] + [code_version(p) for p in ("extractors", "classifiers", "expert_sheet", "pipelines")]
    return "\0".join(parts)


def review_key(
    folder: Path, fingerprint: str, files: list[Path], noted: Mapping[Path, str] | None = None
) -> str:
    """What a school's finished review depends on: its files' contents and the run's
    fingerprint. A run killed half-way and started again skips the schools whose key is
    unchanged; anything changed is reviewed again. `files`: the school's files
    (`stages.school_files`); `noted`: what the school has besides them, unread, with why
    (`stages.Listing.noted`)."""
    return _school_digest(folder, fingerprint, files, sha256_of, noted)


def files_signature(
    folder: Path, fingerprint: str, files: list[Path], noted: Mapping[Path, str] | None = None
) -> str:
    """How a school's files look to the file system, without reading them: each file's name
    and stamp (`file_stamp`). While the signature is unchanged so are the contents; when it
    changed, the files are hashed (`review_key`) and only a changed content makes the school
    be reviewed again."""
    return _school_digest(folder, fingerprint, files, _stamp_text, noted)


def _stamp_text(path: Path) -> str:
    return "\0".join(map(str, file_stamp(path)))


def _school_digest(
    folder: Path,
    fingerprint: str,
    files: list[Path],
    of_file: Callable[[Path], str],
    noted: Mapping[Path, str] | None = None,
) -> str:
    """The folder, the run's fingerprint, each file's place and `of_file` (its content's
    hash, or its stamp), and each noted entry's place and reason, hashed together: a link
    mended, or one added, or an archive member left packed, has the school reviewed again."""
    digest = hashlib.sha256()
    for part in (os.fsencode(folder.resolve()), fingerprint.encode()):
        digest.update(part + b"\0")
    for path in files:
        # The name's bytes as on disk: a name that is not UTF-8 cannot be encoded as text.
        digest.update(os.fsencode(path.relative_to(folder)) + f"\0{of_file(path)}\0".encode())
    for path, reason in sorted((noted or {}).items()):
        digest.update(os.fsencode(path.relative_to(folder)) + f"\0noted: {reason}\0".encode())
    return digest.hexdigest()


def _done_mark(target: Path) -> tuple[str, str]:
    """The key and files' signature an earlier run finished the school with; empty if none."""
    try:
        lines = (target / DONE_MARK).read_text(encoding="utf-8").split("\n")
    except OSError:
        return "", ""
    return lines[0].strip(), (lines[1].strip() if len(lines) > 1 else "")


def school_key(
    folder: Path,
    target: Path,
    fingerprint: str,
    files: list[Path],
    noted: Mapping[Path, str] | None = None,
) -> tuple[str, str]:
    """The school's review key and its files' signature (`files`: its files, listed once a
    run; `noted`: what it has besides them, unread). When the signature is the one the
    school was finished with, its key is taken from the mark instead of hashing every file
    again (on a real export, gigabytes of scans each run)."""
    signature = files_signature(folder, fingerprint, files, noted)
    key, signed = _done_mark(target)
    if key and signed == signature:
        return key, signature
    return review_key(folder, fingerprint, files, noted), signature


def _finished_sheet(target: Path, key: str) -> SchoolSheet | None:
    """The sheet of an earlier run when it was finished with the same key, else None."""
    if _done_mark(target)[0] != key:
        return None
    try:
        return SchoolSheet.model_validate_json((target / "sheet.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _mark_done(target: Path, key: str, signature: str = "") -> None:
    # Written last and atomically: a run killed before this point reviews the school again.
    tmp = target / (DONE_MARK + ".tmp")
    tmp.write_text(f"{key}\n{signature}", encoding="utf-8")
    os.replace(tmp, target / DONE_MARK)


# The processes the school tasks hand their work to (see `work_pool`); None: the task does
# the work itself (one worker, or a Dask worker). A context variable, so the region flow's
# task threads see their own run's pool.
_work_pool: ContextVar[Executor | None] = ContextVar("work_pool", default=None)


def _current_pool() -> Executor | None:
    # Dask pickles the task's function by value, with the globals it names; a ContextVar
    # cannot be pickled, a module-level function is pickled by name.
    return _work_pool.get()


# Each school's work as handed to the worker processes (`_hand_out`), by the school's folder.
_handed_out: ContextVar[dict[Path, Future] | None] = ContextVar("handed_out", default=None)


def _hand_out(
    order: list[Path], rest: tuple, to_read: dict[Path, list[Path]] | None = None
) -> None:
    """Give the worker processes every school to review at once, in `order` (`rest`: the
    arguments of `review_school` after the folder). They start on the first school as soon
    as they exist and go from one to the next without waiting for Prefect. When a school
    reached its worker only through its task run, the workers waited for the API: for the
    task runs to be created at the run's start (their first school began 0.13 s after the
    pool's start, 0.4 s into a 20-school re-run) and, when the API was slow, between
    schools. Each school's task run then waits for its school's work (`_handed_out_work`);
    its timing in Prefect's UI is the wait, not the work. No-op without a local pool.

    `to_read`: the files each school has to read, given when there are fewer schools than
    workers (`_sharing_reading`). A school with more than one is then read by all the
    workers at once, a job per file, before its review (`_review_after_reading`): one
    school's review is one worker's job, and a school that uploaded many files again had
    them read one after the other while the other workers had nothing to do."""
    pool, handed = _current_pool(), _handed_out.get()
    if pool is None or handed is None:
        return
    for folder in order:
        files = (to_read or {}).get(folder, [])
        if len(files) > 1:
            handed[folder] = _review_after_reading(pool, folder, files, rest)
        else:
            handed[folder] = pool.submit(review_school, folder, *rest)


def _sharing_reading(schools: int, workers: int | None, dask_address: str | None) -> bool:
    """Whether the schools' files are read by a job each (`_hand_out`): only when workers
    would be left idle otherwise. With a school or more per worker a job per school keeps
    every worker busy, and a school's files are then typed in one batch as they are read."""
    return not dask_address and schools < workers_wanted(workers)


def _review_after_reading(pool: Executor, folder: Path, files: list[Path], rest: tuple) -> Future:
    """The school's review, handed to `pool` once its `files` are read, each by a job of its
    own (pictures first, then the larger files: the longest reads start first). Its future,
    made here: the review is submitted by a thread that waits for the reads, so that no
    worker reads a file a second time while another is still on it. A read that failed
    is read again, and its error recorded, by the review."""
    storage = rest[3]  # review_school's result_storage
    order = sorted(files, key=lambda p: (not is_image(p), -_size(p), p.name))
    reads = [pool.submit(read_file, path, folder, storage) for path in order]
    sheet: Future = Future()

    def review() -> None:
        wait(reads)
        try:
            work = pool.submit(review_school, folder, *rest)
        except RuntimeError as exc:  # the pool was shut down meanwhile
            sheet.set_exception(exc)
            return
        work.add_done_callback(lambda done: _pass_on(done, sheet))

    threading.Thread(target=review, name=f"review-after-reading-{folder.name}", daemon=True).start()
    return sheet


def _size(path: Path) -> int:
    # A file deleted since the folder was listed is the review's to report, not the flow's.
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _pass_on(done: Future, to: Future) -> None:
    if done.cancelled():
        to.cancel()
    elif done.exception() is not None:
        to.set_exception(done.exception())
    else:
        to.set_result(done.result())


def _handed_out_work(folder: Path) -> Future | None:
    # A module-level function for the same reason as `_current_pool`.
    handed = _handed_out.get()
    return None if handed is None else handed.get(folder)


@task(name="school", task_run_name="school-{folder.name}", cache_policy=NO_CACHE)
def school_job(
    folder: Path,
    out_dir: Path,
    report_date: date,
    settings_path: Path | None = None,
    result_storage: Path | None = None,
    model_version: str = "",
) -> SchoolSheet:
    """One school as one task run, its draft sheet published as an artifact. The work runs in
    the region's worker processes when there are several, else here.

    Locally the task itself runs in a thread of the flow's process and only waits for its
    worker: a task run in Prefect's own process pool rebuilds Prefect's settings and two API
    clients in the worker (measured 0.2-0.26 s of wall time per empty task on two workers,
    against 7 ms for a task in the flow's process), and a subflow per school with a task
    per file cost 0.3-1.1 s and dozens of API calls per school."""
    args = (folder, out_dir, report_date, settings_path, result_storage, model_version)
    work, pool = _handed_out_work(folder), _current_pool()
    if work is None and pool is not None:
        work = pool.submit(review_school, *args)
    sheet = review_school(*args) if work is None else work.result()
    create_markdown_artifact(
        key=school_artifact_key(folder.name),
        markdown=_school_markdown(sheet),
        description=f"Draft expert sheet for {sheet.school}",
    )
    return sheet


def task_runner(workers: int | None = None, dask_address: str | None = None) -> TaskRunner:
    """Where the school tasks run: threads of the flow's process, one per worker (each waits
    for its school's work in `work_pool`); or, with `dask_address`, the workers of a running
    Dask cluster, which then do the work themselves."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    wanted = workers_wanted(workers)
    # Twice as many task threads as worker processes: a thread whose school is done spends
    # 50-90 ms on Prefect's API (the task's states, its artifact) before it hands over the
    # next school, and with one thread per worker the worker sat idle all that time (measured
    # on a re-run: 12 schools, 0.4 s of the two workers' 2.9 s). The extra threads keep a
    # school queued in `work_pool` for each worker.
    return ThreadPoolTaskRunner(max_workers=wanted if wanted == 1 else 2 * wanted)


@contextmanager
def _working(
    plan: RegionPlan, rest: tuple, workers: int | None, dask_address: str | None
) -> Iterator[list[Path]]:
    """The run's worker processes, known to its school tasks for the block's duration, with
    the schools to review handed out to them (`_hand_out`; `rest`: the arguments of
    `review_school` after the folder). Yields the schools in the order handed out."""
    cache = FileCache(plan.storage)
    unread = {folder: _unread(folder, plan.files[folder], cache) for folder in plan.keys}
    to_read = unread if _sharing_reading(len(plan.keys), workers, dask_address) else None
    # As many workers as there are jobs: the schools, and their files when read apart.
    jobs = len(plan.keys) + (sum(map(len, to_read.values())) if to_read else 0)
    order = sorted(plan.keys, key=lambda f: _expected_work(f, cache, plan.files[f], unread[f]))
    pool = None if dask_address else work_pool(workers, jobs)
    token, handed = _work_pool.set(pool), _handed_out.set({})
    try:
        _hand_out(order, rest, to_read)
        yield order
    finally:
        _handed_out.reset(handed)
        _work_pool.reset(token)
        if pool is not None:
            pool.shutdown(cancel_futures=True)


@contextmanager
def _api_for_workers() -> Iterator[None]:
    """Dask workers run the school tasks and must report to the run's Prefect API. Without a
    configured server Prefect starts a temporary one for this process only, and each worker
    would start (or time out starting) its own; so its address is put into the context the
    workers get. (Local worker processes make no API calls: the tasks stay in this process.)"""
    if PREFECT_API_URL.value():
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield


@contextmanager
def heartbeats_where_watched() -> Iterator[None]:
    """Flow runs started in the block send Prefect's heartbeats only to a configured server.
    A heartbeat lets a server flag a run whose process died; the temporary server Prefect
    starts when none is configured dies with that very process, so there nobody can read
    them. And they cost wall time: Prefect 3.8's heartbeat thread sleeps in whole seconds
    and the flow waits for it to wake before returning (0-1 s a run; 0.89 s of a 1.2 s
    re-run of the sample with nothing to redo, profiled). A deployment's run (`serve`), on a
    real server, keeps them."""
    if PREFECT_API_URL.value():
        yield
        return
    # A copy of the current settings with the one value changed, not `temporary_settings`:
    # that builds the settings anew from the environment and files (pydantic-settings, 70-80
    # ms of each run, profiled), for one value that needs no validation.
    context = get_settings_context()
    settings = context.settings
    flows = settings.flows.model_copy(update={"heartbeat_frequency": None})
    with SettingsContext(
        profile=context.profile, settings=settings.model_copy(update={"flows": flows})
    ):
        yield


def _unread(folder: Path, files: list[Path], cache: FileCache | None) -> list[Path]:
    """The files `cache` holds no extraction of (all of them without a cache)."""
    return [p for p in files if cache is None or not is_extracted(cache, p, folder)]


def _expected_work(
    folder: Path,
    cache: FileCache | None = None,
    files: list[Path] | None = None,
    unread: list[Path] | None = None,
) -> tuple[int, int, int]:
    """Sort key: schools with pictures to read (OCR, 1.4-2.4 s a page against about 20 ms
    for a text document) first, then the ones with more files to read, then more files.
    Started last, a long school keeps one worker busy while the others have nothing left to
    do. Only files `cache` holds no extraction of are to read: in a re-run a school whose
    scans were read before is quick, one with a scan just uploaded is not.
    (The flow has hashed a school's files for its key already, unless only its sheet was
    lost; then they are hashed here.) `unread`: those files, when the caller has them."""
    files = stages.school_files(folder) if files is None else files
    unread = _unread(folder, files, cache) if unread is None else unread
    return -sum(1 for p in unread if is_image(p)), -len(unread), -len(files)


def _failed_sheet(folder: Path, report_date: date, reason: str) -> SchoolSheet:
    name, _ = readable(folder.name)
    return SchoolSheet(
        school=name,
        folder=name,
        report_date=report_date.isoformat(),
        failed=True,
        errors=[ExtractionError(file=name, stage="review", reason=reason)],
    )


def _keep_failed(sheet: SchoolSheet, out_dir: Path) -> None:
    """Write a failed school's row where its sheet would be, and leave it unfinished: the
    next run reviews it again."""
    target = out_dir / sheet.folder
    target.mkdir(exist_ok=True)
    (target / DONE_MARK).unlink(missing_ok=True)
    (target / "sheet.json").write_text(sheet.model_dump_json(indent=2), encoding="utf-8")


@dataclass
class RegionPlan:
    """What a run has to do, found before any school is reviewed: the schools, their files
    (listed once a run: walking a school's folder cost more than hashing its unchanged files,
    whose hashes are kept by the files' stamps, see `sha256_of`), the sheets finished by an
    earlier run with the same key, and the schools to review with their keys."""

    folders: list[Path]
    listings: dict[Path, stages.Listing]
    loose: list[str]  # files in the export's top folder, in no school's (`loose_files`)
    storage: Path  # the cache folder (see `FileCache`)
    model: str  # the promoted model's version (see `model_version`)
    finished: dict[Path, SchoolSheet] = field(default_factory=dict)
    keys: dict[Path, tuple[str, str]] = field(default_factory=dict)  # key, files' signature
    refused: dict[Path, SchoolSheet] = field(default_factory=dict)  # not reviewed: failed rows

    @cached_property
    def files(self) -> dict[Path, list[Path]]:
        """Each school's files to read (its listing's entries but the refused ones)."""
        return {folder: listing.files for folder, listing in self.listings.items()}


def plan_region(
    region_dir: Path,
    out_dir: Path,
    report_date: date,
    settings_path: Path | None = None,
    cache_dir: Path | None = None,
    when_work: Callable[[], object] | None = None,
) -> RegionPlan:
    """The run's `RegionPlan`; makes the output and cache folders. No Prefect call.
    `when_work` is called once, as soon as a school to review is found (while the others'
    files are hashed)."""
    folders = school_folders(region_dir, out_dir, cache_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = RegionPlan(
        folders=folders,
        listings={folder: stages.list_school(folder) for folder in folders},
        loose=loose_files(region_dir),
        storage=_storage_path(cache_dir or out_dir / ".cache"),
        model=model_version(),
    )
    fingerprint = run_fingerprint(report_date, settings_path)
    for folder in folders:
        name, codec = readable(folder.name)
        if codec is not None:
            # A name no sheet, summary or Prefect parameter can hold as it is; renamed on
            # the quiet, its outputs would no longer match its folder.
            plan.refused[folder] = _failed_sheet(
                folder,
                report_date,
                f"the folder's name is not UTF-8 (read in {codec} it says {name!r}); "
                "give the folder a UTF-8 name and run the review again",
            )
            continue
        key, signature = school_key(
            folder,
            out_dir / folder.name,
            fingerprint,
            plan.files[folder],
            plan.listings[folder].noted,
        )
        earlier = _finished_sheet(out_dir / folder.name, key)
        if earlier is None:
            if not plan.keys and when_work is not None:
                when_work()
            plan.keys[folder] = key, signature
        else:
            plan.finished[folder] = earlier
    return plan


@dataclass
class _HeadStart:
    """Work handed to the worker processes before the flow run started (`head_start`), for
    the run with these arguments."""

    arguments: tuple
    plan: RegionPlan
    order: list[Path]


_head_start: ContextVar[_HeadStart | None] = ContextVar("head_start", default=None)


def _started() -> _HeadStart | None:
    # Not `_head_start.get()` in the flow: Dask pickles the flow's function by value, with
    # the globals it names, and a ContextVar cannot be pickled (see `_current_pool`).
    return _head_start.get()


def _run_arguments(
    region_dir: Path,
    out_dir: Path,
    report_date: date,
    settings_path: Path | None,
    cache_dir: Path | None,
    dask_address: str | None,
    workers: int | None,
) -> tuple:
    def where(path: Path | None) -> Path | None:
        return None if path is None else Path(path).resolve()

    return (
        where(region_dir),
        where(out_dir),
        report_date,
        where(settings_path),
        where(cache_dir),
        dask_address,
        workers_wanted(workers),
    )


@contextmanager
def head_start(
    region_dir: Path,
    out_dir: Path,
    report_date: date,
    settings_path: Path | None = None,
    cache_dir: Path | None = None,
    dask_address: str | None = None,
    workers: int | None = None,
) -> Iterator[None]:
    """Find what the run has to do and give the schools to the worker processes before
    the flow run starts; a `review_region` called in the block with the same arguments
    takes that work over instead of starting its own. Prefect spends about 0.2 s creating
    and starting a flow run before the flow's code runs (its API client, the flow run
    created on the server, the parameters validated; s12's timeline of a 20-school re-run,
    whose whole run took 1.2-1.7 s): the workers now spend it reviewing. Locally only: a
    Dask cluster's workers get their schools from the flow's tasks, and with one worker
    the flow's own process does the work."""
    if dask_address or workers_wanted(workers) == 1:
        yield
        return
    plan = plan_region(region_dir, out_dir, report_date, settings_path, cache_dir)
    if not plan.keys:
        yield
        return
    rest = (out_dir, report_date, settings_path, plan.storage, plan.model)
    with _working(plan, rest, workers, dask_address) as order:
        arguments = _run_arguments(
            region_dir, out_dir, report_date, settings_path, cache_dir, dask_address, workers
        )
        token = _head_start.set(_HeadStart(arguments, plan, order))
        try:
            yield
        finally:
            _head_start.reset(token)


def run_review(
    region_dir: Path,
    out_dir: Path,
    report_date: date,
    settings_path: Path | None = None,
    cache_dir: Path | None = None,
    dask_address: str | None = None,
    workers: int | None = None,
) -> RegionSummary:
    """The region's review as the CLI runs it: `review_region` with a `head_start`, and
    Prefect's heartbeats only where a server watches them (`heartbeats_where_watched`)."""
    arguments = (region_dir, out_dir, report_date, settings_path, cache_dir, dask_address, workers)
    check_configured_api()  # before any school is handed out
    if dask_address:
        check_dask_scheduler(dask_address)
    with heartbeats_where_watched(), output_lock(out_dir), head_start(*arguments):
        return review_region(*arguments)


@flow(name="review-export")
def review_export(
    region_dir: Path,
    out_dir: Path,
    report_date: date,
    settings_path: Path | None = None,
    cache_dir: Path | None = None,
    workers: int | None = None,
) -> RegionSummary:
    """What a scheduled deployment runs (`serve`): the export made plain folders first, as
    the CLI does before `review_region` (`prepare_input`: schools' ZIP uploads unpacked into
    OUT/_input), then the review. Before s20 the deployments ran `review_region` on the
    export as it was, so a school's ZIP was an error record saying that archives are
    unpacked, and its documents were never reviewed."""
    from extractors.archive import prepare_input

    with output_lock(out_dir):  # from the unpacking on, as the CLI holds it
        region, errors = prepare_input(Path(region_dir), Path(out_dir) / "_input")
        logger = get_run_logger()
        for error in errors:
            logger.warning("%s: %s", error.file, error.reason)
        return review_region(region, out_dir, report_date, settings_path, cache_dir, None, workers)


@flow(name="review-region")
def review_region(
    region_dir: Path,
    out_dir: Path,
    report_date: date,
    settings_path: Path | None = None,
    cache_dir: Path | None = None,
    dask_address: str | None = None,
    workers: int | None = None,
) -> RegionSummary:
    """`cache_dir` (default OUT/.cache) keeps each file's extraction and document type by its
    content between runs, so a re-run after a few schools uploaded files reads and types only
    the new files.
    Schools run in parallel on `task_runner(workers, dask_address)`: every core by default,
    or the workers of a running Dask scheduler at `dask_address` (tcp://HOST:PORT), which
    must reach the same Prefect API and see the same paths. Called in a `head_start` block
    with the same arguments, it takes over the work already handed to the workers. Another
    review writing to the same `out_dir` makes it raise `OutputBusy` (`output_lock`)."""
    with output_lock(out_dir):
        logger = get_run_logger()
        # Every school loads the rubric: a bad file fails the run here, once and clearly (a
        # deployment's run has no CLI in front of it to check), not each school in turn.
        load_settings(settings_path)
        started = _started()
        arguments = _run_arguments(
            region_dir, out_dir, report_date, settings_path, cache_dir, dask_address, workers
        )
        if started is not None and started.arguments != arguments:
            started = None  # a block for another run: its work is not this run's
        if started is not None:
            plan = started.plan
        else:
            # The CLI started the fork server before Prefect (then this is free); a deployment's
            # run starts it here, once it knows there is work for the workers.
            plan = plan_region(
                region_dir,
                out_dir,
                report_date,
                settings_path,
                cache_dir,
                when_work=None if dask_address else lambda: start_workers_early(workers),
            )
        sheets: dict[Path, SchoolSheet] = {}
        for folder, refused in plan.refused.items():
            logger.error("school %s not reviewed: %s", refused.folder, refused.errors[0].reason)
            _keep_failed(refused, out_dir)
            sheets[folder] = refused
            _report("file", len(plan.files[folder]))
            _report("school")
        for folder, earlier in plan.finished.items():
            sheets[folder] = earlier
            _report("file", len(plan.files[folder]))
            _report("school")
        if plan.finished:
            logger.info(
                "%d school(s) finished by an earlier run were not reviewed again",
                len(plan.finished),
            )
        if plan.keys:
            rest = (out_dir, report_date, settings_path, plan.storage, plan.model)
            with (
                _api_for_workers() if dask_address else nullcontext(),
                nullcontext(started.order)
                if started is not None
                else _working(plan, rest, workers, dask_address) as order,
                task_runner(workers, dask_address) as runner,
            ):

                def submit(folder: Path) -> PrefectFuture:
                    return runner.submit(
                        school_job,
                        parameters={
                            "folder": folder,
                            "out_dir": out_dir,
                            "report_date": report_date,
                            "settings_path": settings_path,
                            "result_storage": plan.storage,
                            "model_version": plan.model,
                        },
                    )

                pending = {submit(folder): folder for folder in order}
                resubmitted: set[Path] = set()
                while pending:
                    for future in as_completed(list(pending)):
                        folder = pending.pop(future)
                        sheet, reason = _outcome(future)
                        if sheet is None and _SERVER_BUSY in reason and folder not in resubmitted:
                            # The API refused a call after the client's own retries: nothing
                            # is wrong with the school, so it gets one more go.
                            logger.warning(
                                "school %s: the Prefect API was busy (503); again", folder.name
                            )
                            resubmitted.add(folder)
                            pending[submit(folder)] = folder
                            continue
                        sheets[folder] = _collect(
                            sheet, reason, folder, plan.keys[folder], out_dir, report_date
                        )
                        _report("file", len(plan.files[folder]))
                        _report("school")
                        logger.info(
                            "schools done: %d/%d (%s)", len(sheets), len(plan.folders), folder.name
                        )
            # The workers are done: what they learnt goes into one file the next run's load.
            merge_vocabulary(plan.storage)
            pruned = prune_cache(plan.storage, plan.model)
            if pruned:
                logger.info("%d cache entries of other code or models deleted", pruned)
        summary = summarize([sheets[f] for f in plan.folders], report_date.isoformat())
        summary.outside_schools = plan.loose
        if plan.loose:
            logger.warning(
                "%d file(s) in the export's top folder are in no school's folder and were not "
                "reviewed: %s",
                len(plan.loose),
                ", ".join(plan.loose),
            )
        (out_dir / "summary.json").write_text(
            json.dumps(summary.model_dump(mode="json"), ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
        write_summary_xlsx(summary, out_dir / "summary.xlsx")
        create_table_artifact(
            key=_artifact_key("region-summary"),
            table=[r.model_dump(mode="json") for r in summary.rows],
            description=f"Region summary, report date {summary.report_date}",
        )
        return summary


# How a refused API call shows in a failed school's reason: httpx's HTTPStatusError text.
# The Prefect API answers 503 when its database is busy (the temporary server's SQLite under
# a large batch's writes), after the client's own retries.
_SERVER_BUSY = "503 Service Unavailable"


def _outcome(future: PrefectFuture) -> tuple[SchoolSheet | None, str]:
    """The school's sheet, or None and why its review failed. A worker that could not even
    run the task (its process died, an API call of the task engine was refused) raises from
    the future: that too is the school's failure, not the region's."""
    try:
        future.wait()
        state = future.state
        if state.is_completed():
            return state.result(), ""
        return None, str(state.message or "the school's review failed")
    except Exception as exc:  # the region's review goes on whatever one school met
        return None, f"{type(exc).__name__}: {exc}"


def _collect(
    sheet: SchoolSheet | None,
    reason: str,
    folder: Path,
    key: tuple[str, str],
    out_dir: Path,
    report_date: date,
) -> SchoolSheet:
    """The school's sheet, marked finished (`key`: its review key and files' signature)
    unless a tool missing on this machine left some of its files unread, so that the next
    run, with the tool installed, reviews it again; or, when its review failed, a failed
    row."""
    if sheet is not None:
        if sheet.setup_problems:
            get_run_logger().warning(
                "school %s: not all files read, the next run reads them again: %s",
                folder.name,
                "; ".join(sheet.setup_problems[:3]),
            )
            (out_dir / folder.name / DONE_MARK).unlink(missing_ok=True)
        else:
            _mark_done(out_dir / folder.name, *key)
        return sheet
    # One school's failure must not cost the region its review.
    get_run_logger().error("school %s failed: %s", folder.name, reason)
    sheet = _failed_sheet(folder, report_date, reason)
    _keep_failed(sheet, out_dir)
    return sheet


def _artifact_key(text: str) -> str:
    """`text` as a Prefect artifact key, which allows only lower-case letters, digits and
    dashes: Russian letters transliterated ("Сосновская ООШ" -> "sosnovskaia-oosh")."""
    return slugify(text, max_length=100) or "artifact"


def school_artifact_key(folder: str) -> str:
    """The key of a school's markdown artifact, under which Prefect shows its latest draft:
    the folder's name readable, and a digest of it, so that names that read alike ("Школа
    №1" and "школа 1") stay apart. Before s20 every letter outside ASCII became a dash, and
    every school folder named in Russian letters alone got the same key, "sheet"."""
    digest = hashlib.sha256(os.fsencode(folder)).hexdigest()[:8]
    return f"{_artifact_key(f'sheet-{folder}')[:90].rstrip('-')}-{digest}"


def _school_markdown(sheet: SchoolSheet) -> str:
    lines = [
        f"# {sheet.school}",
        "",
        f"Report date: {sheet.report_date}",
        "",
        "| criterion | score | reason |",
        "|---|---|---|",
    ]
    for key, value in sheet.scores.items():
        reason = sheet.reasons.get(key, "").replace("|", "/")
        lines.append(f"| {key} | {value} | {reason} |")
    lines += ["", f"**Total: {sheet.total}**"]
    if sheet.errors:
        lines += ["", "Unreadable files:"] + [f"- {e.file}: {e.reason}" for e in sheet.errors]
    return "\n".join(lines)
