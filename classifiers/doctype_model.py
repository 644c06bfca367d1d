"""The trainable document-type classifier: one scikit-learn Pipeline, plan vs result with reasons.

The pipeline takes records ({"title", "body"} dicts or objects with those attributes, or
`Document`s) and does everything itself, so one `joblib` file is the whole model:

    prepare   TextPreparer   title zone and body text, spaced letters joined, lemmas
                             (classifiers.lemmas: spaCy blank("ru") + pymorphy3, cached per word)
    features  FeatureUnion   kind:   lemmas of the kind line, the first lines after letterhead
                                     and approval stamps ("ПРИКАЗ", "Аналитическая справка")
                             title:  lemma 1-2-grams of the title zone (tf-idf)
                             body:   lemma 1-2-grams of the body (tf-idf)
                             chars:  character 3-5-grams of the title zone (robust to OCR noise)
                             cue:    layout cues (ПРИКАЗЫВАЮ, Присутствовали, Слушали, Решили,
                                     signature and stamp, approval headers, numbered clauses,
                                     numbers, percentages, tables, time slots, length)
                             gram:   shares of verb forms (pymorphy3 tags): infinitives of
                                     orders, past tense of protocols and reports, verbal nouns
                                     of plans
    clf       LogisticRegression (multinomial, class-balanced): a linear model whose
              probabilities are fitted by log-loss; on development splits with new wording its
              calibration error was lower than sigmoid-calibrated SVM or LR (see the README of
              data/labelled/doctypes), so a low probability means "ask the expert".

Around it: `train_model` (writes model.joblib, MODEL_CARD.md, metrics.json), `evaluate_models`
(one or two models on the same data), `predict_documents`, and the registry of trained models
in `models/` with a `PROMOTED` pointer file naming the model the review flow uses.
"""

from __future__ import annotations

import inspect
import json
import logging
import math
import platform
import re
import subprocess
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from classifiers.doctype import (
    DOC_TYPES,
    EVIDENCE_KIND,
    DocTypePrediction,
    classify_rules,
    photo_prediction,
    title_zone,
)
from classifiers.lemmas import lemmas, lemmatizer_version
from classifiers.vocabulary import word_memo
from extractors.extract import sha256_of
from extractors.model import Document

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
MODELS_DIR = ROOT / "models"
MODEL_FILE, CARD_FILE, METRICS_FILE, POINTER_FILE = (
    "model.joblib",
    "MODEL_CARD.md",
    "metrics.json",
    "PROMOTED",
)
# Below this calibrated probability the sheet flags the type for the expert. Chosen on
# out-of-fold predictions of the training set (see the model card's threshold table): at 0.6
# almost every confident prediction is right and only a few per cent of documents are flagged.
LOW_CONFIDENCE = 0.6
# The type of a document shows in its first pages; longer bodies only cost time.
BODY_CHARS = 8000
TOP_FEATURES = 5
# Lemmas of the kind line kept: the kind and the start of the subject.
KIND_LEMMAS = 10

# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


def doc_to_record(doc: Document) -> dict[str, str]:
    """Title zone (as the rules see it) and the rest of the text of an extracted document."""
    zone = title_zone(doc)
    text = doc.text()
    if doc.blocks:
        # title_zone joins blocks with a trailing "\n" each, text() with "\n" between them,
        # so the zone is a prefix of the text and the body is what follows it.
        body = text[len(zone) :] if text.startswith(zone.rstrip("\n")) else text
    else:
        body = text  # the zone is the file name; all text (tables) is body
    return {"title": zone.strip(), "body": body.strip()}


def _field(rec: Any, name: str) -> str:
    value = rec.get(name) if isinstance(rec, dict) else getattr(rec, name, None)
    return value if isinstance(value, str) else ""


def as_record(rec: Any) -> dict[str, str]:
    if isinstance(rec, Document):
        return doc_to_record(rec)
    return {"title": _field(rec, "title"), "body": _field(rec, "body")}


def record_to_document(rec: Any, name: str = "document.pdf") -> Document:
    """A document with one block per line, for running the rules on a labelled record."""
    from extractors.model import Block

    lines = [x for x in (_field(rec, "title") + "\n" + _field(rec, "body")).split("\n") if x]
    return Document(path=name, sha256="", format="pdf", blocks=[Block(text=x) for x in lines])


# ---------------------------------------------------------------------------------------------
# Features
# ---------------------------------------------------------------------------------------------

# "П Р И К А З", "П Р О Т О К О Л": letter-spaced headings are common in forms and scans.
_SPACED = re.compile(r"\b(?:[А-ЯЁA-Z] ){3,}[А-ЯЁA-Z]\b")


def _join_spaced(text: str) -> str:
    return _SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)


# Russian documents open with requisites in a fixed order (GOST R 7.0.97): the letterhead
# (school, founder, address), an approval or agreement stamp ("УТВЕРЖДАЮ / Директор / ____ /
# date", "ПРИНЯТО на педсовете, протокол № 1"), then the name of the document's kind ("ПРИКАЗ",
# "Аналитическая справка по итогам ...") and its date and number. The kind line is what a reader
# looks at first; the letterhead and stamps name other documents and mislead word counts.
_LETTERHEAD = re.compile(
    r"учреж\s?дени|^\W*(муниципальн|государственн)\w*\s|общеобразовательн\w*\s+(бюджетн|"
    r"казённ|казенн|автономн)|управлени\w*\s+образовани|администраци|^\W*[МГ]\w{0,3}ОУ\b|"
    r"^\s*«[^»]*»\s*\)?\s*$|(школ[аы]|гимнази\w|лице\w|СОШ|ООШ)[^»]{0,40}»\s*\)?\s*$|"
    r"\bул\.|\bтел\.|e-mail|@|\bИНН\b|\bОГРН\b|^\s*\(.*\)\s*$|"
    r"^\s*(г|с|п|д|пос|пгт|ст|р\.\s?п)\.\s|^\s*[А-ЯЁ][\w-]+\s+(область|край)\s*$",
    re.I,
)
_STAMP_START = re.compile(
    r"^\W*(утвержд|принят|согласован|рассмотрен|одобрен|введен\w* в действие|"
    r"приложение\s*(№\s*\d+\s*)?(к\s|$))",
    re.I,
)
_STAMP_CONT = re.compile(
    r"директор|председател|заседани|совет\w*\s*$|протокол\w*\s*(№|от)|приказ\w*\s*(№|от|"
    r"директора)|_{2,}|^\W*\d{1,2}\.\d{2}\.\d{2,4}|^\W*\d{1,2}\W*\s+[а-я]+\s+\d{4}|"
    r"^\s*[А-ЯЁ]\.\s?[А-ЯЁ]\.|/|»\s*$",
    re.I,
)
# What a line of only a date, a number or a place is made of: "от 12.03.2022 № 45-од",
# "«12» марта 2022 г.", "г. Чита".
_DATE_WORDS = re.compile(r"\b(от|г|года?|дата|номер|од|о)\b\.?|№|[а-яё]+(?=\s+\d{4})", re.I)
_PLACE = re.compile(r"^\s*(г|с|п|д|пос|пгт|ст|р\.\s?п)\.?\s+[А-ЯЁ][\w-]+(\s[А-ЯЁ][\w-]+)?\s*$")


