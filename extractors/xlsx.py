"""XLSX roadmaps -> Document through openpyxl: one table per sheet, merged ranges as spans.

Title lines above the table ("Дорожная карта ...", merged across the sheet) become blocks, so
the table starts at its header as it does in a DOCX and the roadmap parser finds it there.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.utils.escape import unescape

from extractors.model import Block, Cell, Document, Table
from extractors.normalize import normalize_cell, normalize_text
from extractors.safezip import check_container
from extractors.settings import DEFAULT_SETTINGS, ExtractSettings

# Cells read per sheet; a roadmap has hundreds, a data dump a million.
MAX_CELLS_PER_SHEET = 200_000


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # Excel keeps a character XML cannot hold as "_x000D_" (a carriage return pasted from
    # Windows text, common in roadmaps' cells); openpyxl hands that back as it is.
    return unescape(str(value))


def extract_xlsx(
    path: Path, doc: Document, settings: ExtractSettings | None = None, source: str = "xlsx"
) -> Document:
    """`source`: what the blocks and tables say they came from (an XLS converted by
    LibreOffice says "xls")."""
    settings = settings or DEFAULT_SETTINGS
    check_container(path, settings)
    # data_only: the values Excel last computed, not formulas; nothing is evaluated or run.
    # A file object, not the name: openpyxl refuses names without an Excel extension, and
    # schools' files come under any name.
    with path.open("rb") as fh:
        book = openpyxl.load_workbook(fh, data_only=True, read_only=False, keep_links=False)
    try:
        for number, sheet in enumerate(book.worksheets, start=1):
            _sheet(sheet, number, doc, source)
        doc.n_pages = len(book.worksheets)
    finally:
        book.close()
    return doc


def _sheet(sheet, page: int, doc: Document, source: str) -> None:
    n_rows, n_cols = sheet.max_row or 0, sheet.max_column or 0
    if n_rows * n_cols > MAX_CELLS_PER_SHEET:
        doc.warnings.append(
            f"sheet {sheet.title!r} has {n_rows}x{n_cols} cells; read the first "
            f"{MAX_CELLS_PER_SHEET // max(n_cols, 1)} rows"
        )
        n_rows = MAX_CELLS_PER_SHEET // max(n_cols, 1)
    values = [
        [normalize_cell(_text(v)) for v in row]
        for row in sheet.iter_rows(min_row=1, max_row=n_rows, max_col=n_cols, values_only=True)
    ]
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for rng in sheet.merged_cells.ranges:
        r0, c0 = rng.min_row - 1, rng.min_col - 1
        spans[(r0, c0)] = (rng.max_row - rng.min_row + 1, rng.max_col - rng.min_col + 1)
        for r in range(r0, rng.max_row):
            for c in range(c0, rng.max_col):
                if (r, c) != (r0, c0):
                    covered.add((r, c))
    # Rows with at most one filled cell before the first real row are titles, not table.
    start = 0
    while start < len(values) and sum(bool(t) for t in values[start]) <= 1:
        title = next((t for t in values[start] if t), "")
        if title:
            doc.blocks.append(Block(text=normalize_text(title), page=page, source=source))
        start += 1
    end = len(values)
    while end > start and not any(values[end - 1]):
        end -= 1
    last_col = max(
        (c + spans.get((r, c), (1, 1))[1] for r in range(start, end)
         for c, t in enumerate(values[r]) if t),
        default=0,
    )
    if end <= start or last_col < 2:
        return
    cells = []
    for r in range(start, end):
        for c in range(last_col):
            if (r, c) in covered:
                continue
            row_span, col_span = spans.get((r, c), (1, 1))
            text = values[r][c] if c < len(values[r]) else ""
            cells.append(
                Cell(
                    row=r - start,
                    col=c,
                    text=text,
                    row_span=min(row_span, end - r),
                    col_span=min(col_span, last_col - c),
                    page=page,
                )
            )
    doc.tables.append(
        Table(
            index=len(doc.tables),
            n_rows=end - start,
            n_cols=last_col,
            cells=cells,
            pages=[page],
            source=source,
        )
    )
