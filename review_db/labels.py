"""Experts' corrections as labelled data for the document-type classifier and the matcher.

The documents' texts are not in the database: they are read again from the export the run
reviewed (`runs.region_path`), and a file whose content changed since the run is skipped,
since its label was given to another text.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from classifiers.doctype_model import doc_to_record, read_jsonl
from classifiers.train_matcher import Case, load_cases
from expert_sheet.records import DocRecord, ItemRecord
from extractors.extract import extract
from extractors.model import Document
from pipelines.school import doc_texts, item_texts
from review_db.db import session_scope
from review_db.final import FinalSheet, reviewed_sheets

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "data" / "labelled"


@dataclass
class LabelReport:
    doctypes_from_corrections: int = 0
    doctypes_replaced: int = 0  # generated records the same text, now labelled by an expert
    doctypes_train: int = 0
    matching_from_corrections: int = 0
    matching_replaced: int = 0
    matching_cases: int = 0
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__ | {"skipped": list(self.skipped)}


def text_key(rec: dict[str, Any]) -> str:
    """Two records with the same text are the same document, whatever their ids."""
    text = " ".join((rec.get("title", "") + "\n" + rec.get("body", "")).split())
    return hashlib.sha256(text.encode()).hexdigest()


def _read(final: FinalSheet, file: str, sha256: str, report: LabelReport) -> Document | None:
    folder = Path(final.run.region_path) / final.sheet.folder
    path = folder / file
    if not path.is_file():
        report.skipped.append(f"{final.sheet.folder}/{file}: no longer in {folder}")
        return None
    doc = extract(path, root=folder)
    if sha256 and doc.sha256 != sha256:
        report.skipped.append(f"{final.sheet.folder}/{file}: changed since run {final.run.id}")
        return None
    return doc


def _doctype_labels(sheets: list[FinalSheet], report: LabelReport) -> list[dict[str, Any]]:
    """One record per corrected document; the same file corrected in several sheets keeps
    the correction of the newest run (sheets come newest first per school)."""
    out: dict[str, dict[str, Any]] = {}
    for final in sheets:
        sha = {d.file: d.sha256 for d in final.sheet.documents}
        for (kind, target), value in final.corrections.items():
            if kind != "doc_type" or sha.get(target, "") in out:
                continue
            doc = _read(final, target, sha.get(target, ""), report)
            if doc is None:
                continue
            if doc.photo is not None:
                # Typed photo by rule, never by the model: a record of its name alone would
                # teach the model nothing it is asked.
                report.skipped.append(
                    f"{final.sheet.folder}/{target}: a photo without text, no type label"
                )
                continue
            out[doc.sha256] = doc_to_record(doc) | {
                "id": f"correction-{doc.sha256[:12]}",
                "doc_type": value,
                "source": f"correction:run {final.run.id}:{final.sheet.folder}/{target}",
            }
    return list(out.values())


def _matching_cases(sheets: list[FinalSheet], report: LabelReport) -> list[Case]:
    """A school whose matches an expert corrected becomes one case with every document and
    item of its sheet, labelled by the final matches."""
    cases = []
    for final in sheets:
        if not any(k in ("item_documents", "document_items") for k, _ in final.corrections):
            continue
        rows = [d for d in final.sheet.documents if d.readable and not d.is_arp]
        docs, records = [], []
        for row in rows:
            doc = _read(final, row.file, row.sha256, report)
            if doc is None:
                break
            docs.append(doc)
            records.append(DocRecord(file=row.file, doc_type=final.types[row.file]))
        else:
            items = [ItemRecord.model_validate(i.record) for i in final.sheet.items]
            texts = doc_texts(docs, records)  # photos without text are left out, as in a review
            names = {t.name for t in texts}
            cases.append(
                Case(
                    school=f"{final.run.region}/{final.sheet.folder}",
                    items=item_texts(items),
                    docs=texts,
                    # An expert may add a photo to an item's documents; the matcher never
                    # sees photos, so such a pair would count as a match it missed.
                    gold=sorted(m for m in final.matches if m[0] in names),
                )
            )
            continue
        report.skipped.append(f"{final.sheet.folder}: matching case left out (files changed)")
    return cases


def _write_jsonl(path: Path, rows: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(r + "\n" for r in rows), encoding="utf-8")


def export_labels(
    engine: Engine,
    out_dir: Path,
    labelled_dir: Path = LABELLED,
    region: str | None = None,
) -> LabelReport:
    """Write OUT/doctypes/{train,heldout}.jsonl and OUT/matching/dev.jsonl: the generated
    labels of `labelled_dir` merged with the corrections, without duplicates. A correction
    wins over a generated label of the same text (doctypes) or school (matching). The
    held-out set is copied unchanged, so models trained on the export are compared on the
    same data as before; a corrected document whose text is in it is not trained on."""
    report = LabelReport()
    with session_scope(engine) as session:
        sheets = reviewed_sheets(session, region)
        corrected = _doctype_labels(sheets, report)
        cases = _matching_cases(sheets, report)

    src = labelled_dir / "doctypes"
    heldout_keys = set()
    if (src / "heldout.jsonl").is_file():
        heldout_keys = {text_key(r) for r in read_jsonl(src / "heldout.jsonl")}
        (out_dir / "doctypes").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / "heldout.jsonl", out_dir / "doctypes" / "heldout.jsonl")
    for rec in corrected:
        if text_key(rec) in heldout_keys:
            report.skipped.append(f"{rec['source']}: its text is in the held-out set")
    corrected = [r for r in corrected if text_key(r) not in heldout_keys]
    by_key = {text_key(r): r for r in corrected}
    base = read_jsonl(src / "train.jsonl") if (src / "train.jsonl").is_file() else []
    merged = []
    for rec in base:
        if text_key(rec) in by_key:
            report.doctypes_replaced += 1
        else:
            merged.append(rec)
    merged += list(by_key.values())
    _write_jsonl(
        out_dir / "doctypes" / "train.jsonl", [json.dumps(r, ensure_ascii=False) for r in merged]
    )
    report.doctypes_from_corrections, report.doctypes_train = len(by_key), len(merged)

    dev = labelled_dir / "matching" / "dev.jsonl"
    base_cases = load_cases(dev) if dev.is_file() else []
    names = {c.school for c in cases}
    report.matching_replaced = sum(c.school in names for c in base_cases)
    all_cases = [c for c in base_cases if c.school not in names] + cases
    _write_jsonl(out_dir / "matching" / "dev.jsonl", [c.model_dump_json() for c in all_cases])
    report.matching_from_corrections, report.matching_cases = len(cases), len(all_cases)
    (out_dir / "SOURCES.json").write_text(
        json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return report
