"""Corrections on the real sample review: an expert edits sheet.xlsx with openpyxl (as in
Excel), the edits are imported and exported as labelled data."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from classifiers.doctype_model import doc_to_record, read_jsonl
from extractors.extract import extract
from review_db.db import open_engine, session_scope
from review_db.labels import export_labels, text_key
from review_db.models import Correction, Run, Sheet
from review_db.runs import record_run

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SAMPLE_REPORT_DATE = date(2022, 6, 1)
SCHOOL = "school_05_nikolskaya"
# The sample's one known miss (README): this note is matched to an item though it is off-plan.
WRONG = "Справка по проверке журнала.docx"
TRUTH = json.loads((ROOT / "data/sample_truth" / SCHOOL / "truth.json").read_text("utf-8"))


@pytest.fixture
def review_copy(sample_review: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(sample_review, out, ignore=shutil.ignore_patterns(".cache"))
    return out


def _rows(ws) -> dict[str, int]:
    """Column A value -> row, from row 2 on."""
    return {str(ws.cell(r, 1).value): r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value}


def _col(ws, title: str) -> int:
    return next(c.column for c in ws[1] if str(c.value or "").startswith(title))


def expert_edits(path: Path) -> dict[str, object]:
    """What an expert does to school 5's sheet: K1 to the truth's 0 with a comment, the wrong
    match taken off its item, a document's type set (and a comment on it)."""
    sheet = json.loads(path.with_name("sheet.json").read_text("utf-8"))
    item = next(d["confirms"][0] for d in sheet["documents"] if d["file"] == WRONG)
    keep = [d["file"] for d in sheet["documents"] if item in d["confirms"] and d["file"] != WRONG]
    wb = openpyxl.load_workbook(path)
    ws = wb["Экспертный лист"]
    k1 = next(r for r in range(1, 20) if ws.cell(r, 1).value == "K1")
    ws.cell(k1, 5, 0)
    ws.cell(k1, 6, "справка о проверке журнала не относится к мероприятию")
    items = wb["Мероприятия"]
    items.cell(_rows(items)[item], _col(items, "Исправление: документы"), "; ".join(keep) or "-")
    docs = wb["Документы"]
    letter = "Письмо в УО.docx"
    docs.cell(_rows(docs)[letter], _col(docs, "Исправление: тип"), "report")
    docs.cell(_rows(docs)[letter], _col(docs, "Комментарий эксперта"), "это отчёт")
    wb.save(path)
    return {"item": item, "keep": keep, "letter": letter}


