"""One table from its pieces on consecutive pages, as a reader sees it.

Shared by every paged source (text-layer PDF, OCR'd scans): a piece continues the table before
it when it is the first table on the next page, the previous piece is the last on its page, and
both have the same number of columns. Whatever the writer repeats at the top of the new page
(the header rows, the row of column numbers "1 2 3 ..." under them) is dropped from the piece.
"""

from __future__ import annotations

import re

from extractors.model import Table

_COLUMN_NUMBER = re.compile(r"^\d{1,2}\.?$")
# Header rows plus the column-number row; real roadmaps have at most three header rows.
_MAX_HEADER_ROWS = 4


def is_column_numbers(texts: list[str]) -> bool:
    filled = [t for t in texts if t]
    return len(filled) >= 2 and all(_COLUMN_NUMBER.match(t) for t in filled)


def _rows(table: Table, limit: int) -> list[list[str]]:
    """Texts of the first rows, each merged cell in every position it covers (as row_texts),
    without building the grid of a long table for the sake of its top."""
    limit = min(limit, table.n_rows)
    rows = [[""] * table.n_cols for _ in range(limit)]
    for cell in table.cells:
        if cell.row >= limit:
            continue
        for r in range(cell.row, min(cell.row + cell.row_span, limit)):
            for c in range(cell.col, min(cell.col + cell.col_span, table.n_cols)):
                rows[r][c] = cell.text
    return rows


def _squeezed(texts: list[str]) -> list[str]:
    # A repeated header is laid out anew on each page: a narrow cell may break a word at
    # another place ("Мероприяти е"), so rows are compared without spaces.
    return ["".join(t.split()).lower() for t in texts]


def header_depth(table: Table) -> int:
    """Rows of the header: through the column-number row when there is one, else one row."""
    rows = _rows(table, _MAX_HEADER_ROWS)
    for r, texts in enumerate(rows):
        if is_column_numbers(texts):
            return r + 1
    return 1


def header_rows(table: Table) -> list[list[str]]:
    return _rows(table, header_depth(table))


def repeated_rows(head: Table, tail: Table, head_rows: list[list[str]] | None = None) -> int:
    """How many leading rows of `tail` repeat the header of `head`."""
    if head_rows is None:
        head_rows = header_rows(head)
    head_rows = [_squeezed(r) for r in head_rows]
    tail_rows = _rows(tail, len(head_rows) + 1)
    skip = 0
    while (
        skip < len(head_rows)
        and skip < len(tail_rows)
        and _squeezed(tail_rows[skip]) == head_rows[skip]
    ):
        skip += 1
    # A column-number row under a header that was not repeated (or repeated only in part).
    if skip < len(tail_rows) and skip < tail.n_rows and is_column_numbers(tail_rows[skip]):
        skip += 1
    return skip


def join_continued(tables: list[Table]) -> list[Table]:
    """Tables in page order (each with `pages` set to its one page) -> joined tables."""
    first_on_page: dict[int, int] = {}
    last_on_page: dict[int, int] = {}
    for i, t in enumerate(tables):
        first_on_page.setdefault(t.pages[0], i)
        last_on_page[t.pages[0]] = i
    joined: list[Table] = []
    headers: dict[int, list[list[str]]] = {}  # per joined table, computed on its first piece
    prev_piece: int | None = None
    for i, table in enumerate(tables):
        prev = joined[-1] if joined else None
        if (
            prev is not None
            and prev_piece is not None
            and table.n_cols == prev.n_cols
            and table.pages[0] == prev.pages[-1] + 1
            and first_on_page[table.pages[0]] == i
            and last_on_page[prev.pages[-1]] == prev_piece
        ):
            if id(prev) not in headers:
                headers[id(prev)] = header_rows(prev)
            _append(prev, table, headers[id(prev)])
        else:
            table.index = len(joined)
            joined.append(table)
        prev_piece = i
    return joined


def _append(head: Table, tail: Table, head_rows: list[list[str]]) -> None:
    skip = repeated_rows(head, tail, head_rows)
    for cell in tail.cells:  # the tail is consumed: its cells move into the head
        end = cell.row + cell.row_span
        if end <= skip:
            continue
        # A cell that starts in the dropped rows but runs on below them keeps its lower part.
        start = max(cell.row, skip)
        cell.row, cell.row_span = start - skip + head.n_rows, end - start
        head.cells.append(cell)
    head.n_rows += tail.n_rows - skip
    head.pages.append(tail.pages[0])
