"""Prefect flows: a region's export in, draft expert sheets and the region summary out."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from datetime import date
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed
from prefect.settings import (
    PREFECT_API_URL,
    temporary_settings,
)
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from classifiers.doctype import DocTypePrediction
from classifiers.doctype_model import (
    MODEL_FILE,
    MODELS_DIR,
    DocTypeClassifier,
    load_classifier,
    promoted_name,
)
from expert_sheet.records import SchoolSheet
from expert_sheet.settings import load_settings
from expert_sheet.summary import RegionSummary, summarize
from expert_sheet.xlsx import write_sheet_xlsx, write_summary_xlsx
from extractors.extract import extract, sha256_of
from extractors.model import Document, ExtractionError
from pipelines import school as stages


class RegionError(Exception):
    """The region folder itself is unusable; the message is for the operator."""


def school_folders(region_dir: Path) -> list[Path]:
    if not region_dir.is_dir():
        raise RegionError(f"no such folder: {region_dir}")
    folders = sorted(p for p in region_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise RegionError(f"no school folders in {region_dir} (expected one folder per school)")
    return folders


@cache
def code_version(package: str) -> str:
    """Hash of a package's source: a cached result from older code is not reused."""
    digest = hashlib.sha256()
    for source in sorted(Path(importlib.import_module(package).__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def _storage_path(cache_dir: Path) -> Path:
    """The cache folder as the per-file result storage. A path, not a saved block's slug:
    Prefect resolves a slug with an API call (measured 0.4 s a file on a loaded machine),
    while a path becomes a LocalFileSystem in the worker itself. Workers on other machines
    must see the folder at the same path."""
    path = cache_dir.resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


class FileCache:
    """What depends on one file alone, kept by its content in Prefect's result store under
    the cache folder: its extraction (key: the file's content and place, see `file_id`, and
    the extractors' code) and its document type (key: also the classifiers' code and the
    promoted model). A re-run reads
    only new or changed files and types only them; a new model or changed classifier code
    types every file again from the kept extraction, without reading it again.

    Not a Prefect task per file: each task run is a few API calls (7-16 ms of the worker's
    time, and more of the server's), which on a batch of thousands of files cost more than
    the caching saved and made the temporary server refuse calls (503) at N = 300."""

    def __init__(self, storage: Path | None) -> None:
        self.store = None
        if storage is not None:
            from prefect.filesystems import LocalFileSystem
            from prefect.results import ResultStore

            self.store = ResultStore(
                result_storage=LocalFileSystem(basepath=str(storage)),
                cache_result_in_memory=False,
            )

    def get(self, key: str) -> Any:
        """The value kept under `key`, or None. An entry that cannot be read (a run killed
        while writing it, a format from another Prefect version) is a miss: redone."""
        if self.store is None:
            return None
        try:
            return self.store.read(key).result
        except Exception:  # any unreadable entry is recomputed, never fatal
            return None

    def put(self, key: str, value: Any) -> None:
        if self.store is not None:
            self.store.write(value, key=key)


def file_id(path: Path, root: Path) -> str:
    """A file's content and its place in the school: the content decides (a re-uploaded
    identical file is not read again, a changed one always is), and the place too, since
    the document records its path and a file without text is typed by its name."""
    digest = hashlib.sha256(f"{path.relative_to(root).as_posix()}\0{sha256_of(path)}".encode())
    return digest.hexdigest()


def _extraction_key(fid: str) -> str:
    return f"extract-{code_version('extractors')}-{fid}"


def _type_key(fid: str, model_version: str) -> str:
    model = hashlib.sha256(model_version.encode()).hexdigest()[:16]
    return f"doctype-{code_version('extractors')}-{code_version('classifiers')}-{model}-{fid}"


def school_documents(
    folder: Path, cache: FileCache, model_version: str
) -> tuple[list[Document], dict[str, DocTypePrediction]]:
    """The school's documents and their types, from the cache where the file was seen before;
    the files not seen are read and typed (in one batch: the model's per-call cost is about
    20 ms) and kept."""
    docs: list[Document] = []
    types: dict[str, DocTypePrediction] = {}
    untyped: list[tuple[Document, str]] = []  # and the file's id
    for path in stages.school_files(folder):
        fid = file_id(path, folder)
        doc = cache.get(_extraction_key(fid))
        if not isinstance(doc, Document):
            doc = extract(path, root=folder)
            cache.put(_extraction_key(fid), doc)
        docs.append(doc)
        if not doc.ok:
            continue
        pred = cache.get(_type_key(fid, model_version))
        if isinstance(pred, DocTypePrediction):
            types[doc.path] = pred
        else:
            untyped.append((doc, fid))
    if untyped:
        predicted = stages.predict_types([d for d, _ in untyped], document_classifier())
        for (doc, fid), pred in zip(untyped, predicted, strict=True):
            if pred is not None:
                types[doc.path] = pred
                cache.put(_type_key(fid, model_version), pred)
    return docs, types


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
        _model_version(),
    ] + [code_version(p) for p in ("extractors", "classifiers", "expert_sheet", "pipelines")]
    return "\0".join(parts)


def _model_version() -> str:
    """The promoted document-type model's name and a hash of its file, without loading it:
    the flow's process never classifies, so it need not spend seconds unpickling the model."""
    name = promoted_name(MODELS_DIR)
    if name is None:
        return "rules"
    model_file = MODELS_DIR / name / MODEL_FILE
    if not model_file.is_file():
        return f"{name}:missing"
    return f"{name}:{sha256_of(model_file)[:16]}"


def review_key(folder: Path, fingerprint: str) -> str:
    """What a school's finished review depends on: its files' contents and the run's
    fingerprint. A run killed half-way and started again skips the schools whose key is
    unchanged; anything changed is reviewed again."""
    digest = hashlib.sha256()
    for part in (str(folder.resolve()), fingerprint):
        digest.update(part.encode() + b"\0")
    for path in stages.school_files(folder):
        digest.update(f"{path.relative_to(folder)}\0{sha256_of(path)}\0".encode())
    return digest.hexdigest()


def _finished_sheet(target: Path, key: str) -> SchoolSheet | None:
    """The sheet of an earlier run when it was finished with the same key, else None."""
    try:
        if (target / DONE_MARK).read_text(encoding="utf-8").strip() != key:
            return None
        return SchoolSheet.model_validate_json((target / "sheet.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _mark_done(target: Path, key: str) -> None:
    # Written last and atomically: a run killed before this point reviews the school again.
    tmp = target / (DONE_MARK + ".tmp")
    tmp.write_text(key, encoding="utf-8")
    os.replace(tmp, target / DONE_MARK)


@cache
def document_classifier() -> DocTypeClassifier:
    """The promoted model, loaded once per worker process, never per file."""
    return load_classifier()


def write_school(sheet: SchoolSheet, out_dir: Path, export_dir: Path) -> Path:
    target = out_dir / sheet.folder
    target.mkdir(parents=True, exist_ok=True)
    (target / "sheet.json").write_text(sheet.model_dump_json(indent=2), encoding="utf-8")
    write_sheet_xlsx(sheet, target / "sheet.xlsx", export_dir)
    return target


def _write_with_retries(sheet: SchoolSheet, out_dir: Path, export_dir: Path) -> Path:
    """Writing is the one step that meets passing faults (a full or busy network share):
    tried three times, a second apart. Scoring is deterministic and never retried."""
    for attempt in range(3):
        try:
            return write_school(sheet, out_dir, export_dir)
        except OSError:
            if attempt == 2:
                raise
            time.sleep(1)
    raise AssertionError("unreachable")


def review_school(
    folder: Path,
    out_dir: Path,
    report_date: date,
    settings_path: Path | None = None,
    result_storage: Path | None = None,
    model_version: str = "",
) -> SchoolSheet:
    """One school: its documents and their types (from the per-file cache where it can),
    then the per-school part (roadmap, matching, rubric) and the sheet written. No Prefect
    API call: it runs in a plain worker process. `result_storage` is the cache folder (see
    `_storage_path`); `model_version` the promoted model's (see `_model_version`), part of
    the type cache's key."""
    docs, types = school_documents(folder, FileCache(result_storage), model_version)
    sheet = stages.review_school(
        folder,
        report_date,
        load_settings(settings_path),
        docs=docs,
        classifier=document_classifier(),
        known=types,
    )
    _write_with_retries(sheet, out_dir, folder)
    return sheet


# The processes the school tasks hand their work to (see `work_pool`); None: the task does
# the work itself (one worker, or a Dask worker). A context variable, so the region flow's
# task threads see their own run's pool.
_work_pool: ContextVar[Executor | None] = ContextVar("work_pool", default=None)


def _current_pool() -> Executor | None:
    # Dask pickles the task's function by value, with the globals it names; a ContextVar
    # cannot be pickled, a module-level function is pickled by name.
    return _work_pool.get()


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
    pool = _current_pool()
    sheet = review_school(*args) if pool is None else pool.submit(review_school, *args).result()
    create_markdown_artifact(
        key=_artifact_key(f"sheet-{folder.name}"),
        markdown=_school_markdown(sheet),
        description=f"Draft expert sheet for {sheet.school}",
    )
    return sheet


def warm_worker() -> None:
    """Load the models once when a worker process starts, not inside the first school."""
    from classifiers.lemmas import nlp
    from classifiers.matching import _embedding

    document_classifier()
    nlp()
    _embedding()


def task_runner(workers: int | None = None, dask_address: str | None = None) -> TaskRunner:
    """Where the school tasks run: threads of the flow's process, one per worker (each waits
    for its school's work in `work_pool`); or, with `dask_address`, the workers of a running
    Dask cluster, which then do the work themselves."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    return ThreadPoolTaskRunner(max_workers=_workers(workers))


def _workers(workers: int | None) -> int:
    return workers or os.cpu_count() or 1


def work_pool(workers: int | None = None) -> Executor | None:
    """Where the schools' work runs: a pool of `workers` processes (every core), since
    reading, lemmatising, classifying and matching are CPU-bound Python and threads would
    share one core under the GIL; each loads the models once when it starts. None for one
    worker: the work runs in the flow's process, one school at a time. Spawned, not forked:
    the flow's process runs Prefect's threads."""
    workers = _workers(workers)
    if workers == 1:
        return None
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=get_context("spawn"), initializer=warm_worker
    )


@contextmanager
def _working(workers: int | None, dask_address: str | None) -> Iterator[None]:
    """The run's worker processes, known to its school tasks for the block's duration."""
    pool = None if dask_address else work_pool(workers)
    token = _work_pool.set(pool)
    try:
        yield
    finally:
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


def _failed_sheet(folder: Path, report_date: date, reason: str) -> SchoolSheet:
    return SchoolSheet(
        school=folder.name,
        folder=folder.name,
        report_date=report_date.isoformat(),
        failed=True,
        errors=[ExtractionError(file=folder.name, stage="review", reason=reason)],
    )


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
    must reach the same Prefect API and see the same paths."""
    logger = get_run_logger()
    folders = school_folders(region_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    storage = _storage_path(cache_dir or out_dir / ".cache")
    fingerprint = run_fingerprint(report_date, settings_path)
    sheets: dict[Path, SchoolSheet] = {}
    keys: dict[Path, str] = {}
    for folder in folders:
        key = review_key(folder, fingerprint)
        earlier = _finished_sheet(out_dir / folder.name, key)
        if earlier is None:
            keys[folder] = key
            continue
        sheets[folder] = earlier
        _report("file", len(stages.school_files(folder)))
        _report("school")
    if sheets:
        logger.info("%d school(s) finished by an earlier run were not reviewed again", len(sheets))
    if keys:
        model_version = _model_version()
        with (
            _api_for_workers() if dask_address else nullcontext(),
            _working(workers, dask_address),
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
                        "result_storage": storage,
                        "model_version": model_version,
                    },
                )

            pending = {submit(folder): folder for folder in keys}
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
                        sheet, reason, folder, keys[folder], out_dir, report_date
                    )
                    _report("file", len(stages.school_files(folder)))
                    _report("school")
                    logger.info("schools done: %d/%d (%s)", len(sheets), len(folders), folder.name)
    summary = summarize([sheets[f] for f in folders], report_date.isoformat())
    (out_dir / "summary.json").write_text(
        json.dumps(summary.model_dump(mode="json"), ensure_ascii=False, indent=2), encoding="utf-8"
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
    key: str,
    out_dir: Path,
    report_date: date,
) -> SchoolSheet:
    """The school's sheet, marked finished; or, when its review failed, a failed row."""
    if sheet is not None:
        _mark_done(out_dir / folder.name, key)
        return sheet
    # One school's failure must not cost the region its review.
    get_run_logger().error("school %s failed: %s", folder.name, reason)
    sheet = _failed_sheet(folder, report_date, reason)
    target = out_dir / folder.name
    target.mkdir(exist_ok=True)
    (target / DONE_MARK).unlink(missing_ok=True)
    (target / "sheet.json").write_text(sheet.model_dump_json(indent=2), encoding="utf-8")
    return sheet


def _artifact_key(text: str) -> str:
    # Prefect artifact keys allow only lower-case letters, digits and dashes.
    key = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in text.lower())
    return "-".join(p for p in key.split("-") if p)[:100] or "artifact"


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
