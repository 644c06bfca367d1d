"""The bundled sample region export and its ground truth.

The generator is the only source of `data/sample` and `data/sample_truth`; these tests check
that the committed files are what the generator produces, that the sample covers every case
the review has to handle, and that the expected scores follow the scoring rules (recomputed
here independently of the generator).
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
TRUTH = ROOT / "data" / "sample_truth"
REPORT_DATE = date(2022, 6, 1)
RESULT_KINDS = {"protocol", "analytic_note", "report", "product", "photo"}
KIND_OF = {
    "protocol": "result",
    "analytic_note": "result",
    "report": "result",
    "product": "result",
    "photo": "result",
    "order": "plan",
    "plan": "plan",
    "regulation": "plan",
    "other": "other",
}
TRUTH_KEYS = {
    "school",
    "municipality",
    "folder",
    "report_date",
    "risk_direction",
    "arp_file",
    "layout",
    "items",
    "documents",
    "expected",
}
ITEM_KEYS = {
    "number",
    "section",
    "task",
    "activity",
    "deadline_text",
    "start",
    "end",
    "precision",
    "responsible",
    "indicator",
    "expected_result_type",
    "planned",
    "implemented",
    "confirmed_by",
}
DOC_KEYS = {"file", "readable", "doc_type", "evidence_kind", "confirms", "off_plan"}
EXPECTED_KEYS = {"K1", "K2", "K3", "K4", "K5", "K6", "total", "planned", "implemented", "percent"}


def _load_generator():
    path = ROOT / "data" / "generate_sample.py"
    spec = importlib.util.spec_from_file_location("generate_sample", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_sample"] = module
    spec.loader.exec_module(module)
    return module


def _truths() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(TRUTH.glob("*/truth.json"))]


TRUTHS = _truths()


def _text_of(path: Path) -> str:
    if path.suffix == ".pdf":
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            return "\n".join(page.extract_text() or "" for page in pdf.pages)
    import docx

    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def _has_list_after(text: str, heading: re.Pattern) -> bool:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for i, line in enumerate(lines):
        if heading.match(line) and i + 1 < len(lines):
            if re.match(r"^(\d+[.)]|[–\-•])\s*\S", lines[i + 1]):
                return True
    return False


def _parse(x: str | None) -> date | None:
    return date.fromisoformat(x) if x else None


# ---------------------------------------------------------------------------------------------


def test_regenerating_gives_the_committed_truth(tmp_path: Path) -> None:
    gen = _load_generator()
    truths = gen.generate(tmp_path / "sample", tmp_path / "truth", n_schools=len(TRUTHS), seed=0)
    assert [t["folder"] for t in truths] == [t["folder"] for t in TRUTHS]
    for t in TRUTHS:
        fresh = json.loads((tmp_path / "truth" / t["folder"] / "truth.json").read_text("utf-8"))
        assert fresh == t, t["folder"]
        assert sorted(p.name for p in (tmp_path / "sample" / t["folder"]).iterdir()) == sorted(
            p.name for p in (SAMPLE / t["folder"]).iterdir()
        )


def test_generator_scales_with_exact_truth(tmp_path: Path) -> None:
    gen = _load_generator()
    truths = gen.generate(tmp_path / "s", tmp_path / "t", n_schools=9, seed=7)
    assert len({t["school"] for t in truths}) == 9
    assert len({t["folder"] for t in truths}) == 9
    for t in truths:
        _check_consistency(t, tmp_path / "s")


def test_schema() -> None:
    for t in TRUTHS:
        assert set(t) == TRUTH_KEYS
        assert t["report_date"] == "2022-06-01"
        assert set(t["expected"]) == EXPECTED_KEYS
        for it in t["items"]:
            assert set(it) == ITEM_KEYS
        for doc in t["documents"]:
            assert set(doc) == DOC_KEYS
            assert doc["evidence_kind"] == KIND_OF[doc["doc_type"]]


def test_sample_covers_every_case() -> None:
    assert len(TRUTHS) >= 6
    layouts = {t["layout"] for t in TRUTHS}
    assert {"L1", "L2", "L3", "L4", "L5", "none"} <= layouts
    assert {Path(t["arp_file"]).suffix for t in TRUTHS} == {".docx", ".pdf"}
    types = set()
    corrupt = empty = expected_order = 0
    for t in TRUTHS:
        folder = SAMPLE / t["folder"]
        files = sorted(p.name for p in folder.iterdir())
        assert files == sorted(d["file"] for d in t["documents"]), t["folder"]
        assert t["documents"][0]["file"] == t["arp_file"]
        evidence = [d for d in t["documents"] if d["file"] != t["arp_file"]]
        assert 5 <= len(evidence) <= 20, t["folder"]
        types |= {d["doc_type"] for d in evidence}
        for d in evidence:
            size = (folder / d["file"]).stat().st_size
            if not d["readable"]:
                empty += size == 0
                corrupt += size > 0
        for it in t["items"]:
            if it["expected_result_type"] == "order" and it["implemented"]:
                docs = {d["file"]: d for d in t["documents"]}
                assert any(docs[f]["doc_type"] == "order" for f in it["confirmed_by"])
                expected_order += 1
    assert {"order", "protocol", "analytic_note", "report", "product", "other"} <= types
    assert corrupt >= 1 and empty >= 1 and expected_order >= 1
    k1 = {t["expected"]["K1"] for t in TRUTHS}
    assert {0, 1, 2, 3, "Н/о"} <= k1
    for k in ("K2", "K3", "K4", "K5", "K6"):
        assert {t["expected"][k] for t in TRUTHS} == {0, 1}, k
    assert any(t["expected"]["K5"] == 1 and t["expected"]["K6"] == 1 for t in TRUTHS)
    # a plan-only item: evidenced only by an order "о проведении ...", hence not implemented
    assert any(
        it["planned"] and it["confirmed_by"] and not it["implemented"]
        for t in TRUTHS
        for it in t["items"]
    )
    # off-plan documents exist
    assert any(d["off_plan"] for t in TRUTHS for d in t["documents"])


def _check_consistency(t: dict, sample_root: Path) -> None:
    """Recompute planned/implemented flags and K1..K6 from the truth's own items/documents."""
    items, docs = t["items"], t["documents"]
    arp_path = sample_root / t["folder"] / t["arp_file"]
    arp_text = _text_of(arp_path)
    by_file = {d["file"]: d for d in docs}
    numbers = [it["number"] for it in items]
    assert len(numbers) == len(set(numbers)), "item numbers must be unique"
    for it in items:
        start, end, prec = _parse(it["start"]), _parse(it["end"]), it["precision"]
        assert prec in {"day", "month", "quarter", "half_year", "year", "vague"}
        if prec == "vague":
            assert start is None and end is None
        planned = (
            (end is not None and end <= REPORT_DATE)
            or (prec not in ("day", "month") and (start is None or start <= REPORT_DATE))
            or (end is None and start is not None and start <= REPORT_DATE)
        )
        assert it["planned"] == planned, (t["folder"], it["number"])
        confirming = [by_file[f] for f in it["confirmed_by"]]
        for d in confirming:
            assert it["number"] in d["confirms"]
        implemented = planned and any(
            d["readable"]
            and (d["doc_type"] in RESULT_KINDS or d["doc_type"] == it["expected_result_type"])
            for d in confirming
        )
        assert it["implemented"] == implemented, (t["folder"], it["number"])
    for d in docs:
        for n in d["confirms"]:
            assert n in numbers
            assert d["file"] in next(it for it in items if it["number"] == n)["confirmed_by"]
        if not d["readable"]:
            assert d["doc_type"] == "other" and d["confirms"] == []
        if d["file"] != t["arp_file"]:
            assert d["off_plan"] == (d["readable"] and not d["confirms"])
    has_roadmap = t["layout"] != "none" and bool(items)
    planned = [it for it in items if it["planned"]]
    implemented = [it for it in planned if it["implemented"]]
    e = t["expected"]
    assert e["planned"] == len(planned) and e["implemented"] == len(implemented)
    if not has_roadmap or not planned:
        assert e["K1"] == "Н/о" and e["percent"] is None
    else:
        pct = 100 * len(implemented) / len(planned)
        assert e["percent"] == pytest.approx(pct, abs=0.05)
        assert e["K1"] == (0 if pct < 25 else 1 if pct < 50 else 2 if pct < 75 else 3)
    tasks_text = _has_list_after(arp_text, re.compile(r"^Задачи"))
    assert e["K2"] == int(any(it["task"].strip() for it in items) or tasks_text), t["folder"]
    if has_roadmap:
        filled = sum(1 for it in items if it["indicator"].strip())
        assert e["K3"] == int(filled >= 0.8 * len(items))
        assert e["K4"] == int(all(it["precision"] in ("day", "month") for it in items))
    else:
        targets = _has_list_after(arp_text, re.compile(r"^(Целевые показатели|Показатели)"))
        assert e["K3"] == int(targets)
        assert e["K4"] == 0
    evidence = [d for d in docs if d["file"] != t["arp_file"] and d["readable"]]
    expected_type = {it["number"]: it["expected_result_type"] for it in items}
    if has_roadmap and evidence:
        matched = [d for d in evidence if d["confirms"]]
        good = [
            d
            for d in matched
            if d["doc_type"] in RESULT_KINDS
            or any(expected_type[n] == d["doc_type"] for n in d["confirms"])
        ]
        assert e["K5"] == int(len(matched) >= 0.8 * len(evidence))
        assert e["K6"] == int(len(good) >= 0.8 * len(evidence))
    else:
        assert e["K5"] == 0 and e["K6"] == 0
    total = sum(e[k] for k in ("K1", "K2", "K3", "K4", "K5", "K6") if isinstance(e[k], int))
    assert e["total"] == total