def _is_dateline(line: str) -> bool:
    rest = _DATE_WORDS.sub(" ", line)
    return not re.search(r"[а-яёa-z]{2,}", rest, re.I) or bool(_PLACE.match(line))


def kind_lines(title: str, n_lines: int = 2) -> str:
    """The first lines after the letterhead and stamps: where the document names its kind."""
    out: list[str] = []
    stamp = 0
    for line in title.split("\n"):
        if not line.strip() or _LETTERHEAD.search(line):
            continue
        if _STAMP_START.search(line):
            stamp = 4  # the stamp's own line and up to four lines continuing it
            continue
        if stamp and _STAMP_CONT.search(line):
            stamp -= 1
            continue
        stamp = 0
        if _is_dateline(line):
            continue
        out.append(line)
        if len(out) == n_lines:
            break
    return "\n".join(out)


class TextPreparer(BaseEstimator, TransformerMixin):
    """Records -> dicts with normalised title/body text and their lemmas; learns nothing."""

    def __init__(self, body_chars: int = BODY_CHARS, kind_line_count: int = 2) -> None:
        self.body_chars = body_chars
        self.kind_line_count = kind_line_count

    def fit(self, X: Iterable[Any], y: Any = None) -> TextPreparer:
        return self

    def transform(self, X: Iterable[Any]) -> list[dict[str, Any]]:
        out = []
        for rec in X:
            r = as_record(rec)
            title = _join_spaced(r["title"])
            body = _join_spaced(r["body"][: self.body_chars])
            kind = kind_lines(title, self.kind_line_count)
            out.append(
                {
                    "title": title,
                    "body": body,
                    "title_lemmas": lemmas(title),
                    "kind": kind,
                    "kind_lemmas": lemmas(kind)[:KIND_LEMMAS],
                    "body_lemmas": lemmas(body),
                    "thead_lemmas": lemmas("\n".join(table_headers(f"{title}\n{body}"))),
                }
            )
        return out


def table_headers(text: str) -> list[str]:
    """Header rows of the tables in a document's text (Document.text() writes a table's rows
    as "cell | cell" lines after the paragraphs): the column names say what a table records."""
    heads, previous_is_row = [], False
    for line in text.split("\n"):
        is_row = line.count(" | ") >= 1
        if is_row and not previous_is_row:
            heads.append(line)
        previous_is_row = is_row
    return heads


def _ngrams(tokens: list[str]) -> list[str]:
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


# Module-level functions, not lambdas, so the pipeline pickles.
def title_terms(rec: dict[str, Any]) -> list[str]:
    return _ngrams(rec["title_lemmas"])


def kind_terms(rec: dict[str, Any]) -> list[str]:
    """Lemmas of the kind line, with its first word and first pair marked apart: "план"
    opening a title says more than "план" in "Об утверждении плана", and "^план работа" is
    not "^контрольный работа"."""
    tokens = rec["kind_lemmas"]
    return _ngrams(tokens) + [f"^{t}" for t in [" ".join(tokens[:1]), " ".join(tokens[:2])] if t]


def thead_terms(rec: dict[str, Any]) -> list[str]:
    return list(rec["thead_lemmas"])


def body_terms(rec: dict[str, Any]) -> list[str]:
    return _ngrams(rec["body_lemmas"])


def title_text(rec: dict[str, Any]) -> str:
    return rec["title"].lower()


def _rx(pattern: str, flags: int = re.I | re.M) -> re.Pattern[str]:
    return re.compile(pattern, flags)


