"""Where the review database lives, and bringing its schema up to date.

SQLite file `OUT/review.sqlite` by default, so a region's output folder carries its own
history; `EVIDENCE_REVIEW_DB` (a SQLAlchemy URL such as
`postgresql+psycopg://user:pass@host/dbname`) points every command at a shared server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

ENV_VAR = "EVIDENCE_REVIEW_DB"
DB_FILE = "review.sqlite"
MIGRATIONS = Path(__file__).with_name("migrations")


class NoDatabase(Exception):
    """Neither a URL nor an output folder says where the database is."""


def database_url(url: str | None = None, out_dir: Path | None = None) -> str:
    """An explicit URL, else EVIDENCE_REVIEW_DB, else OUT/review.sqlite."""
    if url:
        return url
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    if out_dir is not None:
        return f"sqlite:///{(Path(out_dir) / DB_FILE).resolve()}"
    raise NoDatabase(f"no database: give --db URL or --out OUT, or set {ENV_VAR}")


def _alembic_config(connection: object | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> None:
    """Upgrade to the newest schema; a database already there is left as it is."""
    if current_revision(engine) == head_revision():
        return
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")


@cache
def _engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        # SQLite checks foreign keys only when asked, per connection.
        event.listen(engine, "connect", lambda conn, _rec: conn.execute("PRAGMA foreign_keys=ON"))
    return engine


def open_engine(url: str | None = None, out_dir: Path | None = None) -> Engine:
    """The engine for the database, migrated to the newest schema."""
    engine = _engine(database_url(url, out_dir))
    migrate(engine)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back entirely on any error."""
    with sessionmaker(engine, expire_on_commit=False)() as session, session.begin():
        yield session