@pytest.mark.parametrize("truth", TRUTHS, ids=[t["folder"] for t in TRUTHS])
def test_expected_scores_follow_the_rules(truth: dict) -> None:
    _check_consistency(truth, SAMPLE)


@pytest.mark.parametrize("truth", TRUTHS, ids=[t["folder"] for t in TRUTHS])
def test_files_open_as_declared(truth: dict) -> None:
    import docx
    import pdfplumber

    folder = SAMPLE / truth["folder"]
    for d in truth["documents"]:
        path = folder / d["file"]
        if not d["readable"]:
            with pytest.raises(Exception):  # noqa: B017 - any failure to open is the point
                if path.stat().st_size == 0:
                    raise ValueError("empty file")
                if path.suffix == ".pdf":
                    with pdfplumber.open(path) as pdf:
                        assert any((p.extract_text() or "").strip() for p in pdf.pages)
                else:
                    docx.Document(str(path))
            continue
        text = _text_of(path)
        assert len(text.strip()) > 100, d["file"]
    if truth["layout"] == "L5":
        with pdfplumber.open(folder / truth["arp_file"]) as pdf:
            assert len(pdf.pages) >= 2
            continued = 0
            for page in pdf.pages[1:]:
                for table in page.extract_tables():
                    # header, the row of column numbers, then a row continued from the last page
                    if len(table) > 2 and table[1][:3] == ["1", "2", "3"] and not table[2][0]:
                        continued += 1
            assert continued >= 1, "the L5 roadmap must have a row split across pages"


@pytest.mark.parametrize(
    "truth",
    [t for t in TRUTHS if t["arp_file"].endswith(".docx") and t["layout"] != "none"],
    ids=lambda t: t["folder"],
)
def test_docx_roadmap_rows_match_items(truth: dict) -> None:
    import docx

    d = docx.Document(str(SAMPLE / truth["folder"] / truth["arp_file"]))
    header_words = ("Мероприят", "Срок")
    tables = [
        t for t in d.tables if all(any(w in c.text for c in t.rows[0].cells) for w in header_words)
    ]
    assert len(tables) == 1
    rows = [[c.text for c in r.cells] for r in tables[0].rows[1:]]
    rows = [r for r in rows if not r[0].startswith("Этап")]
    assert len(rows) == len(truth["items"])
    for row, it in zip(rows, truth["items"], strict=True):
        assert it["activity"] in row
        assert it["deadline_text"] in row
        if it["task"]:
            assert it["task"] in row
