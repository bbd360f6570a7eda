"""`migrate` at start: Alembic only when the schema is behind (its import is a tenth of a
second of every start), the scripts' head found as Alembic finds it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from acd.store import db


def test_the_head_is_the_one_alembic_finds():
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS))
    assert db.head_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_a_store_behind_is_migrated_and_one_at_the_head_is_left_alone(db_url):
    made = db.engine(db_url)
    assert db.at_head(made)
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS))
    with made.begin() as connection:  # back to 0003 by the scripts' own downgrades (any head)
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    assert not db.at_head(made)
    db.migrate(db_url)  # 0004 again: the column is back
    assert db.at_head(made)
    with made.connect() as connection:
        connection.execute(text("SELECT outcome FROM interactions")).all()
    made.dispose()


def test_a_start_on_a_store_at_the_head_does_not_import_alembic(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    db.migrate(url)
    code = f"import sys; from acd.store import db; db.migrate({url!r}); print('alembic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
