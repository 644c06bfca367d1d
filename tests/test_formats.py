"""Every upload format on real files: DOCX, its LibreOffice renderings (PDF, DOC, RTF, ODT), a
scan of it (image-only PDF, PNG, JPEG, TIFF), XLSX, plain text; and the per-page choice between
the text layer and OCR."""

from __future__ import annotations

import codecs
import shutil
import zipfile
from pathlib import Path

import pytest

from extractors.extract import extract
from extractors.model import Document, Table
from extractors.settings import ExtractSettings
from tests.builders import (
    make_docx,
    make_pdf,
    make_xlsx,
    rasterise,
    render_with_libreoffice,
)

HEADER = ["№", "Задача", "Мероприятие", "Сроки", "Ответственные"]
NUMBERS = ["1", "2", "3", "4", "5"]


def _rows(n: int = 30) -> list[list[str]]:
    rows = [HEADER, NUMBERS, ["Этап I. Диагностика", "", "", "", ""]]
    for i in range(1, n + 1):
        task = "Повысить компетентность педагогов" if i <= 3 else f"Задача {i}"
        activity = f"Семинар номер {i} по формирующему оцениванию " * (1 + i % 3)
        rows.append([str(i), task, activity.strip(), f"До {i % 28 + 1:02d}.05.2022", "Директор"])
    return rows


# Stage row across the table; the task of items 1-3 is one vertically merged cell.
MERGES = [(2, 0, 2, 4), (3, 1, 5, 1)]


@pytest.fixture(scope="module")
def roadmap_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("roadmap")
    return make_docx(
        folder / "АРП.docx",
        ["Антирисковая программа МБОУ СОШ № 1", "Дорожная карта на 2022 год"],
        [{"rows": _rows(), "merges": MERGES}],
        style="Table Grid",
    )


@pytest.fixture(scope="module")
def rendered(roadmap_docx: Path) -> dict[str, Path]:
    """The DOCX as LibreOffice renders it: PDF (a real multi-page table), ODT, RTF, DOC."""
    out = {}
    for fmt in ("pdf", "odt", "rtf", "doc"):
        out[fmt] = render_with_libreoffice(roadmap_docx, fmt, roadmap_docx.with_suffix(f".{fmt}"))
    return out


def _roadmap_rows(table: Table) -> list[list[str]]:
    """Data rows of a roadmap table, a row cut by a page break glued back together."""
    rows: list[list[str]] = []
    for texts in table.row_texts():
        if texts in (HEADER, NUMBERS) or texts[0].startswith("Этап"):
            continue
        if rows and not texts[0] and not texts[3]:
            rows[-1] = [
                f"{a} {b}".strip() if b and b != a else a
                for a, b in zip(rows[-1], texts, strict=True)
            ]
            continue
        rows.append(texts)
    return rows


def _check_roadmap(doc: Document, expected_source: str) -> None:
    assert doc.ok, doc.errors
    (table,) = [t for t in doc.tables if t.n_cols == 5]
    assert table.source == expected_source
    texts = table.row_texts()
    assert texts[0] == HEADER
    assert texts[1] == NUMBERS
    # The stage row is one cell spanning the width; the task cell spans three items.
    stage = next(c for c in table.cells if c.text.startswith("Этап I"))
    assert stage.col_span == 5
    task = next(c for c in table.cells if c.text == "Повысить компетентность педагогов")
    assert task.row_span >= 3
    assert sum(c.text == "Повысить компетентность педагогов" for c in table.cells) == 1
    rows = _roadmap_rows(table)
    assert [r[0] for r in rows] == [str(i) for i in range(1, 31)]
    assert rows[2][1] == "Повысить компетентность педагогов"
    assert rows[9][2] == ("Семинар номер 10 по формирующему оцениванию " * 2).strip()
    assert rows[29][3] == "До 03.05.2022"


def test_docx_roadmap(roadmap_docx: Path) -> None:
    doc = extract(roadmap_docx)
    assert doc.format == "docx"
    _check_roadmap(doc, "docx")
    assert all(b.source == "docx" and b.confidence is None for b in doc.blocks)


