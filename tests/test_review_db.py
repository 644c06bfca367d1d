"""The review database on hand-made sheets: migration, runs, corrections, agreement."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, inspect, select

from expert_sheet.records import DocRecord, ItemRecord, SchoolSheet
from expert_sheet.summary import summarize
from expert_sheet.xlsx import write_sheet_xlsx
from extractors.deadlines import Deadline
from review_db.agreement import agreement
from review_db.corrections import import_sheet
from review_db.db import current_revision, head_revision, open_engine, session_scope
from review_db.models import AppendOnlyError, Correction, ImportRow, Run, Sheet
from review_db.runs import record_run

REPORT = date(2022, 6, 1)
KEYS = ("K1", "K2", "K3", "K4", "K5", "K6")
# Draft scores of four hand-made schools; D is never imported, so never counted as reviewed.
DRAFTS = {
    "A": dict(zip(KEYS, (2, 1, 1, 0, 1, 0), strict=True)),
    "B": dict(zip(KEYS, (3, 1, 0, 0, 1, 1), strict=True)),
    "C": dict(zip(KEYS, ("Н/о", 0, 0, 0, 0, 0), strict=True)),
    "D": dict(zip(KEYS, (1, 1, 1, 1, 1, 1), strict=True)),
}


def _sheet(folder: str) -> SchoolSheet:
    deadline = Deadline(
        text="01.03.2022",
        start=date(2022, 3, 1),
        end=date(2022, 3, 1),
        precision="day",
        concrete=True,
    )
    items = [
        ItemRecord(number=str(n), activity=f"Мероприятие {n}", deadline=deadline, planned=True)
        for n in (1, 2, 3)
    ]
    docs = [
        DocRecord(file="АРП.docx", sha256="0" * 64, is_arp=True, doc_type="plan"),
        DocRecord(
            file="Приказ.pdf",
            sha256="1" * 64,
            doc_type="order",
            evidence_kind="plan",
            confirms=["1"],
            match_reasons={"1": "слова «совещание»"},
        ),
        DocRecord(
            file="сканы/Протокол.pdf",
            sha256="2" * 64,
            doc_type="protocol",
            evidence_kind="result",
            confirms=["2"],
        ),
        DocRecord(
            file="Справка.docx",
            sha256="3" * 64,
            doc_type="analytic_note",
            evidence_kind="result",
            off_plan=True,
        ),
    ]
    items[0].documents, items[1].documents = ["Приказ.pdf"], ["сканы/Протокол.pdf"]
    scores = DRAFTS[folder]
    return SchoolSheet(
        school=f"Школа {folder}",
        folder=folder,
        report_date=REPORT.isoformat(),
        scores=scores,
        total=sum(v for v in scores.values() if isinstance(v, int)),
        reasons={k: f"потому что {k}" for k in KEYS},
        items=items,
        documents=docs,
        off_plan=["Справка.docx"],
        doc_type_model="doctype-v1",
    )


def write_run(root: Path) -> tuple[Path, Path]:
    """A region export and the output of a review of it, as the flow would leave them."""
    region, out = root / "region", root / "out"
    sheets = [_sheet(f) for f in DRAFTS]
    for s in sheets:
        (region / s.folder).mkdir(parents=True, exist_ok=True)
        (out / s.folder).mkdir(parents=True, exist_ok=True)
        (out / s.folder / "sheet.json").write_text(s.model_dump_json(), encoding="utf-8")
        write_sheet_xlsx(s, out / s.folder / "sheet.xlsx", region / s.folder)
    summary = summarize(sheets, REPORT.isoformat())
    (out / "summary.json").write_text(json.dumps(summary.model_dump(mode="json")), "utf-8")
    return region, out


@pytest.fixture
def recorded(tmp_path: Path):
    region, out = write_run(tmp_path)
    engine = open_engine(out_dir=out)
    run_id = record_run(engine, region, out, REPORT)
    return engine, region, out, run_id


def edit(path: Path, changes: dict[tuple[str, str], object], save_as: Path | None = None) -> Path:
    """Change cells as an expert would in Excel: {(sheet, cell): value}."""
    wb = openpyxl.load_workbook(path)
    for (ws, cell), value in changes.items():
        wb[ws][cell] = value
    target = save_as or path
    wb.save(target)
    return target


def counts(engine) -> tuple[int, int]:
    with session_scope(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(ImportRow)),
            s.scalar(select(func.count()).select_from(Correction)),
        )


# Rows of the hand-made sheets: K1 is on row 7 of "Экспертный лист" (header on row 6).
K = {k: 7 + i for i, k in enumerate(KEYS)}


def test_migration_from_an_empty_database(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from review_db.models import Base

    engine = open_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert current_revision(engine) == head_revision() is not None
    tables = set(inspect(engine).get_table_names())
    assert {
        "runs",
        "sheets",
        "documents",
        "items",
        "matches",
        "scores",
        "imports",
        "corrections",
        "alembic_version",
    } <= tables
    # The hand-written migration builds exactly the schema the models describe.
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    open_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")  # a second open changes nothing
    assert current_revision(engine) == head_revision()


def test_a_run_is_recorded_and_its_sheets_name_their_drafts(tmp_path: Path) -> None:
    region, out = write_run(tmp_path)
    written = {p: p.stat().st_mtime_ns for p in out.glob("*/sheet.*")}
    engine = open_engine(out_dir=out)
    run_id = record_run(engine, region, out, REPORT)
    with session_scope(engine) as s:
        run = s.get(Run, run_id)
        assert run.report_date == "2022-06-01" and run.region == "region"
        assert run.doc_type_model == "doctype-v1" and run.matcher_version
        assert {"git_commit", "extractors", "classifiers"} <= set(run.code_version)
        assert run.settings["classifier"]["low_confidence"] == 0.6
        sheet = s.scalars(select(Sheet).where(Sheet.folder == "A")).one()
        assert {(m.document, m.item) for m in sheet.matches} == {
            ("Приказ.pdf", "1"),
            ("сканы/Протокол.pdf", "2"),
        }
        assert {d.file: d.doc_type for d in sheet.documents}["Приказ.pdf"] == "order"
        assert {x.criterion: x.value for x in sheet.scores}["K1"] == "2"
        drafts = {x.folder: x.draft_sha256 for x in run.sheets}
    for folder, draft in drafts.items():
        meta = openpyxl.load_workbook(out / folder / "sheet.xlsx")["meta"]
        assert meta["B1"].value == draft and meta.sheet_state == "hidden"
    assert len(set(drafts.values())) == len(DRAFTS)
    # Recording reads the sheets and never rewrites them (a resumed run relies on that).
    assert {p: p.stat().st_mtime_ns for p in out.glob("*/sheet.*")} == written


def test_agreement_on_a_hand_made_case(recorded) -> None:
    engine, _region, out, _run = recorded
    a = edit(
        out / "A" / "sheet.xlsx",
        {
            ("Экспертный лист", f"E{K['K1']}"): 1,
            ("Экспертный лист", f"E{K['K4']}"): "1",
            ("Документы", "H3"): "protocol",  # Приказ.pdf is row 3 (after the АРП)
            ("Мероприятия", "F4"): "Справка.docx",  # item 3 is confirmed by the note
        },
    )
    c = edit(out / "C" / "sheet.xlsx", {("Экспертный лист", f"E{K['K2']}"): 1})
    for path in (a, out / "B" / "sheet.xlsx", c):  # B is signed off without edits
        assert import_sheet(engine, path, "Иванова").status == "stored"
    result = agreement(engine)
    assert result["sheets"] == 3  # D was never imported
    crit = result["criteria"]
    # Worked by hand: K1 pairs (2,1) (3,3) (Н/о,Н/о): p_o 2/3, p_e 2/9, kappa 4/7.
    assert crit["K1"]["exact"] == pytest.approx(2 / 3)
    assert crit["K1"]["kappa"] == pytest.approx(4 / 7)
    # K2 (1,1) (1,1) (0,1): p_o 2/3 = p_e, kappa 0; K4 likewise.
    assert crit["K2"]["exact"] == pytest.approx(2 / 3) and crit["K2"]["kappa"] == pytest.approx(0)
    assert crit["K4"]["kappa"] == pytest.approx(0)
    for key in ("K3", "K5", "K6"):
        assert crit[key]["exact"] == 1 and crit[key]["kappa"] == pytest.approx(1)
    # Totals: A 5 -> 5 (K1 -1, K4 +1), B 6 -> 6, C 0 -> 1.
    assert result["total_mean_abs_diff"] == pytest.approx(1 / 3)
    docs = {(d["school"], d["document"]): d for d in result["documents_most_corrected"]}
    assert "type order -> protocol" in docs[("A", "Приказ.pdf")]["what"]
    assert docs[("A", "Справка.docx")]["what"] == ["items added 3"]
    assert {
        "school": "A",
        "document": "Справка.docx",
        "item": "3",
        "change": "added",
        "times": 1,
    } in result["matches_most_corrected"]
    assert agreement(engine, region="another")["sheets"] == 0


def test_reimporting_the_same_sheet_stores_nothing_new(recorded, tmp_path: Path) -> None:
    engine, _region, out, _run = recorded
    path = edit(
        out / "A" / "sheet.xlsx",
        {("Экспертный лист", f"E{K['K1']}"): 1, ("Экспертный лист", f"F{K['K1']}"): "мало"},
    )
    assert import_sheet(engine, path, "Иванова").stored == 2  # the score and its comment
    before = counts(engine)
    assert import_sheet(engine, path, "Иванова").status == "unchanged"
    # Saved again by Excel: other bytes, the same edits.
    resaved = edit(path, {}, save_as=tmp_path / "resaved.xlsx")
    assert import_sheet(engine, resaved, "Петров").status == "unchanged"
    assert counts(engine) == before == (1, 2)


def test_latest_correction_wins_and_history_is_kept(recorded, tmp_path: Path) -> None:
    engine, _region, out, _run = recorded
    first = edit(
        out / "A" / "sheet.xlsx",
        {("Экспертный лист", f"E{K['K1']}"): 1},
        save_as=tmp_path / "first.xlsx",
    )
    second = edit(
        first,
        {("Экспертный лист", f"E{K['K1']}"): 0, ("Экспертный лист", f"E{K['K2']}"): 1},
        save_as=tmp_path / "second.xlsx",
    )
    assert import_sheet(engine, first, "Иванова").stored == 1
    # K2 is new; K1 changed: both stored, K1's earlier value kept in the history.
    assert import_sheet(engine, second, "Петров").stored == 2
    with session_scope(engine) as s:
        k1 = s.scalars(
            select(Correction).where(Correction.target == "K1").order_by(Correction.id)
        ).all()
        assert [(c.value, c.expert) for c in k1] == [("1", "Иванова"), ("0", "Петров")]
        assert k1[0].cell == f"Экспертный лист!E{K['K1']}"
        k1[0].value = "3"
        with pytest.raises(AppendOnlyError):
            s.flush()
    assert agreement(engine)["criteria"]["K1"]["agree"] == 0  # draft 2, final 0


INVALID = {
    "score out of range": ({("Экспертный лист", f"E{8}"): 2}, "Экспертный лист!E8", "out of range"),
    "K1 not a score": ({("Экспертный лист", "E7"): "4"}, "Экспертный лист!E7", "out of range"),
    "unknown item number": (
        {("Мероприятия", "A3"): "99", ("Мероприятия", "H3"): "нет протокола"},
        "Мероприятия!A3",
        "item number '99' does not exist",
    ),
    "off-plan items that do not exist": (
        {("Вне плана", "C2"): "1; 42"},
        "Вне плана!C2",
        "42 do not exist",
    ),
    "document not in the run": (
        {("Мероприятия", "F2"): "Приказ.pdf; чужой.pdf"},
        "Мероприятия!F2",
        "'чужой.pdf' is not in the run",
    ),
    "renamed document row": (
        {("Документы", "A3"): "другой.pdf", ("Документы", "H3"): "protocol"},
        "Документы!A3",
        "'другой.pdf' is not in the run",
    ),
    "unknown document type": ({("Документы", "H3"): "letter"}, "Документы!H3", "not one of"),
    "unknown status": ({("Мероприятия", "G2"): "почти"}, "Мероприятия!G2", "drop-down"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_each_invalid_edit_rejects_the_whole_sheet(recorded, case: str) -> None:
    engine, _region, out, _run = recorded
    changes, cell, reason = INVALID[case]
    # A valid edit beside the invalid one: it must not be stored half-way either.
    path = edit(out / "A" / "sheet.xlsx", {("Экспертный лист", "E11"): 0, **changes})
    result = import_sheet(engine, path, "Иванова")
    assert result.status == "rejected"
    assert [(r.cell, reason in r.reason) for r in result.rejections] == [(cell, True)]
    assert str(path) in str(result.rejections[0])
    assert counts(engine) == (0, 0)


def _rereview(out: Path, region: Path, folder: str, **scores) -> None:
    """What a later run leaves when the school's draft changed."""
    sheet = SchoolSheet.model_validate_json((out / folder / "sheet.json").read_text("utf-8"))
    sheet.scores |= scores
    (out / folder / "sheet.json").write_text(sheet.model_dump_json(), encoding="utf-8")
    write_sheet_xlsx(sheet, out / folder / "sheet.xlsx", region / folder)


