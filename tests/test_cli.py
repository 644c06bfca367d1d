"""The CLI's data commands print the JSON their contracts promise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHOOL = ROOT / "data" / "sample" / "school_04_polyanskaya"
ITEM_KEYS = {
    "number",
    "section",
    "task",
    "activity",
    "deadline",
    "responsible",
    "participants",
    "indicator",
    "expected_result",
    "evidence_refs",
    "provenance",
}


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )


def test_dates_reads_stdin_and_infers_the_year_from_other_lines() -> None:
    out = cli("dates", stdin="До 11.02.2022\nМай-ноябрь\nВ течение года\n").stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert [set(r) >= {"text", "start", "end", "precision", "concrete"} for r in rows] == [True] * 3
    assert rows[0]["start"] is None and rows[0]["end"] == "2022-02-11"
    assert (rows[1]["start"], rows[1]["end"], rows[1]["year_assumed"]) == (
        "2022-05-01",
        "2022-11-30",
        True,
    )
    assert rows[2]["precision"] == "vague" and rows[2]["concrete"] is False
    explicit = json.loads(cli("dates", "--year", "2023", stdin="Май\n").stdout)
    assert explicit["start"] == "2023-05-01"


def test_roadmap_json() -> None:
    arp = next(SCHOOL.glob("АРП*"))
    out = json.loads(cli("roadmap", str(arp), "--json").stdout)
    assert out["items"] and isinstance(out["warnings"], list)
    for item in out["items"]:
        assert ITEM_KEYS <= set(item)
        assert item["provenance"]["file"] and item["provenance"]["row"] is not None


def test_classify_and_match_json() -> None:
    files = sorted(p for p in SCHOOL.iterdir() if not p.name.startswith("АРП"))
    lines = cli("classify", *map(str, files), "--json").stdout.splitlines()
    objs = [json.loads(line) for line in lines]
    assert len(objs) == len(files)
    for obj in objs:
        assert {"path", "doc_type", "evidence_kind", "probability", "top_features"} <= set(obj)
    arp = next(SCHOOL.glob("АРП*"))
    out = json.loads(cli("match", str(arp), *map(str, files), "--json").stdout)
    matched = {m["document"] for m in out["matches"]}
    assert matched and set(out["off_plan"]).isdisjoint(matched)
    assert all(m["reason"] and m["signals"] for m in out["matches"])


def test_evaluate_compares_two_models_on_the_same_data() -> None:
    model = str(ROOT / "models" / "doctype-v1")
    data = str(ROOT / "data" / "labelled" / "doctypes")
    out = cli("evaluate", "--model", model, "--model", model, "--data", data).stdout
    assert "macro" in out.lower()


def test_prefect_defaults_fill_only_what_the_user_left_unset(monkeypatch) -> None:
    from pipelines.prefect_env import DEFAULTS, use_defaults

    batch = "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE"
    for name in DEFAULTS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(batch, "7")  # an operator's own value
    use_defaults()
    assert os.environ[batch] == "7"
    assert all(os.environ[name] == value for name, value in DEFAULTS.items() if name != batch)
