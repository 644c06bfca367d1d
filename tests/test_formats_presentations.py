"""Presentations: the slides schools upload as evidence of seminars and councils. Before
s22 every PPTX and PPT was one error record ("save it as PDF") and none of it was read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Inches

from extractors.extract import extract
from tests.builders import (
    diagram_data,
    make_pdf,
    rasterise,
    render_with_libreoffice,
    rewrite_zip,
)

_PPTX_MAIN = b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
_PPSX_MAIN = b"application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml"
_PPTM_MAIN = b"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml"


def make_pptx(path: Path, picture: Path | None = None) -> Path:
    """Two slides: a seminar's title, its text and notes, with a text box drawn first but
    placed last; a roadmap table with a merged heading, and a text in a group. With
    `picture`, a third slide that is only that picture, over the whole slide."""
    prs = Presentation()
    first = prs.slides.add_slide(prs.slide_layouts[1])  # title and content
    bottom = first.shapes.add_textbox(Inches(1), Inches(6.5), Inches(6), Inches(0.5))
    bottom.text_frame.text = "Ответственный: Иванова М. П."
    first.shapes.title.text = "Семинар «Наставничество в школе»"
    first.placeholders[1].text_frame.text = "Провели 15 марта 2022 года\nУчастники: 18 педагогов"
    first.notes_slide.notes_text_frame.text = "Рассказать о плане наставничества"
    second = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    second.shapes.title.text = "План мероприятий"
    table = second.shapes.add_table(3, 3, Inches(0.5), Inches(1.5), Inches(9), Inches(2)).table
    table.cell(0, 0).merge(table.cell(0, 2))
    table.cell(0, 0).text = "Дорожная карта"
    for c, value in enumerate(["Семинар", "март 2022", "Иванова М. П."]):
        table.cell(1, c).text = value
    for c, value in enumerate(["Открытые уроки", "апрель 2022", "Петрова А. С."]):
        table.cell(2, c).text = value
    group = second.shapes.add_group_shape()
    note = group.shapes.add_textbox(Inches(1), Inches(5), Inches(4), Inches(0.5))
    note.text_frame.text = "Итог: план выполнен"
    if picture is not None:
        third = prs.slides.add_slide(prs.slide_layouts[6])  # blank
        third.shapes.add_picture(str(picture), 0, 0, prs.slide_width, prs.slide_height)
    prs.save(str(path))
    return path


def _page_texts(doc, page: int) -> list[str]:
    return [b.text for b in doc.blocks if b.page == page]


def test_a_pptx_is_read_slide_by_slide_in_reading_order(tmp_path: Path) -> None:
    doc = extract(make_pptx(tmp_path / "Семинар.pptx"))
    assert doc.ok and doc.format == "pptx" and doc.n_pages == 2
    first = _page_texts(doc, 1)
    assert first[0] == 'Семинар "Наставничество в школе"'  # quotes made plain, as everywhere
    assert "Провели 15 марта 2022 года" in first[1] and "18 педагогов" in first[1]
    # Drawn first, placed at the bottom: read after the text above it; the notes last.
    assert first[2:] == ["Ответственный: Иванова М. П.", "Рассказать о плане наставничества"]
    assert _page_texts(doc, 2) == ["План мероприятий", "Итог: план выполнен"]
    (table,) = doc.tables
    assert (table.n_rows, table.n_cols, table.pages, table.source) == (3, 3, [2], "pptx")
    assert table.caption == "План мероприятий"
    heading = next(c for c in table.cells if c.row == 0)
    assert (heading.text, heading.col_span, heading.row_span) == ("Дорожная карта", 3, 1)
    assert [c.col for c in table.cells if c.row == 0] == [0]  # no copies under the merge
    grid = [[c.text if c else None for c in row] for row in table.grid()]
    assert grid[2] == ["Открытые уроки", "апрель 2022", "Петрова А. С."]


_DIAGRAM_FRAME = """<p:graphicFrame xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"
 xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<p:nvGraphicFramePr><p:cNvPr id="40" name="Схема 1"/><p:cNvGraphicFramePr/><p:nvPr/>
