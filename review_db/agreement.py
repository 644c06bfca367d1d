"""How often the system's drafts and the experts' final sheets agree."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from sklearn.metrics import cohen_kappa_score
from sqlalchemy import Engine

from expert_sheet.rubric import MAX_SCORE
from review_db.db import session_scope
from review_db.final import FinalSheet, reviewed_sheets

TOP = 10


def kappa(system: list[str], expert: list[str]) -> float | None:
    """Cohen's kappa; None when it is undefined (one category only on both sides)."""
    if len(set(system) | set(expert)) < 2:
        return None
    value = float(cohen_kappa_score(system, expert))
    return None if math.isnan(value) else value


def agreement_of(sheets: list[FinalSheet]) -> dict[str, Any]:
    criteria = {}
    for key in MAX_SCORE:
        pairs = [(f.draft_scores[key], f.scores[key]) for f in sheets if key in f.draft_scores]
        system, expert = [p[0] for p in pairs], [p[1] for p in pairs]
        same = sum(a == b for a, b in pairs)
        criteria[key] = {
            "n": len(pairs),
            "agree": same,
            "exact": same / len(pairs) if pairs else None,
            "kappa": kappa(system, expert) if pairs else None,
        }
    diffs = [abs(f.draft_total - f.total) for f in sheets]
    doc_counts: Counter[tuple[str, str]] = Counter()
    doc_what: dict[tuple[str, str], list[str]] = {}
    match_counts: Counter[tuple[str, str, str, str]] = Counter()
    type_changes: Counter[tuple[str, str]] = Counter()
    for f in sheets:
        for doc, draft_type in f.draft_types.items():
            what = []
            if f.types[doc] != draft_type:
                what.append(f"type {draft_type} -> {f.types[doc]}")
                type_changes[(draft_type, f.types[doc])] += 1
            added = {i for d, i in f.matches - f.draft_matches if d == doc}
            removed = {i for d, i in f.draft_matches - f.matches if d == doc}
            if added:
                what.append("items added " + ", ".join(sorted(added)))
            if removed:
                what.append("items removed " + ", ".join(sorted(removed)))
            if what:
                key = (f.sheet.folder, doc)
                doc_counts[key] += 1
                doc_what.setdefault(key, []).extend(what)
        for doc, item in f.matches ^ f.draft_matches:
            change = "added" if (doc, item) in f.matches else "removed"
            match_counts[(f.sheet.folder, doc, item, change)] += 1
    return {
        "sheets": len(sheets),
        "criteria": criteria,
        "total_mean_abs_diff": sum(diffs) / len(diffs) if diffs else None,
        "totals_equal": sum(d == 0 for d in diffs),
        "documents_most_corrected": [
            {"school": s, "document": d, "times": n, "what": doc_what[(s, d)]}
            for (s, d), n in doc_counts.most_common(TOP)
        ],
        "matches_most_corrected": [
            {"school": s, "document": d, "item": i, "change": c, "times": n}
            for (s, d, i, c), n in match_counts.most_common(TOP)
        ],
        "type_corrections": [
            {"draft": a, "expert": b, "times": n} for (a, b), n in type_changes.most_common()
        ],
    }


def agreement(engine: Engine, region: str | None = None) -> dict[str, Any]:
    with session_scope(engine) as session:
        return agreement_of(reviewed_sheets(session, region)) | {"region": region}


def format_agreement(a: dict[str, Any]) -> str:
    if not a["sheets"]:
        return "no reviewed sheets yet: import experts' sheets with `import-corrections`"
    lines = [
        f"sheets reviewed by experts: {a['sheets']}"
        + (f" (region {a['region']})" if a["region"] else ""),
        "",
        f"{'criterion':<10}{'n':>4}{'agree':>7}{'exact':>8}{'kappa':>8}",
    ]
    for key, c in a["criteria"].items():
        k = "n/a" if c["kappa"] is None else f"{c['kappa']:.3f}"
        exact = "n/a" if c["exact"] is None else f"{c['exact']:.1%}"
        lines.append(f"{key:<10}{c['n']:>4}{c['agree']:>7}{exact:>8}{k:>8}")
    lines += [
        "",
        f"total: mean absolute difference {a['total_mean_abs_diff']:.2f} points; "
        f"equal on {a['totals_equal']} of {a['sheets']} sheets",
    ]
    if a["documents_most_corrected"]:
        lines += ["", "documents most often corrected:"]
        lines += [
            f"  {d['times']}x {d['school']}/{d['document']}: {'; '.join(d['what'])}"
            for d in a["documents_most_corrected"]
        ]
    if a["matches_most_corrected"]:
        lines += ["", "matches most often corrected:"]
        lines += [
            f"  {m['times']}x {m['school']}: {m['document']} / item {m['item']} {m['change']}"
            for m in a["matches_most_corrected"]
        ]
    return "\n".join(lines)