# (name, pattern, where): where is "title", "body" or "all". Each is counted and squashed by
# log1p, so a cue's presence matters more than its repetition.
CUES: list[tuple[str, re.Pattern[str], str]] = [
    ("ПРИКАЗЫВАЮ", _rx(r"приказываю|обязываю"), "all"),
    ("Контроль исполнения", _rx(r"контроль\s+(за|над)?\s*исполнени"), "all"),
    ("С приказом ознакомлены", _rx(r"ознакомлен"), "all"),
    ("Присутствовали", _rx(r"присутствовал|присутствовало|кворум"), "all"),
    ("Отсутствовали", _rx(r"отсутствовал"), "all"),
    ("Повестка", _rx(r"повестк"), "all"),
    ("Слушали", _rx(r"\bслушали\b"), "all"),
    ("Выступили", _rx(r"\bвыступил"), "all"),
    ("Решили", _rx(r"\b(решили|постановили|решение)\b"), "all"),
    ("Голосовали", _rx(r"голосовал|голосовани|единогласно"), "all"),
    ("Председатель/Секретарь", _rx(r"председател|секретар"), "all"),
    ("signature", _rx(r"_{3,}|/\s*[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+\s*/"), "all"),
    ("stamp", _rx(r"\bм\.\s?п\.", re.I), "all"),
    (
        "approval header",
        _rx(
            r"утверждаю|утвержден[оа]?\b|^\s*принято|согласовано|"
            r"рассмотрено"
        ),
        "title",
    ),
    ("приложение к приказу", _rx(r"приложение\s*(№\s*\d+\s*)?к\s+приказу"), "title"),
    ("numbered clauses", _rx(r"^\s*\d+\.\d+\.\s"), "all"),
    ("numbered items", _rx(r"^\s*\d+[.)]\s"), "all"),
    ("dash items", _rx(r"^\s*[–—-]\s"), "all"),
    ("Цель/Задачи", _rx(r"^\s*(цель|задачи)\b"), "all"),
    ("Выводы/Рекомендации", _rx(r"^\s*(вывод|рекомендаци|предложения|управленческие)"), "all"),
    ("percent", _rx(r"\d\s?%|процент"), "all"),
    ("date", _rx(r"\b\d{1,2}\.\d{2}\.(\d{4}|\d{2})\b|\b\d{1,2}\s+[а-я]+я\s+\d{4}"), "all"),
    ("№", _rx(r"№"), "title"),
    ("time slot", _rx(r"\b\d{1,2}[.:]\d{2}\s*[–—-]\s*\d{1,2}[.:]\d{2}\b"), "all"),
    ("hours", _rx(r"\d+\s*(час|ч\.)"), "all"),
    ("table row", _rx(r"\|"), "all"),
    ("question/answer", _rx(r"^\s*(задание|ответ|вариант|№\s*\d+\.)"), "all"),
    (
        "initials",
        _rx(r"\b[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+|[А-ЯЁ][а-яё]+\s[А-ЯЁ]\.\s?[А-ЯЁ]\.", re.M),
        "all",
    ),
]


class FixedFeatures(BaseEstimator, TransformerMixin):
    """Hand-made features whose columns are known before any data: `fit` learns nothing."""

    def fit(self, X: Any, y: Any = None) -> FixedFeatures:
        self.n_features_out_ = len(self.get_feature_names_out())
        return self


class LayoutCues(FixedFeatures):
    """Counts of layout cues plus length and shape figures; fixed, nothing is learnt."""

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        names = [name for name, _, _ in CUES]
        names += [
            "short text",
            "very short text",
            "long text",
            "empty title",
            "digit share",
            "upper-case share",
        ]
        return np.array(names, dtype=object)

    def transform(self, X: Sequence[dict[str, Any]]) -> sp.csr_matrix:
        rows = []
        for rec in X:
            title, body = rec["title"], rec["body"]
            both = f"{title}\n{body}"
            row = []
            for _, pattern, where in CUES:
                text = title if where == "title" else both
                row.append(math.log1p(len(pattern.findall(text))))
            n = len(both.strip())
            letters = [ch for ch in both if ch.isalpha()]
            row += [
                float(n < 300),
                float(n < 80),
                float(n > 3000),
                float(not title.strip()),
                sum(ch.isdigit() for ch in both) / max(n, 1) * 5,
                sum(ch.isupper() for ch in letters) / max(len(letters), 1),
            ]
            rows.append(row)
        return sp.csr_matrix(np.asarray(rows, dtype=np.float64) * self.weight)


@lru_cache(maxsize=1)
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@word_memo("word-form", version=lemmatizer_version)
def word_form(word: str) -> str:
    """Coarse grammatical class of a lower-case word by its likeliest pymorphy3 parse.

    Lemmas erase tense, yet tense tells plan from result: an order says "провести", a plan
    "проведение", a report "проведено", a protocol "выступила" and "решили".
    """
    tag = _morph().parse(word)[0].tag
    if tag.POS == "INFN":
        return "infinitive"
    if tag.POS == "PRTS":
        return "short participle"
    if tag.POS == "VERB":
        if tag.tense == "past":
            return "past"
        return "first person" if tag.person == "1per" else "present/future"
    if tag.POS == "NOUN" and word.endswith(("ние", "ция", "ка", "тие")):
        return "verbal noun"
    return "other"


_WORD = re.compile(r"[а-яё]{3,}")
_LINE_START = re.compile(r"^[\s\d.)•–—-]*([а-яё]{3,})", re.M)
WORD_FORMS = (
    "infinitive",
    "short participle",
    "past",
    "present/future",
    "first person",
    "verbal noun",
)


# The words that name each type, taken from the type definitions of the task (issue 5) and
# DOMAIN.md, not from the training data: they carry what a reader knows about document kinds
# into types or wordings the training set lacks.
LEXICON: dict[str, re.Pattern[str]] = {
    "order": _rx(r"приказ|распоряжени"),
    "protocol": _rx(r"протокол"),
    "analytic_note": _rx(r"справк"),
    "report": _rx(r"отч[её]т|самообследовани"),
    "plan": _rx(r"\bплан|дорожн\w*\s+карт|программ|\bАРП\b"),
    "regulation": _rx(r"положени[ея]\b|регламент"),
    "product": _rx(r"технологическ\w*\s+карт|(контрольн|проверочн|самостоятельн|диагностическ)"
                   r"\w*\s+работ|сертификат|удостоверени|диплом|"
                   r"программ\w*\s+(семинар|мероприяти|вебинар|конференц|мастер|круглого)|"
                   r"методическ\w*\s+(рекомендаци|материал|разработк)"),
    "photo": _rx(r"фото"),
    "other": _rx(r"новост|письм|инструкци|памятк"),
}


class LexiconCues(FixedFeatures):
    """Where the words naming each type occur (opening the kind line, in the kind lines, in
    the title zone), and which type the keyword rules (classify_rules) give; fixed."""

    def __init__(self, weight: float = 1.0, opening_chars: int = 40) -> None:
        self.weight = weight
        self.opening_chars = opening_chars

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        names = []
        for t in LEXICON:
            names += [f"{t} word opens the kind line", f"{t} word in the kind lines",
                      f"{t} word in the title zone"]
        names += [f"rules say {t}" for t in DOC_TYPES]
        return np.array(names, dtype=object)

    def transform(self, X: Sequence[dict[str, Any]]) -> sp.csr_matrix:
        rows = []
        for rec in X:
            row: list[float] = []
            opening = rec["kind"][: self.opening_chars]
            for pattern in LEXICON.values():
                row += [
                    float(bool(pattern.search(opening))),
                    float(bool(pattern.search(rec["kind"]))),
                    math.log1p(len(pattern.findall(rec["title"]))),
                ]
            ruled = classify_rules(record_to_document(rec)).doc_type
            row += [float(ruled == t) for t in DOC_TYPES]
            rows.append(row)
        return sp.csr_matrix(np.asarray(rows, dtype=np.float64) * self.weight)


