"""The stages of one school's review as plain functions; the Prefect flow wraps them."""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from classifiers.doctype import (
    DocTypePrediction,
    classify_rules,
    expected_result_type,
    title_zone,
)
from classifiers.doctype_model import DocTypeClassifier
from classifiers.matching import (
    EVENT_DAYS,
    EVENT_SLACK,
    DocText,
    ItemText,
    Match,
    MatchResult,
    MatchSettings,
    match_documents,
)
from expert_sheet.records import DocRecord, ItemRecord, SchoolSheet
from expert_sheet.rubric import score, total
from expert_sheet.settings import RubricSettings
from extractors.archive import unpacking_errors
from extractors.extract import extract, refusal
from extractors.media import PHONE_NAMES
from extractors.model import Document, ExtractionError
from extractors.roadmap import Roadmap, parse_roadmap

_SCHOOL_NAME = re.compile(
    r"\b((?:М[АБК]?ОУ|Г[БА]?ОУ|ЧОУ|МОБУ|МОАУ)\s*[«\"]?[^\n]{3,80}?(?:школа|СОШ|ООШ|СШ|гимназия|"
    r"лицей)(?:\s*№\s*\d+)?[»\"]?)",
    re.I,
)
_ARP_HINT = re.compile(r"антирисков|\bАРП\b|программ\w+ (мер|по )", re.I)
_ROADMAP_HINT = re.compile(r"дорожн\w* карт|план\w* мероприятий", re.I)


@dataclass
class Listing:
    """A school's folder as a review sees it: every entry but folders, hidden files and
    Office's lock files (`~$`), in order; those of them not read, with why
    (`extractors.extract.refusal`: links leading out of the folder or nowhere, pipes); and
    what of its archives could not be unpacked (`extractors.archive.unpacking_errors`)."""

    folder: Path
    entries: list[Path]
    refused: dict[Path, str]
    unpacking: list[ExtractionError] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        """The entries to read."""
        return [p for p in self.entries if p not in self.refused]

    @property
    def noted(self) -> dict[Path, str]:
        """What the school's review key counts besides its files: each refused entry and
        each archive member left packed, with why."""
        unpacking = {self.folder / e.file: f"{e.stage}: {e.reason}" for e in self.unpacking}
        return {**self.refused, **unpacking}

    def unpacking_documents(self) -> list[Document]:
        """The members left packed as documents of their error alone, for the sheet, with
        their archive's kind as `detect` names it (a RAR's said "zip" before)."""
        return [
            Document(path=e.file, sha256="", format=_archive_format(e.file), errors=[e])
            for e in self.unpacking
        ]


def _archive_format(member: str) -> str:
    """"zip" for what was in a ZIP ("uploads.zip/a.pdf"), "archive" for any other kind."""
    return "zip" if member.split("/", 1)[0].lower().endswith(".zip") else "archive"


def list_school(folder: Path) -> Listing:
    # rglob does not descend into linked folders, so a link looping back cannot trap it.
    entries = sorted(p for p in folder.rglob("*") if is_entry(p))
    refused = {p: r for p in entries if (r := refusal(p, folder)) is not None}
    return Listing(folder, entries, refused, unpacking_errors(folder))


def is_entry(path: Path) -> bool:
    """Whether a review takes `path` for one of a folder's entries: not a folder (a link to
    one is), not hidden, not one of Office's lock files (`~$`)."""
    if path.name.startswith((".", "~$")):
        return False
    try:
        return not stat.S_ISDIR(path.lstat().st_mode)  # a link to a folder is listed
    except OSError:  # gone since the folder was read
        return False


def school_files(folder: Path) -> list[Path]:
    return list_school(folder).files


def extract_school(folder: Path) -> list[Document]:
    # Refused entries too: `extract` gives each its error record instead of reading it.
    listing = list_school(folder)
    return [extract(p, root=folder) for p in listing.entries] + listing.unpacking_documents()


