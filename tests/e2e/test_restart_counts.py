"""Restart with memory, nothing happening while the daemon is down: calls answered and one
abandoned, the daemon killed -9, restarted on the same store: the day's offered, answered and
abandoned per queue are what they were before the kill (they restarted at 0 before the
journal), every agent state is back, and the journal's numbering goes on without a gap.

(tests/e2e/test_restart_memory.py adds the calls that happen while the daemon is down.)
"""

from __future__ import annotations

import re
import time

import pytest

from acd.asterisk import queue_log
from acd.store.journal import Journal
from tests.e2e.conftest import CALLBACK_TRUNK_PORT, queued_calls, wait_until
from tests.e2e.test_kill9 import kill9

pytestmark = pytest.mark.e2e
ANSWERED = ["5558201", "5558202", "5558203"]  # three agents, each talks 6 s
ABANDONER = "5558209"  # joins while every agent talks, hangs up after 3 s
CHECKPOINT = re.compile(r"checkpoint at \d+: \d+ kB; the reactor paused")
COUNTED = ("offered", "answered", "abandoned", "completed", "timed_out", "escalated")


def _ended(pbx, numbers: list[str]) -> bool:
    by_caller = {c.caller_id: c for c in queued_calls(pbx).values()}
    return all(
        by_caller.get(n) is not None and by_caller[n].outcome in ("completed", "abandoned") for n in numbers
    )


def log_text(daemon) -> str:
    return daemon.log_path.read_text(errors="replace")


def _counters(state: dict) -> dict[str, dict[str, int]]:
    return {name: {k: q[k] for k in COUNTED} for name, q in state["queues"].items()}


def _agents(state: dict) -> dict[str, tuple]:
    return {n: (a["paused"], a["in_call"], tuple(a["queues"])) for n, a in state["agents"].items()}


def test_a_kill9_keeps_the_days_counters(pbx, daemon, phones, call, lab_config):
    config, _ = lab_config
    daemon.start()
    phones(talk_ms=6000)
    answered = call(ANSWERED, dialled="100", rate=2, patience_ms=40000)
    daemon.wait_for(lambda s: s["queues"]["support"]["answered"] >= 3, 20, "three calls answered")
    abandoner = call([ABANDONER], dialled="100", patience_ms=3000, trunk_port=CALLBACK_TRUNK_PORT)
    abandoner.wait(30)
    answered.wait(60)
    wait_until(lambda: _ended(pbx, [*ANSWERED, ABANDONER]), 20, "queue_log to end every call")
    # the PBX's word, not the script's hope: the abandoner may be answered if an agent frees up
    logged = queue_log.day_counts(queue_log.read(pbx.queue_log), 0)["support"]
    before = daemon.wait_for(
        lambda s: (
            {k: s["queues"]["support"][k] for k in logged} == logged
            and s["queues"]["support"]["completed"] >= 3
        ),
        10,
        f"the daemon to see the calls end as queue_log says ({logged})",
    )
    assert before["queues"]["support"]["offered"] >= 4
    time.sleep(0.5)  # the journal's last batch (50 ms) reaches the store
    journal = Journal(config.store.url)
    last_before = journal.last_seq()
    journal.close()
    wait_until(lambda: CHECKPOINT.search(log_text(daemon)), 15, "a checkpoint from the daemon's child")
    logged_before = len(log_text(daemon))

    kill9(daemon)
    daemon.start()
    after = daemon.wait_for(lambda s: s["resyncs"] > before["resyncs"], 15, "the restarted daemon's resync")
    assert _counters(after) == _counters(before)  # not 0: the day goes on
    restarted = log_text(daemon)[logged_before:]
    assert re.search(r"folded back after checkpoint \d+", restarted), restarted[-2000:]
    assert "checkpoint child" not in log_text(daemon)
    assert _agents(after) == _agents(before)

    def written() -> list:  # the restarted daemon's resync reaches the store in its next batch
        journal = Journal(config.store.url)
        try:
            return journal.since(last_before - 1, limit=100_000)
        finally:
            journal.close()

    wait_until(lambda: len(written()) > 1, 10, "the restarted daemon's events in the journal")
    entries = written()
    assert entries[0].seq == last_before and len(entries) > 1  # the resync's events, numbered on
    assert [e.seq for e in entries] == list(range(last_before, last_before + len(entries)))
