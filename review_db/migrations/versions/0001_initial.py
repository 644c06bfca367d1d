"""Runs, sheets, documents, items, matches, scores, imports and corrections.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True)


def _sheet_fk() -> sa.Column:
    return sa.Column("sheet_id", sa.Integer(), sa.ForeignKey("sheets.id"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("report_date", sa.String(10), nullable=False),
        sa.Column("region", sa.String(255), nullable=False),
        sa.Column("region_path", sa.Text(), nullable=False),
        sa.Column("out_path", sa.Text(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("code_version", sa.JSON(), nullable=False),
        sa.Column("doc_type_model", sa.String(128), nullable=False),
        sa.Column("matcher_version", sa.String(64), nullable=False),
    )
    op.create_index("ix_runs_region", "runs", ["region"])
    op.create_table(
        "sheets",
        _id(),
        sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("folder", sa.String(255), nullable=False),
        sa.Column("school", sa.Text(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("planned", sa.Integer(), nullable=False),
        sa.Column("implemented", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Float(), nullable=True),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.Column("doc_type_model", sa.String(128), nullable=False),
        sa.Column("draft_sha256", sa.String(64), nullable=False),
    )
    op.create_index("ix_sheets_run_id", "sheets", ["run_id"])
    op.create_index("ix_sheets_draft_sha256", "sheets", ["draft_sha256"])
    op.create_table(
        "documents",
        _id(),
        _sheet_fk(),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("doc_type", sa.String(32), nullable=False),
        sa.Column("evidence_kind", sa.String(16), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("readable", sa.Boolean(), nullable=False),
        sa.Column("is_arp", sa.Boolean(), nullable=False),
        sa.Column("off_plan", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_documents_sheet_id", "documents", ["sheet_id"])
    op.create_index("ix_documents_sha256", "documents", ["sha256"])
    op.create_table(
        "items",
        _id(),
        _sheet_fk(),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("activity", sa.Text(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("planned", sa.Boolean(), nullable=False),
        sa.Column("implemented", sa.Boolean(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
    )
    op.create_index("ix_items_sheet_id", "items", ["sheet_id"])
    op.create_table(
        "matches",
        _id(),
        _sheet_fk(),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("item", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
    )
    op.create_index("ix_matches_sheet_id", "matches", ["sheet_id"])
    op.create_table(
        "scores",
        _id(),
        _sheet_fk(),
        sa.Column("criterion", sa.String(8), nullable=False),
        sa.Column("value", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_scores_sheet_id", "scores", ["sheet_id"])
    op.create_table(
        "imports",
        _id(),
        _sheet_fk(),
        sa.Column("expert", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("edits_sha256", sa.String(64), nullable=False),
        sa.Column("n_corrections", sa.Integer(), nullable=False),
    )
    op.create_index("ix_imports_sheet_id", "imports", ["sheet_id"])
    op.create_index("ix_imports_edits_sha256", "imports", ["edits_sha256"])
    op.create_table(
        "corrections",
        _id(),
        _sheet_fk(),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("imports.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("expert", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cell", sa.String(128), nullable=False),
    )
    op.create_index("ix_corrections_sheet_id", "corrections", ["sheet_id"])
    op.create_index("ix_corrections_import_id", "corrections", ["import_id"])


def downgrade() -> None:
    for table in (
        "corrections",
        "imports",
        "scores",
        "matches",
        "items",
        "documents",
        "sheets",
        "runs",
    ):
        op.drop_table(table)
