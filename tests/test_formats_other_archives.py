"""School uploads packed as RAR, 7-Zip, tar or gzip, unpacked through libarchive with the
same safety as ZIPs. Before s21 such an upload was one error record ("a RAR archive: the
files in it are not read") and none of its documents was reviewed."""

from __future__ import annotations

import gzip
import io
import sys
import tarfile
import zipfile
from pathlib import Path

import libarchive
import pytest

from extractors import archive as archive_module
from extractors.archive import expand_archive, prepare_input, unpacking_errors
from extractors.extract import extract
from extractors.settings import ExtractSettings
from tests.builders import files_under, make_docx, make_pdf
from tests.rar import make_rar4, make_rar5, make_rar5_volumes


def _tar(path: Path, members: list[tarfile.TarInfo], data: dict[str, bytes], mode: str = "w"):
    with tarfile.open(path, mode, format=tarfile.GNU_FORMAT, encoding="cp1251") as tar:
        for info in members:
            payload = data.get(info.name)
            if payload is not None:
                info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload) if payload is not None else None)
    return path


def test_a_schools_rar_upload_is_unpacked_and_its_documents_read(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "p.pdf", ["Протокол заседания педагогического совета № 3"])
    docx = make_docx(tmp_path / "d.docx", ["Приказ об утверждении дорожной карты"])
    region = tmp_path / "region"
    (region / "Школа 1").mkdir(parents=True)
    make_rar5(
        region / "Школа 1" / "Документы.rar",
        {
            "Протоколы/": b"",
            "Протоколы/Протокол № 3.pdf": pdf.read_bytes(),
            "Приказ.docx": docx.read_bytes(),
        },
    )
    root, errors = prepare_input(region, tmp_path / "work")
    assert errors == []
    assert files_under(root) == [
        "Школа 1/Документы/Приказ.docx",
        "Школа 1/Документы/Протоколы/Протокол № 3.pdf",
    ]
    doc = extract(root / "Школа 1" / "Документы" / "Протоколы" / "Протокол № 3.pdf", root=root)
    assert doc.ok and "педагогического совета" in " ".join(b.text for b in doc.blocks)
    assert (region / "Школа 1" / "Документы.rar").is_file()  # the input is left as it was


def test_old_rar_names_in_the_dos_code_page_and_encrypted_members(tmp_path: Path) -> None:
    """WinRAR before 5 on a Russian Windows wrote names in cp866; libarchive hands them over
    as bytes, read as names on disk are."""
    archive = make_rar4(
        tmp_path / "архив.rar",
        {"Папка/Приказ №5.txt": "Приказ".encode(), "Секрет.txt": b"x" * 10},
        encrypted=frozenset({"Секрет.txt"}),
    )
    report = expand_archive(archive, tmp_path / "out")
    assert files_under(tmp_path / "out") == ["Папка/Приказ №5.txt"]
    assert [(e.file, e.reason) for e in report.errors] == [
        ("архив.rar/Секрет.txt", "encrypted in the archive")
    ]
    windows = make_rar4(tmp_path / "ansi.rar", {"Справка.txt": b"x"}, codec="cp1251")
    assert [p.name for p in expand_archive(windows, tmp_path / "ansi").files] == ["Справка.txt"]


def test_a_7z_upload_holding_a_zip_is_unpacked_through_both(tmp_path: Path) -> None:
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("Справка.txt", "Справка о проведении")
    archive = tmp_path / "upload.7z"
    with libarchive.file_writer(str(archive), "7zip") as writer:
        writer.add_file_from_memory("Отчёт/итоги.txt", 5, b"itogi")
        writer.add_file_from_memory("Вложение.zip", inner.stat().st_size, inner.read_bytes())
    report = expand_archive(archive, tmp_path / "out")
    assert report.errors == []
    assert files_under(tmp_path / "out") == ["Вложение/Справка.txt", "Отчёт/итоги.txt"]


def test_no_tar_member_escapes_and_links_and_pipes_are_skipped(tmp_path: Path) -> None:
    link = tarfile.TarInfo("Школа/пароли")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    hard = tarfile.TarInfo("Школа/жёсткая")
    hard.type, hard.linkname = tarfile.LNKTYPE, "../../etc/passwd"
    pipe = tarfile.TarInfo("Школа/канал")
    pipe.type = tarfile.FIFOTYPE
    names = ["../../вне.txt", "/etc/cron.d/evil", "Школа/Приказ.txt"]
    archive = _tar(
        tmp_path / "upload.tar",
        [tarfile.TarInfo(n) for n in names] + [link, hard, pipe],
        dict.fromkeys(names, "Приказ".encode()),
    )
    dest = tmp_path / "region" / "out"
    report = expand_archive(archive, dest)
    assert [p.relative_to(dest).as_posix() for p in report.files] == ["Школа/Приказ.txt"]
    assert sorted(e.file for e in report.errors) == [
        "upload.tar/../../вне.txt",
        "upload.tar//etc/cron.d/evil",
    ]
    assert {e.reason for e in report.errors} == {"a path outside the archive"}
    assert len(report.warnings) == 3
    assert files_under(tmp_path) == ["region/out/Школа/Приказ.txt", "upload.tar"]


