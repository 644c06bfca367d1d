"""Photos of events, pictures with no text: shown on the sheet with the activity they seem
to show, never counted as evidence (DOMAIN: a photo only supplements documents; issue 3:
a file with no usable text is not evidence)."""

from __future__ import annotations

import json
import random
import shutil
import struct
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image, ImageDraw

from classifiers.doctype import classify_rules
from classifiers.doctype_model import load_classifier
from expert_sheet.records import ItemRecord
from extractors.deadlines import parse_deadline
from extractors.extract import extract
from extractors.images import taken, taken_by_name
from pipelines.school import _event_on
from tests.builders import copy_sample

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract")

_EXIF_IFD, _ORIGINAL, _CHANGED = 0x8769, 0x9003, 0x0132


def photo(path: Path, seed: int, original: str | None = None, changed: str | None = None) -> Path:
    """A picture of coloured blobs, as OCR sees an event's photo: no word in it."""
    rnd = random.Random(seed)
    image = Image.new("RGB", (1600, 1200), (120, 160, 200))
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = rnd.randint(0, 1500), rnd.randint(0, 1100)
        box = (x, y, x + rnd.randint(40, 200), y + rnd.randint(40, 200))
        draw.ellipse(box, fill=tuple(rnd.randint(0, 255) for _ in range(3)))
    exif = Image.Exif()
    if original is not None:
        exif.get_ifd(_EXIF_IFD)[_ORIGINAL] = original
    if changed is not None:
        exif[_CHANGED] = changed
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, quality=85, exif=exif)
    return path


