"""Alembic environment: run with a connection handed over by review_db.db.migrate."""

from __future__ import annotations

from alembic import context

from review_db.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
)
with context.begin_transaction():
    context.run_migrations()
