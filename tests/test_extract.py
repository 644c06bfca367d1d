"""Extractors on real DOCX and PDF files made by the tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from extractors.extract import detect_format, extract
from extractors.normalize import normalize_text
from tests.builders import make_docx, make_pdf

ROWS = [
    ["Задача", "Мероприятие", "Сроки"],
    ["Этап I", "", ""],
    ["Задача 1", "Семинар по формирующему оцениванию", "Май 2022"],
    ["", "Диагностика профессиональных дефицитов", "До 30.04.2022"],
]


def _spans(table) -> dict[tuple[int, int], tuple[int, int, str]]:
    return {(c.row, c.col): (c.row_span, c.col_span, c.text) for c in table.cells}


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_merged_cells_are_one_cell_with_spans(tmp_path: Path, fmt: str) -> None:
    if fmt == "docx":
        path = make_docx(
            tmp_path / "a.docx",
            ["Программа"],
            [{"rows": ROWS, "merges": [(1, 0, 1, 2), (2, 0, 3, 0)]}],
        )
    else:
        path = make_pdf(
            tmp_path / "a.pdf",
            ["Программа"],
            [{"rows": ROWS, "spans": [(0, 1, 2, 1), (0, 2, 0, 3)]}],
        )
    doc = extract(path)
    assert doc.ok and doc.format == fmt
    (table,) = doc.tables
    spans = _spans(table)
    assert spans[(1, 0)] == (1, 3, "Этап I")
    assert spans[(2, 0)] == (2, 1, "Задача 1")
    # The merged text appears once, not in every grid position it covers.
    assert sum(c.text == "Задача 1" for c in table.cells) == 1
    assert (3, 0) not in spans
    grid = table.grid()
    assert grid[3][0] is grid[2][0]
    assert table.row_texts()[3] == [
        "Задача 1",
        "Диагностика профессиональных дефицитов",
        "До 30.04.2022",
    ]


def test_docx_same_text_in_two_cells_is_not_a_merge(tmp_path: Path) -> None:
    rows = [["Задача", "Мероприятие"], ["Повтор", "А"], ["Повтор", "Б"]]
    doc = extract(make_docx(tmp_path / "b.docx", [], [{"rows": rows}]))
    assert [c.row_span for c in doc.tables[0].cells if c.text == "Повтор"] == [1, 1]


def test_pdf_table_over_pages_becomes_one_table(tmp_path: Path) -> None:
    rows = [["№", "Мероприятие", "Срок"]]
    rows += [[str(i), f"Мероприятие номер {i} " * 5, "Май 2022"] for i in range(1, 70)]
    doc = extract(make_pdf(tmp_path / "long.pdf", ["Дорожная карта"], [{"rows": rows}]))
    assert doc.n_pages >= 3
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert len(table.pages) >= 3
    texts = table.row_texts()
    # The header repeated on every page is kept once.
    assert sum(r == ["№", "Мероприятие", "Срок"] for r in texts) == 1
    numbers = [r[0] for r in texts[1:] if r[0]]
    assert numbers == [str(i) for i in range(1, 70)]


def test_pdf_text_blocks_have_pages(tmp_path: Path) -> None:
    paras = [f"Абзац номер {i} о методическом объединении учителей." for i in range(120)]
    doc = extract(make_pdf(tmp_path / "t.pdf", paras))
    assert doc.n_pages >= 2
    assert doc.blocks[0].page == 1 and doc.blocks[-1].page == doc.n_pages
    assert all(b.source == "text_layer" for b in doc.blocks)


def test_empty_file_is_an_error_record(tmp_path: Path) -> None:
    path = tmp_path / "Отчёт.docx"
    path.write_bytes(b"")
    doc = extract(path)
    assert not doc.ok
    assert doc.errors[0].file == "Отчёт.docx"
    assert "empty" in doc.errors[0].reason


def test_truncated_pdf_is_an_error_record(tmp_path: Path) -> None:
    good = make_pdf(tmp_path / "g.pdf", ["Протокол заседания"] * 50)
    bad = tmp_path / "Протокол.pdf"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    doc = extract(bad)
    assert not doc.ok and doc.errors[0].stage == "extract"
    assert "PDF" in doc.errors[0].reason


def test_format_comes_from_content_not_extension(tmp_path: Path) -> None:
    docx_named_pdf = make_docx(tmp_path / "x.docx", ["Приказ № 5"])
    renamed = tmp_path / "Приказ.pdf"
    renamed.write_bytes(docx_named_pdf.read_bytes())
    assert detect_format(renamed) == "docx"
    assert extract(renamed).blocks[0].text == "Приказ № 5"
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"\x00\x01garbage" * 100)
    assert not extract(junk).ok
    archive = tmp_path / "arch.pdf"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.txt", "hello")
    doc = extract(archive)
    assert not doc.ok and "not a PDF or DOCX" in doc.errors[0].reason


def test_normalisation() -> None:
    raw = "«Школа»\u00a0№\u202f5 — общеобразова-\nтельная\u00ad \u2013 ok"
    assert normalize_text(raw) == '"Школа" № 5 - общеобразовательная - ok'
