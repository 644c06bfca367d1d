"""The sample region's roadmaps in every format yield the same items as the original.

Each school's АРП (DOCX or PDF, as the sample generator wrote it) must give the items of the
sample's truth; each DOCX АРП, converted by LibreOffice to PDF, ODT, RTF and DOC, must give the
same items (number, activity, deadline) as the DOCX itself; and a 300-dpi scan of it must give
nearly the same through OCR. Skipped only when data/sample is not there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.extract import extract
from extractors.normalize import normalize_cell
from extractors.roadmap import parse_roadmap
from tests.builders import rasterise, render_with_libreoffice

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
TRUTH = ROOT / "data" / "sample_truth"

pytestmark = pytest.mark.skipif(
    not SAMPLE.is_dir() or not TRUTH.is_dir(), reason="data/sample is not generated"
)


def _truths() -> list[dict]:
    if not TRUTH.is_dir():
        return []
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(TRUTH.glob("*/truth.json"))]


def _docx_arps() -> list[Path]:
    return [
        SAMPLE / t["folder"] / t["arp_file"]
        for t in _truths()
        if t.get("items") and t["arp_file"].lower().endswith(".docx")
    ]


def _roadmap(path: Path):
    doc = extract(path)
    assert doc.ok, doc.errors
    return parse_roadmap(doc)


def _items(path: Path) -> list[tuple[str, str, str]]:
    return [(i.number, i.activity, i.deadline.text) for i in _roadmap(path).items]


@pytest.mark.parametrize("truth", _truths(), ids=lambda t: t["folder"])
def test_sample_roadmap_gives_the_truth_items(truth: dict) -> None:
    path = SAMPLE / truth["folder"] / truth["arp_file"]
    expected = [
        (i["number"], normalize_cell(i["activity"]), normalize_cell(i["deadline_text"]))
        for i in truth["items"]
    ]
    assert _items(path) == expected


@pytest.fixture(scope="module")
def converted_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sample-formats")


@pytest.mark.parametrize("fmt", ["pdf", "odt", "rtf", "doc"])
@pytest.mark.parametrize("arp", _docx_arps(), ids=lambda p: p.parent.name)
def test_docx_roadmap_in_every_format(arp: Path, fmt: str, converted_dir: Path) -> None:
    original = _items(arp)
    assert original
    rendered = render_with_libreoffice(arp, fmt, converted_dir / f"{arp.parent.name}.{fmt}")
    assert _items(rendered) == original


@pytest.mark.parametrize("arp", _docx_arps()[:1], ids=lambda p: p.parent.name)
def test_scanned_roadmap_through_ocr(arp: Path, converted_dir: Path) -> None:
    """A signed scan of the АРП: OCR makes letter-level mistakes, so items are compared by
    number and the dates of the deadline, and the activity by similarity."""
    from rapidfuzz import fuzz

    pdf = render_with_libreoffice(arp, "pdf", converted_dir / f"{arp.parent.name}.scan-src.pdf")
    scan = rasterise(pdf, converted_dir / f"{arp.parent.name}.scan.pdf", dpi=300)
    original = _roadmap(arp).items
    got = _roadmap(scan).items
    assert [i.number for i in got] == [i.number for i in original]
    pairs = list(zip(got, original, strict=True))
    same_dates = sum(
        (g.deadline.start, g.deadline.end) == (o.deadline.start, o.deadline.end) for g, o in pairs
    )
    # Lower case: many Cyrillic capitals differ from the small letters only in size (Ш/ш, К/к).
    similar = sum(fuzz.ratio(g.activity.lower(), o.activity.lower()) >= 90 for g, o in pairs)
    assert same_dates >= 0.9 * len(original)
    assert similar >= 0.9 * len(original)
