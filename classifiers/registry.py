"""Promoting a document-type model only when it is not worse than the one in use.

`models/PROMOTED` names the model the review uses (classifiers.doctype_model). Promotion
scores the candidate and the promoted model on the same held-out data and moves the pointer
only when the candidate's macro-F1 and evidence-kind accuracy are both at least the promoted
model's. `force` moves it anyway; every promotion, refused or not, is a line in
`models/REGISTRY.jsonl`, and a forced one is also written into the candidate's model card.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from classifiers.doctype_model import (
    CARD_FILE,
    MODEL_FILE,
    evaluate_models,
    promote,
    promoted_name,
)

LOG_FILE = "REGISTRY.jsonl"
# What "not worse" compares: the type of every document, and plan vs result, which the
# scores act on.
KEYS = ("macro_f1", "kind_accuracy")


@dataclass
class Decision:
    candidate: str
    current: str | None
    promoted: bool
    forced: bool
    reason: str
    data: str = ""
    data_sha256: str = ""
    candidate_metrics: dict[str, float] | None = None
    current_metrics: dict[str, float] | None = None
    at: str = ""
    by: str = ""


def _who() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers; the log still records the time
        return "unknown"


def _log(models_dir: Path, decision: Decision) -> None:
    with (models_dir / LOG_FILE).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(decision), ensure_ascii=False) + "\n")


def _note_in_card(models_dir: Path, decision: Decision) -> None:
    card = models_dir / decision.candidate / CARD_FILE
    if card.is_file():
        with card.open("a", encoding="utf-8") as fh:
            fh.write(
                f"\n## Promotion\n- {decision.at}: promoted by {decision.by} over "
                f"{decision.current} with --force: {decision.reason}\n"
            )


def _headline(m: dict[str, Any]) -> dict[str, float]:
    return {k: float(m[k]) for k in KEYS}


def promote_if_not_worse(
    models_dir: Path, candidate: str, data: Path, force: bool = False, note: str = ""
) -> Decision:
    """Evaluate `candidate` against the promoted model on `data` (held-out) and promote it
    when it is not worse, or when forced."""
    models_dir = Path(models_dir)
    if not (models_dir / candidate / MODEL_FILE).is_file():
        raise FileNotFoundError(f"no {MODEL_FILE} in {models_dir / candidate}")
    current = promoted_name(models_dir)
    if current is not None and not (models_dir / current / MODEL_FILE).is_file():
        current = None  # a dangling pointer: nothing to compare with
    paths = [models_dir / candidate] + ([models_dir / current] if current else [])
    result = evaluate_models(paths, data)
    cand = _headline(result["models"][0])
    decision = Decision(
        candidate=candidate,
        current=current,
        promoted=False,
        forced=False,
        reason="",
        data=result["data"],
        data_sha256=result["sha256"],
        candidate_metrics=cand,
        at=datetime.now(UTC).isoformat(timespec="seconds"),
        by=_who(),
    )
    if current is None:
        decision.promoted, decision.reason = True, "no model was promoted"
    elif current == candidate:
        decision.reason = f"{candidate} is already promoted"
    else:
        cur = _headline(result["models"][1])
        decision.current_metrics = cur
        worse = [k for k in KEYS if cand[k] < cur[k]]
        if not worse:
            decision.promoted, decision.reason = (
                True,
                "not worse on held-out: "
                + ", ".join(f"{k} {cand[k]:.3f} >= {cur[k]:.3f}" for k in KEYS),
            )
        else:
            decision.reason = "worse on held-out: " + ", ".join(
                f"{k} {cand[k]:.3f} < {cur[k]:.3f}" for k in worse
            )
            if force:
                decision.promoted = decision.forced = True
                decision.reason += " (forced" + (f": {note}" if note else "") + ")"
    if decision.promoted:
        promote(models_dir, candidate)
        if decision.forced:
            _note_in_card(models_dir, decision)
    if current != candidate:
        _log(models_dir, decision)
    return decision


def history(models_dir: Path) -> list[dict[str, Any]]:
    path = Path(models_dir) / LOG_FILE
    if not path.is_file():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
