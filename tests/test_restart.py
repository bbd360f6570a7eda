"""Restart with memory: the day's journal folded back into a fresh daemon gives the state the
daemon had, numbering goes on after the journal's last entry, and the day's counters go on
from where they were instead of restarting at zero."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, update
from twisted.internet import defer

from acd import config as config_module
from acd.config_journal import Days
from acd.core import events as ev
from acd.core.checkpoint import VERSION
from acd.core.snapshot import snapshot
from acd.service import Daemon
from acd.store import db
from acd.store.models import JournalRow, JournalSnapshot
from ivr import menu
from tests.lab.day import Shape, day

DAYS = Days()  # the host's zone, as the daemon's default
TODAY = DAYS.midnight(dt.date(2026, 11, 30))
SMALL = Shape(agents=40, calls=400, open_calls=30, hours=10.0)


@pytest.fixture
def store(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    db.migrate(url)
    return url


def daemon(tmp_path, url: str) -> Daemon:
    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    raw["store"] = {"url": url}
    raw["pbx"] = {**raw["pbx"], "state_dir": str(tmp_path / "state")}
    return Daemon(config_module.parse(raw), menu.load())


def queues(made: Daemon) -> tuple[str, ...]:
    return tuple(q.name for q in made.config.queues)


def stop(made: Daemon) -> None:
    made.journal.close()
    made.directory.close()


def model(made: Daemon, now: float) -> tuple[dict, dict, dict]:
    """Everything the model subscribers keep: calls, queues and agents' states, legs, ledger."""
    shot = snapshot(made.center, now, recent=10_000, book=made.book)
    return shot, dict(made.legs.legs), vars(made.ledger)


def test_a_recorded_day_of_events_replays_into_exactly_the_state_the_daemon_had(tmp_path, store):
    live = daemon(tmp_path, store)
    live.remember(TODAY + 1.0)  # an empty journal: nothing folded
    events = day(TODAY + 60.0, Shape(**{**SMALL.__dict__, "queues": queues(live)}))
    for event in events:
        live.apply(event)
    now = events[-1].at + 1.0
    had = model(live, now)
    assert live.journal.flush()
    stop(live)  # the journal as a kill -9 leaves it (less, there, its last BATCH_DELAY)

    again = daemon(tmp_path, store)
    restored = again.remember(now)
    assert restored.entries == len(events)
    assert model(again, now) == had
    counted = had[0]["queues"]
    assert sum(q["offered"] for q in counted.values()) > 300 and sum(q["waiting"] for q in counted.values())
    stop(again)


def test_a_restarted_daemon_goes_on_numbering_and_counting_the_day(tmp_path, store):
    live = daemon(tmp_path, store)
    live.remember(TODAY - 86400.0)
    yesterday = DAYS.midnight(dt.date(2026, 11, 29))
    shape = Shape(**{**SMALL.__dict__, "queues": queues(live), "open_calls": 0})
    before = day(yesterday + 60.0, shape) + day(TODAY + 60.0, Shape(**{**shape.__dict__, "seed": 2}))
    last = None
    for event in before:
        last = live.apply(event)
    counters = {name: q["offered"] for name, q in snapshot(live.center, before[-1].at)["queues"].items()}
    stop(live)

    again = daemon(tmp_path, store)
    again.remember(before[-1].at + 5.0)
    assert again.sequence.last == last.seq == len(before)
    folded = {name: q["offered"] for name, q in snapshot(again.center, before[-1].at)["queues"].items()}
    assert folded == counters and sum(folded.values()) > 0  # the day's, not yesterday's too
    queue = queues(again)[0]
    entry = again.apply(ev.CallerJoined(before[-1].at + 10.0, "after-restart", queue, "+3225550199", 1))
    assert entry.seq == len(before) + 1
    assert again.center.queue(queue).stats.offered == counters[queue] + 1
    assert again.journal.flush()
    assert again.journal.since(len(before)) == [entry]
    stop(again)


def test_a_journal_that_cannot_be_read_starts_the_day_at_zero(tmp_path):
    made = daemon(tmp_path, f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}")
    restored = made.remember(TODAY)
    assert (restored.entries, made.sequence.last) == (0, 0)
    stop(made)


def test_a_restart_folds_the_ringing_pops_back_with_the_pick_and_the_note(tmp_path, store):
    """The pops are read model: a daemon restarted while a phone rings shows the same pop."""
    live = daemon(tmp_path, store)
    live.remember(TODAY + 1.0)
    at = TODAY + 100.0
    live.apply(ev.CallRouted(at, "c1", "+4930222", "800", "support", None, 2, category="complaint"))
    live.apply(ev.CallerJoined(at + 1, "c1", "support", "+4930222", 1))
    live.apply(ev.AgentRung(at + 2, "c1", "support", "1001"))
    live.apply(ev.CallAnswered(at + 4, "c1", "support", "1001", 3.0, 2.0))
    live.apply(ev.CustomerPicked(at + 5, "c1", "1001", 2))
    live.apply(ev.CallEscalated(at + 9, "c1", "support", "support-2", "1001", "complaint", "wants a refund"))
    live.apply(ev.CallerJoined(at + 10, "c1", "support-2", "+4930222", 1))
    live.apply(ev.AgentRung(at + 11, "c1", "support-2", "2001"))
    before = [live.pops.view(p, at + 12) for p in live.pops.of_agent("2001")]
    assert live.journal.flush()
    stop(live)
    again = daemon(tmp_path, store)
    try:
        again.remember(at + 20)
        after = [again.pops.view(p, at + 12) for p in again.pops.of_agent("2001")]
    finally:
        stop(again)
    assert after == before and after[0]["escalations"][0]["note"] == "wants a refund"
    assert after[0]["caller"]["match"] == "picked" and again.pops.of_agent("1001") == []