def test_sheet_edited_in_openpyxl_round_trips_through_import(review_copy: Path, capsys) -> None:
    from pipelines.cli import main

    out = review_copy
    engine = open_engine(out_dir=out)
    run_id = record_run(engine, SAMPLE, out, SAMPLE_REPORT_DATE)
    path = out / SCHOOL / "sheet.xlsx"
    edits = expert_edits(path)
    assert main(["import-corrections", str(path), "--expert", "Иванова"]) == 0
    assert "5 correction(s) stored" in capsys.readouterr().out
    with session_scope(engine) as s:
        sheet = s.scalars(select(Sheet).where(Sheet.folder == SCHOOL)).one()
        assert sheet.run_id == run_id and s.get(Run, run_id).region == "sample"
        rows = s.scalars(select(Correction).order_by(Correction.id)).all()
        got = {(c.kind, c.target): (c.value, c.expert) for c in rows}
    assert got == {
        ("score", "K1"): ("0", "Иванова"),
        ("comment", "criterion:K1"): (
            "справка о проверке журнала не относится к мероприятию",
            "Иванова",
        ),
        ("item_documents", edits["item"]): (sorted(edits["keep"]), "Иванова"),
        ("doc_type", edits["letter"]): ("report", "Иванова"),
        ("comment", f"document:{edits['letter']}"): ("это отчёт", "Иванова"),
    }
    # The sheet was agreed with on every criterion but K1 (the sample's known miss).
    assert main(["agreement", "--out", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["sheets"] == 1
    assert [k for k, c in result["criteria"].items() if c["agree"] != 1] == ["K1"]
    removed = [m for m in result["matches_most_corrected"] if m["change"] == "removed"]
    assert [(m["document"], m["item"]) for m in removed] == [(WRONG, edits["item"])]


def test_export_labels_merges_corrections_without_duplicates(review_copy: Path, tmp_path) -> None:
    from review_db.corrections import import_sheet

    out = review_copy
    engine = open_engine(out_dir=out)
    record_run(engine, SAMPLE, out, SAMPLE_REPORT_DATE)
    edits = expert_edits(out / SCHOOL / "sheet.xlsx")
    assert import_sheet(engine, out / SCHOOL / "sheet.xlsx", "Иванова").status == "stored"

    # A generated label for the very text the expert labelled: the correction must win.
    letter = extract(SAMPLE / SCHOOL / edits["letter"], root=SAMPLE / SCHOOL)
    labelled = tmp_path / "labelled"
    (labelled / "doctypes").mkdir(parents=True)
    base = read_jsonl(ROOT / "data/labelled/doctypes/train.jsonl")[:50]
    dup = doc_to_record(letter) | {"id": "gen-dup", "doc_type": "other", "source": "synthetic"}
    rows = [*base, dup]
    (labelled / "doctypes/train.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8"
    )
    shutil.copy(ROOT / "data/labelled/doctypes/heldout.jsonl", labelled / "doctypes")
    (labelled / "matching").mkdir()
    dev = (ROOT / "data/labelled/matching/dev.jsonl").read_text("utf-8").splitlines()[:3]
    (labelled / "matching/dev.jsonl").write_text("\n".join(dev) + "\n", "utf-8")

    target = tmp_path / "export"
    report = export_labels(engine, target, labelled)
    train = read_jsonl(target / "doctypes/train.jsonl")
    assert len(train) == 51 and report.doctypes_replaced == 1
    assert len({text_key(r) for r in train}) == len(train)
    mine = [r for r in train if text_key(r) == text_key(dup)]
    assert [r["doc_type"] for r in mine] == ["report"]
    assert mine[0]["source"].endswith(f"{SCHOOL}/{edits['letter']}")
    assert (target / "doctypes/heldout.jsonl").read_bytes() == (
        labelled / "doctypes/heldout.jsonl"
    ).read_bytes()

    cases = [json.loads(x) for x in (target / "matching/dev.jsonl").read_text("utf-8").splitlines()]
    assert len(cases) == 4 and report.matching_from_corrections == 1
    case = cases[-1]
    assert case["school"] == f"sample/{SCHOOL}"
    gold = {tuple(p) for p in case["gold"]}
    assert (WRONG, edits["item"]) not in gold
    assert {(f, edits["item"]) for f in edits["keep"]} <= gold
    truth_pairs = {(d["file"], n) for d in TRUTH["documents"] for n in d["confirms"]}
    assert truth_pairs <= gold  # the draft's right matches stay
    assert {d["name"] for d in case["docs"]} >= {WRONG, edits["letter"]}
    assert next(d for d in case["docs"] if d["name"] == edits["letter"])["doc_type"] == "report"

    # Exported again, through the CLI: the same files, no duplicates piling up.
    from pipelines.cli import main

    first = (target / "doctypes/train.jsonl").read_bytes()
    args = ["export-labels", "--out", str(target), "--labelled", str(labelled)]
    assert main([*args, "--review-out", str(out)]) == 0
    assert (target / "doctypes/train.jsonl").read_bytes() == first


def test_review_command_records_the_run(sample_review: Path, tmp_path: Path, monkeypatch) -> None:
    """cli review -> the run and its drafts in OUT/review.sqlite, keyed as the sheets name them."""
    from expert_sheet.summary import RegionSummary
    from pipelines import cli, review

    out = tmp_path / "out"

    def fake_flow(region, out_dir, report_date, *args, **kwargs) -> RegionSummary:
        # The flow itself is tested elsewhere; here its output is the session's review.
        shutil.copytree(
            sample_review, out_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".cache")
        )
        return RegionSummary.model_validate_json((out_dir / "summary.json").read_text("utf-8"))

    # What the CLI runs (a head start and the flow); none of it here.
    monkeypatch.setattr(review, "run_review", fake_flow)
    monkeypatch.delenv("EVIDENCE_REVIEW_DB", raising=False)
    code = cli.main(
        ["review", str(SAMPLE), "--out", str(out), "--report-date", "2022-06-01", "--no-progress"]
    )
    assert code == 0
    engine = open_engine(out_dir=out)
    with session_scope(engine) as s:
        run = s.scalars(select(Run)).one()
        assert sorted(x.folder for x in run.sheets) == sorted(
            p.name for p in SAMPLE.iterdir() if p.is_dir()
        )
        assert all(x.doc_type_model == run.doc_type_model for x in run.sheets)
        drafts = {x.folder: x.draft_sha256 for x in run.sheets}
    for folder in SAMPLE.iterdir():
        wb = openpyxl.load_workbook(out / folder.name / "sheet.xlsx")
        assert wb["meta"]["B1"].value == drafts[folder.name]
        # The flow's files are left as they were.
        for name in ("sheet.json", "sheet.xlsx"):
            assert (out / folder.name / name).read_bytes() == (
                sample_review / folder.name / name
            ).read_bytes()


def test_every_sheet_shades_what_the_expert_edits_and_bolds_its_headers(
    sample_review: Path,
) -> None:
    """The look experts rely on, in every school's workbook (each written with its own style
    table): shaded columns are the ones read back as corrections, headers bold, text wrapped,
    documents as hyperlinks."""
    from expert_sheet.xlsx import EDIT_COLOUR, HEAD_COLOUR

    editable = {
        "Экспертный лист": {"Балл эксперта", "Комментарий эксперта"},
        "Мероприятия": {"Исправление: документы (через ;)", "Исправление: статус"}
        | {"Комментарий эксперта"},
        "Вне плана": {"Исправление: мероприятия (через ;)", "Комментарий эксперта"},
        "Документы": {"Исправление: тип", "Комментарий эксперта"},
    }
    edit, head = "FF" + EDIT_COLOUR, "FF" + HEAD_COLOUR  # ARGB, opaque
    sheets = sorted(sample_review.glob("*/sheet.xlsx"))
    assert len(sheets) >= 5
    for path in sheets:
        wb = openpyxl.load_workbook(path)
        for title, columns in editable.items():
            ws = wb[title]
            header = 6 if title == "Экспертный лист" else 1
            cells = [c for c in ws[header] if c.value]
            assert {c.value for c in cells} >= columns, (path, title)
            for cell in cells:
                assert cell.font.b and cell.alignment.wrap_text, (path, title, cell.value)
                assert cell.fill.fgColor.rgb == (edit if cell.value in columns else head)
            last = ws.max_row if title != "Экспертный лист" else header + 6
            for cell in cells:
                below = [ws.cell(r, cell.column) for r in range(header + 1, last + 1)]
                shaded = [c.fill.fgColor.rgb == edit for c in below if c.fill.fill_type]
                if cell.value in columns:
                    assert all(shaded), (path, title, cell.value)
                    # Only a list with nothing in it has no rows to edit.
                    assert shaded or title in ("Вне плана", "Мероприятия"), (path, title)
                else:
                    assert not any(shaded), (path, title, cell.value)
        docs = wb["Документы"]
        first = docs.cell(2, 1)
        assert first.hyperlink is not None and first.style == "Hyperlink"
        assert docs.cell(2, 7).alignment.wrap_text  # "Почему": long reasons stay readable
