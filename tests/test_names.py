"""File and folder names that are not UTF-8 (ZIPs made on Windows, old shares)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from extractors.names import readable
from tests.builders import copy_sample

REPORT = date(2022, 6, 1)


def _named(raw: bytes) -> str:
    return os.fsdecode(raw)  # as Python lists such a name: surrogate escapes


@pytest.mark.parametrize(
    ("raw", "text", "codec"),
    [
        ("Приказ №1.pdf".encode(), "Приказ №1.pdf", None),
        ("Приказ №1.pdf".encode("cp1251"), "Приказ №1.pdf", "cp1251"),
        ("Протокол заседания.docx".encode("cp866"), "Протокол заседания.docx", "cp866"),
        ("АРП/План мероприятий.docx".encode("cp1251"), "АРП/План мероприятий.docx", "cp1251"),
    ],
)
def test_a_name_is_read_in_the_codec_that_gives_a_name(raw: bytes, text: str, codec) -> None:
    assert readable(_named(raw)) == (text, codec)


def test_bytes_that_read_as_no_name_still_give_valid_text() -> None:
    shown, codec = readable(_named(b"\x98\xff-scan.pdf"))  # 0x98 is no cp1251 character
    assert codec is not None and "scan.pdf" in shown
    shown.encode("utf-8")  # what a sheet or a JSON file can hold


def test_files_and_folders_not_named_in_utf8(prefect_harness, tmp_path: Path) -> None:
    """A file whose name is not UTF-8 is read and shown by its decoded name; a school folder
    whose name is not is a failed row saying so, and the rest of the region is reviewed.
    Either stopped the whole run before (s18)."""
    import json

    from pipelines.review import review_region

    region = copy_sample(tmp_path / "region", ["school_01_sosnovskaya", "school_04_polyanskaya"])
    school = region / "school_04_polyanskaya"
    arp = school / "АРП Несформированность внутришкольной системы ПК.docx"
    os.rename(arp, os.fsencode(school) + b"/" + arp.name.encode("cp1251"))
    os.rename(region / "school_01_sosnovskaya", os.fsencode(region) + "/Школа 1".encode("cp1251"))
    out = tmp_path / "out"

    summary = review_region(region, out, REPORT, workers=1)

    assert summary.failed == ["Школа 1"]
    assert sorted(r.folder for r in summary.rows) == [school.name, "Школа 1"]
    failed = json.loads((out / "Школа 1" / "sheet.json").read_text(encoding="utf-8"))
    assert failed["failed"] and "not UTF-8" in failed["errors"][0]["reason"]
    sheet = json.loads((out / school.name / "sheet.json").read_text(encoding="utf-8"))
    assert not sheet["failed"]
    assert arp.name in {d["file"] for d in sheet["documents"]}
    assert any("not UTF-8" in w and "cp1251" in w for w in sheet["warnings"])
    # Found by its name ("АРП ..."), which only the decoded name shows.
    assert sheet["arp_file"] == arp.name