def test_pdf_rendered_by_libreoffice_joins_the_table_over_pages(rendered: dict[str, Path]) -> None:
    doc = extract(rendered["pdf"])
    assert doc.format == "pdf" and doc.n_pages >= 2
    _check_roadmap(doc, "text_layer")
    table = next(t for t in doc.tables if t.n_cols == 5)
    assert len(table.pages) == doc.n_pages
    # The header LibreOffice repeats on every page (Word's "repeat header row" is off here,
    # so nothing is repeated) is kept once; the numbers row under it, once.
    assert sum(r == HEADER for r in table.row_texts()) == 1
    assert not doc.ocr_pages
    assert all(b.source == "text_layer" and b.confidence is None for b in doc.blocks)


def test_pdf_engines_agree(rendered: dict[str, Path]) -> None:
    fast = extract(rendered["pdf"])
    reference = extract(rendered["pdf"], settings=ExtractSettings(table_engine="pdfplumber"))

    def squeezed(doc: Document) -> list[list[list[str]]]:
        # pdfplumber cuts words at LibreOffice's kerning ("формирующ ему"); pdfium does not.
        return [[[c.replace(" ", "") for c in r] for r in t.row_texts()] for t in doc.tables]

    assert squeezed(fast) == squeezed(reference)
    assert "формирующему" in fast.tables[0].row_texts()[3][2]
    spans = [[(c.row, c.col, c.row_span, c.col_span) for c in t.cells] for t in fast.tables]
    ref = [[(c.row, c.col, c.row_span, c.col_span) for c in t.cells] for t in reference.tables]
    assert spans == ref


@pytest.mark.parametrize("fmt", ["odt", "rtf", "doc"])
def test_office_formats_through_libreoffice(rendered: dict[str, Path], fmt: str) -> None:
    # Under a misleading name, as schools upload them.
    misnamed = rendered[fmt].with_name(f"Программа_{fmt}.docx")
    shutil.copyfile(rendered[fmt], misnamed)
    doc = extract(misnamed)
    assert doc.format == fmt
    _check_roadmap(doc, fmt)
    assert any("МБОУ СОШ № 1" in b.text for b in doc.blocks)


@pytest.fixture(scope="module")
def scans(rendered: dict[str, Path]) -> dict[str, Path]:
    from pillow_heif import register_heif_opener

    register_heif_opener()  # to write the HEIC
    pdf = rendered["pdf"]
    folder = pdf.parent
    return {
        "pdf": rasterise(pdf, folder / "scan.pdf", dpi=300, pages=[0, 1]),
        "png": rasterise(pdf, folder / "scan.png", dpi=300, pages=[0]),
        "jpg": rasterise(pdf, folder / "photo.jpg", dpi=300, pages=[0]),
        "tif": rasterise(pdf, folder / "scan.tif", dpi=300, pages=[0, 1]),
        # iPhones' own format (before s22: "not a PDF or DOCX file"), and its AVIF cousin
        "heic": rasterise(pdf, folder / "IMG_2041.HEIC", dpi=300, pages=[0]),
        "avif": rasterise(pdf, folder / "photo.avif", dpi=300, pages=[0]),
    }


def _check_ocr_roadmap(doc: Document) -> None:
    assert doc.ok, doc.errors
    assert doc.blocks and all(b.source == "ocr" for b in doc.blocks)
    assert all(b.confidence is not None and 0.5 < b.confidence <= 1 for b in doc.blocks)
    text = doc.text()
    assert "Дорожная карта" in text
    assert "формирующему оцениванию" in text
    table = next(t for t in doc.tables if t.n_cols == 5)
    assert table.source == "ocr"
    assert table.row_texts()[0][1:] == HEADER[1:]
    stage = next(c for c in table.cells if c.text.startswith("Этап"))
    assert stage.col_span == 5
    task = next(c for c in table.cells if "компетентность" in c.text)
    assert task.row_span >= 3
    assert any(c.text == "До 02.05.2022" for c in table.cells)


@pytest.mark.parametrize("kind", ["pdf", "png", "jpg", "tif", "heic", "avif"])
def test_scans_go_through_ocr(scans: dict[str, Path], kind: str) -> None:
    doc = extract(scans[kind])
    assert doc.format == ("pdf" if kind == "pdf" else "image")
    _check_ocr_roadmap(doc)
    if kind in ("pdf", "tif"):
        assert doc.ocr_pages == [1, 2]
        # The two scanned pages of one table are one table.
        assert any(t.pages == [1, 2] for t in doc.tables)


