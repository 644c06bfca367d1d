"""DOCX -> Document with python-docx, merged cells kept as single cells."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from extractors.model import Block, Cell, Document, Table
from extractors.normalize import normalize_cell, normalize_text


def _table_cells(table: DocxTable, index: int) -> Table:
    """Spans from python-docx's grid, where a merged cell repeats under every position it covers.

    python-docx resolves both gridSpan and vMerge to the same `_tc` element in each position,
    so identity of `_tc` is what tells one merged cell from equal text in two cells.
    """
    grid = [[c._tc for c in row.cells] for row in table.rows]
    n_rows = len(grid)
    n_cols = max((len(r) for r in grid), default=0)
    seen: set[int] = set()
    cells: list[Cell] = []
    lookup = {id(c._tc): c for row in table.rows for c in row.cells}
    for r, row in enumerate(grid):
        for c, tc in enumerate(row):
            if id(tc) in seen:
                continue
            seen.add(id(tc))
            col_span = 1
            while c + col_span < len(row) and row[c + col_span] is tc:
                col_span += 1
            row_span = 1
            while (
                r + row_span < n_rows
                and c < len(grid[r + row_span])
                and grid[r + row_span][c] is tc
            ):
                row_span += 1
            cells.append(
                Cell(
                    row=r,
                    col=c,
                    text=normalize_cell(_cell_text(lookup[id(tc)])),
                    row_span=row_span,
                    col_span=col_span,
                    page=1,
                )
            )
    return Table(index=index, n_rows=n_rows, n_cols=n_cols, cells=cells, pages=[1])


def _cell_text(cell) -> str:
    # Nested tables are part of the cell's content; their text must not vanish.
    parts = [p.text for p in cell.paragraphs]
    for nested in cell.tables:
        for row in nested.rows:
            parts.append(" ".join(c.text for c in row.cells))
    return "\n".join(parts)


def extract_docx(path: Path, doc: Document) -> Document:
    word = docx.Document(str(path))
    page = 1
    for child in word.element.body.iterchildren():
        if child.tag == qn("w:p"):
            para = Paragraph(child, word)
            text = normalize_text(para.text)
            if text:
                doc.blocks.append(Block(text=text, page=page, source="docx"))
            # Word records where it broke pages the last time it laid the file out.
            if child.findall(".//" + qn("w:lastRenderedPageBreak")) or any(
                br.get(qn("w:type")) == "page" for br in child.findall(".//" + qn("w:br"))
            ):
                page += 1
        elif child.tag == qn("w:tbl"):
            table = _table_cells(DocxTable(child, word), len(doc.tables))
            for cell in table.cells:
                cell.page = page
            table.pages = [page]
            doc.tables.append(table)
    doc.n_pages = page
    return doc