def synchronous(made: Daemon) -> Daemon:
    """Checkpoints written at once, not on a thread (no reactor runs here)."""
    made.checkpointer.run = defer.maybeDeferred
    return made


def test_every_folded_model_is_checkpointed(tmp_path, store):
    made = daemon(tmp_path, store)
    models = {id(s.handler.__self__) for s in made.bus._subscribers if s.model}
    assert models == {id(m) for m in made.folded.values()}
    stop(made)


def test_a_restart_puts_the_newest_checkpoint_back_and_folds_only_the_tail(tmp_path, store):
    live = synchronous(daemon(tmp_path, store))
    live.checkpointer.every = 1000
    live.checkpointer.clock = lambda: 0.0  # no rest between two: the day comes all at once
    live.remember(TODAY + 1.0)
    events = day(TODAY + 60.0, Shape(**{**SMALL.__dict__, "queues": queues(live)}))
    for event in events:
        live.apply(event)
    now = events[-1].at + 1.0
    had = model(live, now)
    assert live.journal.flush()
    stop(live)  # killed: no checkpoint at stop
    kept = live.snapshots.seqs()
    assert len(kept) == 3 and kept[-1] == len(events) // 1000 * 1000

    again = daemon(tmp_path, store)
    restored = again.remember(now)
    assert (restored.checkpoint, restored.entries) == (kept[-1], len(events) - kept[-1])
    assert model(again, now) == had
    stop(again)


def test_a_clean_stop_leaves_a_checkpoint_the_next_start_folds_nothing_after(tmp_path, store):
    live = synchronous(daemon(tmp_path, store))
    live.remember(TODAY + 1.0)
    events = day(TODAY + 60.0, Shape(**{**SMALL.__dict__, "queues": queues(live)}))
    for event in events:
        live.apply(event)
    now = events[-1].at + 1.0
    had = model(live, now)
    live.close_stores()  # what a clean stop does after its services
    again = daemon(tmp_path, store)
    restored = again.remember(now)
    assert (restored.checkpoint, restored.entries, restored.last_seq) == (len(events), 0, len(events))
    assert model(again, now) == had
    stop(again)


@pytest.mark.parametrize("spoil", ["version", "beyond", "json"])
def test_a_checkpoint_that_does_not_fit_is_ignored_and_the_whole_day_folded(tmp_path, store, spoil):
    live = synchronous(daemon(tmp_path, store))
    live.remember(TODAY + 1.0)
    events = day(TODAY + 60.0, Shape(**{**SMALL.__dict__, "queues": queues(live)}))
    for event in events:
        live.apply(event)
    now = events[-1].at + 1.0
    had = model(live, now)
    live.close_stores()  # what a clean stop does after its services
    body = next(live.snapshots.newest()).body
    spoilt = {"version": body.replace(f'"version":{VERSION}', '"version":9'), "json": body[:100]}.get(
        spoil, body
    )
    assert spoil != "version" or spoilt != body
    with live.journal.engine.begin() as connection:
        connection.execute(update(JournalSnapshot).values(body=spoilt))
        if spoil == "beyond":
            connection.execute(delete(JournalRow).where(JournalRow.seq > 100))
    again = daemon(tmp_path, store)
    restored = again.remember(now)
    assert restored.checkpoint == 0
    if spoil != "beyond":
        assert restored.entries == len(events)
        assert model(again, now) == had
    stop(again)


def test_a_checkpoint_of_another_journal_is_ignored(tmp_path, store):
    """The journal emptied (by hand, a restore from backup) under checkpoints of the old one:
    their sequence numbers exist again, their entries do not."""
    old = synchronous(daemon(tmp_path, store))
    old.checkpointer.every = 100
    old.checkpointer.clock = lambda: 0.0  # no rest between two
    old.remember(TODAY + 1.0)
    for event in day(TODAY + 60.0, Shape(**{**SMALL.__dict__, "queues": queues(old), "calls": 200})):
        old.apply(event)
    assert old.journal.flush()
    stop(old)
    with old.journal.engine.begin() as connection:
        connection.execute(delete(JournalRow))
    live = daemon(tmp_path, store)
    live.remember(TODAY + 1.0)
    events = day(TODAY + 60.0, Shape(**{**SMALL.__dict__, "queues": queues(live)}))
    for event in events:
        live.apply(event)
    now = events[-1].at + 1.0
    had = model(live, now)
    assert live.journal.flush()
    stop(live)
    assert 0 < max(live.snapshots.seqs()) <= len(events)  # the old ones: their seqs are there again
    again = daemon(tmp_path, store)
    restored = again.remember(now)
    assert (restored.checkpoint, restored.entries) == (0, len(events))
    assert model(again, now) == had
    stop(again)


def test_checkpoints_are_timed_and_kept_as_the_config_says(tmp_path, store):
    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    raw["store"] = {"url": store}
    raw["pbx"] = {**raw["pbx"], "state_dir": str(tmp_path / "state")}
    raw["journal"] = {"checkpoint_every": 500, "checkpoint_minutes": 2.5, "checkpoints_kept": 2}
    made = Daemon(config_module.parse(raw), menu.load())
    timers = [s for s in made if getattr(s, "call", (None,))[0] == made.checkpointer.tick]
    assert [t.step for t in timers] == [150.0]
    assert (made.checkpointer.every, made.snapshots.keep, made.snapshots.retention_days) == (500, 2, 90)
    stop(made)