def _arp_likeness(doc: Document) -> int:
    """3: the file's name says АРП or roadmap; 2: its heading speaks of a roadmap or a plan
    of activities; 1: of the АРП (an order "об утверждении программы антирисковых мер" does
    too); 0: neither."""
    zone = title_zone(doc)
    name = doc.name.replace("_", " ")  # "АРП_2022.pdf": "_" is a word character
    if _ARP_HINT.search(name) or _ROADMAP_HINT.search(name):
        return 3
    if _ROADMAP_HINT.search(zone):
        return 2
    return 1 if _ARP_HINT.search(zone) else 0


def find_arp(docs: list[Document]) -> tuple[Document | None, Roadmap | None]:
    """The АРП is the file holding the roadmap; failing that, the one that calls itself АРП.
    A table in a file that looks less like the АРП than another one (a seminar's programme
    beside an АРП without a roadmap) is not taken for the roadmap, unless its heading says
    roadmap or plan of activities."""
    likeness = {id(d): _arp_likeness(d) for d in docs if d.ok}
    found: list[tuple[int, int, Document, Roadmap]] = []
    for doc in docs:
        if not doc.ok or not doc.tables:
            continue
        roadmap = parse_roadmap(doc)
        if roadmap.found:
            found.append((likeness[id(doc)], len(roadmap.items), doc, roadmap))
    most_like = max(likeness.values(), default=0)
    if found:
        level, _, doc, roadmap = max(found, key=lambda f: (f[0], f[1]))
        if level >= min(most_like, 2):
            return doc, roadmap
    named = [d for d in docs if d.ok and likeness[id(d)] == most_like and most_like > 0]
    if named:
        return named[0], parse_roadmap(named[0])
    return None, None


def school_name(arp: Document | None, folder: Path) -> str:
    if arp is not None:
        match = _SCHOOL_NAME.search(title_zone(arp))
        if match:
            return " ".join(match.group(1).split())
    return folder.name


def predict_types(
    docs: list[Document], classifier: DocTypeClassifier | None = None
) -> list[DocTypePrediction | None]:
    """Each readable document's type by the promoted model (the rules without one), None for
    an unreadable one. A document's type depends on it alone, so it can be kept with the
    file's extraction and reused while the file and the model stay the same."""
    readable = [d for d in docs if d.ok]
    preds = iter(classifier.predict(readable) if classifier else map(classify_rules, readable))
    return [next(preds) if d.ok else None for d in docs]


def classify(
    docs: list[Document],
    arp: Document | None,
    low: float,
    classifier: DocTypeClassifier | None = None,
    known: dict[str, DocTypePrediction] | None = None,
) -> list[DocRecord]:
    """Type and evidence kind of every document, by the promoted model when one is given.
    `known`: types predicted earlier by the same model, by document path (`predict_types`)."""
    known = known or {}
    records = [DocRecord(file=d.path, sha256=d.sha256, format=d.format) for d in docs]
    to_predict = []
    for doc, record in zip(docs, records, strict=True):
        record.photo = doc.photo is not None
        if not doc.ok:
            record.readable = False
        elif doc is arp:
            record.is_arp, record.doc_type, record.evidence_kind = True, "plan", "plan"
            record.probability = 1.0
            record.type_reasons = ["файл содержит АРП (дорожную карту)"]
        else:
            to_predict.append((doc, record))
    if to_predict:
        batch = [d for d, _ in to_predict if d.path not in known]
        new = iter(predict_types(batch, classifier))
        preds = [known[d.path] if d.path in known else next(new) for d, _ in to_predict]
        for (_, record), pred in zip(to_predict, preds, strict=True):
            record.doc_type, record.evidence_kind = pred.doc_type, pred.evidence_kind
            record.probability, record.type_reasons = pred.probability, pred.reasons
            record.low_confidence = pred.probability < low
    return records


def item_records(roadmap: Roadmap | None) -> list[ItemRecord]:
    if roadmap is None:
        return []
    return [
        ItemRecord(
            **i.model_dump(),
            expected_result_type=expected_result_type(
                i.expected_result or i.indicator, i.activity
            ),
        )
        for i in roadmap.items
    ]


def item_texts(items: list[ItemRecord]) -> list[ItemText]:
    return [
        ItemText(
            number=i.number,
            activity=i.activity,
            result=" ".join(p for p in (i.indicator, i.expected_result, i.evidence) if p),
            start=i.deadline.start,
            end=i.deadline.end,
            expected_type=i.expected_result_type,
            refs=i.evidence_refs,
        )
        for i in items
    ]


