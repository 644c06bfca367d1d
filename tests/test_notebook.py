"""notebooks/retrain.ipynb runs top to bottom on the sample (the analyst's path)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "retrain.ipynb"


def test_retrain_notebook_runs_top_to_bottom(sample_review: Path, tmp_path: Path, monkeypatch):
    # The session's review of data/sample stands in for the notebook's own (a minute saved).
    monkeypatch.setenv("RETRAIN_REVIEW_OUT", str(sample_review))
    monkeypatch.setenv("RETRAIN_WORKDIR", str(tmp_path / "work"))
    monkeypatch.delenv("EVIDENCE_REVIEW_DB", raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()  # raises CellExecutionError on the first failing cell

    work = tmp_path / "work"
    text = "\n".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert "sheets reviewed by experts: 6" in text
    assert "{'unchanged'}" in text  # the second import stored nothing
    exported = json.loads((work / "labelled" / "SOURCES.json").read_text(encoding="utf-8"))
    assert exported["doctypes_from_corrections"] >= 30  # the sample's typed documents
    assert exported["matching_from_corrections"] >= 1  # school 5's corrected match
    card = work / "models" / "doctype-corrections" / "MODEL_CARD.md"
    assert card.is_file()
    for png in ("confusion.png", "per_class_f1.png"):
        assert (work / png).stat().st_size > 10_000
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 2
    decision = [
        json.loads(x) for x in (work / "models" / "REGISTRY.jsonl").read_text().split("\n") if x
    ][-1]
    assert decision["candidate"] == "doctype-corrections" and decision["data_sha256"]
    assert ((work / "models" / "PROMOTED").read_text().strip() == "doctype-corrections") == (
        decision["promoted"]
    )