_WORD_DIAGRAM = """<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
 xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:drawing>
<wp:inline><wp:extent cx="5486400" cy="3200400"/><wp:docPr id="7" name="Схема 1"/><a:graphic>
<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/diagram">
<dgm:relIds xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram" r:dm="{rid}"
 r:lo="" r:qs="" r:cs=""/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"""


def test_a_smartart_scheme_in_a_docx_is_read(tmp_path: Path) -> None:
    """An analytic note's scheme drawn as SmartArt: its words are in a part python-docx does
    not open, and were not read before s22."""
    import docx
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from lxml import etree

    from tests.builders import diagram_data

    word = docx.Document()
    word.add_paragraph("Структура управления программой")
    scheme = word.add_paragraph()
    data = Part(
        PackURI("/word/diagrams/data1.xml"),
        CONTENT_TYPE.DML_DIAGRAM_DATA,
        diagram_data(["Директор школы", "Методический совет", "Рабочая группа"]),
        word.part.package,
    )
    rid = word.part.relate_to(data, RELATIONSHIP_TYPE.DIAGRAM_DATA)
    scheme._p.append(etree.fromstring(_WORD_DIAGRAM.replace("{rid}", rid)))
    word.add_paragraph("Итоги первого полугодия")
    word.save(str(tmp_path / "Справка.docx"))
    doc = extract(tmp_path / "Справка.docx")
    assert doc.ok
    assert [b.text for b in doc.blocks] == [
        "Структура управления программой",
        "Директор школы\nМетодический совет\nРабочая группа",
        "Итоги первого полугодия",
    ]


def test_a_video_is_taken_for_a_video(tmp_path: Path) -> None:
    """Phones save videos in the same ISO container as HEIC photos: a video of a lesson is
    shown as a video (`tests/test_photos.py`), not a picture read by OCR."""
    clip = tmp_path / "Открытый урок.mp4"
    clip.write_bytes(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + bytes(64))
    doc = extract(clip)
    assert doc.ok and doc.format == "video" and not doc.ocr_pages
    assert doc.photo is not None and doc.photo.video


def test_pdf_pages_choose_text_layer_or_ocr(tmp_path: Path, rendered: dict[str, Path]) -> None:
    """A signed scan appended to a typed document: OCR only where there is no text layer."""
    import pypdfium2 as pdfium

    typed = make_pdf(tmp_path / "typed.pdf", ["Аналитическая справка по итогам семинара"] * 40)
    scan = rasterise(rendered["pdf"], tmp_path / "scan.pdf", dpi=300, pages=[0])
    mixed = pdfium.PdfDocument.new()
    for part in (typed, scan):
        src = pdfium.PdfDocument(str(part))
        mixed.import_pages(src)
        src.close()
    mixed.save(str(tmp_path / "mixed.pdf"))
    mixed.close()
    doc = extract(tmp_path / "mixed.pdf")
    assert doc.ok and doc.n_pages == 2
    assert doc.ocr_pages == [2]
    by_page = {b.page: b.source for b in doc.blocks}
    assert by_page == {1: "text_layer", 2: "ocr"}
    assert all(b.confidence is None for b in doc.blocks if b.page == 1)
    assert all(b.confidence is not None for b in doc.blocks if b.page == 2)


def test_xlsx_roadmap(tmp_path: Path) -> None:
    rows = _rows(6)
    path = make_xlsx(tmp_path / "ДК.xlsx", "Дорожная карта МБОУ СОШ № 1", rows, MERGES)
    misnamed = tmp_path / "ДК.pdf"
    shutil.copyfile(path, misnamed)
    doc = extract(misnamed)
    assert doc.format == "xlsx"
    assert doc.ok
    assert doc.blocks[0].text == "Дорожная карта МБОУ СОШ № 1"
    (table,) = doc.tables
    assert table.source == "xlsx"
    texts = table.row_texts()
    assert texts[0] == HEADER and texts[1] == NUMBERS
    stage = next(c for c in table.cells if c.text.startswith("Этап I"))
    assert stage.col_span == 5
    task = next(c for c in table.cells if c.text == "Повысить компетентность педагогов")
    assert task.row_span == 3
    assert texts[-1][0] == "6"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
