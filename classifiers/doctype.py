"""Document type and evidence kind by rules on the title zone and layout cues.

The rule of the experts that matters most: an order (приказ) shows intent, a protocol,
analytic note, report or product of work shows the result. A trained classifier replaces
these rules once labelled data is there; the rules stay as its baseline and fallback.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from extractors.model import Document

DOC_TYPES = (
    "order",
    "protocol",
    "analytic_note",
    "report",
    "plan",
    "regulation",
    "product",
    "photo",
    "other",
)
EVIDENCE_KIND = {
    "protocol": "result",
    "analytic_note": "result",
    "report": "result",
    "product": "result",
    "photo": "result",
    "order": "plan",
    "plan": "plan",
    "regulation": "plan",
    "other": "other",
}

# Title words; the one that comes first in the title zone names the document, since an
# order may mention a report it approves and a protocol may quote an order.
TITLE_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("protocol", re.compile(r"\bпротокол\b", re.I)),
    ("analytic_note", re.compile(r"\b(аналитическ\w+\s+)?справк[аи]\b", re.I)),
    ("order", re.compile(r"\b(приказ|распоряжение)\b", re.I)),
    ("report", re.compile(r"\b(отч[её]т|самообследовани\w*)\b", re.I)),
    ("regulation", re.compile(r"\b(положение\s+о|регламент)\b", re.I)),
    (
        "product",
        re.compile(
            r"\b(технологическ\w+\s+карт\w*|конспект\w*|сертификат\w*|удостоверени\w*|"
            r"диплом\w*|свидетельств\w*|методическ\w+\s+(рекомендаци|разработк|материал)\w*|"
            r"программ\w+\s+(семинар|вебинар|педсовет|мастер|круглого|конференц|тренинг|"
            r"методическ|практикум|мероприяти)\w*|контрольн\w+\s+работ\w*|"
            r"лист\w*\s+(оценивани|самооценк|обратной)\w*|работ\w*\s+(обучающ|ученик|учащ)\w*|"
            r"индивидуальн\w+\s+(образовательн\w+\s+)?маршрут\w*|портфолио)",
            re.I,
        ),
    ),
    (
        "plan",
        re.compile(r"\b(план(а|у|ом|е|ы|ов)?|дорожн\w+\s+карт\w*|программ\w*|график\w*)\b", re.I),
    ),
]
# Layout cues in the body when the title says nothing.
BODY_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("order", re.compile(r"\bПРИКАЗЫВАЮ\b|\bп\s*р\s*и\s*к\s*а\s*з\s*ы\s*в\s*а\s*ю\b")),
    ("protocol", re.compile(r"\b(Присутствовали|Слушали|Решили|Постановили)\b", re.I)),
]
TITLE_ZONE_CHARS = 600


class DocTypePrediction(BaseModel):
    doc_type: str
    evidence_kind: str
    probability: float
    reasons: list[str] = Field(default_factory=list)


# "П Р И К А З": typists space out the letters of a heading.
_SPACED_CAPS = re.compile(r"\b(?:[А-ЯЁ] ){3,}[А-ЯЁ]\b")


def title_zone(doc: Document) -> str:
    text = ""
    for block in doc.blocks:
        text += block.text + "\n"
        if len(text) >= TITLE_ZONE_CHARS:
            break
    text = _SPACED_CAPS.sub(lambda m: m.group(0).replace(" ", ""), text)
    return text or doc.name


def _heading_hit(zone: str) -> tuple[str, str] | None:
    """A line that is nothing but a type word in capitals ("ПРИКАЗ", "ПРОТОКОЛ № 3") names
    the document whatever the school's header above it mentions."""
    lines = [line.strip() for line in zone.splitlines() if line.strip()]
    for n, line in enumerate(lines):
        first = line.split()[0]
        if not first.isupper() or len(first) < 5:
            continue
        # "ПРОГРАММА / семинара ...": the heading's next line may make it more specific.
        text = " ".join(lines[n : n + 2])
        found = [(m.group(0), t) for t, p in TITLE_RULES if (m := p.match(text))]
        if found:
            word, doc_type = max(found, key=lambda f: len(f[0]))
            return doc_type, word
    return None


def photo_prediction(doc: Document) -> DocTypePrediction | None:
    """A picture with no text is a photo whatever its name: nothing else to go by, and a
    model trained on texts has no text to read."""
    if doc.photo is None:
        return None
    return _prediction("photo", 1.0, "видеозапись" if doc.photo.video else "снимок без текста")


def classify_rules(doc: Document) -> DocTypePrediction:
    if (photo := photo_prediction(doc)) is not None:
        return photo
    zone = title_zone(doc)
    heading = _heading_hit(zone)
    if heading is not None:
        return _prediction(heading[0], 0.95, f"заголовок документа: «{heading[1]}»")
    hits = []
    for order, (doc_type, pattern) in enumerate(TITLE_RULES):
        match = pattern.search(zone)
        if match:
            # Earliest wins; at one position the longer phrase ("программа семинара" over
            # "программа") is the more specific.
            hits.append((match.start(), -len(match.group(0)), order, doc_type, match.group(0)))
    if hits:
        *_, doc_type, word = min(hits)
        return _prediction(doc_type, 0.9, f"в заголовке: «{word}»")
    body = doc.text()[:20_000]
    for doc_type, pattern in BODY_CUES:
        match = pattern.search(body)
        if match:
            return _prediction(doc_type, 0.7, f"в тексте: «{match.group(0)}»")
    name_hits = [(p.search(doc.name), t) for t, p in TITLE_RULES]
    for match, doc_type in name_hits:
        if match:
            return _prediction(doc_type, 0.6, f"в имени файла: «{match.group(0)}»")
    return _prediction("other", 0.5, "нет признаков известного типа документа")


def _prediction(doc_type: str, probability: float, reason: str) -> DocTypePrediction:
    return DocTypePrediction(
        doc_type=doc_type,
        evidence_kind=EVIDENCE_KIND[doc_type],
        probability=probability,
        reasons=[reason],
    )


# What a roadmap item's expected result names, when it names a document type.
EXPECTED_RESULT_TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("order", re.compile(r"^\W*(приказ|распоряжени)", re.I)),
    ("regulation", re.compile(r"^\W*(положени|регламент)", re.I)),
    ("plan", re.compile(r"^\W*(план|дорожн\w+ карт|программ)", re.I)),
    ("protocol", re.compile(r"^\W*протокол", re.I)),
    ("analytic_note", re.compile(r"^\W*(аналитическ\w+ )?справк", re.I)),
    ("report", re.compile(r"^\W*отч[её]т", re.I)),
]


# An activity that drafts a document ("Составление индивидуальных планов …", "Разработка
# положения о …") is proven by that document, plan-type though it is: the plan is what the
# activity produced. Only the drafted document's kind within the first few words counts.
_DRAFTING = re.compile(
    r"^\W*(составлени|разработк|корректировк|актуализаци|обновлени)\w*\s+"
    r"(?:и\s+утверждени\w*\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:(?P<plan>план|маршрут|программ|дорожн\w*\s+карт)|(?P<regulation>положени|регламент))",
    re.I,
)


def expected_result_type(text: str, activity: str = "") -> str | None:
    """The document type a roadmap item's result column asks for, e.g. "Приказ ..." -> order;
    failing that, the document its activity drafts ("Составление индивидуальных планов")."""
    for doc_type, pattern in EXPECTED_RESULT_TYPES:
        if pattern.search(text or ""):
            return doc_type
    drafted = _DRAFTING.search(activity or "")
    if drafted:
        return "plan" if drafted.group("plan") else "regulation"
    return None