</p:nvGraphicFramePr><p:xfrm><a:off x="457200" y="1600200"/><a:ext cx="8229600" cy="3000000"/>
</p:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/diagram">
<dgm:relIds xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram" r:dm="{rid}"
 r:lo="" r:qs="" r:cs=""/></a:graphicData></a:graphic></p:graphicFrame>"""


def test_a_smartart_diagram_is_read_from_its_data(tmp_path: Path) -> None:
    """SmartArt keeps its text in a part of its own, which python-pptx does not open: a
    slide of stages drawn as a SmartArt scheme read as its title alone before."""
    from lxml import etree
    from pptx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from pptx.opc.package import Part
    from pptx.opc.packuri import PackURI

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    slide.shapes.title.text = "Этапы работы"
    data = Part(
        PackURI("/ppt/diagrams/data1.xml"),
        CONTENT_TYPE.DML_DIAGRAM_DATA,
        prs.part.package,
        diagram_data(["Диагностика дефицитов", "Курсы ПК", "Наставничество"]),
    )
    rid = slide.part.relate_to(data, RELATIONSHIP_TYPE.DIAGRAM_DATA)
    slide.shapes._spTree.append(etree.fromstring(_DIAGRAM_FRAME.replace("{rid}", rid)))
    prs.save(str(tmp_path / "Схема.pptx"))
    doc = extract(tmp_path / "Схема.pptx")
    assert doc.ok
    assert _page_texts(doc, 1) == [
        "Этапы работы",
        "Диагностика дефицитов\nКурсы ПК\nНаставничество",
    ]


def test_a_smartart_linked_outside_the_file_is_skipped_not_fatal(tmp_path: Path) -> None:
    from lxml import etree
    from pptx.opc.constants import RELATIONSHIP_TYPE

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "Этапы работы"
    rid = slide.part.relate_to("http://example.org/data1.xml", RELATIONSHIP_TYPE.DIAGRAM_DATA, True)
    slide.shapes._spTree.append(etree.fromstring(_DIAGRAM_FRAME.replace("{rid}", rid)))
    prs.save(str(tmp_path / "Схема.pptx"))
    doc = extract(tmp_path / "Схема.pptx")
    assert doc.ok and _page_texts(doc, 1) == ["Этапы работы"]


def test_slide_shows_and_macro_enabled_presentations_are_read_too(tmp_path: Path) -> None:
    pptx = make_pptx(tmp_path / "plain.pptx")
    import zipfile

    with zipfile.ZipFile(pptx) as zf:
        types = zf.read("[Content_Types].xml")
    ppsx = rewrite_zip(
        pptx,
        tmp_path / "Показ.ppsx",
        replace={"[Content_Types].xml": types.replace(_PPTX_MAIN, _PPSX_MAIN)},
    )
    doc = extract(ppsx)
    assert doc.ok and doc.format == "pptx" and "План мероприятий" in doc.text()
    pptm = rewrite_zip(
        pptx,
        tmp_path / "Макрос.pptm",
        replace={"[Content_Types].xml": types.replace(_PPTX_MAIN, _PPTM_MAIN)},
        add={"ppt/vbaProject.bin": b"\xd0\xcf\x11\xe0 not run"},
    )
    doc = extract(pptm)
    assert doc.ok and doc.format == "pptm" and "План мероприятий" in doc.text()
    assert "the file contains macros; they were not run" in doc.warnings


def test_a_damaged_or_hostile_presentation_is_an_error_record(tmp_path: Path) -> None:
    pptx = make_pptx(tmp_path / "whole.pptx")
    cut = tmp_path / "cut.pptx"
    cut.write_bytes(pptx.read_bytes()[: pptx.stat().st_size // 2])
    doc = extract(cut)
    assert not doc.ok and doc.errors[0].stage in ("extract", "detect")
    entity = rewrite_zip(
        pptx,
        tmp_path / "entity.pptx",
        replace={"ppt/slides/slide1.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>'},
    )
    doc = extract(entity)
    assert not doc.ok and doc.errors[0].stage == "security"


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract")
def test_a_slide_that_is_a_photographed_page_is_read_by_ocr(tmp_path: Path) -> None:
    page = make_pdf(
        tmp_path / "order.pdf",
        ["Приказ о создании рабочей группы по реализации программы наставничества."],
    )
    photo = rasterise(page, tmp_path / "order.png", dpi=150)
    doc = extract(make_pptx(tmp_path / "with photo.pptx", picture=photo))
    assert doc.ok and doc.n_pages == 3 and doc.ocr_pages == [3]
    assert "рабочей группы" in " ".join(_page_texts(doc, 3))
    assert all(b.source == "ocr" for b in doc.blocks if b.page == 3)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
@pytest.mark.parametrize("old", ["ppt", "odp"])
def test_ppt_and_odp_are_converted_and_read_as_pptx(tmp_path: Path, old: str) -> None:
    pptx = make_pptx(tmp_path / "source.pptx")
    converted = render_with_libreoffice(pptx, old, tmp_path / f"Семинар.{old}")
    doc = extract(converted)
    assert doc.ok and doc.format == old, doc.errors
    assert doc.n_pages == 2
    assert "Наставничество в школе" in doc.text() and "Итог: план выполнен" in doc.text()
    (table,) = doc.tables
    assert table.source == old
    assert any(c.text == "Открытые уроки" for c in table.cells)


def test_a_presentation_without_libreoffice_impress_is_a_setup_problem(tmp_path: Path) -> None:
    """Debian packages Impress apart from Writer: on a machine set up before s22, a PPT
    failed like a damaged file and was kept so. Now the missing module is a setup problem
    (the next run reads the file again once it is installed); a damaged PPT is still the
    file's fault."""
    from extractors.settings import ExtractSettings

    program = tmp_path / "program"  # a LibreOffice laid out as Debian's, with Writer only
    program.mkdir()
    (program / "libswlo.so").write_bytes(b"")
    soffice = program / "soffice"
    soffice.write_text("#!/bin/sh\necho 'Error: source file could not be loaded'\nexit 1\n")
    soffice.chmod(0o755)
    ppt = tmp_path / "Семинар.ppt"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    ppt.write_bytes(ole + "PowerPoint Document".encode("utf-16-le") + bytes(1024))
    settings = ExtractSettings(soffice=str(soffice))
    doc = extract(ppt, settings=settings)
    assert doc.format == "ppt" and not doc.ok
    assert "LibreOffice Impress is not installed" in doc.errors[0].reason
    assert doc.setup_problems == [doc.errors[0].reason]
    (program / "libsdlo.so").write_bytes(b"")
    doc = extract(ppt, settings=settings)
    assert not doc.ok and not doc.setup_problems
    assert "LibreOffice could not read the PPT file" in doc.errors[0].reason


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract")
def test_a_school_s_presentation_and_iphone_photo_reach_its_sheet(tmp_path: Path) -> None:
    """Through a school's review as the workers run it: both are documents of the sheet,
    readable and typed, not error records."""
    from datetime import date

    from pillow_heif import register_heif_opener

    from pipelines.work import review_school
    from tests.builders import copy_sample

    register_heif_opener()  # to write the HEIC
    school = copy_sample(tmp_path / "region", ["school_04_polyanskaya"]) / "school_04_polyanskaya"
    make_pptx(school / "Презентация семинара.pptx")
    order = make_pdf(
        tmp_path / "order.pdf",
        ["Приказ о проведении семинара по наставничеству для педагогов школы."],
    )
    rasterise(order, school / "IMG_2041.HEIC", dpi=200)
    sheet = review_school(school, tmp_path / "out", date(2022, 6, 1))
    records = {d.file: d for d in sheet.documents}
    added = {"Презентация семинара.pptx": "pptx", "IMG_2041.HEIC": "image"}
    for name, fmt in added.items():
        assert records[name].format == fmt and records[name].readable
        assert records[name].doc_type and records[name].probability > 0
    assert not [e for e in sheet.errors if e.file in added]