@pytest.mark.parametrize("old", ["xls", "ods"])
def test_xls_and_ods_roadmaps_are_converted_and_read_as_xlsx(tmp_path: Path, old: str) -> None:
    """An old Excel workbook or a LibreOffice one: before s22 an XLS was an error record
    ("save it as XLSX"), an ODS "a SPREADSHEET file, which is not read"."""
    path = make_xlsx(tmp_path / "ДК.xlsx", "Дорожная карта МБОУ СОШ № 1", _rows(6), MERGES)
    doc = extract(render_with_libreoffice(path, old, tmp_path / f"ДК.{old}"))
    assert doc.ok and doc.format == old, doc.errors
    assert doc.blocks[0].text == "Дорожная карта МБОУ СОШ № 1"
    (table,) = doc.tables
    assert table.source == old
    texts = table.row_texts()
    assert texts[0] == HEADER and texts[1] == NUMBERS and texts[-1][0] == "6"
    task = next(c for c in table.cells if c.text == "Повысить компетентность педагогов")
    assert task.row_span == 3


def test_xlsx_dates_and_numbers_read_as_written(tmp_path: Path) -> None:
    import datetime as dt

    rows = [["№", "Мероприятие", "Сроки"], [1, "Семинар", dt.datetime(2022, 5, 31)]]
    doc = extract(make_xlsx(tmp_path / "d.xlsx", "ДК", rows))
    assert doc.tables[0].row_texts()[1] == ["1", "Семинар", "31.05.2022"]


def test_xlsx_carriage_returns_kept_as_excel_keeps_them(tmp_path: Path) -> None:
    """Excel writes a carriage return in a cell as "_x000D_" (XlsxWriter does the same), and
    openpyxl reads that text back as it is: the roadmap must not carry it."""
    import xlsxwriter

    path = tmp_path / "ДК.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("ДК")
    sheet.write_string(0, 0, "Дорожная карта")
    for r, row in enumerate(
        [["№", "Мероприятие", "Сроки"], ["1", "Семинар\r\nдля педагогов", "до 01.03.2022\r\n"]]
    ):
        for c, value in enumerate(row):
            sheet.write_string(r + 2, c, value)
    book.close()
    assert b"_x000D_" in zipfile.ZipFile(path).read("xl/sharedStrings.xml")
    texts = extract(path).tables[0].row_texts()
    assert "_x000D_" not in repr(texts)
    assert texts[1][2] == "до 01.03.2022"


def test_plain_text_in_windows_1251(tmp_path: Path) -> None:
    path = tmp_path / "отчёт.pdf"
    path.write_bytes("Отчёт о проведении семинара\r\n\r\nПроведено 12 занятий".encode("cp1251"))
    doc = extract(path)
    assert doc.format == "txt" and doc.ok
    assert [b.text for b in doc.blocks] == ["Отчёт о проведении семинара", "Проведено 12 занятий"]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),  # Notepad's "Unicode", PowerShell's `>`
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("koi8-r", b""),
        ("cp866", b""),  # DOS
    ],
)
def test_plain_text_in_other_russian_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    """Before s20 a UTF-16 text was "not a document" (its zero bytes) and KOI8-R or DOS text
    was read as Windows-1251, every letter wrong."""
    text = "Приказ о проведении семинара\r\n\r\nПроведено 12 занятий, ёлка"
    path = tmp_path / "приказ.txt"
    path.write_bytes(bom + text.encode(encoding))
    doc = extract(path)
    assert doc.format == "txt" and doc.ok
    assert [b.text for b in doc.blocks] == [
        "Приказ о проведении семинара",
        "Проведено 12 занятий, ёлка",
    ]


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "utf-8"])
def test_web_page_that_does_not_say_its_encoding(tmp_path: Path, encoding: str) -> None:
    """LibreOffice read a page in Windows-1251 or KOI8-R with no charset as question marks."""
    page = (
        "<html><body><p>Приказ о проведении семинара</p><p>Проведено 12 занятий</p></body></html>"
    )
    path = tmp_path / "приказ.htm"
    path.write_bytes(page.encode(encoding))
    doc = extract(path)
    assert doc.format == "html" and doc.ok
    assert [b.text for b in doc.blocks] == ["Приказ о проведении семинара", "Проведено 12 занятий"]