def doc_texts(docs: list[Document], records: list[DocRecord]) -> list[DocText]:
    """The documents that may confirm items: readable ones other than the АРП itself and
    photos (`photo_texts`)."""
    out = []
    for doc, record in zip(docs, records, strict=True):
        if record.readable and not record.is_arp and doc.photo is None:
            zone = title_zone(doc)
            out.append(
                DocText(
                    name=doc.path,
                    title=zone,
                    body=doc.text()[len(zone) :],
                    doc_type=record.doc_type,
                )
            )
    return out


# Names cameras and messengers give pictures, which say nothing of what they show: those
# phones write a day into (`extractors.media.PHONE_NAMES`), and cameras' own.
_CAMERA_NAME = re.compile(
    rf"^(?:{PHONE_NAMES}|mov|dsc[nf]?|p|image|снимок|видео)[\W\d_]*(?:(?:at|в)[\W\d_]*)?$",
    re.I,
)


def photo_texts(docs: list[Document]) -> list[DocText]:
    """What tells what a photo shows, as a text to match: the folders it was uploaded in and
    its name unless a camera gave it ("Семинар ВСОКО 24.03/IMG_2041.jpg": the folder), and
    the day it was taken (`Photo.taken`) as a date in the text."""
    out = []
    for doc in docs:
        if doc.photo is None:
            continue
        *folders, name = doc.path.replace("\\", "/").split("/")
        stem = name.rsplit(".", 1)[0].replace("_", " ")
        words = [f.replace("_", " ") for f in folders]
        if not _CAMERA_NAME.match(stem.strip()):
            words.append(stem)
        taken = doc.photo.taken
        body = f"снимок сделан {taken:%d.%m.%Y}" if taken is not None else ""
        out.append(DocText(name=doc.path, title="\n".join(words), body=body, doc_type="photo"))
    return out


def match_photos(
    items: list[ItemRecord], docs: list[Document], settings: MatchSettings | None = None
) -> MatchResult:
    """The items the school's photos seem to show, matched apart from the documents: a photo
    is no evidence, so it must not change the documents' matches (each word is weighed by
    its rarity among the texts matched together, and each pair against the best one)."""
    texts = photo_texts(docs)
    if not texts or not items:
        return MatchResult(off_plan=[t.name for t in texts])
    result = match_documents(item_texts(items), texts, settings)
    for m in result.matches:
        m.reason = f"по имени снимка и его папок: {m.reason}"
    taken = {d.path: d.photo.taken for d in docs if d.photo is not None and d.photo.taken}
    for name in list(result.off_plan):
        event = _event_on(items, taken[name].date()) if name in taken else None
        if event is not None:
            day = f"{taken[name]:%d.%m.%Y}"
            reason = f"снято {day}, в срок мероприятия ({event.deadline.text})"
            result.matches.append(Match(document=name, item=event.number, score=0.0, reason=reason))
            result.off_plan.remove(name)
    return result


def _event_on(items: list[ItemRecord], day: date) -> ItemRecord | None:
    """The one item that is an event of a few days around `day` (the seminar "24.03.2022"),
    or None: a photo with no telling name, taken that day, most likely shows it. Two such
    events that day, or a deadline of months, say nothing."""
    events = [
        i
        for i in items
        if i.deadline.start is not None
        and i.deadline.end is not None
        and (i.deadline.end - i.deadline.start).days <= EVENT_DAYS
        and i.deadline.start - EVENT_SLACK <= day <= i.deadline.end + EVENT_SLACK
    ]
    return events[0] if len(events) == 1 else None


def match(
    items: list[ItemRecord],
    docs: list[Document],
    records: list[DocRecord],
    settings: MatchSettings | None = None,
) -> MatchResult:
    return match_documents(item_texts(items), doc_texts(docs, records), settings)


@dataclass
class SchoolMatch:
    """What `match_school` found: the АРП and its roadmap, typed documents, items, matches."""

    arp: Document | None
    roadmap: Roadmap | None
    records: list[DocRecord]
    items: list[ItemRecord]
    result: MatchResult