def test_a_file_gzipped_on_its_own_is_unpacked_as_itself(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "p.pdf", ["Аналитическая справка"])
    archive = tmp_path / "Справка.pdf.gz"
    archive.write_bytes(gzip.compress(pdf.read_bytes()))
    report = expand_archive(archive, tmp_path / "out")
    assert report.errors == [] and files_under(tmp_path / "out") == ["Справка.pdf"]
    assert extract(tmp_path / "out" / "Справка.pdf").ok
    tgz = _tar(
        tmp_path / "upload.tgz", [tarfile.TarInfo("Приказ.txt")], {"Приказ.txt": b"x"}, "w:gz"
    )
    assert files_under(expand_archive(tgz, tmp_path / "tgz").files[0].parent) == ["Приказ.txt"]


def test_limits_refuse_bombs_and_remove_what_was_written(tmp_path: Path) -> None:
    zeros = bytes(40 * 1024**2)
    archive = _tar(
        tmp_path / "bomb.tar.gz",
        [tarfile.TarInfo("Приказ.txt"), tarfile.TarInfo("zeros.bin")],
        {"Приказ.txt": "Приказ".encode(), "zeros.bin": zeros},
        "w:gz",
    )
    assert archive.stat().st_size < 100 * 1024
    # Over the whole export's limit: refused whole, the member written before it removed.
    small = ExtractSettings(archive_max_inflated_bytes=5 * 1024**2)
    report = expand_archive(archive, tmp_path / "a", small)
    assert report.files == [] and files_under(tmp_path / "a") == []
    (refused,) = report.errors
    assert refused.reason == "the archive inflates over the limit (5 MB in all)"
    # Within it, 40 MB out of some 40 KB is a bomb.
    report = expand_archive(archive, tmp_path / "b")
    assert report.files == [] and "archive bomb" in report.errors[0].reason
    few = ExtractSettings(archive_max_members=1)
    assert "files in the archive" in expand_archive(archive, tmp_path / "c", few).errors[0].reason
    # A lone gzipped file declares no size: counted as it is written, and stopped.
    lone = tmp_path / "zeros.bin.gz"
    lone.write_bytes(gzip.compress(zeros))
    report = expand_archive(lone, tmp_path / "d")
    assert "archive bomb" in report.errors[0].reason and files_under(tmp_path / "d") == []


def test_a_truncated_rar_keeps_the_members_before_the_damage(tmp_path: Path) -> None:
    archive = make_rar5(
        tmp_path / "upload.rar", {"Приказ.txt": b"x" * 100, "Протокол.txt": b"y" * 5000}
    )
    archive.write_bytes(archive.read_bytes()[:-3000])
    report = expand_archive(archive, tmp_path / "out")
    assert [p.name for p in report.files] == ["Приказ.txt"]
    assert (tmp_path / "out" / "Приказ.txt").read_bytes() == b"x" * 100
    assert report.errors[-1].file == "upload.rar"
    assert "damaged" in report.errors[-1].reason and "after 1 files" in report.errors[-1].reason


def test_without_libarchive_a_rar_is_an_error_on_its_schools_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    region = tmp_path / "region"
    (region / "Школа").mkdir(parents=True)
    make_rar5(region / "Школа" / "upload.rar", {"Приказ.txt": b"x"})
    # Where libarchive-c looks for the library: nothing there, as on a machine without it.
    monkeypatch.setenv("LIBARCHIVE", str(tmp_path / "no-libarchive.so"))
    root, errors = prepare_input(region, tmp_path / "work")
    (noted,) = unpacking_errors(root / "Школа")
    assert noted.file == "upload.rar" and errors[0].reason == noted.reason
    assert "libarchive is missing" in noted.reason and "install-system-deps" in noted.reason
    # On the sheet, the kind of file it is: an archive, not a ZIP.
    from pipelines.school import list_school

    (record,) = list_school(root / "Школа").unpacking_documents()
    assert (record.path, record.format) == ("upload.rar", "archive")


