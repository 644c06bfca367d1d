"""Learn the matcher's weights and threshold from generated schools kept apart from the sample.

    python -m classifiers.train_matcher build   # generate + extract dev schools -> data/labelled
    python -m classifiers.train_matcher fit     # learn weights -> classifiers/matcher.toml

`build` generates schools with the sample generator from number 6 on (the canonical sample is
0-5) and another seed, extracts them with our own extractors and stores the texts with the
generator's truth as JSONL, so `fit` needs neither the generator nor the extractors.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
from pydantic import BaseModel
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

from classifiers.matching import (
    FEATURES,
    SETTINGS_PATH,
    DocText,
    ItemText,
    MatchSettings,
    pair_features,
)

ROOT = Path(__file__).resolve().parents[1]
DEV_PATH = ROOT / "data" / "labelled" / "matching" / "dev.jsonl"


class Case(BaseModel):
    """One school: its items, its evidence texts and which document confirms which item."""

    school: str
    items: list[ItemText]
    docs: list[DocText]
    gold: list[tuple[str, str]]  # (document, item number)


def cases_from_region(region: Path, truth_dir: Path) -> list[Case]:
    """Extract each school with the pipeline's own stages; labels from the generator's truth."""
    from classifiers.doctype_model import load_classifier
    from expert_sheet.settings import load_settings
    from pipelines import school as stages

    low = load_settings().classifier.low_confidence
    # The document types the review itself will see: the promoted model's.
    classifier = load_classifier()
    cases = []
    for truth_path in sorted(truth_dir.glob("*/truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        docs = stages.extract_school(region / truth["folder"])
        arp, roadmap = stages.find_arp(docs)
        records = stages.classify(docs, arp, low, classifier)
        items = stages.item_records(roadmap if roadmap and roadmap.found else None)
        if not items:
            continue
        gold = [(d["file"], n) for d in truth["documents"] for n in d["confirms"]]
        cases.append(
            Case(
                school=truth["folder"],
                items=stages.item_texts(items),
                docs=stages.doc_texts(docs, records),
                gold=gold,
            )
        )
    return cases


def build(n_schools: int, seed: int, out: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "generate_sample", ROOT / "data" / "generate_sample.py"
    )
    gen = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["generate_sample"] = gen  # its dataclasses look their module up there
    spec.loader.exec_module(gen)
    with tempfile.TemporaryDirectory() as tmp:
        region, truth = Path(tmp) / "region", Path(tmp) / "truth"
        gen.generate(region, truth, n_schools=n_schools, seed=seed, start=6)
        cases = cases_from_region(region, truth)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for case in cases:
            fh.write(case.model_dump_json() + "\n")
    print(f"{len(cases)} schools -> {out}")


def load_cases(path: Path = DEV_PATH) -> list[Case]:
    with path.open(encoding="utf-8") as fh:
        return [Case.model_validate_json(line) for line in fh if line.strip()]


def design(
    cases: list[Case], title_weight: float = 2.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs, ys, groups = [], [], []
    for g, case in enumerate(cases):
        feats = pair_features(case.items, case.docs, title_weight)
        gold = set(case.gold)
        for k, row in enumerate(feats.values):
            doc = case.docs[feats.doc_index[k]].name
            item = case.items[feats.item_index[k]].number
            xs.append(row)
            ys.append(int((doc, item) in gold))
            groups.append(g)
    return np.asarray(xs, dtype=float), np.asarray(ys), np.asarray(groups)


def _best_threshold(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    grid = np.linspace(0.1, 0.9, 81)
    scores = [f1_score(y, p >= t, zero_division=0) for t in grid]
    best = int(np.argmax(scores))
    return float(grid[best]), float(scores[best])


def fit(cases: list[Case], folds: int = 5, c: float = 1.0) -> tuple[MatchSettings, dict]:
    """Weights from all dev schools; the threshold from out-of-fold probabilities, so it is
    chosen on schools the weights did not see."""
    x, y, groups = design(cases)
    oof = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=folds).split(x, y, groups):
        model = LogisticRegression(C=c, max_iter=1000).fit(x[train], y[train])
        oof[test] = model.predict_proba(x[test])[:, 1]
    threshold, cv_f1 = _best_threshold(y, oof)
    model = LogisticRegression(C=c, max_iter=1000).fit(x, y)
    settings = MatchSettings(
        weights={f: round(float(w), 4) for f, w in zip(FEATURES, model.coef_[0], strict=True)},
        intercept=round(float(model.intercept_[0]), 4),
        threshold=round(threshold, 3),
    )
    report = {
        "schools": len(cases),
        "pairs": len(y),
        "positive_pairs": int(y.sum()),
        "cv_pair_f1": round(cv_f1, 4),
        "threshold": settings.threshold,
    }
    return settings, report


def write_settings(settings: MatchSettings, report: dict, path: Path = SETTINGS_PATH) -> None:
    lines = [
        "# Learnt by `python -m classifiers.train_matcher fit` on data/labelled/matching/dev.jsonl",
        f"# ({report['schools']} generated schools, never the sample; {report['pairs']} pairs, "
        f"{report['positive_pairs']} matches) on {date.today().isoformat()}.",
        f"# Threshold chosen on out-of-fold probabilities: pair F1 {report['cv_pair_f1']}.",
        f"threshold = {settings.threshold}",
        f"intercept = {settings.intercept}",
        f"title_weight = {settings.title_weight}",
        "",
        "[weights]",
        *[f"{name} = {value}" for name, value in settings.weights.items()],
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--schools", type=int, default=40)
    b.add_argument("--seed", type=int, default=1)
    b.add_argument("--out", type=Path, default=DEV_PATH)
    f = sub.add_parser("fit")
    f.add_argument("--data", type=Path, default=DEV_PATH)
    f.add_argument("--out", type=Path, default=SETTINGS_PATH)
    args = parser.parse_args(argv)
    if args.cmd == "build":
        build(args.schools, args.seed, args.out)
    else:
        settings, report = fit(load_cases(args.data))
        write_settings(settings, report, args.out)
        print(json.dumps(report, ensure_ascii=False))
        print(settings.model_dump_json(indent=2))


if __name__ == "__main__":
    main()