def match_school(
    docs: list[Document],
    low: float,
    classifier: DocTypeClassifier | None = None,
    arp: Document | None = None,
    settings: MatchSettings | None = None,
    known: dict[str, DocTypePrediction] | None = None,
) -> SchoolMatch:
    """Find the roadmap (in `arp` when the caller knows the file), type every document and
    match them to the items: the stages `review_school` and the `match` command share.
    `known`: document types predicted earlier (see `classify`)."""
    if arp is None:
        arp, roadmap = find_arp(docs)
    else:
        roadmap = parse_roadmap(arp)
    records = classify(docs, arp, low, classifier, known)
    items = item_records(roadmap if roadmap and roadmap.found else None)
    return SchoolMatch(arp, roadmap, records, items, match(items, docs, records, settings))


def _match_page(doc: Document, words: list[str]) -> int | None:
    """The page where most of the matching words' stems occur, for the sheet's link."""
    stems = [w[:5] for w in words if len(w) >= 4]
    best, best_hits = None, 0
    for block in doc.blocks:
        low = block.text.lower()
        hits = sum(1 for s in stems if s in low)
        if hits > best_hits:
            best, best_hits = block.page, hits
    return best


def review_school(
    folder: Path,
    report_date: date,
    settings: RubricSettings,
    docs: list[Document] | None = None,
    classifier: DocTypeClassifier | None = None,
    known: dict[str, DocTypePrediction] | None = None,
) -> SchoolSheet:
    """`known`: document types `classifier` predicted earlier, by document path."""
    docs = extract_school(folder) if docs is None else docs
    found = match_school(docs, settings.classifier.low_confidence, classifier, known=known)
    arp, roadmap = found.arp, found.roadmap
    records, items, result = found.records, found.items, found.result
    by_file = {r.file: r for r in records}
    by_path = {d.path: d for d in docs}
    item_by_no = {i.number: i for i in items}
    for m in result.matches:
        record = by_file[m.document]
        record.confirms.append(m.item)
        record.match_reasons[m.item] = m.reason
        page = _match_page(by_path[m.document], m.words)
        if page is not None:
            record.match_pages[m.item] = page
        item_by_no[m.item].documents.append(m.document)
    for name in result.off_plan:
        by_file[name].off_plan = True
    for m in match_photos(items, docs).matches:
        record = by_file[m.document]
        record.shows.append(m.item)
        record.match_reasons[m.item] = m.reason
    arp_text = arp.text() if arp is not None else ""
    has_task_column = bool(roadmap and "task" in roadmap.columns)
    has_deadlines = bool(roadmap and roadmap.has_deadline_column)
    scores, reasons = score(
        items, arp_text, has_task_column, records, report_date, settings, has_deadlines
    )
    planned = [i for i in items if i.planned]
    implemented = [i for i in planned if i.implemented]
    warnings = [f"{d.path}: {w}" for d in docs for w in d.warnings]
    if roadmap is not None:
        warnings += [f"{roadmap.file}: {w}" for w in roadmap.warnings]
    if arp is None:
        warnings.append("среди файлов не найдена АРП")
    warnings += [
        f"{r.file}: тип документа не определён уверенно ({r.probability:.2f})"
        for r in records
        if r.low_confidence
    ]
    if classifier is not None and classifier.warning:
        warnings.append(classifier.warning)
    return SchoolSheet(
        doc_type_model=classifier.name if classifier is not None else "rules",
        school=school_name(arp, folder),
        folder=folder.name,
        report_date=report_date.isoformat(),
        arp_file=arp.path if arp is not None else None,
        scores=scores,
        total=total(scores),
        planned=len(planned),
        implemented=len(implemented),
        percent=round(100 * len(implemented) / len(planned), 1) if planned else None,
        reasons=reasons,
        items=items,
        documents=records,
        off_plan=[r.file for r in records if r.off_plan],
        errors=[e for d in docs for e in d.errors],
        warnings=warnings,
        setup_problems=[f"{d.path}: {p}" for d in docs for p in d.setup_problems],
    )
