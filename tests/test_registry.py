"""Promotion of a document-type model only when it is not worse on the held-out set."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from classifiers.doctype_model import POINTER_FILE, promoted_name, read_jsonl, train_model
from classifiers.registry import history, promote_if_not_worse

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "labelled" / "doctypes"


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> Path:
    """A registry with the shipped promoted model and a weak one trained on 5 documents a
    type (the shipped one saw 800)."""
    models = tmp_path_factory.mktemp("models")
    current = promoted_name(ROOT / "models")
    shutil.copytree(ROOT / "models" / current, models / current)
    (models / POINTER_FILE).write_text(current + "\n", encoding="utf-8")
    rows, per_type = [], {}
    for r in read_jsonl(DATA / "train.jsonl"):
        if per_type.get(r["doc_type"], 0) < 5:
            per_type[r["doc_type"]] = per_type.get(r["doc_type"], 0) + 1
            rows.append(r)
    small = tmp_path_factory.mktemp("small")
    (small / "train.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    train_model(small, models / "doctype-weak", cv_folds=0)
    return models


def test_a_worse_model_is_not_promoted(registry: Path) -> None:
    current = promoted_name(registry)
    decision = promote_if_not_worse(registry, "doctype-weak", DATA)
    assert not decision.promoted and decision.current == current
    assert decision.candidate_metrics["macro_f1"] < decision.current_metrics["macro_f1"]
    assert "worse on held-out" in decision.reason
    assert promoted_name(registry) == current
    last = history(registry)[-1]
    assert last["candidate"] == "doctype-weak" and last["promoted"] is False
    assert last["data_sha256"] and last["data"].endswith("heldout.jsonl")


def test_forced_promotion_is_recorded(registry: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    shutil.copytree(registry, models)
    decision = promote_if_not_worse(models, "doctype-weak", DATA, force=True, note="test")
    assert decision.promoted and decision.forced
    assert promoted_name(models) == "doctype-weak"
    assert history(models)[-1]["forced"] is True
    card = (models / "doctype-weak" / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "## Promotion" in card and "--force" in card and "test" in card


def test_an_equal_model_is_promoted_and_the_cli_refuses_a_worse_one(
    registry: Path, tmp_path: Path, capsys
) -> None:
    from pipelines.cli import main

    models = tmp_path / "models"
    shutil.copytree(registry, models)
    current = promoted_name(models)
    shutil.copytree(models / current, models / "doctype-same")
    assert main(["promote", "doctype-weak", "--models", str(models), "--data", str(DATA)]) == 1
    assert "not promoted" in capsys.readouterr().out
    assert promoted_name(models) == current
    # Not worse (the same model under another name): promoted.
    assert main(["promote", "doctype-same", "--models", str(models), "--data", str(DATA)]) == 0
    assert promoted_name(models) == "doctype-same"
    assert [h["promoted"] for h in history(models)][-2:] == [False, True]


def test_train_promote_follows_the_same_rule(registry: Path, tmp_path: Path, capsys) -> None:
    from pipelines.cli import main

    models = tmp_path / "models"
    shutil.copytree(registry, models)
    current = promoted_name(models)
    data = tmp_path / "data"
    data.mkdir()
    rows = read_jsonl(DATA / "train.jsonl")[::40]  # 20 documents: a weak model
    (data / "train.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    args = ["train", "--data", str(data), "--cv-folds", "0", "--promote"]
    # Without held-out data there is nothing to compare on: not promoted.
    assert main([*args, "--out", str(models / "doctype-tiny")]) == 1
    assert "no " in capsys.readouterr().err and promoted_name(models) == current
    shutil.copy(DATA / "heldout.jsonl", data / "heldout.jsonl")
    assert main([*args, "--out", str(models / "doctype-tiny2")]) == 1
    assert "worse on held-out" in capsys.readouterr().err
    assert promoted_name(models) == current
