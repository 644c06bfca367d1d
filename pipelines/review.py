"""Prefect flows: a region's export in, draft expert sheets and the region summary out."""

# No `from __future__ import annotations` here: Prefect builds the subflow's parameter model
# from its annotations inside worker processes, where string annotations failed to resolve
# ("`Review_SchoolModel` is not fully defined; you should define `Path`").

import hashlib
import importlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import cache
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed
from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
    temporary_settings,
)
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

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
    """The cache folder as the extraction tasks' result storage. A path, not a saved block's
    slug: Prefect resolves a slug with an API call per task run (measured 0.4 s a file on a
    loaded machine, 12 ms with a path), while a path becomes a LocalFileSystem in the worker
    itself. Workers on other machines must see the folder at the same path."""
    path = cache_dir.resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _file_key(_ctx: object, params: dict) -> str:
    # The file's content, not its name or time, decides: a re-uploaded identical file is
    # not read again, a changed one always is.
    return f"extract-{code_version('extractors')}-{sha256_of(Path(params['path']))}"


@task(
    name="extract-file",
    cache_key_fn=_file_key,
    persist_result=True,
    retries=1,
    retry_delay_seconds=2,
)
def extract_file(path: Path, root: Path) -> Document:
    return extract(path, root=root)


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


@task(name="score-school", cache_policy=NO_CACHE)
def score_school(
    folder: Path, report_date: date, settings_path: Path | None, docs: list[Document]
) -> SchoolSheet:
    return stages.review_school(
        folder,
        report_date,
        load_settings(settings_path),
        docs=docs,
        classifier=document_classifier(),
    )


@task(name="write-school-sheet", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def write_school(sheet: SchoolSheet, out_dir: Path, export_dir: Path) -> Path:
    target = out_dir / sheet.folder
    target.mkdir(parents=True, exist_ok=True)
    (target / "sheet.json").write_text(sheet.model_dump_json(indent=2), encoding="utf-8")
    write_sheet_xlsx(sheet, target / "sheet.xlsx", export_dir)
    return target


@flow(name="review-school", flow_run_name="review-school-{folder.name}")
def review_school(
    folder: Path,
    out_dir: Path,
    report_date: date,
    settings_path: Path | None = None,
    result_storage: Path | None = None,
) -> SchoolSheet:
    """`result_storage` is the folder (see `_storage_path`) that caches extraction.
    The tasks run inline in the process that runs this subflow (a worker of the region's
    task runner): one school's stages are sequential, schools run in parallel."""
    files = stages.school_files(folder)
    extractor = extract_file
    if result_storage is not None:
        extractor = extract_file.with_options(result_storage=result_storage)
    docs = [extractor(path, folder) for path in files]
    sheet = score_school(folder, report_date, settings_path, docs)
    write_school(sheet, out_dir, folder)
    create_markdown_artifact(
        key=_artifact_key(f"sheet-{folder.name}"),
        markdown=_school_markdown(sheet),
        description=f"Draft expert sheet for {sheet.school}",
    )
    return sheet


@task(name="school", task_run_name="school-{folder.name}", cache_policy=NO_CACHE)
def school_job(
    folder: Path,
    out_dir: Path,
    report_date: date,
    settings_path: Path | None = None,
    result_storage: Path | None = None,
) -> SchoolSheet:
    """One school on a worker of the region's task runner (a local process or a Dask worker).

    Its subflow sends no heartbeats of its own: Prefect 3.8 joins a sync flow's heartbeat
    thread on exit, which waits out the thread's one-second sleep and cost every school
    ~1 s of wall time (measured: 1.2 s vs 0.27 s per empty subflow). The region flow's own
    heartbeats still tell the server the run is alive."""
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        return review_school(folder, out_dir, report_date, settings_path, result_storage)


def warm_worker() -> None:
    """Load the models once when a worker process starts, not inside the first school."""
    from classifiers.lemmas import nlp
    from classifiers.matching import _embedding

    document_classifier()
    nlp()
    _embedding()


def task_runner(workers: int | None = None, dask_address: str | None = None) -> TaskRunner:
    """Where the schools run. Default: a pool of `workers` processes (every core), since
    reading, lemmatising, classifying and matching are CPU-bound Python and threads would
    share one core under the GIL. `workers=1`: in this process, one school at a time.
    `dask_address`: the workers of a running Dask cluster."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        return ThreadPoolTaskRunner(max_workers=1)
    return ProcessPoolTaskRunner(max_workers=workers, initializer=warm_worker)


@contextmanager
def _api_for_workers() -> Iterator[None]:
    """Worker processes must report to the run's Prefect API. Without a configured server
    Prefect starts a temporary one for this process only, and each worker would start (or
    time out starting) its own; so its address is put into the context the workers get."""
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
    """`cache_dir` (default OUT/.cache) keeps extraction results by file content between
    runs, so a re-run after a few schools uploaded files reads only the new files.
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
        with _api_for_workers(), task_runner(workers, dask_address) as runner:
            futures = {
                runner.submit(
                    school_job,
                    parameters={
                        "folder": folder,
                        "out_dir": out_dir,
                        "report_date": report_date,
                        "settings_path": settings_path,
                        "result_storage": storage,
                    },
                ): folder
                for folder in keys
            }
            for future in as_completed(list(futures)):
                folder = futures[future]
                sheets[folder] = _collect(future, folder, keys[folder], out_dir, report_date)
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


def _collect(
    future: PrefectFuture, folder: Path, key: str, out_dir: Path, report_date: date
) -> SchoolSheet:
    """The school's sheet, marked finished; or, when its review failed, a failed row."""
    future.wait()
    state = future.state
    if state.is_completed():
        sheet = state.result()
        _mark_done(out_dir / folder.name, key)
        return sheet
    # One school's failure must not cost the region its review.
    reason = str(state.message or "the school's review failed")
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
