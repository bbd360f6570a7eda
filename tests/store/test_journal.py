"""The journal in the store, on SQLite and PostgreSQL: batched writes that never raise into
the bus, nothing lost at stop or while the store refuses, readers that skip a bad row, and
the retention."""

from __future__ import annotations

import pytest
from sqlalchemy import event, insert, select
from twisted.logger import globalLogPublisher

from acd.core import events as ev
from acd.core.journal import Entry, Sequencer
from acd.store import db
from acd.store import journal as journal_module
from acd.store.journal import Journal
from acd.store.models import JournalRow

DAY = 86400.0


@pytest.fixture
def caplog_twisted():
    logged: list[dict] = []
    globalLogPublisher.addObserver(logged.append)
    yield logged
    globalLogPublisher.removeObserver(logged.append)


def entries(count: int, start_at: float = 1_000_000.0, first: int = 0) -> list[Entry]:
    numbers = Sequencer(first)
    made = []
    for i in range(count):
        at = start_at + i
        event = (
            ev.CallerJoined(at, f"call-{i}", "support", "+3225550100", i % 7 + 1, channel=f"PJSIP/t-{i}")
            if i % 3
            else ev.MemberChanged(
                at, "support", f"10{i % 10:02d}", "PJSIP/1001", "not_in_use", True, False, i
            )
        )
        made.append(numbers.next(event, reconstructed=i % 5 == 0))
    return made


def test_entries_come_back_as_they_went_in_in_a_few_transactions(db_url):
    journal = Journal(db_url)
    commits: list[int] = []
    event.listen(journal.engine, "commit", lambda _conn: commits.append(1))
    wrote = entries(2000)
    for entry in wrote:
        journal.append(entry)
    assert journal.flush()
    assert journal.since(0, limit=5000) == wrote
    assert journal.since(1990, limit=5) == wrote[1990:1995]
    assert journal.last_seq() == 2000
    assert 1 <= len(commits) <= 20  # batched: not one transaction per event
    journal.close()


def test_between_reads_by_the_pbx_clock_in_seq_order(db_url):
    journal = Journal(db_url)
    wrote = entries(100, start_at=5000.0)
    for entry in wrote:
        journal.append(entry)
    journal.flush()
    assert journal.between(5010.0, 5020.0) == wrote[10:20]
    assert journal.between(0.0, 1.0) == []
    journal.close()


def test_the_tail_after_a_checkpoint_is_read_by_seq_from_the_days_start(db_url):
    journal = Journal(db_url)
    wrote = entries(100, start_at=5000.0)
    for entry in wrote[:60]:
        journal.append(entry)
    journal.flush()
    journal.delay = 60.0
    for entry in wrote[60:]:  # some still waiting for the writer
        journal.append(entry)
    assert list(journal.iter_tail(40, 5000.0)) == wrote[40:]
    assert list(journal.iter_tail(10, 5030.0)) == wrote[30:]
    assert list(journal.iter_tail(100, 0.0)) == []
    journal.close()


def test_entries_waiting_at_stop_are_written_and_numbering_resumes_after_them(db_url):
    journal = Journal(db_url, delay=60.0)  # nothing would be written for a minute
    wrote = entries(50)
    for entry in wrote:
        journal.append(entry)
    journal.close()
    again = Journal(db_url)
    assert again.since(0, 100) == wrote
    assert again.last_seq() == 50
    assert Sequencer(again.last_seq()).next(ev.ResyncStarted(1.0)).seq == 51
    again.close()


def test_an_entry_applied_after_close_is_written_too(db_url):
    journal = Journal(db_url)
    wrote = entries(3)
    journal.append(wrote[0])
    journal.close()
    for entry in wrote[1:]:  # the last events of a stop, after the store's close
        journal.append(entry)
    assert journal.flush()
    again = Journal(db_url)
    assert again.since(0) == wrote
    again.close()


def test_readers_see_entries_not_yet_written(db_url):
    journal = Journal(db_url, delay=60.0)
    wrote = entries(10)
    for entry in wrote:
        journal.append(entry)
    assert journal.since(4, 3) == wrote[4:7]
    assert journal.last_seq() == 10
    assert journal.between(1_000_002.0, 1_000_004.0) == wrote[2:4]
    journal.close()


def test_a_row_that_does_not_decode_is_logged_and_skipped(db_url, caplog_twisted):
    journal = Journal(db_url)
    bad = [
        {"seq": 2, "at": 1.0, "type": "CallerJoined", "body": "{not json", "reconstructed": False},
        {"seq": 3, "at": 1.0, "type": "Gone", "body": '{"type": "Gone", "at": 1.0}', "reconstructed": False},
        {
            "seq": 4,
            "at": 1.0,
            "type": "CallerJoined",
            "body": '{"type": "CallerJoined", "at": 1.0}',
            "reconstructed": False,
        },
        {"seq": 5, "at": 1.0, "type": "X", "body": "[1, 2]", "reconstructed": False},
    ]
    with journal.engine.begin() as connection:
        connection.execute(insert(JournalRow), bad)
    good = entries(1, start_at=1.0)[0]
    journal.append(Entry(6, good.event))
    journal.flush()
    assert journal.since(0) == [Entry(6, good.event)]
    assert journal.between(0.0, 2.0) == [Entry(6, good.event)]
    skipped = [e for e in caplog_twisted if "does not decode" in e.get("log_format", "")]
    assert sorted(e["seq"] for e in skipped) == [2, 2, 3, 3, 4, 4, 5, 5]
    journal.close()


def test_append_never_raises_and_nothing_is_lost_while_the_store_refuses(tmp_path, monkeypatch):
    monkeypatch.setattr(journal_module, "RETRY_DELAY", 0.05)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    journal = Journal(url)  # no table yet: every write fails
    wrote = entries(30)
    for entry in wrote:
        journal.append(entry)
    assert not journal.flush(timeout=0.5)
    db.migrate(url)  # the store is back
    assert journal.flush()
    assert journal.since(0, 100) == wrote
    journal.close()


def test_a_seq_written_twice_does_not_fail_the_batch(db_url):
    journal = Journal(db_url)
    wrote = entries(5)
    journal.append(wrote[0])
    journal.flush()
    for entry in wrote:  # the first again: a retry after a commit whose answer was lost
        journal.append(entry)
    journal.flush()
    assert journal.since(0) == wrote
    journal.close()


def test_the_retention_deletes_entries_older_than_its_days(db_url):
    now = 100 * DAY
    journal = Journal(db_url, retention_days=3, clock=lambda: now)
    old = entries(5, start_at=now - 4 * DAY)
    kept = entries(5, start_at=now - 2 * DAY, first=5)
    for entry in old + kept:
        journal.append(entry)
    journal.flush()
    assert journal.prune() == 5
    assert journal.since(0) == kept
    journal.close()


def test_the_retention_runs_when_the_journal_starts(db_url):
    now = 100 * DAY
    first = Journal(db_url)
    for entry in entries(5, start_at=now - 10 * DAY):
        first.append(entry)
    first.close()
    journal = Journal(db_url, retention_days=3, clock=lambda: now)
    journal.start()
    journal.append(entries(1, start_at=now, first=5)[0])
    journal.flush()
    with journal.engine.connect() as connection:
        assert connection.execute(select(JournalRow.seq)).scalars().all() == [6]
    journal.close()
