"""Checkpoints in the store, on SQLite and PostgreSQL: newest first, body by body, the last
few kept, none older than the journal's retention."""

from __future__ import annotations

from acd.store import db
from acd.store.snapshots import DAY, Snapshots

NOW = 1_800_000_000.0


def test_the_newest_come_first_and_only_the_last_kept_stay(db_url):
    engine = db.engine(db_url)
    snapshots = Snapshots(engine, keep=3)
    for seq in (100, 200, 300, 400, 500):
        snapshots.save(seq, 1, f'{{"seq": {seq}}}', taken_at=NOW + seq)
    assert snapshots.seqs() == [300, 400, 500]
    found = list(snapshots.newest())
    assert [s.seq for s in found] == [500, 400, 300]
    assert (found[0].taken_at, found[0].version, found[0].body) == (NOW + 500, 1, '{"seq": 500}')
    assert [s.seq for s in snapshots.newest(since=NOW + 350)] == [500, 400]
    engine.dispose()


def test_a_seq_saved_again_keeps_the_newer_body(db_url):
    engine = db.engine(db_url)
    snapshots = Snapshots(engine, keep=3)
    snapshots.save(7, 1, "old", taken_at=NOW)
    snapshots.save(7, 1, "new", taken_at=NOW + 1)
    assert [(s.seq, s.body) for s in snapshots.newest()] == [(7, "new")]
    engine.dispose()


def test_checkpoints_older_than_the_retention_go_with_the_journal(db_url):
    engine = db.engine(db_url)
    snapshots = Snapshots(engine, keep=3, retention_days=2)
    snapshots.save(1, 1, "{}", taken_at=NOW - 3 * DAY)
    snapshots.save(2, 1, "{}", taken_at=NOW - DAY)
    assert snapshots.seqs() == [1, 2]  # a save prunes by its own time: the first is recent
    assert snapshots.prune(NOW) == 1
    assert snapshots.seqs() == [2]
    engine.dispose()


def test_a_body_of_megabytes_goes_in_and_comes_back(db_url):
    engine = db.engine(db_url)
    snapshots = Snapshots(engine)
    body = '{"x": "' + "é" * 3_000_000 + '"}'
    snapshots.save(1, 1, body, taken_at=NOW)
    assert next(snapshots.newest()).body == body
    engine.dispose()
