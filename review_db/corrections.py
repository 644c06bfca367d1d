"""Reading an expert's edits back from sheet.xlsx and storing them as corrections.

Columns are found by their header titles, not their positions, so a column added to the
sheet later does not shift what is read. A sheet is checked whole before anything of it is
stored: one invalid edit rejects the sheet, with the sheet, cell and reason of every problem.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.escape import unescape
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine, select

from classifiers.doctype import DOC_TYPES
from expert_sheet.records import NOT_ASSESSABLE
from expert_sheet.rubric import MAX_SCORE
from expert_sheet.xlsx import META_SHEET, STATUS_RU
from review_db.db import session_scope
from review_db.models import Correction, ImportRow, Run, Sheet

SCORE_SHEET, ITEMS_SHEET, OFF_PLAN_SHEET, DOCS_SHEET = (
    "Экспертный лист",
    "Мероприятия",
    "Вне плана",
    "Документы",
)
COMMENT = "Комментарий эксперта"
NONE_MARKS = ("-", "—", "нет")
STATUS_BY_LABEL = {label: key for key, label in STATUS_RU.items()} | {k: k for k in STATUS_RU}


@dataclass
class Edit:
    kind: str
    target: str
    value: Any
    cell: str  # "Документы!H5"


@dataclass
class Rejection:
    sheet: str  # the workbook file
    cell: str
    reason: str

    def __str__(self) -> str:
        return f"{self.sheet}: {self.cell}: {self.reason}"


@dataclass
class ImportResult:
    file: str
    status: str  # stored | unchanged | rejected
    run_id: str = ""
    folder: str = ""
    stored: int = 0
    rejections: list[Rejection] = field(default_factory=list)


@dataclass
class Draft:
    """What the run holds for the school, to check edits against."""

    items: set[str]
    documents: set[str]

    def document(self, name: str) -> str | None:
        """The document's file as the run knows it; a bare file name is enough when unique."""
        name = name.strip()
        if name in self.documents:
            return name
        by_base = [d for d in self.documents if Path(d).name == name]
        return by_base[0] if len(by_base) == 1 else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # A character XML cannot hold (a file name's vertical tab) is kept in the workbook as
    # Excel keeps it, "_x000B_"; openpyxl hands that back as it is.
    return unescape(str(value)).strip()


def _columns(ws: Worksheet, header_row: int) -> dict[str, int]:
    """Header title -> column number; titles are matched by their start ("Исправление: тип")."""
    return {_text(c.value): c.column for c in ws[header_row] if _text(c.value)}


def _find(cols: dict[str, int], start: str) -> int | None:
    return next((col for title, col in cols.items() if title.startswith(start)), None)


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\n", ";").split(";") if p.strip()]


def _meta(wb: openpyxl.Workbook) -> dict[str, str]:
    if META_SHEET not in wb.sheetnames:
        return {}
    ws = wb[META_SHEET]
    return {_text(r[0].value): _text(r[1].value) for r in ws.iter_rows(max_col=2) if r[0].value}


def _score_edits(ws: Worksheet, edits: list[Edit], problems: list[tuple[str, str]]) -> None:
    header = next((r for r in range(1, 30) if _text(ws.cell(r, 1).value) == "Критерий"), None)
    if header is None:
        problems.append((f"{ws.title}!A1", "no header row 'Критерий': the sheet was rearranged"))
        return
    cols = _columns(ws, header)
    score_col, comment_col = _find(cols, "Балл эксперта"), _find(cols, COMMENT)
    for row in range(header + 1, header + 1 + len(MAX_SCORE)):
        key = _text(ws.cell(row, 1).value)
        if key not in MAX_SCORE:
            continue
        if score_col:
            cell = ws.cell(row, score_col)
            value = _text(cell.value)
            if value:
                allowed = [str(v) for v in range(MAX_SCORE[key] + 1)]
                if key == "K1":
                    allowed.append(NOT_ASSESSABLE)
                where = f"{ws.title}!{cell.coordinate}"
                if value in allowed:
                    edits.append(Edit("score", key, value, where))
                else:
                    problems.append(
                        (where, f"score {value!r} out of range for {key} ({', '.join(allowed)})")
                    )
        if comment_col:
            _comment(ws, row, comment_col, f"criterion:{key}", edits)


def _comment(ws: Worksheet, row: int, col: int, target: str, edits: list[Edit]) -> None:
    cell = ws.cell(row, col)
    if _text(cell.value):
        edits.append(Edit("comment", target, _text(cell.value), f"{ws.title}!{cell.coordinate}"))


