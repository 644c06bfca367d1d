"""The one document model every extractor returns.

Whatever the file format, the rest of the system sees pages, text blocks and tables whose
merged cells are single cells with spans, each piece carrying where it came from.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class Provenance(BaseModel):
    """Where a piece of text was found; enough for an expert to open the file at that spot."""

    file: str
    page: int | None = None
    table: int | None = None
    row: int | None = None


class Block(BaseModel):
    """A paragraph-sized run of text on one page."""

    text: str
    page: int = 1
    # How the text was obtained: text_layer (PDF) | ocr | docx | doc | rtf | odt | html
    # (converted by LibreOffice) | xlsx | txt
    source: str = "text_layer"
    confidence: float | None = None  # OCR confidence, 0..1; None for text layers


class Cell(BaseModel):
    """One cell of a table; a merged cell appears once, at its top-left grid position."""

    row: int
    col: int
    text: str
    row_span: int = 1
    col_span: int = 1
    page: int | None = None
    confidence: float | None = None  # mean OCR word confidence, 0..1; None for text layers


class Table(BaseModel):
    index: int
    n_rows: int
    n_cols: int
    cells: list[Cell] = Field(default_factory=list)
    pages: list[int] = Field(default_factory=list)
    source: str | None = None  # as Block.source
    # A DOCX table nested in a cell of another: the index of that table. Its text is also in
    # the parent cell; it stands here too because some schools frame a roadmap in a table.
    parent: int | None = None
    # The text just before the table (its heading, e.g. the risk direction of a roadmap).
    caption: str = ""

    def grid(self) -> list[list[Cell | None]]:
        """Rows of cells with each merged cell placed at every grid position it covers.

        Consumers that walk rows (the roadmap parser) want the task of a vertically merged
        cell on every activity row it spans; the cell object is shared, so `is` still tells
        a merge from repeated text.
        """
        rows: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.row_span, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.col_span, self.n_cols)):
                    rows[r][c] = cell
        return rows

    def row_texts(self) -> list[list[str]]:
        return [[c.text if c else "" for c in row] for row in self.grid()]


class ExtractionError(BaseModel):
    """A file or part of a file we could not read, in words an operator understands."""

    file: str
    stage: str
    reason: str


class Photo(BaseModel):
    """A picture, or a PDF of pictures, in which OCR, run on every page, found no text: a
    photograph of an event, which schools upload beside their documents, not an unreadable
    file. A video of an event is taken the same way."""

    # When it was taken, from its EXIF (the camera's clock, without a time zone), else the
    # day a phone or messenger wrote into its name, at midnight; None when neither says.
    # The date ties a photo to the activity held that day.
    taken: datetime | None = None
    # A phone's video (MP4, MOV) of an event, never watched: shown as a photo is, its day
    # from the container's header (`extractors.media.recorded`) or its name.
    video: bool = False


class Document(BaseModel):
    path: str
    sha256: str
    format: str  # pdf | docx | doc | rtf | odt | xlsx | image | txt | html | empty | unknown ...
    n_pages: int = 0
    ocr_pages: list[int] = Field(default_factory=list)  # pages read by OCR, 1-based
    blocks: list[Block] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    errors: list[ExtractionError] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    # What this machine lacked to read the file in full (tesseract, its Russian model,
    # LibreOffice): the file is not to blame, so its reading is not kept and the next run,
    # once the tool is installed, reads it again.
    setup_problems: list[str] = Field(default_factory=list)
    photo: Photo | None = None  # set for a picture with no text in it (see `Photo`)

    @property
    def name(self) -> str:
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self) -> str:
        parts = [b.text for b in self.blocks]
        for table in self.tables:
            parts.extend(" | ".join(t for t in row if t) for row in table.row_texts())
        return "\n".join(p for p in parts if p)

    def page_of(self, needle: str) -> int | None:
        """First page whose text contains `needle` (case-insensitive); for sheet hyperlinks."""
        low = needle.lower()
        for block in self.blocks:
            if low in block.text.lower():
                return block.page
        return None
