"""Symbolic links and special files in a region's export: each gets an error record, none is
followed out of its school's folder, and none stops the run."""

from __future__ import annotations

import json
import os
import threading
import zipfile
from datetime import date
from pathlib import Path

from extractors.archive import prepare_input
from extractors.extract import extract
from tests.builders import copy_sample

REPORT = date(2022, 6, 1)
SCHOOL = "school_01_sosnovskaya"
ORDER = "приказ 18 от 12.03.pdf"
SECRET = "Пароль сервера: ЗЕЛЁНЫЙ-ЖИРАФ-42"


def _odd_entries(school: Path, outside: Path) -> None:
    """A link out of the folder, one to nothing, one looping back to the folder's parent, a
    named pipe, and a link to a file of the school's own."""
    (school / "пароли.txt").symlink_to(outside)
    (school / "пропал.pdf").symlink_to(school / "нет такого.pdf")
    (school / "петля").symlink_to("..")
    os.mkfifo(school / "канал.pdf")
    (school / "копия приказа.pdf").symlink_to(ORDER)


def _sheet(out: Path) -> dict:
    return json.loads((out / SCHOOL / "sheet.json").read_text(encoding="utf-8"))


def test_links_and_pipes_get_error_records_and_nothing_outside_is_read(
    prefect_harness, tmp_path: Path
) -> None:
    from pipelines.review import review_region

    outside = tmp_path / "server" / "secret.txt"
    outside.parent.mkdir()
    outside.write_text(SECRET, encoding="utf-8")
    region = copy_sample(tmp_path / "region", [SCHOOL])
    _odd_entries(region / SCHOOL, outside)
    out = tmp_path / "out"

    summary = review_region(region, out, REPORT, workers=1)

    assert summary.failed == []
    sheet = _sheet(out)
    reasons = {e["file"]: e["reason"] for e in sheet["errors"]}
    assert "outside the school's folder" in reasons["пароли.txt"]
    assert "leads nowhere" in reasons["пропал.pdf"]
    assert "link to a folder" in reasons["петля"]
    assert "named pipe" in reasons["канал.pdf"]
    # A link to the school's own file is read as that file: the same document twice.
    docs = {d["file"]: d for d in sheet["documents"]}
    assert docs["копия приказа.pdf"]["readable"]
    assert docs["копия приказа.pdf"]["sha256"] == docs[ORDER]["sha256"]
    assert "копия приказа.pdf" not in reasons
    # The other files of the school are reviewed as without the odd entries.
    assert sheet["arp_file"] and sheet["total"] > 0
    # The server's file was not read: its text is in no output, cache included.
    secret = SECRET.encode("utf-8")
    for path in out.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), path


def test_a_link_added_between_runs_has_the_school_reviewed_again(
    prefect_harness, tmp_path: Path
) -> None:
    from pipelines.review import review_region

    region = copy_sample(tmp_path / "region", [SCHOOL])
    out = tmp_path / "out"
    review_region(region, out, REPORT, workers=1)
    assert _sheet(out)["errors"] == []

    (region / SCHOOL / "пропал.pdf").symlink_to("нет такого.pdf")
    review_region(region, out, REPORT, workers=1)

    assert [e["file"] for e in _sheet(out)["errors"]] == ["пропал.pdf"]

    # Mended: the link now leads to a file of the school, which is read.
    (region / SCHOOL / "нет такого.pdf").symlink_to(ORDER)
    review_region(region, out, REPORT, workers=1)

    sheet = _sheet(out)
    assert sheet["errors"] == []
    assert {d["file"]: d["readable"] for d in sheet["documents"]}["пропал.pdf"]


def test_extract_does_not_wait_on_a_pipe_or_follow_a_link_out_of_its_root(tmp_path: Path) -> None:
    pipe = tmp_path / "канал.pdf"
    os.mkfifo(pipe)
    got: list = []
    reading = threading.Thread(target=lambda: got.append(extract(pipe)), daemon=True)
    reading.start()
    reading.join(timeout=60)
    if reading.is_alive():  # opening the pipe waits for a writer: be one, so the test ends
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        reading.join(timeout=10)
    assert got and not reading.is_alive()
    assert not got[0].ok and "named pipe" in got[0].errors[0].reason
    school = tmp_path / "школа"
    school.mkdir()
    (tmp_path / "чужой.txt").write_text(SECRET, encoding="utf-8")
    (school / "ссылка.txt").symlink_to(tmp_path / "чужой.txt")
    assert "outside" in extract(school / "ссылка.txt", root=school).errors[0].reason
    # Without a school's folder (`evidence-review extract FILE`), a link to a file is read.
    assert SECRET in extract(school / "ссылка.txt").text()


def test_a_region_with_archives_is_mirrored_with_its_links_and_pipes(tmp_path: Path) -> None:
    """The mirror made to expand the ZIPs used to follow links: one looping back made the copy
    recurse until it failed, one leading nowhere failed it, and the run stopped."""
    region = copy_sample(tmp_path / "region", [SCHOOL])
    school = region / SCHOOL
    _odd_entries(school, tmp_path / "нет такого файла.txt")
    with zipfile.ZipFile(school / "загрузка.zip", "w") as zf:
        zf.writestr("справка.txt", "Справка о проведении совещания")

    root, errors = prepare_input(region, tmp_path / "work")

    assert errors == [] and root != region
    mirrored = root / SCHOOL
    assert (mirrored / "загрузка" / "справка.txt").is_file()
    for name in ("пароли.txt", "пропал.pdf", "петля", "копия приказа.pdf"):
        assert (mirrored / name).is_symlink(), name
        assert os.readlink(mirrored / name) == os.readlink(school / name)
    assert (mirrored / "канал.pdf").exists() and not (mirrored / "канал.pdf").is_file()
