"""Evidence-to-roadmap matching by lemma overlap.

A document confirms an item when it covers enough of the item's own content words, weighted
by how rare each word is in the school's paperwork (every document says "обучающиеся", few
say "формирующее оценивание"). An explicit "Приложение N" in the roadmap row that names the
file is a match on its own.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel, Field

from classifiers.lemmas import lemmas

_APPENDIX_IN_NAME = re.compile(r"прил(?:ожени[еяию]|\.)?\s*№?\s*(\d+)", re.I)


class MatchSettings(BaseModel):
    threshold: float = 0.34  # share of the item's weighted lemmas the document must cover
    relative: float = 0.8  # keep further items scoring at least this share of the best one
    title_weight: float = 2.0  # title-zone lemmas count this many times a body lemma


class ItemText(BaseModel):
    number: str
    text: str
    refs: list[str] = Field(default_factory=list)


class DocText(BaseModel):
    name: str
    title: str
    body: str


class Match(BaseModel):
    document: str
    item: str
    score: float
    signals: dict[str, float] = Field(default_factory=dict)
    words: list[str] = Field(default_factory=list)
    reason: str = ""


class MatchResult(BaseModel):
    matches: list[Match] = Field(default_factory=list)
    off_plan: list[str] = Field(default_factory=list)


def _idf(bags: Sequence[set[str]]) -> dict[str, float]:
    df = Counter(w for bag in bags for w in bag)
    n = len(bags)
    return {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}


def _appendix_number(name: str) -> str | None:
    match = _APPENDIX_IN_NAME.search(name)
    return match.group(1) if match else None


def match_documents(
    items: Sequence[ItemText], docs: Sequence[DocText], settings: MatchSettings | None = None
) -> MatchResult:
    settings = settings or MatchSettings()
    item_bags = [set(lemmas(i.text)) for i in items]
    title_bags = [set(lemmas(d.title)) for d in docs]
    body_bags = [set(lemmas(d.body)) for d in docs]
    idf = _idf(item_bags + [t | b for t, b in zip(title_bags, body_bags, strict=True)])
    result = MatchResult()
    for d, doc in enumerate(docs):
        scored: list[Match] = []
        appendix = _appendix_number(doc.name)
        for i, item in enumerate(items):
            bag = item_bags[i]
            total = sum(idf[w] for w in bag) or 1.0
            shared = bag & (title_bags[d] | body_bags[d])
            covered = sum(
                idf[w] * (1.0 if w in title_bags[d] else 1.0 / settings.title_weight)
                for w in shared
            )
            score = covered / total
            signals = {"lemma_overlap": round(score, 3)}
            if appendix and f"Приложение {appendix}" in item.refs:
                signals["appendix_reference"] = 1.0
                score = max(score, 1.0)
            words = sorted(shared, key=lambda w: -idf[w])[:8]
            scored.append(
                Match(
                    document=doc.name,
                    item=item.number,
                    score=round(score, 3),
                    signals=signals,
                    words=words,
                )
            )
        best = max((m.score for m in scored), default=0.0)
        keep = [
            m
            for m in scored
            if m.score >= settings.threshold and m.score >= settings.relative * best
        ]
        if not keep:
            result.off_plan.append(doc.name)
            continue
        for m in keep:
            m.reason = _reason(m)
        result.matches.extend(keep)
    return result


def _reason(m: Match) -> str:
    if "appendix_reference" in m.signals:
        return f"файл указан в строке ДК как приложение; общие слова: {', '.join(m.words)}"
    return f"совпало {m.signals['lemma_overlap']:.0%} слов мероприятия: {', '.join(m.words)}"
