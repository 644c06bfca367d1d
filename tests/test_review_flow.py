"""The whole flow on the bundled sample region, checked against its ground truth."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.builders import copy_sample, linked

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
TRUTH = ROOT / "data" / "sample_truth"
REPORT = date(2022, 6, 1)
CRITERIA = ("K1", "K2", "K3", "K4", "K5", "K6")


def truths() -> dict[str, dict]:
    return {
        p.parent.name: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(TRUTH.glob("*/truth.json"))
    }


@pytest.fixture(scope="module")
def reviewed(sample_review: Path) -> Path:
    # The session's one review of the sample (conftest.py); these tests only read it.
    return sample_review


def test_every_school_has_sheets_and_the_region_a_summary(reviewed: Path) -> None:
    for folder in truths():
        sheet = json.loads((reviewed / folder / "sheet.json").read_text(encoding="utf-8"))
        for key in (
            "school",
            "report_date",
            "scores",
            "total",
            "planned",
            "implemented",
            "percent",
            "items",
            "documents",
            "reasons",
            "errors",
        ):
            assert key in sheet, key
        assert set(sheet["reasons"]) == set(CRITERIA)
        for d in sheet["documents"]:
            assert d["evidence_kind"] in ("plan", "result", "other")
        assert (reviewed / folder / "sheet.xlsx").exists()
    summary = json.loads((reviewed / "summary.json").read_text(encoding="utf-8"))
    assert summary["schools"] == len(truths())
    assert len(summary["rows"]) == len(truths())
    # The workbook for the region's operator says what summary.json says.
    from expert_sheet.rubric import CRITERIA as WORDING

    ws = openpyxl.load_workbook(reviewed / "summary.xlsx")["Итоги"]
    rows = {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r[0]}
    for key in ("K2", "K3", "K4", "K5", "K6"):
        stat = summary["criteria"][key]
        assert rows[WORDING[key]][:2] == (stat["count"], f"{stat['percent']:g}%"), key
    for school in summary["rows"]:
        assert rows[school["school"]][0] == school["k1"]
        assert rows[school["school"]][2] == school["total"]


# How many of the sample's criteria may differ from the truth: issue 6's target, at least 90%
# of criteria equal (3 of the sample's 36); the README states the figure.
ALLOWED_MISMATCHES = 3


def test_scores_match_ground_truth(reviewed: Path) -> None:
    mismatches = []
    for folder, truth in truths().items():
        sheet = json.loads((reviewed / folder / "sheet.json").read_text(encoding="utf-8"))
        for key in CRITERIA:
            if sheet["scores"][key] != truth["expected"][key]:
                mismatches.append(
                    (
                        folder,
                        key,
                        sheet["scores"][key],
                        truth["expected"][key],
                        sheet["reasons"][key],
                    )
                )
        assert sheet["planned"] == truth["expected"]["planned"], folder
        assert abs(sheet["total"] - truth["expected"]["total"]) <= 1, folder
    assert len(mismatches) <= ALLOWED_MISMATCHES, mismatches


def test_roadmap_items_and_deadlines_match_truth(reviewed: Path) -> None:
    for folder, truth in truths().items():
        sheet = json.loads((reviewed / folder / "sheet.json").read_text(encoding="utf-8"))
        got = [
            (i["deadline"]["start"], i["deadline"]["end"], i["deadline"]["precision"])
            for i in sheet["items"]
        ]
        want = [(i["start"], i["end"], i["precision"]) for i in truth["items"]]
        assert got == want, folder


def test_unreadable_files_are_error_records(reviewed: Path) -> None:
    unreadable = {
        (f, d["file"]) for f, t in truths().items() for d in t["documents"] if not d["readable"]
    }
    assert unreadable
    for folder, name in unreadable:
        sheet = json.loads((reviewed / folder / "sheet.json").read_text(encoding="utf-8"))
        assert any(e["file"] == name and e["reason"] for e in sheet["errors"]), name


def test_xlsx_sheet_reads_back(reviewed: Path) -> None:
    folder = next(iter(truths()))
    wb = openpyxl.load_workbook(reviewed / folder / "sheet.xlsx")
    ws = wb["Экспертный лист"]
    rows = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=3).value for r in range(7, 13)}
    sheet = json.loads((reviewed / folder / "sheet.json").read_text(encoding="utf-8"))
    assert rows == sheet["scores"]
    docs = wb["Документы"]
    link = docs.cell(row=2, column=1).hyperlink.target
    target = linked(reviewed / folder, link).resolve()
    # Hyperlinks are relative, so they resolve to the export's file from the sheet's folder.
    assert target == (SAMPLE / folder / docs.cell(row=2, column=1).value).resolve()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_an_output_folder_inside_the_export_is_no_school_and_never_in_one(
    tmp_path: Path,
) -> None:
    from pipelines.review import RegionError, school_folders

    region = copy_sample(tmp_path / "region", ["school_01_sosnovskaya", "school_04_polyanskaya"])
    schools = [region / "school_01_sosnovskaya", region / "school_04_polyanskaya"]
    (region / "out" / ".cache").mkdir(parents=True)
    # In the export's top folder: left out, with its cache; outside the export: no matter.
    assert school_folders(region, region / "out", None) == schools
    assert school_folders(region, region / "out", region / "out" / ".cache") == schools
    assert school_folders(region, tmp_path / "elsewhere", None) == [region / "out", *schools]
    # The export itself, or inside a school: its sheets would become that school's files.
    for out, cache, said in (
        (region, None, "is the region's export itself"),
        (schools[0] / "out", None, "inside the school folder school_01_sosnovskaya"),
        (tmp_path / "o", schools[1] / "cache", "inside the school folder school_04_polyanskaya"),
    ):
        with pytest.raises(RegionError, match=said):
            school_folders(region, out, cache)


def test_a_region_reviewed_twice_with_its_output_inside_it(
    prefect_harness, tmp_path: Path
) -> None:
    from pipelines.review import review_region

    region = copy_sample(tmp_path / "region", ["school_04_polyanskaya"])
    first = review_region(region, region / "out", REPORT, workers=1)
    second = review_region(region, region / "out", REPORT, workers=1)
    for summary in (first, second):
        assert [r.folder for r in summary.rows] == ["school_04_polyanskaya"]
    assert second.model_dump() == first.model_dump()


def test_files_beside_the_school_folders_are_listed_not_lost(
    prefect_harness, tmp_path: Path
) -> None:
    """A file in the export's top folder belongs to no school: it is not reviewed, and the
    summary lists it (before s20 it was passed over without a word)."""
    import shutil

    from pipelines.review import review_region

    region = copy_sample(tmp_path / "region", ["school_04_polyanskaya"])
    school = region / "school_04_polyanskaya"
    order = next(p for p in sorted(school.iterdir()) if p.suffix == ".pdf")
    shutil.copy(order, region / "Приказ школы 5.pdf")
    (region / "ссылка.pdf").symlink_to(region / "Приказ школы 5.pdf")
    (region / ".DS_Store").write_bytes(b"\0")
    out = tmp_path / "out"

    summary = review_region(region, out, REPORT, workers=1)

    assert summary.outside_schools == ["Приказ школы 5.pdf", "ссылка.pdf"]
    assert [r.folder for r in summary.rows] == [school.name]
    saved = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert saved["outside_schools"] == summary.outside_schools


def test_cli_refuses_missing_or_empty_region(tmp_path: Path) -> None:
    missing = _cli(
        "review",
        str(tmp_path / "nope"),
        "--out",
        str(tmp_path / "o"),
        "--report-date",
        "2022-06-01",
    )
    assert missing.returncode != 0
    assert missing.stderr.strip().count("\n") == 0 and "no such folder" in missing.stderr
    (tmp_path / "empty").mkdir()
    empty = _cli(
        "review",
        str(tmp_path / "empty"),
        "--out",
        str(tmp_path / "o"),
        "--report-date",
        "2022-06-01",
    )
    assert empty.returncode != 0 and "no school folders" in empty.stderr


def test_cli_refuses_an_output_or_cache_folder_it_cannot_make(tmp_path: Path) -> None:
    """Before s20, a traceback from the output's lock (or, for the cache, from the plan)."""
    a_file = tmp_path / "отчёт.txt"
    a_file.write_text("x", encoding="utf-8")
    cases = (
        ["--out", str(a_file / "out")],
        ["--out", str(tmp_path / "o"), "--cache-dir", str(a_file / "c")],
    )
    for extra in cases:
        run = _cli("review", str(SAMPLE), *extra, "--report-date", "2022-06-01")
        assert run.returncode == 2, run.stderr[-2000:]
        said = run.stderr.strip()
        assert said.startswith("evidence-review: cannot write the folder") and "\n" not in said
        assert f"{a_file} is a file, not a folder" in said
    assert not (tmp_path / "o").exists()  # refused before anything was written