class GrammarCues(FixedFeatures):
    """Shares of verb forms in the text and of line-opening forms (list items); fixed."""

    def __init__(self, weight: float = 1.0, max_words: int = 1500, prior_words: int = 5) -> None:
        self.weight = weight
        self.max_words = max_words
        self.prior_words = prior_words

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array(
            [f"{f} share" for f in WORD_FORMS] + [f"lines open with {f}" for f in WORD_FORMS],
            dtype=object,
        )

    def transform(self, X: Sequence[dict[str, Any]]) -> sp.csr_matrix:
        rows = []
        for rec in X:
            text = f"{rec['title']}\n{rec['body']}".lower()
            words = Counter(word_form(w) for w in _WORD.findall(text)[: self.max_words])
            starts = Counter(word_form(w) for w in _LINE_START.findall(text))
            # The pseudo-count keeps a five-word caption from having extreme shares.
            total = max(sum(words.values()) + self.prior_words, 1)
            row = [words[f] / total * 10 for f in WORD_FORMS]
            row += [math.log1p(starts[f]) for f in WORD_FORMS]
            rows.append(row)
        return sp.csr_matrix(np.asarray(rows, dtype=np.float64) * self.weight)


def build_pipeline(
    C: float = 3.0,
    kind_max_features: int = 3000,
    kind_weight: float = 1.0,
    title_max_features: int = 6000,
    body_max_features: int = 12000,
    char_max_features: int = 20000,
    char_ngram_range: tuple[int, int] = (3, 5),
    cue_weight: float = 0.5,
    gram_weight: float = 1.0,
    gram_prior: int = 5,
    lex_weight: float = 1.0,
    thead_max_features: int = 1000,
    thead_weight: float = 1.0,
    calibration_cv: int = 5,
    classifier: str = "logreg",
    body_chars: int = BODY_CHARS,
    kind_line_count: int = 2,
) -> Pipeline:
    """The untrained model. Vocabularies are capped so the saved model stays a few megabytes
    and every feature keeps a readable name for the reasons shown to the expert.

    Defaults were chosen on the development splits of half A (`generate_doctypes.py --dev`),
    never on the held-out file. classifier: "logreg" (default), "logreg-cal" or "svm" (both
    wrapped in CalibratedClassifierCV with sigmoid calibration on `calibration_cv` folds)."""
    common: dict[str, Any] = {"sublinear_tf": True, "min_df": 2, "lowercase": False}
    features = FeatureUnion(
        [
            (
                "kind",
                TfidfVectorizer(analyzer=kind_terms, max_features=kind_max_features, **common),
            ),
            (
                "title",
                TfidfVectorizer(analyzer=title_terms, max_features=title_max_features, **common),
            ),
            (
                "body",
                TfidfVectorizer(analyzer=body_terms, max_features=body_max_features, **common),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    preprocessor=title_text,
                    ngram_range=char_ngram_range,
                    max_features=char_max_features,
                    **common,
                ),
            ),
            (
                "thead",
                TfidfVectorizer(analyzer=thead_terms, max_features=thead_max_features, **common),
            ),
            ("cue", LayoutCues(weight=cue_weight)),
            ("gram", GrammarCues(weight=gram_weight, prior_words=gram_prior)),
            ("lex", LexiconCues(weight=lex_weight)),
        ],
        transformer_weights={"kind": kind_weight, "thead": thead_weight},
    )
    clf: Any
    if classifier == "logreg":
        clf = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
    elif classifier == "logreg-cal":
        lr = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
        clf = CalibratedClassifierCV(lr, method="sigmoid", cv=calibration_cv)
    else:
        svm = LinearSVC(C=C, class_weight="balanced")
        clf = CalibratedClassifierCV(svm, method="sigmoid", cv=calibration_cv)
    return Pipeline(
        [
            ("prepare", TextPreparer(body_chars=body_chars, kind_line_count=kind_line_count)),
            ("features", features),
            ("clf", clf),
        ]
    )


# ---------------------------------------------------------------------------------------------
# Prediction with reasons
# ---------------------------------------------------------------------------------------------


def _coefficients(clf: Any, n_classes: int) -> np.ndarray:
    """(n_classes, n_features) weights of the linear model(s) behind the calibrated output."""
    if hasattr(clf, "calibrated_classifiers_"):
        coefs = [np.asarray(c.estimator.coef_) for c in clf.calibrated_classifiers_]
        coef = np.mean(coefs, axis=0)
    else:
        coef = np.asarray(clf.coef_)
    if coef.shape[0] == 1 and n_classes == 2:  # binary: one row for the positive class
        coef = np.vstack([-coef[0], coef[0]])
    return coef


def _readable(name: str) -> str:
    group, _, feature = name.partition("__")
    return f"{group}:{feature.strip()}" if feature else name


@dataclass
class Explained:
    doc_type: str
    probability: float
    top_features: list[str]
    probabilities: dict[str, float] = field(default_factory=dict)

    @property
    def evidence_kind(self) -> str:
        return EVIDENCE_KIND.get(self.doc_type, "other")


