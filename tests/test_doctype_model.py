"""The trainable document-type classifier: persistence, retraining, registry, confidence."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.pipeline import Pipeline

from classifiers import doctype_model as dm
from classifiers.doctype import classify_rules
from extractors.model import Block, Cell, Document, Table

DATA = Path(__file__).resolve().parents[1] / "data" / "labelled" / "doctypes"
PER_TYPE = 15  # small enough to train in about a second, large enough for every type


def _subset(rows: list[dict[str, Any]], per_type: int) -> list[dict[str, Any]]:
    taken: dict[str, int] = defaultdict(int)
    out = []
    for r in rows:
        if taken[r["doc_type"]] < per_type:
            taken[r["doc_type"]] += 1
            out.append(r)
    return out


@pytest.fixture(scope="module")
def train_rows() -> list[dict[str, Any]]:
    return _subset(dm.read_jsonl(DATA / "train.jsonl"), PER_TYPE)


@pytest.fixture(scope="module")
def test_rows() -> list[dict[str, Any]]:
    return _subset(dm.read_jsonl(DATA / "heldout.jsonl"), 4)


@pytest.fixture(scope="module")
def model(train_rows: list[dict[str, Any]]) -> Pipeline:
    return dm.fit_model(train_rows, [r["doc_type"] for r in train_rows])


def doc(*lines: str, name: str = "file.pdf") -> Document:
    return Document(path=name, sha256="x", format="pdf",
                    blocks=[Block(text=t, page=1) for t in lines])


ORDER = doc("МОУ «Средняя школа № 3»", "ПРИКАЗ", "от 14.02.2022 № 45",
            "О проведении педагогического совета", "В целях повышения качества образования",
            "ПРИКАЗЫВАЮ:", "1. Провести педагогический совет 20.02.2022.",
            "2. Назначить ответственным заместителя директора по УВР Иванову А.А.",
            "3. Контроль за исполнением приказа оставляю за собой.",
            "Директор ________ Петрова О.В.")
PROTOCOL = doc("ПРОТОКОЛ № 3", "заседания методического объединения учителей математики",
               "от 12.03.2022", "Присутствовали: 8 человек", "Повестка дня:",
               "1. Об итогах диагностики.", "СЛУШАЛИ: Иванову А.А., которая отметила рост на 5%.",
               "РЕШИЛИ: принять информацию к сведению.", "Председатель ______ Петрова О.В.",
               "Секретарь ______ Сидорова Е.Е.")


def test_pipeline_round_trips_through_joblib(model: Pipeline, test_rows: list[dict],
                                             tmp_path: Path) -> None:
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    loaded = joblib.load(path)
    assert isinstance(loaded, Pipeline)
    np.testing.assert_array_equal(loaded.predict_proba(test_rows), model.predict_proba(test_rows))
    before = [(e.doc_type, e.top_features) for e in dm.explain(model, test_rows)]
    assert [(e.doc_type, e.top_features) for e in dm.explain(loaded, test_rows)] == before


def test_retraining_on_changed_labels_changes_predictions(
    model: Pipeline, train_rows: list[dict], test_rows: list[dict]
) -> None:
    # An analyst decides protocols are not evidence types of their own: relabel, retrain.
    relabelled = ["other" if r["doc_type"] == "protocol" else r["doc_type"] for r in train_rows]
    retrained = dm.fit_model(train_rows, relabelled)
    protocols = [r for r in test_rows if r["doc_type"] == "protocol"]
    assert "protocol" in set(model.predict(protocols))
    assert "protocol" not in retrained.classes_
    assert list(retrained.predict(protocols)) != list(model.predict(protocols))
    assert set(retrained.predict(protocols)) <= set(retrained.classes_)


def test_predictions_carry_kind_probability_and_readable_reasons(model: Pipeline) -> None:
    order, protocol = dm.predict_documents(model, [ORDER, PROTOCOL])
    assert (order.doc_type, order.evidence_kind) == ("order", "plan")
    assert (protocol.doc_type, protocol.evidence_kind) == ("protocol", "result")
    for pred in (order, protocol):
        assert 0 < pred.probability <= 1
        assert pred.reasons, "top features must not be empty"
        assert all(":" in r for r in pred.reasons)  # "group:feature", e.g. "kind:^протокол"


def test_an_ambiguous_document_is_low_confidence(model: Pipeline) -> None:
    # A protocol's heading over an order's body (a scan of two pages of two documents):
    # the cues disagree and the expert has to decide.
    ambiguous = {"title": "ПРОТОКОЛ\nПРИКАЗЫВАЮ:\n1. Провести совещание.\n"
                          "2. Назначить ответственного.", "body": ""}
    (pred,) = dm.explain(model, [ambiguous])
    assert pred.probability < dm.LOW_CONFIDENCE
    (clear,) = dm.predict_documents(model, [ORDER])
    assert clear.probability >= dm.LOW_CONFIDENCE


def test_load_promoted_follows_the_pointer(model: Pipeline, tmp_path: Path,
                                           test_rows: list[dict]) -> None:
    models = tmp_path / "models"
    models.mkdir()
    assert dm.load_promoted(models) is None  # no pointer file
    (models / "v7").mkdir()
    joblib.dump(model, models / "v7" / dm.MODEL_FILE)
    dm.promote(models, "v7")
    assert (models / dm.POINTER_FILE).read_text(encoding="utf-8").strip() == "v7"
    loaded = dm.load_promoted(models)
    assert loaded is not None
    np.testing.assert_array_equal(loaded.predict_proba(test_rows), model.predict_proba(test_rows))
    (models / dm.POINTER_FILE).write_text("gone\n", encoding="utf-8")
    assert dm.load_promoted(models) is None  # pointer to a missing model
    with pytest.raises(FileNotFoundError):
        dm.promote(models, "gone")


def test_the_flow_classifier_uses_the_promoted_model(model: Pipeline, tmp_path: Path) -> None:
    (tmp_path / "v1").mkdir()
    joblib.dump(model, tmp_path / "v1" / dm.MODEL_FILE)
    dm.promote(tmp_path, "v1")
    clf = dm.load_classifier(tmp_path)
    assert (clf.name, clf.warning) == ("v1", None)
    preds = clf.predict([ORDER, PROTOCOL])
    assert [p.doc_type for p in preds] == ["order", "protocol"]
    assert preds == dm.predict_documents(model, [ORDER, PROTOCOL])


def test_without_a_promoted_model_the_rules_answer_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="classifiers.doctype_model"):
        clf = dm.load_classifier(tmp_path)
    assert clf.model is None and clf.name == "rules"
    assert clf.warning and "PROMOTED" in clf.warning
    assert any("PROMOTED" in r.message for r in caplog.records)
    assert clf.predict([ORDER]) == [classify_rules(ORDER)]


def test_the_shipped_promoted_model_loads_and_reads_an_order() -> None:
    # Guards the artifact in models/: a scikit-learn upgrade that cannot load it fails here.
    model = dm.load_promoted(dm.MODELS_DIR)
    assert model is not None
    (pred,) = dm.predict_documents(model, [ORDER])
    assert (pred.doc_type, pred.evidence_kind) == ("order", "plan")


def test_doc_to_record_splits_title_zone_and_body() -> None:
    long_line = "Первый абзац текста документа. " * 25
    d = Document(path="a.docx", sha256="x", format="docx",
                 blocks=[Block(text="ПРОТОКОЛ № 1"), Block(text=long_line),
                         Block(text="Решили: принять к сведению.")],
                 tables=[Table(index=0, n_rows=1, n_cols=2,
                               cells=[Cell(row=0, col=0, text="ФИО"),
                                      Cell(row=0, col=1, text="Подпись")])])
    rec = dm.doc_to_record(d)
    assert rec["title"].startswith("ПРОТОКОЛ № 1")
    assert rec["body"] == "Решили: принять к сведению.\nФИО | Подпись"


def test_kind_lines_skip_letterhead_stamps_and_datelines() -> None:
    title = "\n".join([
        "Муниципальное бюджетное общеобразовательное учреждение", "«Средняя школа № 3»",
        "УТВЕРЖДАЮ", "Директор школы", "________ И.И. Иванова", "01.09.2022",
        "ПОЛОЖЕНИЕ", "о рабочей группе", "1. Общие положения",
    ])
    assert dm.kind_lines(title) == "ПОЛОЖЕНИЕ\nо рабочей группе"
    assert dm.kind_lines("ПРИКАЗ\nот 14.02.2022 № 45-од\nО проведении педсовета") == (
        "ПРИКАЗ\nО проведении педсовета")


def test_train_and_evaluate_write_a_card_and_compare_two_models(
    train_rows: list[dict], test_rows: list[dict], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name, rows in (("train", train_rows), ("heldout", test_rows)):
        with (data / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    result = dm.train_model(data, tmp_path / "m1", cv_folds=0)
    for f in (dm.MODEL_FILE, dm.CARD_FILE, dm.METRICS_FILE):
        assert (tmp_path / "m1" / f).is_file()
    card = (tmp_path / "m1" / dm.CARD_FILE).read_text(encoding="utf-8")
    assert "Confusion matrix" in card and "macro-F1" in card and "git" in card
    assert set(result["heldout"]["per_class"]) == set(r["doc_type"] for r in test_rows)
    assert (tmp_path / "m1" / dm.MODEL_FILE).stat().st_size < 20_000_000

    evaluation = dm.evaluate_models([tmp_path / "m1", tmp_path / "m1"], data)
    assert evaluation["comparison"]["changed_predictions"] == 0
    text = dm.format_evaluation(evaluation)
    assert "macro-F1" in text and "protocol" in text