def test_xlsx_lists_off_plan_documents(reviewed: Path) -> None:
    for folder in truths():
        wb = openpyxl.load_workbook(reviewed / folder / "sheet.xlsx")
        listed = {c.value for c in wb["Вне плана"]["A"][1:] if c.hyperlink is not None}
        sheet = json.loads((reviewed / folder / "sheet.json").read_text(encoding="utf-8"))
        assert listed == set(sheet["off_plan"]), folder
        # Score cells the expert edits carry a drop-down list.
        ws = wb["Экспертный лист"]
        assert any("E7" in str(dv.sqref) for dv in ws.data_validations.dataValidation)


def test_rerun_reads_only_changed_files(
    prefect_harness, tmp_path: Path, extract_calls: list[str]
) -> None:
    import pipelines.review as review

    region = copy_sample(tmp_path / "region", ["school_01_sosnovskaya", "school_04_polyanskaya"])
    calls = extract_calls
    # workers=1: the counting patch lives in this process, not in worker processes.
    review.review_region(region, tmp_path / "out", REPORT, workers=1)
    first = len(calls)
    assert first == sum(1 for p in region.rglob("*") if p.is_file())
    calls.clear()
    changed = next((region / "school_04_polyanskaya").glob("Договор*"))
    changed.write_bytes(changed.read_bytes() + b"\n%% re-uploaded\n")
    review.review_region(region, tmp_path / "out", REPORT, workers=1)
    assert calls == [changed.name]