def test_docx_nested_tables_content_controls_and_links(tmp_path: Path) -> None:
    """A roadmap framed in a one-cell table, a date in a content control, a hidden link."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    frame = d.add_table(rows=1, cols=1)
    inner = frame.cell(0, 0).add_table(rows=2, cols=3)
    for c, text in enumerate(["№", "Мероприятие", "Сроки"]):
        inner.cell(0, c).text = text
    for c, text in enumerate(["1", "Педсовет", "Май 2022"]):
        inner.cell(1, c).text = text
    sdt = parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>Утверждено 31.01.2022</w:t>"
        "</w:r></w:p></w:sdtContent></w:sdt>"
    )
    d.element.body.insert(0, sdt)
    p = d.add_paragraph("Подтверждение: ")
    rel = d.part.relate_to(
        "https://school1.ru/docs/protocol.pdf",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
        is_external=True,
    )
    link = parse_xml(
        f'<w:hyperlink {nsdecls("w", "r")} r:id="{rel}"><w:r><w:t>ссылка</w:t></w:r></w:hyperlink>'
    )
    p._p.append(link)
    d.save(str(tmp_path / "nested.docx"))
    doc = extract(tmp_path / "nested.docx")
    assert doc.ok
    assert doc.blocks[0].text == "Утверждено 31.01.2022"
    assert "https://school1.ru/docs/protocol.pdf" in doc.blocks[-1].text
    outer, nested = doc.tables
    assert nested.parent == outer.index
    assert nested.row_texts() == [["№", "Мероприятие", "Сроки"], ["1", "Педсовет", "Май 2022"]]
    # The nested table's text is also the frame cell's text: nothing is lost either way.
    assert "Педсовет" in outer.cells[0].text


def test_docm_is_read_and_macros_noted(tmp_path: Path) -> None:
    source = make_docx(tmp_path / "a.docx", ["Приказ № 12 о проведении педсовета"])
    docm = tmp_path / "macro.docm"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(docm, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"wordprocessingml.document.main+xml",
                    b"wordprocessingml.document.main+xml",
                ).replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml."
                    b"document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                )
            dst.writestr(info, data)
        dst.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 not a real VBA project")
    doc = extract(docm)
    assert doc.ok and doc.format == "docm"
    assert doc.blocks[0].text == "Приказ № 12 о проведении педсовета"
    assert any("macros" in w for w in doc.warnings)


@pytest.mark.parametrize("repeat", [0, 1, 2])
def test_table_continued_over_pages_with_column_numbers(tmp_path: Path, repeat: int) -> None:
    """A wide table with a row of column numbers under the header, continued over pages with
    nothing, the header, or the header and the numbers repeated on each page."""
    header = ["№", "Мероприятие", "Сроки", "Ответственные"]
    numbers = ["1", "2", "3", "4"]
    rows = [header, numbers] + [
        [str(i), f"Мероприятие {i} по плану работы школьного методического объединения",
         "Май 2022", "Заместитель директора"] for i in range(1, 80)
    ]
    pdf = make_pdf(tmp_path / "wide.pdf", ["Дорожная карта"], [{"rows": rows, "repeat": repeat}],
                   wide=True)
    doc = extract(pdf)
    assert doc.n_pages >= 3
    (table,) = doc.tables
    assert table.pages == list(range(1, doc.n_pages + 1))
    texts = table.row_texts()
    assert texts[:2] == [header, numbers]
    assert sum(r == header for r in texts) == 1 and sum(r == numbers for r in texts) == 1
    assert [r[0] for r in texts[2:]] == [str(i) for i in range(1, 80)]


def test_docx_repeated_header_rendered_by_libreoffice(tmp_path: Path) -> None:
    """Word's "repeat as header row" (w:tblHeader): LibreOffice prints the header on every
    page; the PDF still reads as one table with one header."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    path = make_docx(tmp_path / "h.docx", ["Дорожная карта"], [{"rows": _rows(40)}],
                     style="Table Grid")
    import docx

    d = docx.Document(str(path))
    for row in d.tables[0].rows[:2]:
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(header)
    d.save(str(path))
    doc = extract(render_with_libreoffice(path, "pdf", tmp_path / "h.pdf"))
    (table,) = doc.tables
    assert len(table.pages) == doc.n_pages >= 2
    texts = table.row_texts()
    assert sum(r == HEADER for r in texts) == 1 and sum(r == NUMBERS for r in texts) == 1
    assert [r[0] for r in _roadmap_rows(table)] == [str(i) for i in range(1, 41)]