def test_a_sheet_from_another_run_is_rejected(recorded) -> None:
    engine, region, out, first_run = recorded
    old = edit(out / "A" / "sheet.xlsx", {("Экспертный лист", "E7"): 1}, save_as=out / "old-A.xlsx")
    _rereview(out, region, "A", K1=3)
    second_run = record_run(engine, region, out, REPORT)
    result = import_sheet(engine, old, "Иванова")
    assert result.status == "rejected"
    assert first_run in result.rejections[0].reason and second_run in result.rejections[0].reason
    assert result.rejections[0].cell == "meta!B1"
    assert counts(engine) == (0, 0)
    # Asked for explicitly, it attaches to its own run.
    assert import_sheet(engine, old, "Иванова", run_id=first_run).status == "stored"
    assert import_sheet(engine, old, "Иванова", run_id=second_run).status == "rejected"
    # A draft this database never saw (another installation's sheet).
    foreign = edit(old, {("meta", "B1"): "feedface" * 8}, save_as=out / "foreign.xlsx")
    result = import_sheet(engine, foreign, "Иванова")
    assert result.status == "rejected" and "not in this database" in result.rejections[0].reason


def test_a_run_that_reproduces_a_draft_shares_its_corrections(recorded) -> None:
    engine, region, out, first_run = recorded
    path = edit(out / "B" / "sheet.xlsx", {("Экспертный лист", "E7"): 2})
    assert import_sheet(engine, path, "Иванова").run_id == first_run
    second_run = record_run(engine, region, out, REPORT)  # the same drafts again
    again = import_sheet(engine, path, "Иванова")
    assert again.status == "unchanged" and counts(engine) == (1, 1)
    more = edit(path, {("Экспертный лист", "E8"): 0})
    assert import_sheet(engine, more, "Петров").run_id == second_run
    result = agreement(engine)
    assert result["sheets"] == 1  # B once, with both corrections
    assert result["criteria"]["K1"]["agree"] == 0 and result["criteria"]["K2"]["agree"] == 0