def _item_edits(
    ws: Worksheet, draft: Draft, edits: list[Edit], problems: list[tuple[str, str]]
) -> None:
    cols = _columns(ws, 1)
    number_col = _find(cols, "№") or 1
    docs_col = _find(cols, "Исправление: документы")
    status_col = _find(cols, "Исправление: статус")
    comment_col = _find(cols, COMMENT)
    for row in range(2, ws.max_row + 1):
        number = _text(ws.cell(row, number_col).value)
        edited = [
            c for c in (docs_col, status_col, comment_col) if c and _text(ws.cell(row, c).value)
        ]
        if not edited:
            continue
        if number not in draft.items:
            problems.append(
                (
                    f"{ws.title}!{ws.cell(row, number_col).coordinate}",
                    f"item number {number!r} does not exist in this sheet's roadmap",
                )
            )
            continue
        if docs_col and _text(ws.cell(row, docs_col).value):
            cell = ws.cell(row, docs_col)
            where = f"{ws.title}!{cell.coordinate}"
            names: list[str] = []
            # "-" or "нет" clears the item: no document confirms it.
            if _text(cell.value).lower() not in NONE_MARKS:
                for name in _split(_text(cell.value)):
                    known = draft.document(name)
                    if known is None:
                        problems.append(
                            (where, f"document {name!r} is not in the run for this school")
                        )
                    names.append(known or name)
            edits.append(Edit("item_documents", number, sorted(set(names)), where))
        if status_col and _text(ws.cell(row, status_col).value):
            cell = ws.cell(row, status_col)
            where = f"{ws.title}!{cell.coordinate}"
            status = STATUS_BY_LABEL.get(_text(cell.value))
            if status is None:
                problems.append(
                    (where, f"status {_text(cell.value)!r} is not one of the drop-down list")
                )
            else:
                edits.append(Edit("item_status", number, status, where))
        if comment_col:
            _comment(ws, row, comment_col, f"item:{number}", edits)


def _document_column_edits(
    ws: Worksheet,
    draft: Draft,
    edits: list[Edit],
    problems: list[tuple[str, str]],
) -> None:
    """The off-plan sheet (items a document does confirm) and the documents sheet (types)."""
    cols = _columns(ws, 1)
    file_col = _find(cols, "Документ") or _find(cols, "Файл") or 1
    items_col = _find(cols, "Исправление: мероприятия")
    type_col = _find(cols, "Исправление: тип")
    comment_col = _find(cols, COMMENT)
    for row in range(2, ws.max_row + 1):
        edited = [
            c for c in (items_col, type_col, comment_col) if c and _text(ws.cell(row, c).value)
        ]
        if not edited:
            continue
        name_cell = ws.cell(row, file_col)
        document = draft.document(_text(name_cell.value))
        if document is None:
            problems.append(
                (
                    f"{ws.title}!{name_cell.coordinate}",
                    f"document {_text(name_cell.value)!r} is not in the run for this school",
                )
            )
            continue
        if items_col and _text(ws.cell(row, items_col).value):
            cell = ws.cell(row, items_col)
            where = f"{ws.title}!{cell.coordinate}"
            numbers = _split(_text(cell.value))
            unknown = [n for n in numbers if n not in draft.items]
            if unknown:
                problems.append(
                    (where, f"item number(s) {', '.join(unknown)} do not exist in the roadmap")
                )
            else:
                edits.append(Edit("document_items", document, sorted(set(numbers)), where))
        if type_col and _text(ws.cell(row, type_col).value):
            cell = ws.cell(row, type_col)
            where = f"{ws.title}!{cell.coordinate}"
            doc_type = _text(cell.value)
            if doc_type in DOC_TYPES:
                edits.append(Edit("doc_type", document, doc_type, where))
            else:
                problems.append(
                    (where, f"document type {doc_type!r} is not one of {', '.join(DOC_TYPES)}")
                )
        if comment_col:
            _comment(ws, row, comment_col, f"document:{document}", edits)


def read_edits(wb: openpyxl.Workbook, draft: Draft) -> tuple[list[Edit], list[tuple[str, str]]]:
    """Every edit in the shaded columns, and (cell, reason) for each invalid one."""
    edits: list[Edit] = []
    problems: list[tuple[str, str]] = []
    for title, reader in (
        (SCORE_SHEET, lambda ws: _score_edits(ws, edits, problems)),
        (ITEMS_SHEET, lambda ws: _item_edits(ws, draft, edits, problems)),
        (OFF_PLAN_SHEET, lambda ws: _document_column_edits(ws, draft, edits, problems)),
        (DOCS_SHEET, lambda ws: _document_column_edits(ws, draft, edits, problems)),
    ):
        if title in wb.sheetnames:
            reader(wb[title])
        else:
            problems.append((title, "sheet missing from the workbook"))
    return edits, problems


