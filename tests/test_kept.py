"""What a file's reading keeps besides its extraction (`extractors.kept`): pages read by
OCR, kept by their pixels, and LibreOffice conversions, kept by the file's bytes. Neither is
made again for the same page or file, whichever file brings it, nor after an update of the
extractors' other code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

import extractors.ocr as ocr
from extractors.kept import kept
from extractors.settings import DEFAULT_SETTINGS, ExtractSettings
from tests.builders import make_pdf, rasterise

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract")
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")

PAGES = [
    [
        "Приказ о создании рабочей группы по реализации антирисковой программы.",
        "Назначить ответственным заместителя директора по учебной работе Иванову М. П.",
        "Провести заседание методического объединения учителей в марте 2022 года.",
    ],
    [
        "Протокол заседания педагогического совета школы номер три от пятого апреля.",
        "Слушали отчёт о ходе реализации плана мероприятий по повышению мотивации.",
        "Решили продолжить работу наставников с молодыми учителями до конца года.",
    ],
    [
        "Аналитическая справка по итогам диагностики профессиональных дефицитов.",
        "В анкетировании приняли участие двадцать шесть педагогов начальной школы.",
        "Рекомендовано включить курсы повышения квалификации в план на следующий год.",
    ],
]


@pytest.fixture
def tesseract_reads(monkeypatch) -> list[tuple[int, int]]:
    """The sizes of the images tesseract was asked to read words from, in this process."""
    reads: list[tuple[int, int]] = []
    real = ocr.tesseract_words

    def counting(image, settings, timeout, dpi=300):
        reads.append(image.size)
        return real(image, settings, timeout, dpi)

    monkeypatch.setattr(ocr, "tesseract_words", counting)
    return reads


def _page_image(tmp_path: Path, page: int = 0) -> Image.Image:
    pdf = make_pdf(tmp_path / f"text{page}.pdf", PAGES[page])
    return Image.open(rasterise(pdf, tmp_path / f"page{page}.png", dpi=150))


def _scan(tmp_path: Path, pages: list[int], out: Path) -> Path:
    """An image-only PDF of `PAGES`' pages, as an office scanner sends it."""
    images = [_page_image(tmp_path, i).convert("L") for i in pages]
    images[0].save(out, save_all=True, append_images=images[1:], resolution=150)
    return out


def _texts(result: ocr.OcrPage) -> list[str]:
    return [b.text for b in result.blocks]


@needs_tesseract
def test_a_page_read_before_is_taken_from_the_store_as_the_page_it_is_now(
    tmp_path: Path, tesseract_reads: list
) -> None:
    image = _page_image(tmp_path)
    store: dict = {}
    with kept(_DictStore(store)):
        first = ocr.ocr_image(image, 1, DEFAULT_SETTINGS, 60, dpi=150)
        assert len(tesseract_reads) == 1 and "рабочей группы" in " ".join(_texts(first))
        again = ocr.ocr_image(image.copy(), 4, DEFAULT_SETTINGS, 60, dpi=150)
    assert len(tesseract_reads) == 1  # not read again
    assert _texts(again) == _texts(first)
    assert {b.page for b in again.blocks} == {4} and {b.page for b in first.blocks} == {1}
    assert list(store) and all(k.startswith(ocr.page_prefix(DEFAULT_SETTINGS)) for k in store)


@needs_tesseract
def test_other_pixels_or_other_settings_are_read_again_and_no_store_keeps_nothing(
    tmp_path: Path, tesseract_reads: list
) -> None:
    image = _page_image(tmp_path)
    store: dict = {}
    with kept(_DictStore(store)):
        ocr.ocr_image(image, 1, DEFAULT_SETTINGS, 60, dpi=150)
        marked = image.convert("L")
        marked.putpixel((3, 3), 0)  # one pixel: another page
        ocr.ocr_image(marked, 1, DEFAULT_SETTINGS, 60, dpi=150)
        stricter = ExtractSettings(ocr_min_word_conf=60)
        ocr.ocr_image(image, 1, stricter, 60, dpi=150)
        ocr.ocr_image(image, 1, DEFAULT_SETTINGS, 60, dpi=200)  # another resolution
    assert len(tesseract_reads) == 4 and len(store) == 4
    ocr.ocr_image(image, 1, DEFAULT_SETTINGS, 60, dpi=150)  # outside `kept`
    assert len(tesseract_reads) == 5 and len(store) == 4


