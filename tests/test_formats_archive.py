"""Region exports and school uploads as ZIP archives, expanded into folders safely."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from extractors.archive import expand_archive, member_name, prepare_input
from extractors.extract import extract
from extractors.settings import ExtractSettings
from tests.builders import files_under, make_docx, make_pdf


def _windows_zip(path: Path, files: dict[str, bytes], codec: str = "cp866") -> Path:
    """A ZIP as Windows' "Send to compressed folder" writes it on a Russian system: names in
    cp866 (`codec`) and no UTF-8 flag. zipfile itself would flag non-ASCII names as UTF-8,
    so ASCII placeholders of the same byte length are written and patched to the bytes."""
    placeholders = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, data) in enumerate(files.items()):
            raw = name.encode(codec)
            token = f"@{i:03d}".encode().ljust(len(raw), b"#")
            placeholders[token] = raw
            zf.writestr(token.decode("ascii"), data)
    blob = path.read_bytes()
    for token, raw in placeholders.items():
        blob = blob.replace(token, raw)
    path.write_bytes(blob)
    return path


def test_cp1251_names_of_tools_that_used_the_ansi_code_page_come_out_right(
    tmp_path: Path,
) -> None:
    names = ["Приказ №5 от 12.03.docx", "Протокол совета.pdf"]
    archive = _windows_zip(tmp_path / "ansi.zip", dict.fromkeys(names, b"x"), codec="cp1251")
    with zipfile.ZipFile(archive) as zf:
        assert all(not (i.flag_bits & 0x800) for i in zf.infolist())
        assert [member_name(i) for i in zf.infolist()] == names


def test_cp866_names_from_windows_come_out_right(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "p.pdf", ["Протокол заседания педсовета № 3"])
    archive = _windows_zip(
        tmp_path / "school.zip",
        {"Школа № 1/Протокол педсовета.pdf": pdf.read_bytes(), "Школа № 1/Фото/ё.txt": b"x"},
    )
    with zipfile.ZipFile(archive) as zf:
        assert all(not (i.flag_bits & 0x800) for i in zf.infolist())
        assert [member_name(i) for i in zf.infolist()] == [
            "Школа № 1/Протокол педсовета.pdf",
            "Школа № 1/Фото/ё.txt",
        ]
    report = expand_archive(archive, tmp_path / "out")
    assert not report.errors
    expanded = tmp_path / "out" / "Школа № 1" / "Протокол педсовета.pdf"
    assert expanded in report.files
    doc = extract(expanded, root=tmp_path / "out")
    assert doc.ok and doc.path == "Школа № 1/Протокол педсовета.pdf"


def test_utf8_names_with_and_without_the_flag(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Справка.txt", "Справка")  # zipfile sets the UTF-8 flag
    report = expand_archive(archive, tmp_path / "out")
    assert [p.name for p in report.files] == ["Справка.txt"]
    # macOS and Linux tools often write UTF-8 without the flag.
    raw = tmp_path / "b.zip"
    name = "Отчёт_2022".encode()
    with zipfile.ZipFile(raw, "w") as zf:
        zf.writestr("@" * len(name) + ".txt", "x")
    blob = raw.read_bytes().replace(b"@" * len(name), name)
    raw.write_bytes(blob)
    report = expand_archive(raw, tmp_path / "out2")
    assert [p.name for p in report.files] == ["Отчёт_2022.txt"]


def test_no_path_escapes_the_destination(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../escaped.txt", "x")
        zf.writestr("/etc/cron.d/evil", "x")
        zf.writestr("C:\\Windows\\evil.txt", "x")
        zf.writestr("ok/../../../also.txt", "x")
        zf.writestr("Школа/Приказ.txt", "Приказ")
        link = zipfile.ZipInfo("Школа/link")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    dest = tmp_path / "region" / "out"
    report = expand_archive(archive, dest)
    assert [p.relative_to(dest).as_posix() for p in report.files] == ["Школа/Приказ.txt"]
    assert len(report.errors) == 4 and all(e.stage == "archive" for e in report.errors)
    assert any("symbolic link" in w for w in report.warnings)
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {"evil.zip", "region/out/Школа/Приказ.txt"}


def test_limits_refuse_bombs(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.bin", bytes(40 * 1024**2))
        zf.writestr("Приказ.txt", "Приказ")
    small = ExtractSettings(archive_max_inflated_bytes=10 * 1024**2)
    report = expand_archive(archive, tmp_path / "a", small)
    assert not report.files and "over the limit" in report.errors[0].reason
    # Within the total, the one part that inflates 1000x is still refused.
    report = expand_archive(archive, tmp_path / "b")
    assert [p.name for p in report.files] == ["Приказ.txt"]
    assert "zip bomb" in report.errors[0].reason
    few = ExtractSettings(archive_max_members=1)
    assert "files in the archive" in expand_archive(archive, tmp_path / "c", few).errors[0].reason


def test_nested_school_zip_in_region_zip(tmp_path: Path) -> None:
    docx = make_docx(tmp_path / "АРП.docx", ["Антирисковая программа"])
    school = _windows_zip(tmp_path / "upload.zip", {"АРП школы.docx": docx.read_bytes()})
    region = tmp_path / "region.zip"
    with zipfile.ZipFile(region, "w") as zf:
        zf.write(school, "Школа 1/Загрузка.zip")
        zf.writestr("Школа 2/Справка.txt", "Справка о проведении")
    root, errors = prepare_input(region, tmp_path / "work")
    assert not errors
    assert files_under(root) == ["Школа 1/Загрузка/АРП школы.docx", "Школа 2/Справка.txt"]


def test_prepare_input_mirrors_folders_with_zip_uploads(tmp_path: Path) -> None:
    region = tmp_path / "region"
    (region / "Школа 1").mkdir(parents=True)
    (region / "Школа 2").mkdir()
    make_pdf(region / "Школа 1" / "Приказ.pdf", ["Приказ"])
    _windows_zip(region / "Школа 2" / "документы.zip", {"Протокол.txt": b"Protocol"})
    root, errors = prepare_input(region, tmp_path / "work")
    assert not errors and root != region
    assert files_under(root) == ["Школа 1/Приказ.pdf", "Школа 2/документы/Протокол.txt"]
    # The operator's input is untouched.
    assert (region / "Школа 2" / "документы.zip").exists()
    plain = tmp_path / "plain"
    (plain / "Школа").mkdir(parents=True)
    assert prepare_input(plain, tmp_path / "work2") == (plain, [])


def test_what_a_schools_archive_could_not_unpack_is_noted_in_its_folder(tmp_path: Path) -> None:
    """The review puts these on the school's sheet (`pipelines.school.Listing.unpacking`):
    before s20 they were printed on the CLI's stderr alone."""
    from extractors.archive import unpacking_errors

    region = tmp_path / "region"
    for school in ("Школа 1", "Школа 2"):
        (region / school).mkdir(parents=True)
        make_pdf(region / school / "Приказ.pdf", ["Приказ"])
    with zipfile.ZipFile(region / "Школа 2" / "загрузка.zip", "w") as zf:
        zf.writestr("Протокол.txt", "Протокол")
        zf.writestr("../../вне.txt", "x")
    root, errors = prepare_input(region, tmp_path / "work")
    assert [e.file for e in errors] == ["Школа 2/загрузка.zip/../../вне.txt"]
    assert unpacking_errors(root / "Школа 1") == []
    (noted,) = unpacking_errors(root / "Школа 2")
    assert noted.file == "загрузка.zip/../../вне.txt" and noted.reason == errors[0].reason
    assert (root / "Школа 2" / "загрузка" / "Протокол.txt").is_file()