def test_flow_types_documents_with_the_promoted_model(reviewed: Path) -> None:
    promoted = (ROOT / "models" / "PROMOTED").read_text(encoding="utf-8").strip()
    for folder in truths():
        sheet = json.loads((reviewed / folder / "sheet.json").read_text(encoding="utf-8"))
        assert sheet["doc_type_model"] == promoted
        typed = [d for d in sheet["documents"] if d["readable"] and not d["is_arp"]]
        # The model explains itself by its features, the rules by their words.
        assert all(any(":" in r for r in d["type_reasons"]) for d in typed)


def test_cli_reviews_a_region_given_as_a_zip(tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "region.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in (SAMPLE / "school_04_polyanskaya").iterdir():
            zf.write(path, f"export/school_04_polyanskaya/{path.name}")
    run = _cli(
        "review",
        str(archive),
        "--out",
        str(tmp_path / "out"),
        "--report-date",
        "2022-06-01",
        "--json",
    )
    assert run.returncode == 0, run.stderr[-2000:]
    summary = json.loads(run.stdout[run.stdout.index("{") :])
    assert [r["folder"] for r in summary["rows"]] == ["school_04_polyanskaya"]
    assert (tmp_path / "out" / "school_04_polyanskaya" / "sheet.xlsx").exists()


def test_cli_notes_files_beside_the_school_folders(tmp_path: Path) -> None:
    """The summary lists them (s20); the operator at the terminal is told as well."""
    region = copy_sample(tmp_path / "region", ["school_04_polyanskaya"])
    (region / "Приказ школы 5.pdf").write_bytes(
        next(p for p in sorted((region / "school_04_polyanskaya").iterdir())).read_bytes()
    )
    run = _cli(
        "review", str(region), "--out", str(tmp_path / "out"), "--report-date", "2022-06-01"
    )
    assert run.returncode == 0, run.stderr[-2000:]
    note = "note: 1 file(s) in the export's top folder are in no school's folder"
    assert note in run.stderr and "Приказ школы 5.pdf" in run.stderr


def test_items_sheet_links_each_document_with_its_page(tmp_path: Path) -> None:
    from expert_sheet.records import DocRecord, ItemRecord, SchoolSheet
    from expert_sheet.xlsx import ITEM_DOCS_COLUMN, write_sheet_xlsx
    from extractors.deadlines import parse_deadline

    export = tmp_path / "bundle" / "export" / "school"
    (export / "sub").mkdir(parents=True)
    # Spaces, "#" and "%" in names: a link's path is escaped as Excel escapes it.
    for name in ("Протокол №2 #1 (100%).pdf", "sub/Приказ.docx", "Письмо.pdf"):
        (export / name).write_bytes(b"x")
    deadline = parse_deadline("До 01.03.2022")
    sheet = SchoolSheet(
        school="МОУ СШ № 1",
        folder="school",
        report_date="2022-06-01",
        scores={"K1": 3, "K2": 1, "K3": 1, "K4": 1, "K5": 0, "K6": 0},
        items=[
            ItemRecord(
                number="1",
                activity="Педсовет",
                deadline=deadline,
                status="confirmed",
                documents=["Протокол №2 #1 (100%).pdf", "sub/Приказ.docx"],
            ),
            ItemRecord(number="2", activity="Семинар", deadline=deadline),
        ],
        documents=[
            DocRecord(file="Протокол №2 #1 (100%).pdf", confirms=["1"], match_pages={"1": 2}),
            DocRecord(file="sub/Приказ.docx", confirms=["1"]),
            DocRecord(file="Письмо.pdf", off_plan=True),
        ],
        off_plan=["Письмо.pdf"],
    )
    out = tmp_path / "bundle" / "out" / "school" / "sheet.xlsx"
    write_sheet_xlsx(sheet, out, export)
    wb = openpyxl.load_workbook(out)
    ws = wb["Мероприятия"]
    first, second = ws.cell(2, ITEM_DOCS_COLUMN), ws.cell(2, ITEM_DOCS_COLUMN + 1)
    assert first.value == "Протокол №2 #1 (100%).pdf, с. 2" and second.value == "sub/Приказ.docx"
    for cell, name in ((first, "Протокол №2 #1 (100%).pdf"), (second, "sub/Приказ.docx")):
        assert linked(out.parent, cell.hyperlink.target).resolve() == (export / name).resolve()
    assert ws.cell(3, ITEM_DOCS_COLUMN).value is None  # item 2 has no documents
    # The expert's columns are marked and the status correction is a drop-down list.
    assert ws.cell(1, 7).value == "Исправление: статус"
    assert any("G2" in str(dv.sqref) for dv in ws.data_validations.dataValidation)
    off = wb["Вне плана"].cell(2, 1)
    assert off.value == "Письмо.pdf"
    assert linked(out.parent, off.hyperlink.target).resolve() == (export / "Письмо.pdf").resolve()
    # Moving the output together with the export keeps the links working.
    (tmp_path / "bundle").rename(tmp_path / "moved")
    assert linked(tmp_path / "moved" / "out" / "school", first.hyperlink.target).is_file()


def test_sheet_opens_when_names_and_texts_hold_control_characters(tmp_path: Path) -> None:
    """A file name may hold characters XML may not (a vertical tab from a Windows archive),
    and so may a text read from a PDF: the workbook still opens, and the link leads to the
    file."""
    from expert_sheet.records import DocRecord, SchoolSheet
    from expert_sheet.xlsx import write_sheet_xlsx

    export = tmp_path / "export" / "school"
    export.mkdir(parents=True)
    name = "Акт\x0bпроверки\x01.pdf"
    (export / name).write_bytes(b"x")
    sheet = SchoolSheet(
        school="МОУ СШ № 1\x02",
        folder="school",
        report_date="2022-06-01",
        reasons={"K2": "нет\x0cдокумента"},
        documents=[DocRecord(file=name, off_plan=True, type_reasons=["слово\x1f"])],
        off_plan=[name],
    )
    out = tmp_path / "out" / "school" / "sheet.xlsx"
    write_sheet_xlsx(sheet, out, export)
    wb = openpyxl.load_workbook(out)
    for title in ("Документы", "Вне плана"):
        cell = wb[title].cell(2, 1)
        assert linked(out.parent, cell.hyperlink.target).resolve() == (export / name).resolve()
    assert "нет" in wb["Экспертный лист"].cell(8, 4).value


def test_sheet_is_written_with_a_probability_that_is_no_number(tmp_path: Path) -> None:
    from expert_sheet.records import DocRecord, SchoolSheet
    from expert_sheet.xlsx import write_sheet_xlsx

    sheet = SchoolSheet(
        school="Ш",
        folder="school",
        report_date="2022-06-01",
        documents=[DocRecord(file="a.pdf", probability=float("nan"))],
    )
    out = tmp_path / "sheet.xlsx"
    write_sheet_xlsx(sheet, out, tmp_path)
    # Excel shows its error value, written as a formula that is that value.
    assert openpyxl.load_workbook(out)["Документы"].cell(2, 4).value == "=#NUM!"


def test_items_sheet_of_the_sample_links_matched_documents(reviewed: Path) -> None:
    for folder in truths():
        wb = openpyxl.load_workbook(reviewed / folder / "sheet.xlsx")
        sheet = json.loads((reviewed / folder / "sheet.json").read_text(encoding="utf-8"))
        ws = wb["Мероприятия"]
        for row, item in enumerate(sheet["items"], start=2):
            cells = [c for c in ws[row][8:] if c.value]
            assert len(cells) == len(item["documents"]), (folder, item["number"])
            for cell, name in zip(cells, item["documents"], strict=True):
                assert cell.value.startswith(name)
                target = linked(reviewed / folder, cell.hyperlink.target).resolve()
                assert target == (SAMPLE / folder / name).resolve()


def test_school_names_are_the_names_alone(reviewed: Path) -> None:
    # The АРП's heading runs on after the name ("… № 14 фактор «Недостаточная …»", a signature
    # line "… СОШ» ____ Ю.В."); the sheet and the summary want the school's name only.
    def plain(name: str) -> str:
        return name.replace("«", '"').replace("»", '"')

    for folder, truth in truths().items():
        sheet = json.loads((reviewed / folder / "sheet.json").read_text(encoding="utf-8"))
        assert plain(sheet["school"]) == plain(truth["school"]), folder


def test_school_artifact_keys_are_valid_readable_and_apart() -> None:
    import re

    from pipelines.review import school_artifact_key

    names = ["Сосновская ООШ", "Полянская СОШ", "Школа №1", "школа 1", "Школа_1", "Ш" * 300]
    keys = [school_artifact_key(n) for n in names]
    assert len(set(keys)) == len(names)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", k) and len(k) <= 100 for k in keys), keys
    assert keys[0].startswith("sheet-sosnovskaia-oosh-")
    assert school_artifact_key("Сосновская ООШ") == keys[0]  # the same school, the same key