def explain(
    model: Pipeline,
    records: Sequence[Any],
    top: int = TOP_FEATURES,
    names: np.ndarray | None = None,
) -> list[Explained]:
    """Predicted type, its calibrated probability and the features that pushed it most
    (weight of the class x value of the feature in this document, largest first). `names`:
    the model's feature names when the caller keeps them (see `DocTypeClassifier`)."""
    if not records:
        return []
    prepared = model.named_steps["prepare"].transform(records)
    X = sp.csr_matrix(model.named_steps["features"].transform(prepared))
    clf = model.named_steps["clf"]
    proba = clf.predict_proba(X)
    classes = list(clf.classes_)
    coef = _coefficients(clf, len(classes))
    if names is None:
        names = model.named_steps["features"].get_feature_names_out()
    out = []
    for i in range(X.shape[0]):
        k = int(np.argmax(proba[i]))
        row = X.getrow(i)
        contrib = row.data * coef[k, row.indices]
        order = np.argsort(-contrib)
        feats = [_readable(str(names[row.indices[j]])) for j in order[:top] if contrib[j] > 0]
        out.append(
            Explained(
                doc_type=str(classes[k]),
                probability=float(proba[i, k]),
                top_features=feats,
                probabilities={str(c): float(p) for c, p in zip(classes, proba[i], strict=True)},
            )
        )
    return out


def predict_documents(
    model: Pipeline, docs: Sequence[Document], names: np.ndarray | None = None
) -> list[DocTypePrediction]:
    """DocTypePrediction per document: type, evidence kind, probability, top features.
    `names`: the model's feature names, see `explain`."""
    return [
        DocTypePrediction(
            doc_type=e.doc_type,
            evidence_kind=e.evidence_kind,
            probability=round(e.probability, 4),
            reasons=e.top_features,
        )
        for e in explain(model, [doc_to_record(d) for d in docs], names=names)
    ]


def classify_json(model: Pipeline, records: Sequence[Any], paths: Sequence[str]) -> list[dict]:
    """The objects `evidence-review classify --json` prints, one per file."""
    return [
        {
            "path": path,
            "doc_type": e.doc_type,
            "evidence_kind": e.evidence_kind,
            "probability": round(e.probability, 4),
            "top_features": e.top_features,
        }
        for path, e in zip(paths, explain(model, records), strict=True)
    ]


def classify_paths(paths: Sequence[Path | str], models_dir: Path = MODELS_DIR) -> list[dict]:
    """`evidence-review classify FILE... --json`: one object per file, from the promoted model
    (or the rules, with the warning logged, when none is promoted). Unreadable files get an
    "error" instead of a type."""
    from extractors.extract import extract

    classifier = load_classifier(models_dir)
    out: list[dict] = []
    docs, shown = [], []
    for p in paths:
        doc = extract(Path(p))
        if doc.ok:
            docs.append(doc)
            shown.append(str(p))
        else:
            out.append({"path": str(p), "error": "; ".join(e.reason for e in doc.errors)})
    for path, pred in zip(shown, classifier.predict(docs), strict=True):
        out.append({"path": path, "doc_type": pred.doc_type, "evidence_kind": pred.evidence_kind,
                    "probability": pred.probability, "top_features": pred.reasons})
    order = {str(p): i for i, p in enumerate(paths)}
    return sorted(out, key=lambda o: order.get(o["path"], 0))


# ---------------------------------------------------------------------------------------------
# Registry: models/<name>/model.joblib and models/PROMOTED naming the one in use
# ---------------------------------------------------------------------------------------------


def model_file(path: Path) -> Path:
    path = Path(path)
    return path / MODEL_FILE if path.is_dir() else path


def load_model(path: Path) -> Pipeline:
    """Load a trained model (its directory or the .joblib file). joblib files are pickles:
    load only models this project trained."""
    model = joblib.load(model_file(path))
    if not isinstance(model, Pipeline):
        raise TypeError(f"{path} does not hold a document-type pipeline")
    return model


def promoted_name(models_dir: Path = MODELS_DIR) -> str | None:
    pointer = Path(models_dir) / POINTER_FILE
    if not pointer.is_file():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    return name or None


def load_promoted(models_dir: Path = MODELS_DIR) -> Pipeline | None:
    """The model `models/PROMOTED` names, or None when there is no pointer or no such model."""
    name = promoted_name(models_dir)
    if name is None:
        return None
    path = Path(models_dir) / name / MODEL_FILE
    if not path.is_file():
        log.warning("models/PROMOTED names %s but %s does not exist", name, path)
        return None
    try:
        return load_model(path)
    except Exception as exc:  # a model from another library version must not stop the review
        log.warning("cannot load the promoted model %s: %s", path, exc)
        return None


def promote(models_dir: Path, name: str) -> Path:
    """Point `models/PROMOTED` at models/<name>; the review flow uses it from the next run."""
    if not (Path(models_dir) / name / MODEL_FILE).is_file():
        raise FileNotFoundError(f"no {MODEL_FILE} in {Path(models_dir) / name}")
    pointer = Path(models_dir) / POINTER_FILE
    pointer.write_text(name + "\n", encoding="utf-8")
    return pointer


@dataclass
class DocTypeClassifier:
    """What the review flow holds: the promoted model, or the rules when there is none.

    Load it once per run (`load_classifier`), then call `predict` per school. `warning` is set
    when the rules are in use, for the run log and the region summary.
    """

    model: Pipeline | None
    name: str
    warning: str | None = None

    @cached_property
    def feature_names(self) -> np.ndarray | None:
        """The model's feature names, built once: building them sorts every vocabulary
        (20-40 ms), which the review paid on each school's `predict` call."""
        if self.model is None:
            return None
        return self.model.named_steps["features"].get_feature_names_out()

    def predict(self, docs: Sequence[Document]) -> list[DocTypePrediction]:
        if self.model is None:
            return [classify_rules(d) for d in docs]
        photos = [photo_prediction(d) for d in docs]
        texts = [d for d, p in zip(docs, photos, strict=True) if p is None]
        typed = iter(predict_documents(self.model, texts, self.feature_names) if texts else [])
        return [p if p is not None else next(typed) for p in photos]


def load_classifier(models_dir: Path = MODELS_DIR) -> DocTypeClassifier:
    model = load_promoted(models_dir)
    if model is not None:
        return DocTypeClassifier(model=model, name=promoted_name(models_dir) or "model")
    warning = (
        f"no promoted document-type model in {models_dir} (models/PROMOTED); "
        "document types come from the keyword rules"
    )
    log.warning(warning)
    return DocTypeClassifier(model=None, name="rules", warning=warning)


