"""The supervision audit and the recordings index on SQLite and PostgreSQL: rows that grow,
lists limited to a supervisor's agents, retention deleting files and rows, and a schema that
matches the models."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from acd import recordings
from acd.core.supervision import Mode, Refusal, Session, refused
from acd.store import db, quality
from acd.store.models import Base, Interaction
from tests.lab import tones

DAY = 86400.0


def sessions(url: str):
    return db.sessions(db.engine(url))


def test_the_migrations_build_exactly_the_models(db_url):
    with db.engine(db_url).connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_a_supervision_row_grows_with_its_session(db_url):
    made = sessions(db_url)
    with made.begin() as session:
        session.add(Interaction(linkedid="call-1", started_at=dt.datetime.now(dt.UTC)))
    spy = Session("s1", "9001", "1001", "phone", 100.0, modes=(Mode.MONITOR,))
    with made.begin() as session:
        quality.save_supervision(session, spy)
    grown = Session(
        "s1",
        "9001",
        "1001",
        "phone",
        100.0,
        modes=(Mode.MONITOR, Mode.BARGE),
        call_id="call-1",
        spy_started_at=101.0,
        ended_at=130.0,
        outcome="ended",
    )
    with made.begin() as session:
        quality.save_supervision(session, grown)
        quality.save_supervision(
            session, refused("s2", "phone 1005", "1001", "phone", Refusal.NOT_SUPERVISOR, 90.0)
        )
    with made() as session:
        first, second = quality.supervision_sessions(session, {"1001"})
    assert (first["session"], first["modes"], first["linkedid"], first["outcome"]) == (
        "s1",
        ["monitor", "barge"],
        "call-1",
        "ended",
    )
    assert first["interaction_id"] is not None and (first["spy_started_at"], first["ended_at"]) == (
        101.0,
        130.0,
    )
    assert (second["supervisor"], second["outcome"], second["modes"]) == (
        "phone 1005",
        "refused:not_supervisor",
        [],
    )


def wav(path: Path, seconds: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return tones.write_tone(path, 0, seconds)  # 8 kHz 16-bit, as MixMonitor writes


def recorded(made, root: Path, take: str, agent: str, started: float, seconds: float = 2.0) -> str:
    path = recordings.take_path(f"call-{take}", agent, f"u-{take}", started)
    facts = recordings.finished(wav(root / path, seconds))
    with made.begin() as session:
        quality.open_recording(
            session, take, f"call-{take}", agent, "support", path, "queue support", started
        )
        quality.close_recording(
            session, take, started + seconds, facts.duration_s, 0.5, facts.size, facts.sha256
        )
    return path


def test_recordings_are_listed_for_the_agents_a_person_may_hear(db_url, tmp_path):
    made = sessions(db_url)
    now = time.time()
    recorded(made, tmp_path, "a", "1001", now - 30)
    recorded(made, tmp_path, "b", "2001", now - 20)
    with made() as session:
        everyone = quality.recordings(session)
        front = quality.recordings(session, {"1001", "1002"})
        one = quality.recording(session, everyone[0]["id"])
    assert [r["agent"] for r in everyone] == ["2001", "1001"]  # newest first
    assert [r["agent"] for r in front] == ["1001"]
    assert (one["status"], one["duration_s"], one["paused_s"]) == ("done", 2.0, 0.5)
    assert len(one["sha256"]) == 64


def test_retention_deletes_old_files_and_rows_and_keeps_the_rest(db_url, tmp_path):
    made = sessions(db_url)
    now = time.time()
    old = recorded(made, tmp_path, "old", "1001", now - 91 * DAY)
    young = recorded(made, tmp_path, "young", "1001", now - 89 * DAY)
    with made.begin() as session:  # still being written: never purged
        quality.open_recording(
            session, "live", "call-live", "1001", "support", "x/live.wav", "all calls", now - 100 * DAY
        )
    with made.begin() as session:
        assert recordings.purge(session, tmp_path, now, 90) == 1
    assert not (tmp_path / old).exists() and (tmp_path / young).exists()
    with made() as session:
        assert sorted(r["take"] for r in quality.recordings(session)) == ["live", "young"]


def test_a_row_left_open_is_found_for_the_sweep(db_url, tmp_path):
    made = sessions(db_url)
    with made.begin() as session:
        quality.open_recording(session, "t", "call-t", "1001", "support", "a/t.wav", "on demand", 1000.0)
    with made() as session:
        assert [r["take"] for r in quality.unfinished_recordings(session, 2000.0)] == ["t"]
        assert quality.unfinished_recordings(session, 999.0) == []
        assert quality.indexed_paths(session, ["a/t.wav", "b.wav"]) == {"a/t.wav"}