def mp4(created: int | None = None, version: int = 0, data_first: bool = True) -> bytes:
    """A phone's video as far as its boxes go: ftyp, the media data (skipped unread), and a
    movie header whose creation time counts seconds from 1904 (`None`: no header)."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I4s", 8 + len(payload), kind) + payload

    ftyp = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2avc1mp41")
    mdat = box(b"mdat", bytes(5000))
    if created is None:
        return ftyp + mdat
    times = (
        struct.pack(">QQ", created, created) if version else struct.pack(">II", created, created)
    )
    moov = box(b"moov", box(b"mvhd", bytes([version, 0, 0, 0]) + times + bytes(80)))
    return ftyp + (mdat + moov if data_first else moov + mdat)


def test_a_picture_without_text_is_a_photo_with_the_day_it_was_taken(tmp_path: Path) -> None:
    doc = extract(photo(tmp_path / "IMG_0001.jpg", 1, "2022:04:12 10:05:00", "2023:01:01 00:00:00"))
    assert doc.ok and doc.photo is not None
    assert doc.photo.taken == datetime(2022, 4, 12, 10, 5)  # the shot, not the last edit
    only_changed = extract(photo(tmp_path / "b.jpg", 2, changed="2022:05:20 09:00:00"))
    assert only_changed.photo is not None and only_changed.photo.taken == datetime(2022, 5, 20, 9)
    for unset in ("0000:00:00 00:00:00", "1980:01:01 00:00:00", "    :  :     :  :  ", ""):
        with Image.open(photo(tmp_path / "c.jpg", 3, unset)) as image:
            assert taken(image) is None, unset
    with Image.open(photo(tmp_path / "d.jpg", 4)) as image:
        assert taken(image) is None


def test_a_photo_is_typed_photo_by_the_rules_and_by_the_promoted_model(tmp_path: Path) -> None:
    doc = extract(photo(tmp_path / "Приказ 18.jpg", 5))  # a name says nothing of a picture
    model = load_classifier()
    assert model.model is not None, "the test needs the promoted model"
    for prediction in (classify_rules(doc), model.predict([doc])[0]):
        assert (prediction.doc_type, prediction.probability) == ("photo", 1.0)
    text = extract(
        Path(__file__).parents[1] / "data/sample/school_04_polyanskaya/Программа семинара.pdf"
    )
    typed = model.predict([text, doc, text])
    assert [p.doc_type for p in typed] == [typed[0].doc_type, "photo", typed[0].doc_type]
    assert typed[0].doc_type != "photo"


def _event(number: str, deadline: str) -> ItemRecord:
    return ItemRecord(number=number, activity="Семинар", deadline=parse_deadline(deadline, 2022))


def test_a_photo_taken_on_an_event_s_day_shows_that_event_alone() -> None:
    items = [_event("1", "24.03.2022"), _event("2", "Март 2022"), _event("3", "До 30 апреля")]
    assert _event_on(items, date(2022, 3, 25)).number == "1"
    assert _event_on(items, date(2022, 3, 10)) is None  # in March, but no event that day
    assert _event_on([*items, _event("4", "23.03.2022-25.03.2022")], date(2022, 3, 24)) is None


def test_photos_are_shown_with_their_activity_and_change_no_score(tmp_path: Path) -> None:
    """The sample's school 04 with four photos: one in a folder named after activity 6
    (which has no document), one named after the seminar of 24.03.2022 (item 7), one taken
    that day, one that says nothing. The sheet shows each photo with its item, and every
    score, reason of K2-K6 and document's match is what it is without them."""
    from pipelines.work import review_school

    region = copy_sample(tmp_path / "region", ["school_04_polyanskaya"])
    school = region / "school_04_polyanskaya"
    before = review_school(school, tmp_path / "before", date(2022, 6, 1))
    photo(school / "Фото" / "Взаимопосещение уроков" / "IMG_0001.jpg", 1, "2022:04:12 10:00:00")
    photo(school / "Фото с семинара Формирующее оценивание.jpg", 2)
    photo(school / "IMG_0002.jpg", 3, "2022:03:24 11:00:00")
    photo(school / "IMG_0003.jpg", 4)
    (school / "VID_20220324_101532.mp4").write_bytes(mp4())  # the day in its name alone
    after = review_school(school, tmp_path / "after", date(2022, 6, 1))

    photos = {d.file: d for d in after.documents if d.photo}
    assert sorted(photos) == sorted(
        [
            "Фото/Взаимопосещение уроков/IMG_0001.jpg",
            "Фото с семинара Формирующее оценивание.jpg",
            "IMG_0002.jpg",
            "IMG_0003.jpg",
            "VID_20220324_101532.mp4",
        ]
    )
    shows = {name: d.shows for name, d in photos.items()}
    assert shows == {
        "Фото/Взаимопосещение уроков/IMG_0001.jpg": ["6"],
        "Фото с семинара Формирующее оценивание.jpg": ["7"],
        "IMG_0002.jpg": ["7"],
        "IMG_0003.jpg": [],
        "VID_20220324_101532.mp4": ["7"],
    }
    assert (
        "взаимопосещение" in photos["Фото/Взаимопосещение уроков/IMG_0001.jpg"].match_reasons["6"]
    )
    assert "снято 24.03.2022" in photos["IMG_0002.jpg"].match_reasons["7"]
    for record in photos.values():
        assert record.readable and record.doc_type == "photo" and not record.confirms
        assert not record.off_plan
    assert not after.errors and not set(photos) & set(after.off_plan)

    # Nothing counted: the scores, K2-K6's reasons, the items and the documents' matches.
    assert after.scores == before.scores and after.total == before.total
    assert {k: v for k, v in after.reasons.items() if k != "K1"} == {
        k: v for k, v in before.reasons.items() if k != "K1"
    }
    item_6 = next(i for i in after.items if i.number == "6")
    assert item_6.status == "no_evidence" and item_6.documents == []
    assert [i.model_dump() for i in after.items] == [i.model_dump() for i in before.items]
    assert [d.model_dump() for d in after.documents if not d.photo] == [
        d.model_dump() for d in before.documents
    ]
    # K1 says which items have photos only, for the expert to judge.
    assert after.reasons["K1"] == (
        before.reasons["K1"] + "; есть только фото или видео, они не подтверждают: 6"
    )

    book = load_workbook(tmp_path / "after" / "school_04_polyanskaya" / "sheet.xlsx")
    rows = {r[0]: r[4] for r in book["Документы"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert rows["IMG_0002.jpg"] == "фото к мероприятиям: 7"
    assert rows["IMG_0003.jpg"] == "фото, не соотнесено"
    assert rows["VID_20220324_101532.mp4"] == "видео к мероприятиям: 7"
    items = list(book["Мероприятия"].iter_rows(values_only=True))
    header, by_number = items[0], {r[0]: r for r in items[1:]}
    photo_columns = [k for k, h in enumerate(header) if h and h.startswith("Фото")]
    assert [header[k] for k in photo_columns] == [
        f"Фото, видео {n} (не подтверждает)" for n in (1, 2, 3)
    ]
    assert [by_number["7"][k] for k in photo_columns] == [
        "IMG_0002.jpg",
        "VID_20220324_101532.mp4",
        "Фото с семинара Формирующее оценивание.jpg",
    ]
    assert by_number["6"][photo_columns[0]] == "Фото/Взаимопосещение уроков/IMG_0001.jpg"
    assert by_number["6"][4] == "нет подтверждающих документов"


def test_a_pdf_of_photos_is_a_photo_and_a_pdf_with_words_is_not(tmp_path: Path) -> None:
    """A photo report saved as a PDF ("Фотоотчёт.pdf"), every page a picture with no word."""
    pictures = [Image.open(photo(tmp_path / f"{n}.jpg", n)).convert("RGB") for n in (1, 2)]
    pictures[0].save(tmp_path / "Фотоотчёт.pdf", save_all=True, append_images=pictures[1:])
    doc = extract(tmp_path / "Фотоотчёт.pdf")
    assert doc.ok and doc.n_pages == 2 and doc.photo is not None and doc.photo.taken is None
    assert classify_rules(doc).doc_type == "photo"
    # A page of the same file with words on it: a document, typed by its text.
    from tests.builders import make_pdf, rasterise

    words = rasterise(make_pdf(tmp_path / "t.pdf", ["Протокол заседания ШМО"]), tmp_path / "w.png")
    pictures.append(Image.open(words).convert("RGB"))
    pictures[0].save(tmp_path / "mixed.pdf", save_all=True, append_images=pictures[1:])
    mixed = extract(tmp_path / "mixed.pdf")
    assert mixed.ok and mixed.photo is None and "заседания" in mixed.text()


def test_a_photo_without_exif_takes_its_day_from_a_phone_s_or_messenger_s_name(
    tmp_path: Path,
) -> None:
    """WhatsApp and Telegram drop the EXIF of the photos teachers send through them, and
    write the day into the name instead."""
    named = {
        "WhatsApp Image 2022-03-24 at 10.15.32.jpeg": date(2022, 3, 24),
        "photo_2022-03-24_10-15-32.jpg": date(2022, 3, 24),
        "IMG_20220324_101532.jpg": date(2022, 3, 24),
        "PXL_20220324_101532123.jpg": date(2022, 3, 24),
        "Screenshot_20220324-101532.png": date(2022, 3, 24),
        "Снимок экрана 2022-03-24 в 10.15.32.png": date(2022, 3, 24),
        "IMG_2041.jpg": None,  # a counter, not a day
        "IMG_20221332_101532.jpg": None,  # no such day
        "Семинар 2022-03-24.jpg": None,  # a school's own name: words to match, not a camera's
        "IMG_19991231_000000.jpg": None,  # a clock never set
    }
    for name, day in named.items():
        found = taken_by_name(name)
        assert (found.date() if found else None) == day, name
    sent = extract(photo(tmp_path / "WhatsApp Image 2022-03-24 at 10.15.32.jpeg", 1))
    assert sent.photo is not None and sent.photo.taken == datetime(2022, 3, 24)
    shot = extract(photo(tmp_path / "IMG_20220324_101532.jpg", 2, "2022:03:25 09:00:00"))
    assert shot.photo is not None and shot.photo.taken == datetime(2022, 3, 25, 9)  # EXIF first


def test_the_match_command_lists_photos_apart_from_evidence(tmp_path: Path) -> None:
    from tests.test_cli import SCHOOL, cli

    shown = photo(tmp_path / "Фото Взаимопосещение уроков.jpg", 1)
    silent = photo(tmp_path / "IMG_0003.jpg", 2)
    arp = next(SCHOOL.glob("АРП*"))
    protocol = SCHOOL / "Протокол ШМО 3.docx"
    out = json.loads(
        cli("match", str(arp), str(protocol), str(shown), str(silent), "--json").stdout
    )
    assert [(p["document"], p["item"]) for p in out["photos"]] == [(shown.name, "6")]
    assert out["photos_not_linked"] == [silent.name]
    evidence = {m["document"] for m in out["matches"]} | set(out["off_plan"])
    assert evidence == {protocol.name} and not out["unreadable"]


def test_an_expert_s_corrections_of_photos_make_no_training_data(
    prefect_harness, tmp_path: Path
) -> None:
    """A photo is typed by rule and never matched by the matcher: an expert's type for it,
    or its adding to an item's documents, is no label for either model."""
    import openpyxl

    from pipelines.review import review_region
    from review_db.corrections import import_sheet
    from review_db.db import open_engine
    from review_db.labels import export_labels
    from review_db.runs import record_run

    root = Path(__file__).resolve().parents[1]
    region = copy_sample(tmp_path / "region", ["school_04_polyanskaya"])
    school = region / "school_04_polyanskaya"
    shown = "Фото/Взаимопосещение уроков/IMG_0001.jpg"
    photo(school / shown, 1)
    photo(school / "IMG_0003.jpg", 2)
    out = tmp_path / "out"
    review_region(region, out, date(2022, 6, 1), workers=1)
    engine = open_engine(out_dir=out)
    record_run(engine, region, out, date(2022, 6, 1))
    path = out / "school_04_polyanskaya" / "sheet.xlsx"
    book = openpyxl.load_workbook(path)
    items, docs = book["Мероприятия"], book["Документы"]
    head = {c.value: c.column for c in items[1]}
    row = next(r for r in range(2, items.max_row + 1) if items.cell(r, 1).value == "6")
    items.cell(row, head["Исправление: документы (через ;)"], shown)
    head = {c.value: c.column for c in docs[1]}
    row = next(r for r in range(2, docs.max_row + 1) if docs.cell(r, 1).value == "IMG_0003.jpg")
    docs.cell(row, head["Исправление: тип"], "other")
    book.save(path)
    assert import_sheet(engine, path, "Иванова").stored == 2

    labelled = tmp_path / "labelled"
    (labelled / "doctypes").mkdir(parents=True)
    for split in ("train", "heldout"):
        shutil.copy(root / f"data/labelled/doctypes/{split}.jsonl", labelled / "doctypes")
    (labelled / "matching").mkdir()
    shutil.copy(root / "data/labelled/matching/dev.jsonl", labelled / "matching")
    report = export_labels(engine, tmp_path / "export", labelled)
    assert report.doctypes_from_corrections == 0
    assert any("IMG_0003.jpg: a photo without text" in s for s in report.skipped)
    assert report.matching_from_corrections == 1
    lines = (tmp_path / "export/matching/dev.jsonl").read_text("utf-8").splitlines()
    case = json.loads(lines[-1])
    assert case["school"].endswith("school_04_polyanskaya")
    names = {d["name"] for d in case["docs"]}
    assert shown not in names and all(document in names for document, _ in case["gold"])
    assert case["gold"]  # the documents' own matches stay


def test_a_video_is_shown_as_a_photo_with_the_day_it_was_recorded(tmp_path: Path) -> None:
    """Schools film their seminars (some activities' result is the recording): a video is
    never watched, but is no unreadable file either."""
    from extractors.media import recorded

    day = int((datetime(2022, 3, 24, 10, 15) - datetime(1904, 1, 1)).total_seconds())
    clip = tmp_path / "Открытый урок.mp4"
    for version in (0, 1):
        for data_first in (True, False):  # the movie header at the end, as phones write it
            clip.write_bytes(mp4(day, version, data_first))
            assert recorded(clip) == datetime(2022, 3, 24, 10, 15)
    doc = extract(clip)
    assert doc.ok and doc.format == "video" and not doc.blocks
    assert (
        doc.photo is not None
        and doc.photo.video
        and doc.photo.taken == datetime(2022, 3, 24, 10, 15)
    )
    assert any(w.startswith("a video, not watched") for w in doc.warnings)
    assert classify_rules(doc).doc_type == "photo" and classify_rules(doc).reasons == [
        "видеозапись"
    ]
    # No header, a clock never set, a box that claims more than the file: no day.
    for broken in (mp4(None), mp4(0), mp4(day)[:-40]):
        clip.write_bytes(broken)
        assert recorded(clip) is None
    clip.write_bytes(mp4(None))
    named = tmp_path / "VID_20220324_101532.mp4"
    named.write_bytes(mp4(None))
    assert extract(named).photo.taken == datetime(2022, 3, 24)