# ---------------------------------------------------------------------------------------------
# Data, metrics, training, evaluation
# ---------------------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def split_path(data: Path, split: str) -> Path:
    """`data` is a directory with train.jsonl / heldout.jsonl, or a .jsonl file itself."""
    data = Path(data)
    return data if data.is_file() else data / f"{split}.jsonl"


def kind_of(doc_type: str) -> str:
    return EVIDENCE_KIND.get(doc_type, "other")


def metrics(y_true: Sequence[str], y_pred: Sequence[str]) -> dict[str, Any]:
    """Per-class precision/recall/F1, macro-F1 over the types present in the truth, the
    accuracy of the evidence kind (result/plan/other) and the confusion matrix."""
    labels = [t for t in DOC_TYPES if t in set(y_true)] + sorted(set(y_true) - set(DOC_TYPES))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    kinds_true = [kind_of(t) for t in y_true]
    kinds_pred = [kind_of(t) for t in y_pred]
    pr = [(a, b) for a, b in zip(kinds_true, kinds_pred, strict=True) if a in ("plan", "result")]
    shown = labels + sorted(set(y_pred) - set(labels))
    return {
        "n": len(y_true),
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
        ),
        "accuracy": float(np.mean([a == b for a, b in zip(y_true, y_pred, strict=True)])),
        # Kind accuracy over all documents (result / plan / other): what the sheet acts on.
        "kind_accuracy": float(
            np.mean([a == b for a, b in zip(kinds_true, kinds_pred, strict=True)])
        ),
        # The same restricted to documents that truly are plan- or result-type.
        "plan_result_accuracy": float(np.mean([a == b for a, b in pr])) if pr else float("nan"),
        "per_class": {
            t: {
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(s[i]),
            }
            for i, t in enumerate(labels)
        },
        "confusion": {
            "labels": shown,
            "matrix": confusion_matrix(y_true, y_pred, labels=shown).tolist(),
        },
    }


def threshold_table(
    y_true: Sequence[str],
    proba_max: Sequence[float],
    y_pred: Sequence[str],
    thresholds: Sequence[float] = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
) -> list[dict[str, float]]:
    """For each threshold: share of documents flagged, and accuracy on the rest and flagged."""
    rows = []
    right = np.array([a == b for a, b in zip(y_true, y_pred, strict=True)])
    prob = np.asarray(proba_max)
    for t in thresholds:
        keep = prob >= t
        rows.append(
            {
                "threshold": t,
                "flagged_share": float(1 - keep.mean()),
                "accuracy_kept": float(right[keep].mean()) if keep.any() else float("nan"),
                "accuracy_flagged": float(right[~keep].mean()) if (~keep).any() else float("nan"),
            }
        )
    return rows


def code_version() -> dict[str, str]:
    """Enough to find the code that trained a model: commit, whether it was dirty, the hash of
    this module, and library versions (a pickle needs the same scikit-learn to load)."""
    info = {
        "module_sha256": sha256_of(Path(__file__))[:16],
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
    }
    try:
        from importlib.metadata import version

        info["evidence-review"] = version("evidence-review")
        info["spacy"] = version("spacy")
        info["pymorphy3"] = version("pymorphy3")
    except Exception:  # metadata is a nicety; a model trains without it
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        info["git_commit"] = commit + ("-dirty" if dirty else "")
    except Exception:  # not a checkout (an installed copy): the module hash still identifies it
        info["git_commit"] = "unknown"
    return info


def pipeline_params(params: dict[str, Any] | None = None) -> dict[str, Any]:
    """build_pipeline's arguments with defaults filled in, for the model card."""
    defaults = {k: v.default for k, v in inspect.signature(build_pipeline).parameters.items()}
    return _jsonable(defaults | dict(params or {}))


def calibration(y_true: Sequence[str], y_pred: Sequence[str],
                confidence: Sequence[float]) -> dict[str, float]:
    """Expected calibration error (10 equal-width bins) of the top-class probability."""
    right = np.array([a == b for a, b in zip(y_true, y_pred, strict=True)], dtype=float)
    conf = np.asarray(confidence, dtype=float)
    bins = np.clip((conf * 10).astype(int), 0, 9)
    ece = sum(abs(right[bins == b].mean() - conf[bins == b].mean()) * (bins == b).mean()
              for b in range(10) if (bins == b).any())
    return {"ece": float(ece), "mean_confidence": float(conf.mean()),
            "accuracy": float(right.mean())}


def fit_model(records: Sequence[Any], labels: Sequence[str], **params: Any) -> Pipeline:
    model = build_pipeline(**params)
    model.fit(list(records), list(labels))
    return model


