"""DOCX -> Document with python-docx, merged cells kept as single cells.

The container is checked first (extractors.safezip: no zip bombs, no XML entities); macros of a
DOCM are never run (python-docx does not execute anything) and only noted. Content controls
(w:sdt), text boxes and nested tables are read too: templates and "framed" roadmaps hide text
there; so are SmartArt schemes (extractors.diagrams). A DOCX that is only pasted scans is
read by OCR of its images.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.package import OpcPackage, Unmarshaller
from docx.opc.part import Part, PartFactory
from docx.opc.pkgreader import PackageReader
from docx.oxml.ns import qn
from docx.parts.document import DocumentPart
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from extractors.diagrams import scheme_texts
from extractors.model import Block, Cell, Document, Table
from extractors.normalize import normalize_cell, normalize_text
from extractors.safezip import MACROS_NOTE, check_container, has_vba_project
from extractors.settings import DEFAULT_SETTINGS, ExtractSettings

# python-docx knows only the plain .docx main part; macro-enabled files and templates have the
# same XML under other content types, and an expert opens them all the same.
_OTHER_MAIN_TYPES = (
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)
for _ct in _OTHER_MAIN_TYPES:
    PartFactory.part_type_for.setdefault(_ct, DocumentPart)

_P, _TBL, _TC = qn("w:p"), qn("w:tbl"), qn("w:tc")
# Wrappers whose children are body content: content controls, custom XML, smart tags.
_WRAPPERS = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:smartTag")}
_TXBX = qn("w:txbxContent")
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _part(partname, content_type: str, reltype: str, blob: bytes, package: OpcPackage) -> Part:
    """The main document as python-docx's DocumentPart, every other part as raw bytes.

    The reading below needs the body's XML, its relationships (link addresses) and the bytes
    of its pictures, never the styles, numbering or settings; python-docx parses each XML
    part it knows when the package opens, which was 13 of the 17 ms a DOCX took to open."""
    if PartFactory.part_type_for.get(content_type) is DocumentPart:
        return PartFactory(partname, content_type, reltype, blob, package)
    return Part(partname, content_type, blob, package)


def open_word(path: Path) -> WordDocument:
    # OpcPackage.open with the factory above in place of python-docx's PartFactory.
    package = OpcPackage()
    Unmarshaller.unmarshal(PackageReader.from_file(str(path)), package, _part)
    part = package.main_document_part
    if not isinstance(part, DocumentPart):
        raise ValueError(f"not a Word document (main part is {part.content_type})")
    return part.document


def _body_items(parent) -> Iterator:
    """Paragraphs and tables in document order, looking through content-control wrappers."""
    for child in parent.iterchildren():
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag in _WRAPPERS:
            yield from _body_items(child)


def _para_text(p, word: WordDocument) -> str:
    para = Paragraph(p, word)
    text = para.text
    # A link shown as "ссылка" hides its address; the address is the evidence.
    for link in para.hyperlinks:
        address = link.address
        if address and address not in text and address.startswith(("http", "www")):
            text += f" ({address})"
    return text


def _textboxes(p) -> list:
    # Word writes each text box twice (a DrawingML choice and a VML fallback); read one.
    return [
        box for box in p.iter(_TXBX) if not any(a.tag == _FALLBACK for a in box.iterancestors())
    ]


def _element_text(element, word: WordDocument) -> str:
    """Text of a cell or text box: paragraphs, and nested tables row by row."""
    parts: list[str] = []
    for item in _body_items(element):
        if item.tag == _P:
            parts.append(_para_text(item, word))
        else:
            for tr in item.iterchildren(qn("w:tr")):
                cells = [_element_text(tc, word) for tc in tr.iter(_TC) if _own_cell(tc, item)]
                parts.append(" ".join(c for c in cells if c))
    return "\n".join(parts)


def _own_cell(tc, table) -> bool:
    return next(tc.iterancestors(_TBL)) is table


def _table_cells(table: DocxTable, index: int, word: WordDocument) -> Table:
    """Spans from python-docx's grid, where a merged cell repeats under every position it covers.

    python-docx resolves both gridSpan and vMerge to the same `_tc` element in each position,
    so identity of `_tc` is what tells one merged cell from equal text in two cells.
    """
    grid = [[c._tc for c in row.cells] for row in table.rows]
    n_rows = len(grid)
    n_cols = max((len(r) for r in grid), default=0)
    seen: set[int] = set()
    cells: list[Cell] = []
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
                    text=normalize_cell(_element_text(tc, word)),
                    row_span=row_span,
                    col_span=col_span,
                    page=1,
                )
            )
    return Table(index=index, n_rows=n_rows, n_cols=n_cols, cells=cells, pages=[1], source="docx")


def _add_table(tbl, word: WordDocument, doc: Document, page: int, parent: int | None) -> None:
    table = _table_cells(DocxTable(tbl, word), len(doc.tables), word)
    table.parent = parent
    for cell in table.cells:
        cell.page = page
    table.pages = [page]
    if parent is None:
        table.caption = " ".join(b.text for b in doc.blocks[-2:])[-300:]
    doc.tables.append(table)
    # Nested tables follow their parent, each as a table of its own.
    for nested in tbl.iter(_TBL):
        if nested is not tbl and next(nested.iterancestors(_TBL)) is tbl:
            _add_table(nested, word, doc, page, table.index)


def _breaks_page(p) -> bool:
    # Word records where it broke pages the last time it laid the file out.
    return bool(p.findall(".//" + qn("w:lastRenderedPageBreak"))) or any(
        br.get(qn("w:type")) == "page" for br in p.findall(".//" + qn("w:br"))
    )


def extract_docx(
    path: Path,
    doc: Document,
    settings: ExtractSettings | None = None,
    deadline: float | None = None,
    source: str = "docx",
) -> Document:
    settings = settings or DEFAULT_SETTINGS
    names = check_container(path, settings)
    if has_vba_project(names):
        doc.warnings.append(MACROS_NOTE)
    word = open_word(path)
    page = 1
    for item in _body_items(word.element.body):
        if item.tag == _P:
            text = normalize_text(_para_text(item, word))
            if text:
                doc.blocks.append(Block(text=text, page=page, source=source))
            for box in _textboxes(item):
                boxed = normalize_text(_element_text(box, word))
                if boxed:
                    doc.blocks.append(Block(text=boxed, page=page, source=source))
            for scheme in scheme_texts(item, word.part.rels):
                doc.blocks.append(Block(text=scheme, page=page, source=source))
            if _breaks_page(item):
                page += 1
        else:
            _add_table(item, word, doc, page, None)
    for table in doc.tables:
        table.source = source
    doc.n_pages = page
    if _text_chars(doc) < settings.min_text_chars_per_page:
        _ocr_pictures(word, doc, settings, deadline)
    return doc


def _text_chars(doc: Document) -> int:
    return sum(ch.isalnum() for ch in doc.text())


def _ocr_pictures(
    word: WordDocument, doc: Document, settings: ExtractSettings, deadline: float | None
) -> None:
    """A protocol scanned and pasted into Word: its text is in the pictures."""
    if not settings.ocr_enabled:
        return
    from extractors.images import ocr_image_bytes

    deadline = deadline or time.monotonic() + settings.max_seconds_per_file
    pictures = [
        rel.target_part.blob
        for rel in word.part.rels.values()
        if rel.reltype == RT.IMAGE and not rel.is_external
    ]
    for n, blob in enumerate(pictures[: settings.max_ocr_pages], start=1):
        ocr_image_bytes(blob, doc, settings, deadline, page=n)
    if pictures:
        doc.n_pages = max(doc.n_pages, len(pictures))