@needs_tesseract
def test_a_failed_page_is_not_kept(tmp_path: Path, monkeypatch) -> None:
    image = _page_image(tmp_path)
    store: dict = {}

    def timeout(*args, **kwargs):
        raise ocr.OcrFailed("OCR took longer than 1 s")

    monkeypatch.setattr(ocr, "_run_once", timeout)
    with kept(_DictStore(store)), pytest.raises(ocr.OcrFailed):
        ocr.ocr_image(image, 1, DEFAULT_SETTINGS, 1, dpi=150)
    assert store == {}


@needs_tesseract
def test_the_version_changes_with_the_tesseract_and_its_language_files(tmp_path: Path) -> None:
    """Another tesseract, or another model put in its language folder, reads pages
    differently: their pages are kept under another prefix, and pruned as old."""
    real = shutil.which("tesseract")
    assert real is not None
    tessdata = tmp_path / "tessdata"
    tessdata.mkdir()
    fake = tmp_path / "tesseract"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = --version ]; then echo "tesseract 5.3.0"; echo " Found AVX2";'
        " echo ' libcurl/7.88.1'; exit 0; fi\n"
        f"echo 'List of available languages in \"{tessdata}/\" (1):'; echo rus\n"
    )
    fake.chmod(0o755)
    (tessdata / "rus.traineddata").write_bytes(b"fast model")
    first = ocr._tesseract_identity(str(fake))
    assert first.splitlines()[:2] == ["tesseract 5.3.0", "Found AVX2"]
    assert "libcurl" not in first  # a library update is not another reading
    (tessdata / "rus.traineddata").write_bytes(b"the best model, larger")
    assert ocr._tesseract_identity(str(fake)) != first
    assert ocr._tesseract_identity(str(tmp_path / "none")) == "unavailable"
    assert ocr.page_version(real) != ocr.page_version(str(fake))


@needs_tesseract
def test_a_review_reads_a_page_once_across_files_and_updates_of_the_extractors(
    tmp_path: Path, tesseract_reads: list, monkeypatch
) -> None:
    """In a school's review (`pipelines.work`), as the workers run it: an update of the
    extractors' code reads every file again but OCRs no page read before, and a scan
    uploaded again with a page added has only that page read."""
    import pipelines.work as work

    school = tmp_path / "region" / "school"
    school.mkdir(parents=True)
    _scan(tmp_path, [0, 1], school / "Протокол скан.pdf")
    cache = work.FileCache(tmp_path / "cache")
    docs, _ = work.school_documents(school, cache, "model")
    assert len(tesseract_reads) == 2
    read = {d.path: [b.text for b in d.blocks] for d in docs}

    monkeypatch.setattr(work, "_extraction_prefix", lambda: "extract-another-version-")
    docs, _ = work.school_documents(school, cache, "model")
    assert len(tesseract_reads) == 2  # read again by the new code, its pages from the cache
    assert {d.path: [b.text for b in d.blocks] for d in docs} == read

    _scan(tmp_path, [0, 1, 2], school / "Протокол скан.pdf")  # uploaded again, a page added
    docs, _ = work.school_documents(school, cache, "model")
    assert len(tesseract_reads) == 3
    (scan,) = docs
    assert scan.ocr_pages == [1, 2, 3]
    assert "профессиональных дефицитов" in " ".join(b.text for b in scan.blocks if b.page == 3)


