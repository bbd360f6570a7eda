"""Restart with memory (issue 10, the first "done means"): a stream of calls, the daemon killed
-9 in the middle, calls answered, ended and one abandoned while it is down, the daemon
restarted: the day's offered, answered and abandoned per queue equal queue_log's, and every
call's interaction in the store has its end and its outcome.

The journal brings back what the daemon saw before the kill; queue_log (the PBX's own record)
brings what happened while it was down, entered once as reconstructed.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import create_engine, select

from acd.asterisk import queue_log
from acd.core import events as ev
from acd.core.reconcile import key_of, translate
from acd.store.journal import Journal
from acd.store.models import Interaction
from tests.e2e.conftest import CALLBACK_TRUNK_PORT, queued_calls, wait_until
from tests.e2e.test_kill9 import kill9

pytestmark = pytest.mark.e2e
STREAM = [f"555810{n}" for n in range(1, 9)]  # one a second; three agents talk 8 s each
ABANDONER = "5558109"  # joins while the daemon is down, behind two callers, every agent busy
COUNTED = ("offered", "answered", "abandoned")


def _logged(pbx, numbers: list[str], outcomes: tuple[str, ...]) -> list[queue_log.QueuedCall] | None:
    """queue_log's calls from `numbers` once each has reached one of `outcomes`."""
    by_caller = {c.caller_id: c for c in queued_calls(pbx).values()}
    found = [by_caller.get(n) for n in numbers]
    return found if all(c is not None and c.outcome in outcomes for c in found) else None  # type: ignore[misc]


def _today() -> float:
    return dt.datetime.combine(dt.date.today(), dt.time()).timestamp()


def _differences(pbx, state: dict) -> dict[str, tuple[dict, dict]]:
    """Per queue, (the daemon's counters, queue_log's) where they differ."""
    logged = queue_log.day_counts(queue_log.read(pbx.queue_log), _today())
    differ = {}
    for name in sorted(set(logged) | {q for q, s in state["queues"].items() if any(s[k] for k in COUNTED)}):
        mine = {k: state["queues"].get(name, {}).get(k, 0) for k in COUNTED}
        theirs = {k: logged.get(name, {}).get(k, 0) for k in COUNTED}
        if mine != theirs:
            differ[name] = (mine, theirs)
    return differ


def _journaled(config, pbx) -> tuple[dict, dict, int]:
    """Per (call, queue, kind): how often queue_log states the fact, how often the journal
    holds it (a resync's census aside), and how many journal entries are reconstructed."""
    logged: dict = {}
    for line in queue_log.read(pbx.queue_log):
        event = translate(line) if line.time >= _today() else None
        key = key_of(event) if event is not None else None
        if key is not None:
            logged[key] = logged.get(key, 0) + 1
    journal = Journal(config.store.url)
    try:
        entries = journal.between(_today(), time.time() + 60)
    finally:
        journal.close()
    held: dict = {}
    for entry in entries:
        key = None if isinstance(entry.event, ev.CallerWaiting) else key_of(entry.event)
        if key is not None:
            held[key] = held.get(key, 0) + 1
    return logged, held, sum(1 for e in entries if e.reconstructed)


def _counters_agree(pbx, daemon) -> None:
    try:
        daemon.wait_for(lambda s: not _differences(pbx, s), 15, "the day's counters to equal queue_log's")
    except TimeoutError:
        differ = _differences(pbx, daemon.state())
        raise AssertionError(f"per queue (daemon, queue_log): {differ}") from None


def test_restart_counts_what_happened_while_down(pbx, daemon, phones, call, lab_config):
    config, _ = lab_config
    daemon.start()
    phones(talk_ms=8000)
    stream = call(STREAM, dialled="100", rate=1, patience_ms=70000)
    wait_until(lambda: _logged(pbx, STREAM[:3], ("connected",)), 20, "three calls answered live")
    daemon.wait_for(lambda s: s["queues"]["support"]["answered"] >= 3, 10, "the daemon to see them")
    time.sleep(0.3)  # the journal's batch of those events reaches the store

    kill9(daemon)
    wait_until(
        lambda: _logged(pbx, STREAM[:3], ("completed",)) and _logged(pbx, STREAM[3:5], ("connected",)),
        30,
        "calls ended and answered while the daemon is down",
    )
    # every agent is busy for about 8 s more and two callers wait ahead: this one gives up
    abandoner = call([ABANDONER], dialled="100", patience_ms=4000, trunk_port=CALLBACK_TRUNK_PORT)
    abandoner.wait(30)
    wait_until(lambda: _logged(pbx, [ABANDONER], ("abandoned",)), 10, "the abandon while the daemon is down")

    daemon.start()
    stream.wait(120)
    wait_until(lambda: _logged(pbx, STREAM, ("completed",)), 30, "every call of the stream completed")
    _counters_agree(pbx, daemon)
    time.sleep(0.3)  # the journal's last batch
    logged, held, rebuilt = _journaled(config, pbx)
    assert held == logged, f"journal {held} != queue_log {logged}"  # every fact once
    assert rebuilt >= 4  # at least: the abandoner's join and abandon, two answers while down

    daemon.stop()  # a second restart enters nothing again, and forgets nothing
    daemon.start()
    _counters_agree(pbx, daemon)
    assert _journaled(config, pbx) == (logged, held, rebuilt)

    calls = [c for c in queued_calls(pbx).values() if c.caller_id in (*STREAM, ABANDONER)]
    engine = create_engine(config.store.url)
    try:

        def closed() -> list | None:
            with engine.connect() as connection:
                rows = connection.execute(
                    select(Interaction.linkedid, Interaction.ended_at, Interaction.outcome).where(
                        Interaction.linkedid.in_([c.call_id for c in calls])
                    )
                ).all()
            done = [r for r in rows if r.ended_at is not None and r.outcome]
            return rows if len(done) == len(calls) else None

        try:
            rows = wait_until(closed, 10, "every call's interaction closed")
        except AssertionError:
            with engine.connect() as connection:
                rows = connection.execute(
                    select(Interaction.linkedid, Interaction.ended_at, Interaction.outcome)
                ).all()
            raise AssertionError(f"calls {[c.call_id for c in calls]}; interactions {rows}") from None
    finally:
        engine.dispose()
    outcome = {r.linkedid: r.outcome for r in rows}
    assert {outcome[c.call_id] for c in calls if c.caller_id == ABANDONER} == {"abandoned"}
    assert {outcome[c.call_id] for c in calls if c.caller_id in STREAM} == {"completed"}