def train_model(
    data_dir: Path,
    out_dir: Path,
    params: dict[str, Any] | None = None,
    cv_folds: int = 5,
) -> dict[str, Any]:
    """Train on `data_dir/train.jsonl`; write model.joblib, MODEL_CARD.md and metrics.json to
    `out_dir`; return the metrics. `heldout.jsonl`, when present, is only scored, never used
    to choose anything. Out-of-fold predictions on the training set (cv_folds > 1) give the
    threshold table behind the low-confidence setting; cv_folds=0 skips them."""
    params = dict(params or {})
    train_path = split_path(data_dir, "train")
    rows = read_jsonl(train_path)
    y = [r["doc_type"] for r in rows]
    started = time.perf_counter()
    model = fit_model(rows, y, **params)
    train_seconds = time.perf_counter() - started

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out_dir / MODEL_FILE, compress=3)

    result: dict[str, Any] = {
        "name": out_dir.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": code_version(),
        "params": pipeline_params(params),
        "classifier": pipeline_params(params)["classifier"],
        "data": {
            "train": {
                "path": repo_relative(train_path),
                "sha256": sha256_of(train_path),
                "n": len(rows),
                "per_class": dict(sorted(Counter(y).items())),
            },
        },
        "train_seconds": round(train_seconds, 2),
        "model_bytes": (out_dir / MODEL_FILE).stat().st_size,
        "n_features": {
            name: len(t.get_feature_names_out())
            for name, t in model.named_steps["features"].transformer_list
        },
        "low_confidence": LOW_CONFIDENCE,
    }
    if cv_folds > 1:
        cv = StratifiedKFold(cv_folds, shuffle=True, random_state=0)
        proba = cross_val_predict(build_pipeline(**params), rows, y, cv=cv, method="predict_proba")
        classes = sorted(set(y))
        pred = [classes[i] for i in proba.argmax(axis=1)]
        result["cv"] = metrics(y, pred) | {
            "folds": cv_folds,
            "thresholds": threshold_table(y, proba.max(axis=1), pred),
            "calibration": calibration(y, pred, proba.max(axis=1)),
        }
    heldout_path = split_path(data_dir, "heldout")
    if Path(data_dir).is_dir() and heldout_path.is_file():
        held = read_jsonl(heldout_path)
        pred = list(model.predict(held))
        proba = model.predict_proba(held).max(axis=1)
        truth = [r["doc_type"] for r in held]
        result["data"]["heldout"] = {
            "path": repo_relative(heldout_path),
            "sha256": sha256_of(heldout_path),
            "n": len(held),
            "per_class": dict(sorted(Counter(truth).items())),
        }
        result["heldout"] = metrics(truth, pred) | {
            "thresholds": threshold_table(truth, proba, pred),
            "calibration": calibration(truth, pred, proba),
        }
    (out_dir / METRICS_FILE).write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (out_dir / CARD_FILE).write_text(model_card(result), encoding="utf-8")
    return result


