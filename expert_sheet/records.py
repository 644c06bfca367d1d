"""What a reviewed school is made of, as written to sheet.json."""

from __future__ import annotations

from pydantic import BaseModel, Field

from extractors.model import ExtractionError
from extractors.roadmap import RoadmapItem

NOT_ASSESSABLE = "Н/о"


class DocRecord(BaseModel):
    file: str
    sha256: str = ""
    format: str = ""
    readable: bool = True
    is_arp: bool = False
    doc_type: str = "other"
    evidence_kind: str = "other"
    probability: float = 0.0
    low_confidence: bool = False
    type_reasons: list[str] = Field(default_factory=list)
    confirms: list[str] = Field(default_factory=list)  # item numbers
    off_plan: bool = False
    match_reasons: dict[str, str] = Field(default_factory=dict)  # item number -> why
    match_pages: dict[str, int] = Field(default_factory=dict)  # item number -> page
    # A picture with no text (`extractors.model.Photo`): shown with the items it seems to
    # show (`shows`, why in `match_reasons`), never counted as evidence: a photo only
    # supplements documents, and a file without text confirms nothing on its own.
    photo: bool = False
    shows: list[str] = Field(default_factory=list)  # item numbers


class ItemRecord(RoadmapItem):
    """A roadmap item as the sheet shows it: what the rubric and the matcher made of it."""

    expected_result_type: str | None = None
    planned: bool = False
    implemented: bool = False
    status: str = "no_evidence"  # confirmed | only_plan_evidence | no_evidence | not_yet_due
    documents: list[str] = Field(default_factory=list)


class SchoolSheet(BaseModel):
    school: str
    folder: str
    report_date: str
    arp_file: str | None = None
    scores: dict[str, int | str] = Field(default_factory=dict)
    total: int = 0
    planned: int = 0
    implemented: int = 0
    percent: float | None = None
    reasons: dict[str, str] = Field(default_factory=dict)
    items: list[ItemRecord] = Field(default_factory=list)
    documents: list[DocRecord] = Field(default_factory=list)
    off_plan: list[str] = Field(default_factory=list)
    errors: list[ExtractionError] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    # Files left unread, in full or in part, by a tool missing on the machine ("file: what
    # was missing"): the school is reviewed again by the next run (see `Document`).
    setup_problems: list[str] = Field(default_factory=list)
    failed: bool = False
    doc_type_model: str = "rules"  # which model typed the documents: the sheet's provenance