# A child that writes part of the archive out and dies as a crash in libarchive would.
_CRASHING = (
    "import json, os, pathlib, signal, sys; job = json.loads(sys.stdin.readline()); "
    "d = pathlib.Path(job['dest']); d.mkdir(parents=True); (d / 'half.pdf').write_bytes(b'x'); "
    "os.kill(os.getpid(), signal.SIGSEGV)"
)


def test_a_crash_or_hang_in_the_unpacker_costs_its_archive_not_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    region = tmp_path / "region"
    for school in ("Школа 1", "Школа 2"):
        (region / school).mkdir(parents=True)
    make_rar5(region / "Школа 1" / "upload.rar", {"Приказ.txt": b"x"})
    with zipfile.ZipFile(region / "Школа 2" / "upload.zip", "w") as zf:
        zf.writestr("Протокол.txt", "Протокол")
    monkeypatch.setattr(archive_module, "UNPACKER", [sys.executable, "-c", _CRASHING])
    root, errors = prepare_input(region, tmp_path / "work")
    assert [(e.file, e.reason) for e in errors] == [
        (
            "Школа 1/upload.rar",
            "the unpacker crashed on this archive (SIGSEGV); nothing of it was kept",
        )
    ]
    assert files_under(root) == [
        "Школа 1/.unpacking-errors.json",
        "Школа 2/upload/Протокол.txt",
    ]
    hanging = [sys.executable, "-c", "import time; time.sleep(30)"]
    monkeypatch.setattr(archive_module, "UNPACKER", hanging)
    quick = ExtractSettings(max_seconds_per_file=1)
    report = expand_archive(region / "Школа 1" / "upload.rar", tmp_path / "out", quick)
    assert [e.reason for e in report.errors] == ["unpacking took over 1 s and was stopped"]


# The real child, which notes its pid for each job and crashes on archives named "crash".
_NOTING = """
import json, os, signal, sys
from pathlib import Path
from extractors.unpack import Limits, unpack
for line in sys.stdin:
    job = json.loads(line)
    with open(sys.argv[1], "a") as pids:
        pids.write(f"{Path(job['archive']).name} {os.getpid()}\\n")
    if "crash" in job["archive"]:
        os.kill(os.getpid(), signal.SIGSEGV)
    done = unpack(Path(job["archive"]), Path(job["dest"]), job["kind"], job["shown"],
                  Limits(**job["limits"]))
    print(json.dumps(done.__dict__), flush=True)
"""