def test_cli_import_and_agreement(recorded, capsys, monkeypatch) -> None:
    from pipelines.cli import main

    _engine, _region, out, _run = recorded
    good = edit(out / "B" / "sheet.xlsx", {("Экспертный лист", "E7"): 2})
    bad = edit(out / "C" / "sheet.xlsx", {("Экспертный лист", "E8"): 5})
    untouched = out / "D" / "sheet.xlsx"
    code = main(["import-corrections", str(good), str(bad), str(untouched), "--expert", "Иванова"])
    captured = capsys.readouterr()
    assert code == 3  # one sheet rejected: partial
    assert f"{good}: 1 correction(s) stored" in captured.out
    assert f"{untouched}: signed off, no edits" in captured.out
    assert f"{bad}: Экспертный лист!E8: score '5' out of range" in captured.err
    assert main(["agreement", "--out", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["sheets"] == 2 and result["criteria"]["K1"]["agree"] == 1  # B no, D yes
    monkeypatch.delenv("EVIDENCE_REVIEW_DB", raising=False)
    assert main(["agreement"]) == 2  # nothing says where the database is
    assert "no database" in capsys.readouterr().err


def test_a_document_named_with_a_control_character_takes_corrections(tmp_path: Path) -> None:
    """The sheet keeps such a name escaped as Excel does (_x000B_); read back, it is the
    document's name again, so the expert's correction on its row is not refused."""
    region, out = write_run(tmp_path)
    name = "Справка\x0bк педсовету.docx"
    sheet = SchoolSheet.model_validate_json((out / "A" / "sheet.json").read_text("utf-8"))
    sheet.documents[-1].file, sheet.off_plan = name, [name]
    (out / "A" / "sheet.json").write_text(sheet.model_dump_json(), encoding="utf-8")
    write_sheet_xlsx(sheet, out / "A" / "sheet.xlsx", region / "A")
    engine = open_engine(out_dir=out)
    record_run(engine, region, out, REPORT)
    row = 1 + len(sheet.documents)  # the documents sheet's last row: this document
    path = edit(out / "A" / "sheet.xlsx", {("Документы", f"H{row}"): "order"})
    result = import_sheet(engine, path, "Иванова")
    assert result.status == "stored", result.rejections
    with session_scope(engine) as s:
        stored = s.scalars(select(Correction)).all()
        assert [(c.target, c.value) for c in stored] == [(name, "order")]
