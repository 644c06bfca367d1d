"""Text-layer PDF -> Document.

pypdfium2 reads every page's text (about 40x faster than pdfplumber); pdfplumber is opened
only on pages that draw lines, since only those can hold a ruled table.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractors.model import Block, Cell, Document, Table
from extractors.normalize import normalize_cell, normalize_text

# A ruled table needs at least a few drawn paths; pages with fewer are plain text.
MIN_PATHS_FOR_TABLE = 4


def extract_pdf(path: Path, doc: Document, max_pages: int = 500) -> Document:
    pdf = pdfium.PdfDocument(str(path))
    try:
        n_pages = len(pdf)
        doc.n_pages = n_pages
        if n_pages > max_pages:
            doc.warnings.append(f"{n_pages} pages; only the first {max_pages} were read")
        table_pages: list[int] = []
        for i in range(min(n_pages, max_pages)):
            page = pdf[i]
            text = page.get_textpage().get_text_bounded()
            for para in _paragraphs(text):
                doc.blocks.append(Block(text=para, page=i + 1, source="text_layer"))
            paths = sum(1 for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]))
            if paths >= MIN_PATHS_FOR_TABLE:
                table_pages.append(i)
    finally:
        pdf.close()
    if not any(b.text for b in doc.blocks):
        doc.warnings.append("no text layer (a scan?): nothing readable without OCR")
    if table_pages:
        doc.tables = _join_continued(_tables(path, table_pages))
    return doc


def _paragraphs(text: str) -> list[str]:
    text = normalize_text(text)
    return [p for p in text.split("\n") if p.strip()]


def _tables(path: Path, page_numbers: list[int]) -> list[Table]:
    found: list[Table] = []
    with pdfplumber.open(str(path), pages=[p + 1 for p in page_numbers]) as pdf:
        for page in pdf.pages:
            for t in page.find_tables():
                table = _to_table(t, page.page_number, len(found))
                if table.n_rows and table.n_cols > 1:
                    table.pages = [page.page_number]
                    found.append(table)
    return found


def _to_table(t, page_number: int, index: int) -> Table:
    """Cells with spans from pdfplumber's cell boxes.

    pdfplumber aligns rows to the distinct left edges and tops of all cells and leaves None
    under merged cells, so a box that reaches past k edges spans k columns (or rows).
    """
    boxes = [c for c in t.cells]
    xs = sorted({round(b[0], 1) for b in boxes})
    ys = sorted({round(b[1], 1) for b in boxes})
    texts = t.extract()
    cells: list[Cell] = []
    for r, row in enumerate(t.rows):
        for c, box in enumerate(row.cells):
            if box is None:
                continue
            x0, top, x1, bottom = box
            col_span = sum(1 for x in xs if x0 - 0.5 <= x < x1 - 0.5) or 1
            row_span = sum(1 for y in ys if top - 0.5 <= y < bottom - 0.5) or 1
            text = texts[r][c] if r < len(texts) and c < len(texts[r]) else ""
            cells.append(
                Cell(
                    row=r,
                    col=c,
                    text=normalize_cell(text),
                    row_span=row_span,
                    col_span=col_span,
                    page=page_number,
                )
            )
    return Table(index=index, n_rows=len(t.rows), n_cols=len(xs), cells=cells)


def _join_continued(tables: list[Table]) -> list[Table]:
    """One table from its pieces on consecutive pages, as a reader sees it.

    A piece continues the previous table when it starts on the next page with the same
    number of columns; a repeated header row is dropped (the column-number row is left to
    the roadmap parser, which knows what a header is).
    """
    joined: list[Table] = []
    for table in tables:
        prev = joined[-1] if joined else None
        if (
            prev is not None
            and table.n_cols == prev.n_cols
            and table.pages[0] == prev.pages[-1] + 1
            and _is_first_on_page(table, tables)
        ):
            _append(prev, table)
        else:
            table.index = len(joined)
            joined.append(table)
    return joined


def _is_first_on_page(table: Table, tables: list[Table]) -> bool:
    return next(t for t in tables if t.pages[0] == table.pages[0]) is table


def _append(head: Table, tail: Table) -> None:
    header = [c.text for c in head.cells if c.row == 0]
    first = [c.text for c in tail.cells if c.row == 0]
    skip = 1 if first == header else 0
    for cell in tail.cells:
        if cell.row < skip:
            continue
        head.cells.append(cell.model_copy(update={"row": cell.row - skip + head.n_rows}))
    head.n_rows += tail.n_rows - skip
    head.pages.append(tail.pages[0])
