"""Find the roadmap among an АРП's tables and read its rows into items.

Schools write headers their own way and in any order, so columns are mapped by meaning
(header vocabulary), and the roadmap is the table whose header speaks of activities and
deadlines, wherever it stands in the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, Field

from extractors.deadlines import Deadline, infer_year, parse_deadline
from extractors.model import Cell, Document, Provenance, Table

# Field -> header patterns, checked in this order: "Показатель результативности" is an
# indicator before it is a result, "Форма подтверждения результата" is evidence.
HEADER_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("number", re.compile(r"^(№|n\b|номер|п/п)", re.I)),
    ("evidence", re.compile(r"подтвержд|форма (представлени|подтвержд|отчет)|ссылк", re.I)),
    ("indicator", re.compile(r"показател|индикатор|критери|целев", re.I)),
    ("expected_result", re.compile(r"результат|продукт", re.I)),
    ("task", re.compile(r"задач", re.I)),
    ("deadline", re.compile(r"срок|дата|период|время проведения", re.I)),
    ("responsible", re.compile(r"ответствен|исполнител", re.I)),
    ("participants", re.compile(r"участник|целев\w* групп", re.I)),
    ("activity", re.compile(r"мероприят|действи|антирисков|содержание|меры|наименование", re.I)),
    ("section", re.compile(r"направлени|этап", re.I)),
]
TEXT_FIELDS = (
    "task",
    "activity",
    "responsible",
    "participants",
    "indicator",
    "expected_result",
    "evidence",
)
_REF = re.compile(r"прил(?:ожени[еяию]|\.)\s*№?\s*(\d+)", re.I)
_URL = re.compile(r"https?://\S+", re.I)
_COLUMN_NUMBERS = re.compile(r"^\d{1,2}\.?$")


class RoadmapItem(BaseModel):
    number: str
    section: str = ""
    task: str = ""
    activity: str
    deadline: Deadline
    responsible: str = ""
    participants: str = ""
    indicator: str = ""
    expected_result: str = ""
    evidence: str = ""
    evidence_refs: list[str] = Field(default_factory=list)
    direction: str = ""  # the risk direction of the АРП the item belongs to, if stated
    extra: dict[str, str] = Field(default_factory=dict)
    provenance: Provenance = Field(default_factory=lambda: Provenance(file=""))

    def text(self) -> str:
        return " ".join(p for p in (self.activity, self.indicator, self.expected_result) if p)


class Roadmap(BaseModel):
    file: str
    items: list[RoadmapItem] = Field(default_factory=list)
    columns: dict[str, str] = Field(default_factory=dict)  # field -> header as written
    warnings: list[str] = Field(default_factory=list)
    year: int | None = None

    @property
    def found(self) -> bool:
        return bool(self.items)

    @property
    def has_deadline_column(self) -> bool:
        return "deadline" in self.columns


def map_header(cells: Iterable[str]) -> dict[int, str]:
    """Column index -> field for one header row; unknown columns are left out."""
    mapping: dict[int, str] = {}
    used: set[str] = set()
    for col, text in enumerate(cells):
        for field, pattern in HEADER_PATTERNS:
            if field not in used and text and pattern.search(text):
                mapping[col] = field
                used.add(field)
                break
    return mapping


def _header_row(table: Table) -> tuple[int, dict[int, str]] | None:
    rows = table.row_texts()
    for r in range(min(3, len(rows))):
        mapping = map_header(rows[r])
        fields = set(mapping.values())
        if "activity" in fields and fields & {"deadline", "responsible", "task", "indicator"}:
            return r, mapping
    return None


def _is_column_numbers(texts: list[str]) -> bool:
    filled = [t for t in texts if t]
    return len(filled) >= 2 and all(_COLUMN_NUMBERS.match(t) for t in filled)


def _section_text(row: list[Cell | None], n_cols: int) -> str | None:
    """A row that one cell spans (nearly) across is a section heading, e.g. "Этап I"."""
    distinct = {id(c): c for c in row if c is not None and c.text}
    if len(distinct) == 1:
        cell = next(iter(distinct.values()))
        if cell.col_span >= max(2, n_cols - 1):
            return cell.text
    return None


def parse_table(
    table: Table, file: str, year: int | None, header: tuple[int, dict[int, str]]
) -> tuple[list[RoadmapItem], dict[str, str]]:
    header_row, mapping = header
    grid = table.grid()
    texts = table.row_texts()
    columns = {field: texts[header_row][col] for col, field in mapping.items()}
    extra_cols = {
        col: texts[header_row][col] or f"column {col + 1}"
        for col in range(table.n_cols)
        if col not in mapping
    }
    field_col = {field: col for col, field in mapping.items()}
    items: list[RoadmapItem] = []
    section = ""
    prev_page: int | None = None
    for r in range(header_row + 1, table.n_rows):
        row, row_text = grid[r], texts[r]
        page = next((c.page for c in row if c is not None), None)
        if _is_column_numbers(row_text) or row_text == texts[header_row]:
            continue
        heading = _section_text(row, table.n_cols)
        if heading is not None:
            section = heading
            continue
        values = {f: row_text[c] for f, c in field_col.items()}
        # A row cut by a page break continues on the next page with its number and deadline
        # already printed above: glue it back to the item it belongs to.
        if (
            items
            and page is not None
            and prev_page is not None
            and page != prev_page
            and not values.get("number")
            and not values.get("deadline")
            and _cells_start_here(row, r)
        ):
            _continue_item(items[-1], values)
            prev_page = page
            continue
        prev_page = page
        if not values.get("activity"):
            continue
        row_all = " ".join(row_text)
        items.append(
            RoadmapItem(
                number=values.get("number", "").rstrip(".") or str(len(items) + 1),
                section=values.get("section", section) or section,
                deadline=parse_deadline(values.get("deadline", ""), year),
                evidence_refs=_refs(row_all),
                extra={extra_cols[c]: row_text[c] for c in extra_cols if row_text[c]},
                provenance=Provenance(file=file, page=page, table=table.index, row=r),
                **{f: values.get(f, "") for f in TEXT_FIELDS},
            )
        )
    return items, columns


def _cells_start_here(row: list[Cell | None], r: int) -> bool:
    # A vertically merged task cell from the rows above is not a sign of a new row.
    return any(c is not None and c.row == r and c.text for c in row)


def _continue_item(item: RoadmapItem, values: dict[str, str]) -> None:
    for field in TEXT_FIELDS:
        more = values.get(field, "")
        if more and more not in getattr(item, field):
            setattr(item, field, f"{getattr(item, field)} {more}".strip())
    item.evidence_refs = sorted(set(item.evidence_refs) | set(_refs(" ".join(values.values()))))


def _refs(text: str) -> list[str]:
    refs = {f"Приложение {n}" for n in _REF.findall(text)}
    refs |= {u.rstrip(".,;)") for u in _URL.findall(text)}
    return sorted(refs)


_DIRECTION = re.compile(r"направлени\w*\s*[:\-]?\s*\"([^\"]{5,200})\"", re.I)


def _direction(caption: str) -> str:
    # The heading nearest the table is the one that names its direction.
    found = _DIRECTION.findall(caption)
    return found[-1].strip() if found else ""


def _text_before(doc: Document, table: Table) -> str:
    """For formats whose blocks include table text (PDF): the lines before the header."""
    first = next((c.text for c in table.cells if c.row == 0 and c.text), "")
    for n, block in enumerate(doc.blocks):
        if (
            first
            and block.text.startswith(first[:20])
            and (not table.pages or block.page == table.pages[0])
        ):
            return " ".join(b.text for b in doc.blocks[max(0, n - 3) : n])
    return ""


def parse_roadmap(doc: Document, year: int | None = None) -> Roadmap:
    """All roadmap tables of a document, read into items; the reasons if there are none.
    The document's year is inferred only once a table has a roadmap's header: a school's
    other tables (lists of attendees, marks) are many, and reading every year in their text
    was about a fifth of finding the АРП. A document none of whose tables has a roadmap's
    header has no roadmap year."""
    roadmap = Roadmap(file=doc.path, year=year)
    inferred = year is not None
    for table in doc.tables:
        header = _header_row(table)
        if header is None:
            continue
        if not inferred:
            year = roadmap.year = infer_year(
                [b.text for b in doc.blocks[:40]] + [doc.text()[:20000]]
            )
            inferred = True
        items, columns = parse_table(table, doc.path, year, header)
        if not items:
            continue
        # A file may hold several АРП, one roadmap per risk direction, each under its heading.
        direction = _direction(table.caption or _text_before(doc, table))
        for item in items:
            item.direction = direction
            item.section = item.section or direction
        roadmap.items.extend(items)
        for field, text in columns.items():
            roadmap.columns.setdefault(field, text)
    if not roadmap.items:
        roadmap.warnings.append("no roadmap table: no table has a header with activities")
    elif "deadline" not in roadmap.columns:
        roadmap.warnings.append("the roadmap has no deadline column (Сроки)")
    if roadmap.items and year is None:
        roadmap.warnings.append("the year of the roadmap is not stated; dates without a year")
    return roadmap