def test_one_child_unpacks_the_runs_archives_and_a_new_one_follows_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child each cost about 0.15 s an archive, more than the unpacking: 9 s for 50 RARs."""
    region = tmp_path / "region"
    for school in ("a", "b", "c", "d"):
        (region / school).mkdir(parents=True)
        name = "crash" if school == "b" else "upload"
        make_rar5(region / school / f"{name}.rar", {f"{school}.txt": school.encode()})
    pids = tmp_path / "pids.txt"
    monkeypatch.setattr(archive_module, "UNPACKER", [sys.executable, "-c", _NOTING, str(pids)])
    root, errors = prepare_input(region, tmp_path / "work")
    assert [e.file for e in errors] == ["b/crash.rar"]
    assert [f for f in files_under(root) if f.endswith(".txt")] == [
        "a/upload/a.txt",
        "c/upload/c.txt",
        "d/upload/d.txt",
    ]
    (_, first), (_, crashed), (_, third), (_, fourth) = (
        line.split() for line in pids.read_text().splitlines()
    )
    assert first == crashed != third == fourth


def test_a_rar_in_several_volumes_is_read_as_one(tmp_path: Path) -> None:
    """libarchive, given one volume, returns the start of a file that goes on in the next as
    if it were the whole: before, half a scan was reviewed as the document."""
    pdf = make_pdf(tmp_path / "p.pdf", ["Протокол заседания педагогического совета № 3"])
    region = tmp_path / "region"
    school = region / "Школа"
    school.mkdir(parents=True)
    members = {"Приказ.txt": "Приказ".encode(), "Протокол.pdf": pdf.read_bytes()}
    # Three volumes, the last a small one: libarchive 3.6.2 failed on a last volume of
    # less than about 500 bytes until zeros were read after it (`extractors.unpack._reader`).
    size = (pdf.stat().st_size + 12 - 100) // 2
    parts = make_rar5_volumes(school, "Сканы", members, size)
    assert [p.name for p in parts] == ["Сканы.part1.rar", "Сканы.part2.rar", "Сканы.part3.rar"]
    assert parts[-1].stat().st_size < 300
    root, errors = prepare_input(region, tmp_path / "work")
    assert errors == []
    assert files_under(root) == ["Школа/Сканы/Приказ.txt", "Школа/Сканы/Протокол.pdf"]
    assert (root / "Школа" / "Сканы" / "Протокол.pdf").read_bytes() == pdf.read_bytes()
    # A middle volume cut off in the upload: the error says how the archive was read.
    whole = parts[1].read_bytes()
    parts[1].write_bytes(whole[: len(whole) // 2])
    root, errors = prepare_input(region, tmp_path / "work")
    assert "Протокол.pdf" not in files_under(root)[-1]
    assert "read as a RAR in 3 volumes" in errors[-1].reason, errors
    parts[1].write_bytes(whole)
    # The last volume not uploaded: the file it ends is refused, not read as a whole.
    parts[-1].unlink()
    root, errors = prepare_input(region, tmp_path / "work")
    assert files_under(root) == ["Школа/.unpacking-errors.json", "Школа/Сканы/Приказ.txt"]
    (short,) = errors
    assert short.file == "Школа/Сканы.part1.rar/Протокол.pdf"
    assert short.reason.startswith("cut short:") and "several parts" in short.reason
    # The first volume missing: nothing to start from.
    parts[0].unlink()
    root, errors = prepare_input(region, tmp_path / "work")
    assert [(e.file, e.reason.split(":")[0]) for e in errors] == [
        ("Школа/Сканы.part2.rar", "a volume of a RAR in several parts whose first part is missing")
    ]


def test_rar_volumes_are_grouped_by_winrars_names(tmp_path: Path) -> None:
    names = [
        "a.part1.rar", "a.part2.rar", "a.part10.rar", "b.rar", "b.r00", "b.r01",
        "c.rar", "d.part2.rar", "e.r00", "f.zip", "g.part1.rar",
    ]  # fmt: skip
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    groups = archive_module.rar_volumes([tmp_path / n for n in sorted(names)])
    assert [[p.name for p in g] for g in groups] == [
        ["a.part1.rar", "a.part2.rar", "a.part10.rar"],
        ["b.rar", "b.r00", "b.r01"],
        ["c.rar"],
        ["d.part2.rar"],
        ["e.r00"],
        ["f.zip"],
        ["g.part1.rar"],
    ]


def test_an_archive_cut_into_pieces_is_joined(tmp_path: Path) -> None:
    """7-Zip's "split to volumes" cuts an archive's bytes into x.7z.001, x.7z.002...: the
    first alone was a damaged archive and each later piece an unreadable file."""
    pdf = make_pdf(tmp_path / "p.pdf", ["Аналитическая справка по итогам мониторинга"])
    seven = tmp_path / "whole.7z"
    with libarchive.file_writer(str(seven), "7zip") as writer:
        writer.add_file_from_memory("Справка.pdf", pdf.stat().st_size, pdf.read_bytes())
    zipped = tmp_path / "whole.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("Приказ.txt", "Приказ")
    region = tmp_path / "region"
    school = region / "Школа"
    school.mkdir(parents=True)
    for whole, name, count in ((seven, "Сканы.7z", 3), (zipped, "Документы.zip", 2)):
        blob = whole.read_bytes()
        step = len(blob) // count + 1
        for k in range(count):
            (school / f"{name}.{k + 1:03d}").write_bytes(blob[k * step : (k + 1) * step])
    root, errors = prepare_input(region, tmp_path / "work")
    assert errors == []
    assert files_under(root) == ["Школа/Документы/Приказ.txt", "Школа/Сканы/Справка.pdf"]
    assert (root / "Школа" / "Сканы" / "Справка.pdf").read_bytes() == pdf.read_bytes()


def test_a_piece_without_its_first_says_so(tmp_path: Path) -> None:
    """Before s21 a later piece was "not a PDF or DOCX file by its content"."""
    piece = tmp_path / "Сканы.7z.002"
    piece.write_bytes(bytes(range(256)) * 20)
    doc = extract(piece)
    (error,) = doc.errors
    assert "piece of an archive cut into pieces" in error.reason
    assert "Сканы.7z.001, is not beside it" in error.reason


def test_a_region_exported_as_one_rar(tmp_path: Path) -> None:
    export = make_rar5(
        tmp_path / "Экспорт.rar",
        {
            "Регион 2022/Школа 1/Приказ.txt": "Приказ".encode(),
            "Регион 2022/Школа 2/Справка.txt": "Справка".encode(),
        },
    )
    root, errors = prepare_input(export, tmp_path / "work")
    assert errors == [] and root.name == "Регион 2022"
    assert files_under(root) == ["Школа 1/Приказ.txt", "Школа 2/Справка.txt"]