@pytest.fixture
def libreoffice_runs(monkeypatch) -> list[list[str]]:
    """The LibreOffice commands run in this process."""
    import extractors.office as office

    runs: list[list[str]] = []
    real = office._run

    def counting(cmd, env, timeout):
        runs.append(cmd)
        return real(cmd, env, timeout)

    monkeypatch.setattr(office, "_run", counting)
    return runs


@needs_soffice
def test_a_conversion_is_made_once_for_the_same_bytes(
    tmp_path: Path, libreoffice_runs: list
) -> None:
    from extractors.extract import extract
    from tests.builders import make_docx, render_with_libreoffice

    docx = make_docx(tmp_path / "protocol.docx", PAGES[1])
    old = render_with_libreoffice(docx, "doc", tmp_path / "Протокол.doc")
    libreoffice_runs.clear()
    store: dict = {}
    with kept(_DictStore(store)):
        first = extract(old)
        assert len(libreoffice_runs) == 1 and first.ok and "Слушали отчёт" in first.text()
        renamed = shutil.copyfile(old, tmp_path / "Протокол педсовета.doc")
        again = extract(renamed)
    assert len(libreoffice_runs) == 1  # the same bytes: not converted again
    assert [b.text for b in again.blocks] == [b.text for b in first.blocks]
    assert list(store) and all(k.startswith("convert-") for k in store)
    extract(old)  # outside `kept`
    assert len(libreoffice_runs) == 2


def test_a_failed_conversion_is_not_kept_and_the_version_follows_libreoffice(
    tmp_path: Path,
) -> None:
    from extractors.extract import extract
    from extractors.office import conversion_version

    program = tmp_path / "program"
    program.mkdir()
    (program / "versionrc").write_text("[Version]\nbuildid=1\n")
    (program / "libswlo.so").write_bytes(b"writer")
    soffice = program / "soffice"
    soffice.write_text("#!/bin/sh\necho 'Error: source file could not be loaded'\nexit 1\n")
    soffice.chmod(0o755)
    rtf = tmp_path / "Справка.rtf"
    rtf.write_text("{\\rtf1 broken")
    store: dict = {}
    with kept(_DictStore(store)):
        doc = extract(rtf, settings=ExtractSettings(soffice=str(soffice)))
    assert not doc.ok and doc.errors[0].stage == "convert" and store == {}
    # Another LibreOffice (here: one whose Writer library changed) is another version.
    other = tmp_path / "other"
    shutil.copytree(program, other)
    (other / "libswlo.so").write_bytes(b"writer, updated")
    assert conversion_version(str(other / "soffice")) != conversion_version(str(soffice))
    assert conversion_version(str(tmp_path / "none")) == "unavailable"


@needs_soffice
def test_an_update_of_the_extractors_converts_no_file_again(
    tmp_path: Path, libreoffice_runs: list, monkeypatch
) -> None:
    import pipelines.work as work
    from tests.builders import make_docx, render_with_libreoffice

    school = tmp_path / "region" / "school"
    school.mkdir(parents=True)
    docx = make_docx(tmp_path / "protocol.docx", PAGES[1])
    render_with_libreoffice(docx, "doc", school / "Протокол.doc")
    libreoffice_runs.clear()
    cache = work.FileCache(tmp_path / "cache")
    docs, _ = work.school_documents(school, cache, "model")
    assert len(libreoffice_runs) == 1
    monkeypatch.setattr(work, "_extraction_prefix", lambda: "extract-another-version-")
    again, _ = work.school_documents(school, cache, "model")
    assert len(libreoffice_runs) == 1  # read again by the new code, its conversion kept
    assert [b.text for b in again[0].blocks] == [b.text for b in docs[0].blocks]


class _DictStore:
    """A store in memory, pickling nothing: what `ocr_image` hands it is what it gets back,
    so a kept reading changed by a later page would show here."""

    def __init__(self, entries: dict) -> None:
        self.entries = entries

    def get(self, key: str):
        return self.entries.get(key)

    def put(self, key: str, value) -> bool:
        self.entries[key] = value
        return True
