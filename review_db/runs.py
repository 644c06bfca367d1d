"""Recording a finished review run: its settings, code and model versions, and every draft."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select

from classifiers.matching import BACKGROUND_PATH, SETTINGS_PATH
from expert_sheet.records import SchoolSheet
from expert_sheet.settings import load_settings
from expert_sheet.xlsx import sheet_digest
from review_db.db import session_scope
from review_db.models import DocumentRow, ItemRow, MatchRow, Run, ScoreRow, Sheet

PACKAGES = ("extractors", "classifiers", "expert_sheet", "pipelines")


def matcher_version() -> str:
    """The matcher's learnt weights and word table decide its matches: their hash names it."""
    digest = hashlib.sha256()
    for path in (SETTINGS_PATH, BACKGROUND_PATH):
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()[:16]


def code_versions() -> dict[str, str]:
    from classifiers.doctype_model import code_version
    from pipelines.review import code_version as package_hash

    info = code_version()
    return {
        "git_commit": info.get("git_commit", "unknown"),
        "evidence-review": info.get("evidence-review", "?"),
        "scikit-learn": info["scikit-learn"],
    } | {p: package_hash(p) for p in PACKAGES}


def _sheet_row(sheet: SchoolSheet) -> Sheet:
    row = Sheet(
        folder=sheet.folder,
        school=sheet.school,
        total=sheet.total,
        planned=sheet.planned,
        implemented=sheet.implemented,
        percent=sheet.percent,
        failed=sheet.failed,
        doc_type_model=sheet.doc_type_model,
        draft_sha256=sheet_digest(sheet),
    )
    for d in sheet.documents:
        row.documents.append(
            DocumentRow(
                file=d.file,
                sha256=d.sha256,
                format=d.format,
                doc_type=d.doc_type,
                evidence_kind=d.evidence_kind,
                probability=d.probability,
                readable=d.readable,
                is_arp=d.is_arp,
                off_plan=d.off_plan,
            )
        )
        for item in d.confirms:
            row.matches.append(
                MatchRow(
                    document=d.file,
                    item=item,
                    reason=d.match_reasons.get(item, ""),
                    page=d.match_pages.get(item),
                )
            )
    for i in sheet.items:
        row.items.append(
            ItemRow(
                number=i.number,
                activity=i.activity,
                status=i.status,
                planned=i.planned,
                implemented=i.implemented,
                record=i.model_dump(mode="json"),
            )
        )
    for key, value in sheet.scores.items():
        row.scores.append(
            ScoreRow(criterion=key, value=str(value), reason=sheet.reasons.get(key, ""))
        )
    return row


def record_run(
    engine: Engine,
    region_dir: Path,
    out_dir: Path,
    report_date: date,
    settings_path: Path | None = None,
    run_id: str | None = None,
) -> str:
    """Store the run whose sheets are in `out_dir` (the folders its summary.json lists).
    The sheets' files are only read: each sheet.xlsx already names its draft. Returns the
    run id."""
    run_id = run_id or uuid.uuid4().hex[:16]
    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    sheets = [
        SchoolSheet.model_validate_json(
            (out_dir / row["folder"] / "sheet.json").read_text(encoding="utf-8")
        )
        for row in summary["rows"]
    ]
    with session_scope(engine) as session:
        run = Run(
            id=run_id,
            report_date=report_date.isoformat(),
            region=region_dir.resolve().name,
            region_path=str(region_dir.resolve()),
            out_path=str(out_dir.resolve()),
            settings=load_settings(settings_path).model_dump(mode="json"),
            code_version=code_versions(),
            doc_type_model=sheets[0].doc_type_model if sheets else "rules",
            matcher_version=matcher_version(),
        )
        run.sheets = [_sheet_row(s) for s in sheets]
        session.add(run)
    return run_id


def latest_run(engine: Engine, region: str | None = None) -> Run | None:
    with session_scope(engine) as session:
        query = select(Run).order_by(Run.created_at.desc())
        if region:
            query = query.where(Run.region == region)
        return session.scalars(query.limit(1)).first()