def test_damaged_archive_is_an_error_record(tmp_path: Path) -> None:
    archive = tmp_path / "broken.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.txt", "x" * 1000)
    archive.write_bytes(archive.read_bytes()[:-30])
    report = expand_archive(archive, tmp_path / "out")
    assert report.errors and report.errors[0].stage == "archive"


def test_export_wrapped_in_one_folder_and_a_folder_holding_only_the_zip(tmp_path: Path) -> None:
    region = tmp_path / "in" / "Экспорт.zip"
    region.parent.mkdir()
    with zipfile.ZipFile(region, "w") as zf:
        zf.writestr("Регион 2022/Школа 1/Приказ.txt", "Приказ")
        zf.writestr("Регион 2022/Школа 2/Справка.txt", "Справка")
    for source in (region, region.parent):
        root, errors = prepare_input(source, tmp_path / "work")
        assert not errors
        assert root.name == "Регион 2022"
        assert sorted(p.name for p in root.iterdir()) == ["Школа 1", "Школа 2"]


def test_a_rerun_unpacks_only_the_archives_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before s21 every run unpacked every archive again: about 10 s for 100 schools that
    uploaded theirs as ZIP or RAR, on each of an operator's daily re-runs."""
    from extractors import archive as archive_module
    from tests.rar import make_rar5

    region = tmp_path / "region"
    for school in ("Школа 1", "Школа 2", "Школа 3"):
        (region / school).mkdir(parents=True)
    with zipfile.ZipFile(region / "Школа 1" / "загрузка.zip", "w") as zf:
        zf.writestr("Протокол.txt", "Протокол")
        zf.writestr("../вне.txt", "x")
    make_rar5(region / "Школа 2" / "документы.rar", {"Приказ.txt": "Приказ".encode()})
    make_rar5(region / "Школа 3" / "старое.rar", {"План.txt": b"plan"})
    first, errors = prepare_input(region, tmp_path / "work")
    listing = _listing(first)
    unpacked: list[str] = []
    real = archive_module.expand_archive

    def counted(archive: Path, *args, **kwargs):
        unpacked.append(archive.name)
        return real(archive, *args, **kwargs)

    monkeypatch.setattr(archive_module, "expand_archive", counted)
    again, errors_again = prepare_input(region, tmp_path / "work")
    assert unpacked == [] and again == first
    assert _listing(again) == listing and errors_again == errors
    assert [e.file for e in errors] == ["Школа 1/загрузка.zip/../вне.txt"]
    # One upload replaced, one taken away: only the new one is unpacked, the old one's
    # expansion is dropped from the work folder.
    make_rar5(region / "Школа 2" / "документы.rar", {"Приказ №2.txt": "Приказ".encode()})
    (region / "Школа 3" / "старое.rar").unlink()
    third, _ = prepare_input(region, tmp_path / "work")
    assert unpacked == ["документы.rar"]
    assert files_under(third) == [
        "Школа 1/.unpacking-errors.json",
        "Школа 1/загрузка/Протокол.txt",
        "Школа 2/документы/Приказ №2.txt",
    ]
    kept = [p for p in (tmp_path / "work" / ".unpacked").iterdir() if p.is_dir()]
    assert len(kept) == 2


def _listing(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_an_archive_that_cannot_be_read_when_unpacked_is_an_error_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Taken away or locked between the listing and the unpacking: the run goes on."""
    from extractors import archive as archive_module

    region = tmp_path / "region"
    for school in ("Школа 1", "Школа 2"):
        (region / school).mkdir(parents=True)
        with zipfile.ZipFile(region / school / "загрузка.zip", "w") as zf:
            zf.writestr("Протокол.txt", "Протокол")
    real = archive_module.sha256_of

    def locked(path: Path) -> str:
        if "Школа 1" in str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(archive_module, "sha256_of", locked)
    root, errors = prepare_input(region, tmp_path / "work")
    assert [e.file for e in errors] == ["Школа 1/загрузка.zip"]
    assert errors[0].reason.startswith("the archive cannot be read (PermissionError")
    assert files_under(root) == ["Школа 1/.unpacking-errors.json", "Школа 2/загрузка/Протокол.txt"]