def repo_relative(path: Path) -> str:
    """A path as shown in reports and model cards: relative to the repository when inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, str | int | float | bool) or obj is None:
        return obj
    return repr(obj)


def evaluate_models(model_paths: Sequence[Path], data_dir: Path) -> dict[str, Any]:
    """Score one or more models on the same held-out data (data_dir/heldout.jsonl, or a .jsonl
    file). With two models, also count the documents on which only one of them is right."""
    path = split_path(data_dir, "heldout")
    rows = read_jsonl(path)
    truth = [r["doc_type"] for r in rows]
    out: dict[str, Any] = {
        "data": repo_relative(path),
        "sha256": sha256_of(path),
        "n": len(rows),
        "models": [],
    }
    preds = []
    for mp in model_paths:
        model = load_model(Path(mp))
        pred = [str(p) for p in model.predict(rows)]
        preds.append(pred)
        out["models"].append({"path": str(mp)} | metrics(truth, pred))
    if len(preds) == 2:
        a, b = (np.array([p == t for p, t in zip(pr, truth, strict=True)]) for pr in preds)
        ma, mb = out["models"]
        out["comparison"] = {
            "macro_f1_delta": mb["macro_f1"] - ma["macro_f1"],
            "kind_accuracy_delta": mb["kind_accuracy"] - ma["kind_accuracy"],
            "only_first_right": int((a & ~b).sum()),
            "only_second_right": int((~a & b).sum()),
            "changed_predictions": int(sum(x != y for x, y in zip(*preds, strict=True))),
        }
    return out


def format_evaluation(result: dict[str, Any]) -> str:
    """Per-class precision/recall/F1 and the headline figures, side by side for two models."""
    models = result["models"]
    names = [
        Path(m["path"]).name if Path(m["path"]).name != MODEL_FILE else Path(m["path"]).parent.name
        for m in models
    ]
    names = [n if n else m["path"] for n, m in zip(names, models, strict=True)]
    lines = [f"data: {result['data']} ({result['n']} documents)", ""]
    head = f"{'type':<14}{'support':>8}"
    for name in names:
        head += f" | {name[:22]:^22}"
    lines.append(head)
    sub = " " * 22 + "".join(f" | {'P':>6}{'R':>7}{'F1':>7}  " for _ in names)
    lines.append(sub)
    labels = list(models[0]["per_class"])
    for t in labels:
        line = f"{t:<14}{models[0]['per_class'][t]['support']:>8}"
        for m in models:
            c = m["per_class"].get(t, {"precision": 0, "recall": 0, "f1": 0})
            line += f" | {c['precision']:>6.3f}{c['recall']:>7.3f}{c['f1']:>7.3f}  "
        lines.append(line)
    lines.append("")
    for key, label in (
        ("macro_f1", "macro-F1"),
        ("accuracy", "accuracy"),
        ("kind_accuracy", "kind accuracy (result/plan/other)"),
        ("plan_result_accuracy", "plan-vs-result accuracy"),
    ):
        lines.append(f"{label:<36}" + "".join(f"{m[key]:>10.3f}" for m in models))
    if "comparison" in result:
        c = result["comparison"]
        lines += [
            "",
            f"second vs first: macro-F1 {c['macro_f1_delta']:+.3f}, kind accuracy "
            f"{c['kind_accuracy_delta']:+.3f}; only first right on {c['only_first_right']}, "
            f"only second right on {c['only_second_right']}, "
            f"{c['changed_predictions']} predictions differ",
        ]
    return "\n".join(lines)


def _matrix_md(conf: dict[str, Any]) -> list[str]:
    labels = conf["labels"]
    short = [x[:8] for x in labels]
    lines = ["| true \\ predicted | " + " | ".join(short) + " |", "|---|" + "---:|" * len(labels)]
    for t, row in zip(labels, conf["matrix"], strict=True):
        lines.append(f"| {t} | " + " | ".join(str(v) for v in row) + " |")
    return lines


def _per_class_md(m: dict[str, Any]) -> list[str]:
    lines = [
        "| type | evidence kind | precision | recall | F1 | support |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for t, c in m["per_class"].items():
        lines.append(
            f"| {t} | {kind_of(t)} | {c['precision']:.3f} | {c['recall']:.3f} | "
            f"{c['f1']:.3f} | {c['support']} |"
        )
    return lines


CLASSIFIER_TEXT = {
    "logreg": "Multinomial LogisticRegression (class_weight=balanced); its probabilities are "
    "fitted by log-loss and are used as they are.",
    "logreg-cal": "LogisticRegression inside CalibratedClassifierCV (sigmoid).",
    "svm": "LinearSVC inside CalibratedClassifierCV (sigmoid): probabilities fitted on folds "
    "the SVM did not see.",
}


def model_card(r: dict[str, Any]) -> str:
    code = r["code"]
    lines = [
        f"# Model card: {r['name']}",
        "",
        "Document-type classifier for confirming documents of the 500+ programme: one of "
        + ", ".join(f"`{t}`" for t in DOC_TYPES)
        + ", each mapped to an evidence kind (result / plan / other).",
        "",
        "## Version",
        f"- trained: {r['created']}",
        f"- code: git {code.get('git_commit')}, classifiers/doctype_model.py sha256 "
        f"{code['module_sha256']}, evidence-review {code.get('evidence-review', '?')}",
        f"- libraries: python {code['python']}, scikit-learn {code['scikit-learn']} (the "
        f"pickle needs this version to load), spacy {code.get('spacy', '?')}, pymorphy3 "
        f"{code.get('pymorphy3', '?')}",
        f"- model file: {MODEL_FILE}, {r['model_bytes'] / 1e6:.1f} MB; trained in "
        f"{r['train_seconds']} s",
        "",
        "## Data",
    ]
    for split, d in r["data"].items():
        lines.append(
            f"- {split}: `{d['path']}` ({d['n']} documents, sha256 {d['sha256'][:16]}),"
            f" per type: " + ", ".join(f"{k} {v}" for k, v in d["per_class"].items())
        )
    lines += [
        "- how the data was made: `data/labelled/doctypes/README.md` (synthetic documents; "
        "held-out written from disjoint phrase banks, never used for tuning).",
        "",
        "## Features",
        "- `kind:` lemmas of the kind line: the first lines after the letterhead and approval "
        "stamps, where a document names its kind (\"ПРИКАЗ\", \"Аналитическая справка по "
        "итогам ...\"); its first word and first pair marked with ^",
        "- `title:` lemma unigrams and bigrams of the title zone (the first ~600 characters, "
        "as `classifiers.doctype.title_zone`), tf-idf; lemmas from spaCy blank('ru') + "
        "pymorphy3",
        f"- `body:` lemma unigrams and bigrams of the rest of the text (first {BODY_CHARS} "
        "characters), tf-idf",
        "- `chars:` character 3-5-grams of the title zone, tf-idf (survive OCR errors)",
        "- `thead:` lemmas of table header rows (what the columns record)",
        "- `cue:` layout cues: " + ", ".join(name for name, _, _ in CUES)
        + "; plus length bands, digit and upper-case shares",
        "- `gram:` shares of verb forms by pymorphy3 tags (infinitive, past, short participle, "
        "present/future, first person, verbal noun) in the text and opening lines",
        "- `lex:` words naming each type (from the type definitions of the task) opening the "
        "kind line, in the kind lines, in the title zone; and the type the keyword rules "
        "(`classify_rules`) give",
        "- sizes: " + ", ".join(f"{k} {v}" for k, v in r["n_features"].items()),
        "",
        "## Model",
        CLASSIFIER_TEXT.get(r["classifier"], r["classifier"])
        + " Reasons shown to the expert are the features with the largest weight x value for "
        "the predicted type.",
        f"Parameters: `{json.dumps(r['params'], ensure_ascii=False)}`",
        "",
    ]
    if "heldout" in r:
        h = r["heldout"]
        lines += [
            "## Held-out metrics",
            f"macro-F1 **{h['macro_f1']:.3f}**, accuracy {h['accuracy']:.3f}, evidence-kind "
            f"accuracy (result/plan/other) **{h['kind_accuracy']:.3f}**, plan-vs-result "
            f"accuracy on plan- and result-type documents {h['plan_result_accuracy']:.3f}.",
            "",
            *_per_class_md(h),
            "",
            "Confusion matrix (rows: true type):",
            "",
            *_matrix_md(h["confusion"]),
            "",
        ]
    if "cv" in r:
        c = r["cv"]
        lines += [
            f"## Cross-validation on the training set ({c['folds']} folds, out-of-fold)",
            f"macro-F1 {c['macro_f1']:.3f}, evidence-kind accuracy {c['kind_accuracy']:.3f}.",
            "",
        ]
    table_src = r.get("cv") or r.get("heldout")
    if table_src:
        lines += [
            "## Low-confidence threshold",
            f"The review flags a document for the expert when the probability is below "
            f"`classifier.low_confidence` (recommended {LOW_CONFIDENCE}).",
            f"Out-of-fold on train{' and on held-out' if 'heldout' in r else ''}:",
            "",
            "| threshold | flagged (cv) | accuracy kept (cv) | accuracy flagged (cv) |"
            + (" flagged (held-out) | accuracy kept (held-out) |" if "heldout" in r else ""),
            "|---:|---:|---:|---:|" + ("---:|---:|" if "heldout" in r else ""),
        ]
        held_rows = r.get("heldout", {}).get("thresholds", [])
        for i, t in enumerate(table_src["thresholds"]):
            line = (
                f"| {t['threshold']:.1f} | {t['flagged_share']:.1%} | "
                f"{t['accuracy_kept']:.3f} | {t['accuracy_flagged']:.3f} |"
            )
            if held_rows:
                hr = held_rows[i]
                line += f" {hr['flagged_share']:.1%} | {hr['accuracy_kept']:.3f} |"
            lines.append(line)
        lines.append("")
    lines += [
        "## Limits",
        "- Trained on synthetic documents written to look like real uploads; real scores on a "
        "region's documents will be lower until expert-corrected types are added to the data.",
        "- Text only: a photo is recognised by having almost no text; files with no text at "
        "all never reach the model (extraction reports them unreadable, or a picture as a "
        "photo, which is typed photo by rule).",
        "- The joblib file is a pickle: load only models trained by this project.",
        "",
    ]
    return "\n".join(lines)
