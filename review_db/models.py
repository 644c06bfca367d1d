"""The review database: what each run drafted and what the experts corrected.

Drafts (runs, sheets, documents, items, matches, scores) are written once per run and never
changed. Corrections are appended, one row per edited cell, each with its expert and time;
reports take the latest one per target, and the history stays.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Run(Base):
    """One `evidence-review review` of a region: its settings and the code and models used."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    report_date: Mapped[str] = mapped_column(String(10))
    region: Mapped[str] = mapped_column(String(255), index=True)  # the export folder's name
    region_path: Mapped[str] = mapped_column(Text)
    out_path: Mapped[str] = mapped_column(Text)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    code_version: Mapped[dict[str, Any]] = mapped_column(JSON)
    doc_type_model: Mapped[str] = mapped_column(String(128))
    matcher_version: Mapped[str] = mapped_column(String(64))

    sheets: Mapped[list[Sheet]] = relationship(back_populates="run", cascade="all, delete-orphan")


class Sheet(Base):
    """One school's draft sheet in a run."""

    __tablename__ = "sheets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), index=True)
    folder: Mapped[str] = mapped_column(String(255))
    school: Mapped[str] = mapped_column(Text)
    total: Mapped[int] = mapped_column(Integer)
    planned: Mapped[int] = mapped_column(Integer)
    implemented: Mapped[int] = mapped_column(Integer)
    percent: Mapped[float | None] = mapped_column(Float, nullable=True)
    failed: Mapped[bool] = mapped_column(Boolean, default=False)
    doc_type_model: Mapped[str] = mapped_column(String(128))
    # expert_sheet.xlsx.sheet_digest of the draft; sheet.xlsx carries it in its meta sheet.
    draft_sha256: Mapped[str] = mapped_column(String(64), index=True)

    run: Mapped[Run] = relationship(back_populates="sheets")
    documents: Mapped[list[DocumentRow]] = relationship(cascade="all, delete-orphan")
    items: Mapped[list[ItemRow]] = relationship(cascade="all, delete-orphan")
    matches: Mapped[list[MatchRow]] = relationship(cascade="all, delete-orphan")
    scores: Mapped[list[ScoreRow]] = relationship(cascade="all, delete-orphan")


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id"), index=True)
    file: Mapped[str] = mapped_column(Text)  # relative to the school's folder
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(32))
    doc_type: Mapped[str] = mapped_column(String(32))
    evidence_kind: Mapped[str] = mapped_column(String(16))
    probability: Mapped[float] = mapped_column(Float)
    readable: Mapped[bool] = mapped_column(Boolean)
    is_arp: Mapped[bool] = mapped_column(Boolean)
    off_plan: Mapped[bool] = mapped_column(Boolean)


class ItemRow(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id"), index=True)
    number: Mapped[str] = mapped_column(String(32))
    activity: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    planned: Mapped[bool] = mapped_column(Boolean)
    implemented: Mapped[bool] = mapped_column(Boolean)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)  # the whole ItemRecord, for labels


class MatchRow(Base):
    """A document the draft matched to an item, with the matcher's reason."""

    __tablename__ = "matches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id"), index=True)
    document: Mapped[str] = mapped_column(Text)
    item: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ScoreRow(Base):
    __tablename__ = "scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id"), index=True)
    criterion: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(8))  # "0".."3" or "Н/о"
    reason: Mapped[str] = mapped_column(Text, default="")


class ImportRow(Base):
    """One accepted import of an edited sheet. `edits_sha256` is the hash of the edits read
    from it: the same edits imported again store nothing new."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id"), index=True)
    expert: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    file: Mapped[str] = mapped_column(Text)
    edits_sha256: Mapped[str] = mapped_column(String(64), index=True)
    n_corrections: Mapped[int] = mapped_column(Integer)


class Correction(Base):
    """One expert edit. Never updated or deleted: a later row for the same target wins.

    kind      target           value
    score     K1..K6           "0".."3" | "Н/о"
    item_documents  item number  list of document files confirming the item
    item_status     item number  confirmed | only_plan_evidence | no_evidence | not_yet_due
    document_items  document     list of item numbers an off-plan document confirms
    doc_type        document     one of classifiers.doctype.DOC_TYPES
    comment   "sheet:K1", "item:3", "document:<file>"   free text
    """

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id"), index=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(Text)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    expert: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cell: Mapped[str] = mapped_column(String(128))  # "Документы!H5": where the edit was read


class AppendOnlyError(RuntimeError):
    """A correction or an import was about to be changed or deleted."""


def _refuse(_mapper: Any, _connection: Any, target: Any) -> None:
    raise AppendOnlyError(f"{type(target).__name__} rows are append-only")


for _cls in (Correction, ImportRow):
    event.listen(_cls, "before_update", _refuse)
    event.listen(_cls, "before_delete", _refuse)
