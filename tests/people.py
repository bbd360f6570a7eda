"""The staff table for tests: migrated SQLite, seeded from a config as the daemon seeds it,
hashed with argon2id at a test's cost (the same code, less memory and time)."""

from __future__ import annotations

import uuid
from pathlib import Path

from acd import config as config_module
from acd.config_web import Hashing
from acd.store import db
from acd.store.roster import Roster

CHEAP = Hashing(time_cost=1, memory_kib=1024, parallelism=1)


def seeded_roster(folder: Path, config: config_module.Config) -> Roster:
    """A fresh staff table in `folder` holding `config`'s people."""
    url = f"sqlite:///{folder / f'staff-{uuid.uuid4().hex[:8]}.sqlite3'}"
    db.migrate(url)
    roster = Roster(url, CHEAP)
    roster.seed(config)
    return roster
