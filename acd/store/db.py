"""Engines and sessions for the customer store, and its schema migrations (Alembic).

SQLite (a file, the embedded default) and PostgreSQL (by URL) behave the same to callers.
A relative SQLite path is relative to the repo, like the PBX's state folder.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

REPO = Path(__file__).resolve().parents[2]
MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION = re.compile(r"^(down_revision|revision)(?:: [^=]+)? = ['\"]?(\w+)['\"]?$", re.MULTILINE)


def resolve_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        if not path.is_absolute():
            path = REPO / path
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            # made private before SQLite opens it: its -wal and -shm files copy its mode. Only
            # when new: closing any descriptor of an open database drops the process's locks
            with contextlib.suppress(FileExistsError):
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640))
        return parsed.set(database=str(path)).render_as_string(hide_password=False)
    return url


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(resolve_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database)
    return None


def engine(url: str) -> Engine:
    # No ping per checkout (a round trip on every call's lookup, a third of its p99): a
    # connection a restarted server dropped fails once, SQLAlchemy then renews the pool.
    made = create_engine(resolve_url(url), pool_pre_ping=False, pool_recycle=1800)
    if made.dialect.name == "sqlite":
        event.listen(made, "connect", _sqlite_pragmas)
    return made


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (the fallback AGI) never block
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def sessions(made: Engine) -> sessionmaker[Session]:
    return sessionmaker(made, expire_on_commit=False)


def migrate(url: str) -> None:
    """Bring the schema to the newest version; a no-op when it is there already (then
    without Alembic: importing it and its templates is a tenth of a second of every start)."""
    made = engine(url)
    try:
        if at_head(made):
            return
        from alembic import command  # only when there is something to migrate
        from alembic.config import Config as AlembicConfig

        config = AlembicConfig()
        config.set_main_option("script_location", str(MIGRATIONS))
        with made.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        made.dispose()


def head_revision() -> str | None:
    """The one head of the migration scripts (each names its revision and the one it
    revises); None when they do not have exactly one (then Alembic decides)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("[0-9]*.py"):
        found = {match[1]: match[2] for match in _REVISION.finditer(path.read_text())}
        if "revision" not in found:
            return None
        revisions.add(found["revision"])
        revised.add(found.get("down_revision", "None"))
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


def at_head(made: Engine) -> bool:
    """Is the store's schema the scripts' head already (read from alembic_version)?"""
    head = head_revision()
    if head is None:
        return False
    try:
        with made.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:  # a new store: no table yet
        return False
    return found == [head]


def advance_sequences(connection: Connection) -> None:
    """Rows inserted with explicit ids leave PostgreSQL's id sequences behind; catch them up."""
    if connection.dialect.name != "postgresql":
        return
    for table in ("customers", "phone_numbers", "accounts"):
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        )