def edits_digest(edits: list[Edit]) -> str:
    """Hash of what was edited, not of the file: saving the same edits again is no news."""
    canon = sorted(
        json.dumps([e.kind, e.target, e.value], ensure_ascii=False, sort_keys=True) for e in edits
    )
    return hashlib.sha256("\n".join(canon).encode()).hexdigest()


def _expected_sheet(session: Any, drafts: list[Sheet], run_id: str | None) -> Sheet | None:
    """The sheet row the edits belong to: the school's sheet in --run if given, else in the
    newest run that reviewed the school, so a stale sheet is not read against newer drafts."""
    folder, region = drafts[0].folder, drafts[0].run.region
    query = select(Sheet).join(Run).where(Sheet.folder == folder)
    if run_id:
        query = query.where(Run.id == run_id)
    else:
        query = query.where(Run.region == region).order_by(Run.created_at.desc())
    return session.scalars(query.limit(1)).first()


def import_sheet(
    engine: Engine, path: Path, expert: str, run_id: str | None = None
) -> ImportResult:
    name = str(path)
    try:
        wb = openpyxl.load_workbook(path)
    except Exception as exc:  # a damaged or foreign file is one rejection, not a crash
        return ImportResult(
            name, "rejected", rejections=[Rejection(name, "-", f"cannot read: {exc}")]
        )
    meta = _meta(wb)
    result = ImportResult(name, "rejected", folder=meta.get("folder", ""))
    where = f"{META_SHEET}!B1"
    if not meta.get("draft"):
        result.rejections.append(
            Rejection(name, where, "the workbook names no draft: not a sheet.xlsx of a review")
        )
        return result
    with session_scope(engine) as session:
        drafts = session.scalars(
            select(Sheet).where(Sheet.draft_sha256 == meta["draft"], Sheet.folder == result.folder)
        ).all()
        if not drafts:
            result.rejections.append(
                Rejection(
                    name,
                    where,
                    "its draft is not in this database (a sheet of a run "
                    "that was not recorded here, or its meta sheet was changed)",
                )
            )
            return result
        sheet = _expected_sheet(session, drafts, run_id)
        if sheet is None or sheet.draft_sha256 != meta["draft"]:
            runs = ", ".join(sorted({d.run_id for d in drafts}))
            expected = f"run {sheet.run_id}" if sheet is not None else f"run {run_id}"
            result.rejections.append(
                Rejection(
                    name,
                    where,
                    f"the sheet is from run {runs}, not {expected}, whose draft of "
                    f"{result.folder} differs (import with --run to attach it to its own run)",
                )
            )
            return result
        result.run_id = sheet.run_id
        draft = Draft(
            items={i.number for i in sheet.items}, documents={d.file for d in sheet.documents}
        )
        edits, problems = read_edits(wb, draft)
        if problems:
            result.rejections = [Rejection(name, cell, reason) for cell, reason in problems]
            return result
        digest = edits_digest(edits)
        seen = session.scalars(
            select(ImportRow).join(Sheet).where(same_draft(sheet), ImportRow.edits_sha256 == digest)
        ).first()
        if seen is not None:
            result.status = "unchanged"
            return result
        latest = latest_corrections(session, sheet)
        new = [e for e in edits if latest.get((e.kind, e.target)) != e.value]
        record = ImportRow(
            sheet_id=sheet.id,
            expert=expert,
            file=name,
            edits_sha256=digest,
            n_corrections=len(new),
        )
        session.add(record)
        session.flush()
        for e in new:
            session.add(
                Correction(
                    sheet_id=sheet.id,
                    import_id=record.id,
                    kind=e.kind,
                    target=e.target,
                    value=e.value,
                    expert=expert,
                    cell=e.cell,
                )
            )
        result.status, result.stored = "stored", len(new)
    return result


def same_draft(sheet: Sheet) -> Any:
    """Sheets of any run with this very draft: a run that reproduced a draft (a resumed or
    unchanged school) shares its corrections rather than starting them again."""
    return (Sheet.folder == sheet.folder) & (Sheet.draft_sha256 == sheet.draft_sha256)


def latest_corrections(session: Any, sheet: Sheet) -> dict[tuple[str, str], Any]:
    """(kind, target) -> the value of the newest correction: the one reports use."""
    rows = session.scalars(
        select(Correction).join(Sheet).where(same_draft(sheet)).order_by(Correction.id)
    )
    return {(c.kind, c.target): c.value for c in rows}


def import_sheets(
    engine: Engine, paths: list[Path], expert: str, run_id: str | None = None
) -> list[ImportResult]:
    """Each sheet on its own: a rejected sheet stores nothing and the others go on."""
    return [import_sheet(engine, Path(p), expert, run_id) for p in paths]
