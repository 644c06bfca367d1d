"""A sheet as the experts left it: the draft with the newest correction of each target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from expert_sheet.records import NOT_ASSESSABLE
from review_db.corrections import latest_corrections
from review_db.models import ImportRow, Run, Sheet


@dataclass
class FinalSheet:
    sheet: Sheet
    run: Run
    draft_scores: dict[str, str]
    scores: dict[str, str]
    draft_types: dict[str, str]
    types: dict[str, str]
    draft_matches: set[tuple[str, str]]  # (document, item)
    matches: set[tuple[str, str]]
    corrections: dict[tuple[str, str], Any]

    @property
    def draft_total(self) -> int:
        return score_total(self.draft_scores)

    @property
    def total(self) -> int:
        return score_total(self.scores)


def score_total(scores: dict[str, str]) -> int:
    return sum(int(v) for v in scores.values() if v != NOT_ASSESSABLE)


def final_sheet(session: Session, sheet: Sheet) -> FinalSheet:
    """Scores: an override replaces the draft's. Matches: an item's corrected document list
    replaces the draft's documents of that item; a document's corrected item list (from the
    off-plan sheet) adds those pairs. Types: a corrected type replaces the draft's."""
    latest = latest_corrections(session, sheet)
    draft_scores = {s.criterion: s.value for s in sheet.scores}
    scores = dict(draft_scores)
    draft_types = {d.file: d.doc_type for d in sheet.documents}
    types = dict(draft_types)
    draft_matches = {(m.document, m.item) for m in sheet.matches}
    matches = set(draft_matches)
    for (kind, target), value in latest.items():
        if kind == "score":
            scores[target] = value
        elif kind == "doc_type":
            types[target] = value
        elif kind == "item_documents":
            matches = {(d, i) for d, i in matches if i != target} | {(d, target) for d in value}
    for (kind, target), value in latest.items():
        if kind == "document_items":
            matches |= {(target, i) for i in value}
    return FinalSheet(
        sheet=sheet,
        run=sheet.run,
        draft_scores=draft_scores,
        scores=scores,
        draft_types=draft_types,
        types=types,
        draft_matches=draft_matches,
        matches=matches,
        corrections=latest,
    )


def reviewed_sheets(session: Session, region: str | None = None) -> list[FinalSheet]:
    """Sheets whose draft an expert imported at least once (edits or a plain sign-off), the
    newest run's per school, failed reviews left out."""
    imported = select(Sheet.folder, Sheet.draft_sha256).join(
        ImportRow, ImportRow.sheet_id == Sheet.id
    )
    query = (
        select(Sheet)
        .join(Run)
        .where(tuple_(Sheet.folder, Sheet.draft_sha256).in_(imported), Sheet.failed.is_(False))
        .order_by(Run.created_at.desc(), Sheet.id)
    )
    if region:
        query = query.where(Run.region == region)
    seen: set[tuple[str, str]] = set()
    out = []
    for sheet in session.scalars(query):
        key = (sheet.run.region, sheet.folder)
        if key not in seen:
            seen.add(key)
            out.append(final_sheet(session, sheet))
    return sorted(out, key=lambda f: (f.run.region, f.sheet.folder))
