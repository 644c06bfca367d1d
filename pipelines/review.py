"""Prefect flows: a region's export in, draft expert sheets and the region summary out."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.filesystems import LocalFileSystem

from classifiers.doctype_model import DocTypeClassifier, load_classifier
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


def _storage_block(cache_dir: Path) -> str:
    """A saved LocalFileSystem block for the cache folder; Prefect wants result storage that
    workers can look up by name rather than an object handed to them."""
    path = cache_dir.resolve()
    path.mkdir(parents=True, exist_ok=True)
    name = "evidence-review-cache-" + hashlib.sha256(str(path).encode()).hexdigest()[:12]
    LocalFileSystem(basepath=str(path)).save(name, overwrite=True)
    return f"local-file-system/{name}"


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
        document_classifier().name,
    ] + [code_version(p) for p in ("extractors", "classifiers", "expert_sheet", "pipelines")]
    return "\0".join(parts)


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
    result_storage: str | None = None,
) -> SchoolSheet:
    """`result_storage` names the saved block (see `_storage_block`) that caches extraction."""
    files = stages.school_files(folder)
    extractor = extract_file
    if result_storage is not None:
        extractor = extract_file.with_options(result_storage=result_storage)
    docs = []
    for future in extractor.map(files, root=folder):
        docs.append(future.result())
        _report("file")
    sheet = score_school(folder, report_date, settings_path, docs)
    write_school(sheet, out_dir, folder)
    create_markdown_artifact(
        key=_artifact_key(f"sheet-{folder.name}"),
        markdown=_school_markdown(sheet),
        description=f"Draft expert sheet for {sheet.school}",
    )
    return sheet


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
) -> RegionSummary:
    """`cache_dir` (default OUT/.cache) keeps extraction results by file content between
    runs, so a re-run after a few schools uploaded files reads only the new files.
    `dask_address` (tcp://HOST:PORT of a running Dask scheduler) runs the file extraction on
    that cluster; its workers must reach the same Prefect API and see the same paths."""
    logger = get_run_logger()
    school_flow = review_school
    if dask_address:
        from prefect_dask import DaskTaskRunner

        school_flow = review_school.with_options(task_runner=DaskTaskRunner(address=dask_address))
    folders = school_folders(region_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    storage = _storage_block(cache_dir or out_dir / ".cache")
    fingerprint = run_fingerprint(report_date, settings_path)
    sheets: list[SchoolSheet] = []
    resumed = 0
    for n, folder in enumerate(folders, start=1):
        key = review_key(folder, fingerprint)
        earlier = _finished_sheet(out_dir / folder.name, key)
        if earlier is not None:
            sheets.append(earlier)
            resumed += 1
            _report("file", len(stages.school_files(folder)))
            _report("school")
            logger.info("schools done: %d/%d (%s, finished earlier)", n, len(folders), folder.name)
            continue
        state = school_flow(
            folder,
            out_dir,
            report_date,
            settings_path,
            storage,
            return_state=True,
        )
        if state.is_completed():
            sheets.append(state.result())
            _mark_done(out_dir / folder.name, key)
        else:
            # One school's failure must not cost the region its review.
            reason = str(state.message or "the school's review failed")
            sheets.append(_failed_sheet(folder, report_date, reason))
            logger.error("school %s failed: %s", folder.name, reason)
            (out_dir / folder.name).mkdir(exist_ok=True)
            (out_dir / folder.name / DONE_MARK).unlink(missing_ok=True)
            (out_dir / folder.name / "sheet.json").write_text(
                sheets[-1].model_dump_json(indent=2), encoding="utf-8"
            )
        _report("school")
        logger.info("schools done: %d/%d (%s)", n, len(folders), folder.name)
    if resumed:
        logger.info("%d school(s) finished by an earlier run were not reviewed again", resumed)
    summary = summarize(sheets, report_date.isoformat())
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
