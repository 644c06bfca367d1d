"""What schools really upload when it goes wrong: every case ends in an error record (file,
stage, reason) or a partial document with warnings, never in an exception, a hang or an
exhausted machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from extractors.extract import extract
from extractors.settings import ExtractSettings
from tests.builders import (
    add_zip_bomb,
    make_docx,
    make_encrypted_pdf,
    make_macro_odt,
    make_pdf,
    make_xlsx,
    mark_doc_with_macros,
    rasterise,
    render_with_libreoffice,
    rewrite_zip,
)

ROOT = Path(__file__).resolve().parents[1]


def _error(doc) -> tuple[str, str]:
    assert not doc.ok, "expected an error record"
    assert not doc.blocks and not doc.tables
    (error,) = doc.errors
    assert error.file == doc.path
    return error.stage, error.reason


def test_encrypted_pdf(tmp_path: Path) -> None:
    doc = extract(make_encrypted_pdf(tmp_path / "Приказ.pdf", "Приказ № 1"))
    stage, reason = _error(doc)
    assert stage == "open" and "password" in reason


@pytest.mark.parametrize("name", ["Протокол.pdf", "Справка.docx", "Фото.jpg"])
def test_zero_byte_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    stage, reason = _error(extract(path))
    assert stage == "detect" and "empty" in reason


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(20_000))
    stage, reason = _error(extract(path))
    assert stage == "extract" and "PDF" in reason


def test_truncated_docx(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "g.docx", ["Аналитическая справка"] * 200)
    bad = tmp_path / "Справка.docx"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    stage, _ = _error(extract(bad))
    assert stage in ("detect", "extract", "security")


def test_zip_and_executable_named_pdf(tmp_path: Path) -> None:
    archive = tmp_path / "Приложение 3.pdf"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.txt", "hello")
    stage, reason = _error(extract(archive))
    assert stage == "detect" and "ZIP archive" in reason
    # A ZIP storing a PDF unpacked has the PDF's header in its first kilobyte: still a ZIP.
    stored = tmp_path / "Приложение 4.pdf"
    with zipfile.ZipFile(stored, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("Приказ.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
        zf.writestr("Протокол.txt", "Протокол заседания")
    stage, reason = _error(extract(stored))
    assert stage == "detect" and "ZIP archive" in reason
    exe = tmp_path / "Отчёт.pdf"
    exe.write_bytes(b"MZ\x90\x00" + os.urandom(4000))
    stage, reason = _error(extract(exe))
    assert stage == "detect" and "executable" in reason


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (b"Rar!\x1a\x07\x01\x00", "RAR"),
        (b"7z\xbc\xaf\x27\x1c\x00\x04", "7-Zip"),
        (b"\x1f\x8b\x08\x00", "gzip"),
        (b"\0" * 257 + b"ustar\x0000", "tar"),
    ],
)
def test_other_archives_are_named_as_archives(tmp_path: Path, head: bytes, name: str) -> None:
    """Before s20 a RAR upload, common in schools, was "not a PDF or DOCX file". The review
    unpacks them first (`prepare_input`); `extract` alone refuses one, saying what it is."""
    path = tmp_path / "документы.pdf"
    path.write_bytes(head + b"\x01\x02" * 200 + b"%PDF-1.4")  # a stored PDF's header
    stage, reason = _error(extract(path))
    assert stage == "detect"
    assert reason.startswith(f"a {name} archive, not a document: archives are expanded"), reason


def test_docx_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    docx = make_docx(tmp_path / "a.docx", ["Приказ"])
    bomb = add_zip_bomb(docx, tmp_path / "bomb.docx", inflated=1024**3)
    assert bomb.stat().st_size < 5 * 1024**2
    started = time.monotonic()
    stage, reason = _error(extract(bomb))
    assert time.monotonic() - started < 5
    assert stage == "security" and "zip bomb" in reason


XXE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
    b'<!ENTITY web SYSTEM "http://127.0.0.1:9/leak">]>\n'
)


def test_docx_with_external_entities_is_refused(tmp_path: Path) -> None:
    docx = make_docx(tmp_path / "a.docx", ["PLACEHOLDER"])
    with zipfile.ZipFile(docx) as zf:
        xml = zf.read("word/document.xml")
    body = xml.split(b"?>", 1)[1].replace(b"PLACEHOLDER", b"&xxe;&web;")
    evil = rewrite_zip(docx, tmp_path / "evil.docx", replace={"word/document.xml": XXE + body})
    doc = extract(evil)
    stage, reason = _error(doc)
    assert stage == "security" and "entities" in reason
    assert "root:" not in doc.model_dump_json()


def test_xlsx_with_entities_is_refused(tmp_path: Path) -> None:
    xlsx = make_xlsx(tmp_path / "a.xlsx", "ДК", [["№", "Мероприятие"], ["1", "Семинар"]])
    with zipfile.ZipFile(xlsx) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    evil = rewrite_zip(
        xlsx,
        tmp_path / "evil.xlsx",
        replace={"xl/worksheets/sheet1.xml": bomb + sheet.split(b"?>", 1)[-1]},
    )
    stage, _ = _error(extract(evil))
    assert stage == "security"


def test_doc_with_macros_is_read_and_macros_never_run(tmp_path: Path) -> None:
    source = make_docx(tmp_path / "a.docx", ["Протокол заседания методического объединения"])
    doc_file = render_with_libreoffice(source, "doc", tmp_path / "a.doc")
    with_macros = mark_doc_with_macros(doc_file, tmp_path / "Протокол.doc")
    doc = extract(with_macros)
    assert doc.ok and doc.format == "doc"
    assert "Протокол заседания" in doc.text()
    assert any("macros" in w and "not run" in w for w in doc.warnings)


def test_odt_load_macro_is_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "macro-ran.txt"
    odt = make_macro_odt(tmp_path / "m.odt", marker, "Протокол заседания педсовета")
    doc = extract(odt)
    assert doc.ok and doc.format == "odt"
    assert "Протокол заседания педсовета" in doc.text()
    assert any("macros" in w for w in doc.warnings)
    assert not marker.exists()


def test_conversion_timeout_kills_libreoffice(tmp_path: Path) -> None:
    rtf = tmp_path / "a.rtf"
    rtf.write_text(r"{\rtf1\ansi Protokol}", encoding="ascii")
    before = _soffice_pids()
    doc = extract(rtf, settings=ExtractSettings(convert_timeout_s=0.3))
    stage, reason = _error(doc)
    assert stage == "convert" and "did not finish" in reason
    time.sleep(0.5)
    assert _soffice_pids() <= before


def _soffice_pids() -> set[int]:
    """Live LibreOffice processes; a killed one may linger a moment as a zombie (state Z)."""
    out = subprocess.run(["ps", "-eo", "pid=,stat=,args="], capture_output=True, text=True)
    pids = set()
    for line in out.stdout.splitlines():
        pid, stat, args = line.split(None, 2)
        if "soffice" in args and not stat.startswith("Z"):
            pids.add(int(pid))
    return pids


def test_missing_tools_are_reported_not_raised(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "p.pdf", ["Протокол"] * 5)
    scan = rasterise(pdf, tmp_path / "scan.pdf", dpi=100)
    no_tesseract = ExtractSettings(tesseract="/nonexistent/tesseract")
    doc = extract(scan, settings=no_tesseract)
    stage, reason = _error(doc)
    assert stage == "extract" and "install-system-deps" in reason
    # The machine's fault, not the file's: marked so that the file is read again later.
    assert doc.setup_problems and "tesseract is not installed" in doc.setup_problems[0]
    photo = extract(rasterise(pdf, tmp_path / "photo.png", dpi=100), settings=no_tesseract)
    assert _error(photo)[0] == "ocr" and photo.setup_problems == [photo.errors[0].reason]
    rtf = tmp_path / "a.rtf"
    rtf.write_text(r"{\rtf1\ansi Protokol}", encoding="ascii")
    doc = extract(rtf, settings=ExtractSettings(soffice="/nonexistent/soffice"))
    stage, reason = _error(doc)
    assert stage == "convert" and "install-system-deps" in reason
    assert doc.setup_problems == [reason]


def test_a_scanned_page_left_unread_without_tesseract_is_a_setup_problem(
    tmp_path: Path,
) -> None:
    """A PDF with a text page and a scanned one: read in part, and said to be so."""
    import pypdfium2 as pdfium

    text = make_pdf(tmp_path / "text.pdf", ["Протокол педагогического совета № 3"] * 3)
    scan = rasterise(text, tmp_path / "scan.pdf", dpi=100)
    both = pdfium.PdfDocument(str(text))
    both.import_pages(pdfium.PdfDocument(str(scan)))
    both.save(tmp_path / "both.pdf")
    doc = extract(tmp_path / "both.pdf", settings=ExtractSettings(tesseract="/nonexistent/x"))
    assert doc.ok and "Протокол" in doc.text()
    assert len(doc.setup_problems) == 1 and "tesseract" in doc.setup_problems[0]
    # A file that cannot be read whatever the machine has is not a setup problem.
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes((tmp_path / "text.pdf").read_bytes()[:300])
    assert not extract(damaged).ok and extract(damaged).setup_problems == []


def test_image_without_text_is_a_photo_not_an_error(tmp_path: Path) -> None:
    """Reported as a photo, with a warning that says a scan too faint to read looks the
    same; it is no evidence (`tests/test_photos.py`). Unread, it stays an error."""
    photo = Image.new("RGB", (1600, 1200), (90, 140, 200))
    draw = ImageDraw.Draw(photo)
    for i in range(0, 1600, 40):
        draw.ellipse((i, 300 + i % 200, i + 300, 700 + i % 300), fill=(30 + i % 200, 120, 60))
    photo.save(tmp_path / "IMG_2041.jpg", quality=80)
    doc = extract(tmp_path / "IMG_2041.jpg")
    assert doc.ok and doc.photo is not None and not doc.text()
    assert any("taken for a photo" in w and "sharper scan" in w for w in doc.warnings)
    stage, reason = _error(
        extract(tmp_path / "IMG_2041.jpg", settings=ExtractSettings(ocr_enabled=False))
    )
    assert stage == "extract" and "no readable text" in reason and "OCR is off" in reason


def test_image_pixel_bomb(tmp_path: Path) -> None:
    Image.new("1", (3000, 3000)).save(tmp_path / "big.png")
    limit = Image.MAX_IMAGE_PIXELS
    doc = extract(tmp_path / "big.png", settings=ExtractSettings(max_image_pixels=1_000_000))
    stage, reason = _error(doc)
    assert stage == "extract" and "megapixels" in reason
    assert Image.MAX_IMAGE_PIXELS == limit  # PIL's limit for the rest of the process unchanged


def test_size_limit(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "p.pdf", ["Протокол"] * 100)
    stage, reason = _error(extract(pdf, settings=ExtractSettings(max_bytes=1000)))
    assert stage == "limits" and "MB" in reason


def test_page_limits_give_partial_documents(tmp_path: Path) -> None:
    pdf = make_pdf(
        tmp_path / "p.pdf", [f"Абзац {i} о работе методического совета" for i in range(400)]
    )
    n = extract(pdf).n_pages
    doc = extract(pdf, settings=ExtractSettings(max_pages=2))
    assert doc.ok and {b.page for b in doc.blocks} == {1, 2}
    assert any(f"{n} pages; only the first 2" in w for w in doc.warnings)


def test_ocr_limits_give_partial_documents(tmp_path: Path) -> None:
    pdf = make_pdf(
        tmp_path / "p.pdf", [f"Абзац {i} о работе методического совета" for i in range(150)]
    )
    scan = rasterise(pdf, tmp_path / "scan.pdf", dpi=200, pages=[0, 1, 2])
    doc = extract(scan, settings=ExtractSettings(max_ocr_pages=1))
    assert doc.ok and doc.ocr_pages == [1]
    assert any("2-3" in w and "OCR page limit" in w for w in doc.warnings)
    doc = extract(scan, settings=ExtractSettings(max_seconds_per_file=0.5))
    assert doc.ok and doc.ocr_pages == [1]
    assert any("time limit" in w for w in doc.warnings)


def test_500_page_pdf_within_memory(tmp_path: Path) -> None:
    """A 500-page PDF with a table on every tenth page, read whole in a child process whose
    peak memory (ru_maxrss) is measured."""
    rows = [["№", "Мероприятие", "Сроки"]] + [
        [str(i), f"Мероприятие {i} по плану методической работы", "Май 2022"] for i in range(25)
    ]
    paras = [f"Абзац {i}: отчёт о работе школьного методического объединения." for i in range(45)]
    text_pdf = make_pdf(tmp_path / "text.pdf", paras * 9)
    table_pdf = make_pdf(tmp_path / "table.pdf", [], [{"rows": rows}])
    import pypdfium2 as pdfium

    big = pdfium.PdfDocument.new()
    sources = [pdfium.PdfDocument(str(p)) for p in (text_pdf, table_pdf)]
    while len(big) < 500:
        big.import_pages(sources[0], pages=[0] * min(9, 500 - len(big)))
        if len(big) < 500:
            big.import_pages(sources[1], pages=[0])
    big.save(str(tmp_path / "big.pdf"))
    for s in sources:
        s.close()
    big.close()
    script = (
        "import json, resource, sys, time\n"
        "from extractors.extract import extract\n"
        "t = time.monotonic()\n"
        "doc = extract(sys.argv[1])\n"
        "print(json.dumps({'ok': doc.ok, 'pages': doc.n_pages, 'tables': len(doc.tables),\n"
        "  'read': len({b.page for b in doc.blocks}), 'seconds': time.monotonic() - t,\n"
        "  'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "big.pdf")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["ok"] and result["pages"] == 500 and result["read"] == 500
    assert result["tables"] == 50
    assert result["rss_mb"] < 1024, result
    assert result["seconds"] < 30, result