def test_docx_of_pasted_scans_is_read_by_ocr(tmp_path: Path, rendered: dict[str, Path]) -> None:
    import docx
    from docx.shared import Cm

    page = rasterise(rendered["pdf"], tmp_path / "page.png", dpi=300, pages=[0])
    d = docx.Document()
    d.add_picture(str(page), width=Cm(17))
    d.save(str(tmp_path / "Протокол.docx"))
    doc = extract(tmp_path / "Протокол.docx")
    assert doc.ok and doc.ocr_pages == [1]
    assert any(b.source == "ocr" and "Дорожная карта" in b.text for b in doc.blocks)


def test_password_protected_office_file(tmp_path: Path) -> None:
    # Office encrypts a DOCX into an OLE storage holding an "EncryptedPackage" stream.
    path = tmp_path / "Справка.docx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le")
    )
    doc = extract(path)
    assert not doc.ok and doc.errors[0].stage == "open"
    assert "password" in doc.errors[0].reason


def test_skewed_photo_is_levelled(tmp_path: Path, scans: dict[str, Path]) -> None:
    from PIL import Image

    skewed = Image.open(scans["png"]).rotate(2.0, expand=True, fillcolor=255)
    skewed.save(tmp_path / "photo.png", dpi=(300, 300))
    doc = extract(tmp_path / "photo.png")
    _check_ocr_roadmap(doc)


@pytest.mark.parametrize("min_len", [2, 5, 20, 50, 57])
def test_rule_runs_are_every_long_dark_run(min_len: int) -> None:
    """The rows holding a rule are found before they are scanned: no run may be lost."""
    import numpy as np

    from extractors.ocr import _runs

    rng = np.random.default_rng(min_len)
    dark = rng.random((120, 300)) < 0.6  # speckle: short runs everywhere
    dark[7, 10 : 10 + min_len] = True  # planted runs of exactly the length, and longer
    dark[7, 9] = dark[7, 10 + min_len] = False
    dark[60, 200 : 200 + 3 * min_len] = True
    expected = []
    for row in range(dark.shape[0]):
        col = 0
        while col < dark.shape[1]:
            if not dark[row, col]:
                col += 1
                continue
            end = col
            while end < dark.shape[1] and dark[row, end]:
                end += 1
            if end - col >= min_len:
                expected.append((row, col, end))
            col = end
    assert (7, 10, 10 + min_len) in expected and any(r == 60 for r, _, _ in expected)
    assert _runs(dark, min_len) == expected
    assert _runs(np.zeros((5, min_len - 1), dtype=bool), min_len) == []


def test_tesseract_reads_a_large_page_downscaled_and_its_boxes_come_back_full_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PIL import Image

    from extractors import ocr

    seen: list[tuple[tuple[int, int], float]] = []

    def words(image, settings, timeout, dpi):
        seen.append((image.size, dpi))
        return [ocr.Word("План", 90.0, 100, 200, 300, 240, (1, 1, 1))]

    monkeypatch.setattr(ocr, "tesseract_words", words)
    settings = ExtractSettings(tesseract_max_side_px=2000)
    (word,) = ocr._read_scaled(Image.new("L", (2480, 3508), 255), settings, 5, 300)
    assert seen[-1][0] == (1414, 2000) and seen[-1][1] == pytest.approx(300 * 2000 / 3508)
    assert (word.x0, word.top, word.x1, word.bottom) == (175, 351, 526, 421)
    (word,) = ocr._read_scaled(Image.new("L", (1654, 1900), 255), settings, 5, 200)
    assert seen[-1] == ((1654, 1900), 200) and (word.x0, word.bottom) == (100, 240)
