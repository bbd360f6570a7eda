"""The figures on the real PBX: sipp callers answered within and after the service level, short
and long abandons; then the daemon's figures per 15-minute interval (the journal's fold, what
`acd report` prints) equal those computed from Asterisk's queue_log by docs/metrics.md
(acd/asterisk/queue_log_figures.py), and the day's sl1 and sl2 equal Asterisk's own
ServiceLevelPerf and ServiceLevelPerf2 (`queue show`)."""

from __future__ import annotations

import re
import time

import pytest

from acd.asterisk import queue_log
from acd.asterisk.queue_log_figures import day_tally, interval_tallies
from acd.config_journal import Days
from acd.store.figures import figures_spec, report_rows, report_totals
from tests.e2e.conftest import CALLBACK_TRUNK_PORT, queued_calls, wait_until

pytestmark = pytest.mark.e2e
WAITING = [f"55583{n:02d}" for n in range(9)]  # three agents talk 12 s: waves at 0, ~12, ~24 s
SHORT = ["5558391"]  # hangs up after 2 s: a short abandon
LONG = ["5558392"]  # hangs up after 7 s, behind the waiting callers: abandoned
COMPARED = (
    "offered",
    "answered",
    "answered_in_sl",
    "abandoned",
    "short_abandoned",
    "timed_out",
    "talk",
    "service_level",
    "sl1",
    "sl2",
    "sl_offered",
    "answer_rate",
    "abandon_rate",
    "asa",
    "longest_wait",
)
SHOWN = re.compile(r"SL:([0-9.]+)%, SL2:([0-9.]+)% within (\d+)s")


def _ended(pbx, numbers: list[str]) -> bool:
    by_caller = {c.caller_id: c for c in queued_calls(pbx).values()}
    return all(n in by_caller and by_caller[n].outcome in ("completed", "abandoned") for n in numbers)


def _from_queue_log(pbx, config) -> dict[tuple[str, float], dict]:
    spec, days = figures_spec(config), Days(config.timezone)
    tallies = interval_tallies(queue_log.read(pbx.queue_log), days, spec.service_levels, spec.short_abandon)
    return {
        (queue, slot): {name: tally.figures()[name] for name in COMPARED}
        for queue, slots in tallies.items()
        for slot, tally in slots.items()
    }


def _from_journal(config) -> dict[tuple[str, float], dict]:
    today = Days(config.timezone).date(time.time())
    rows = report_rows(config, today, today, "queue", 15)
    days = Days(config.timezone)
    return {
        (row["key"], int(days.clock(row["start"]) // 900)): {name: row[name] for name in COMPARED}
        for row in rows
        if row["offered"] or row["answered"] or row["abandoned"] or row["short_abandoned"]
    }


def test_the_figures_equal_queue_logs_and_asterisks_own(pbx, daemon, phones, call, lab_config, tmp_path):
    config, _ = lab_config
    pbx.cli("queue reset stats support")
    daemon.start()
    phones(talk_ms=12000)
    waiting = call(WAITING, dialled="100", rate=3, patience_ms=60000)
    time.sleep(1.5)
    call(SHORT, dialled="100", patience_ms=2000, trunk_port=CALLBACK_TRUNK_PORT).wait(20)
    call(LONG, dialled="100", patience_ms=7000, trunk_port=CALLBACK_TRUNK_PORT).wait(30)
    waiting.wait(90)
    wait_until(lambda: _ended(pbx, [*WAITING, *SHORT, *LONG]), 30, "queue_log to end every call")

    logged = _from_queue_log(pbx, config)
    day = day_tally(
        interval_tallies(queue_log.read(pbx.queue_log), Days(config.timezone), {"support": 20.0}, 5.0)[
            "support"
        ]
    )
    assert day.offered == 11 and day.answered >= 7 and day.short_abandoned == 1, day
    assert 0 < day.answered_in_sl < day.answered, "some answered after the 20 s, some within"
    wait_until(
        lambda: _from_journal(config) == logged or None, 15, "the journal's figures to equal queue_log's"
    )

    said = pbx.cli("queue show support")
    (tmp_path / "queue_log").write_text(pbx.queue_log.read_text())  # kept: tests/fixtures/queue_log/
    (tmp_path / "queue_show.txt").write_text(said)
    shown = SHOWN.search(said)
    assert shown is not None and shown.group(3) == "20"
    ours = report_totals(config, *[Days(config.timezone).date(time.time())] * 2, "queue")["support"]
    assert f"{ours['sl1'] * 100:.1f}" == shown.group(1)  # Asterisk's ServiceLevelPerf
    assert f"{ours['sl2'] * 100:.1f}" == shown.group(2)  # ServiceLevelPerf2
    print(
        f"\ngolden: offered {day.offered}, answered {day.answered} ({day.answered_in_sl} in 20 s),"
        f" abandoned {day.abandoned} + {day.short_abandoned} short; Asterisk SL {shown.group(1)}%"
        f" SL2 {shown.group(2)}%; ours sl1 {ours['sl1']}, sl2 {ours['sl2']},"
        f" service_level {ours['service_level']}, sl_offered {ours['sl_offered']}, asa {ours['asa']}"
    )
