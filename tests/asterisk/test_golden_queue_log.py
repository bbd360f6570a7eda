"""Golden: a queue_log the real PBX wrote (tests/e2e/test_figures_golden.py recorded it, with
Asterisk's own `queue show` at the same moment) replayed two ways: counted by the spec from
queue_log, and translated into our events and folded by the figures model. Both give
Asterisk's ServiceLevelPerf (66.7 %) and ServiceLevelPerf2 (72.7 %), and the same figures."""

from __future__ import annotations

import re
from pathlib import Path

from acd.asterisk import queue_log
from acd.asterisk.queue_log_figures import day_tally, interval_tallies
from acd.config_journal import Days
from acd.core import reconcile
from acd.core.agent_book import AgentBook
from acd.core.figures import Spec
from acd.core.figures_fold import fold_day

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "queue_log"
UTC = Days("UTC")
SPEC = Spec(service_levels={"support": 20.0}, lines={"support": 1}, short_abandon=5.0)
SHOWN = re.compile(r"C:(\d+), A:(\d+), SL:([0-9.]+)%, SL2:([0-9.]+)% within (\d+)s")


def recorded() -> tuple[list[queue_log.Entry], re.Match[str]]:
    entries = queue_log.read(FIXTURES / "golden.log")
    shown = SHOWN.search((FIXTURES / "golden_queue_show.txt").read_text())
    assert shown is not None and shown.group(5) == "20"
    return entries, shown


def test_the_spec_counted_from_queue_log_gives_asterisks_own_service_levels():
    entries, shown = recorded()
    day = day_tally(interval_tallies(entries, UTC, SPEC.service_levels, SPEC.short_abandon)["support"])
    figures = day.figures()
    assert (day.completed, day.abandoned + day.short_abandoned) == (int(shown.group(1)), int(shown.group(2)))
    assert f"{figures['sl1'] * 100:.1f}" == shown.group(3)
    assert f"{figures['sl2'] * 100:.1f}" == shown.group(4)


def test_our_events_from_the_same_lines_fold_into_the_same_figures():
    entries, shown = recorded()
    events = [e for e in (reconcile.translate(line) for line in entries) if e is not None]
    start = UTC.start(events[0].at)
    figures = fold_day(events, [], AgentBook({}), UTC, SPEC)
    ours = figures.totals("queue", now=start + 86400)["support"]
    logged = day_tally(interval_tallies(entries, UTC, SPEC.service_levels, SPEC.short_abandon)["support"])
    expected = logged.figures()
    for name in ("offered", "answered", "answered_in_sl", "abandoned", "short_abandoned", "talk", "asa"):
        assert ours[name] == expected[name], name
    for name in ("service_level", "sl1", "sl2", "sl_offered", "abandon_rate", "answer_rate"):
        assert ours[name] == expected[name], name
    assert f"{ours['sl1'] * 100:.1f}" == shown.group(3) and f"{ours['sl2'] * 100:.1f}" == shown.group(4)


def test_a_members_lines_are_no_call_and_make_no_interval():
    """ADDMEMBER by the manager (a personal queue's agent logging in), PAUSE, UNPAUSE: not
    calls. They once made an empty row for a queue no caller entered."""
    lines = [
        "1796278653|MANAGER|acd-agent-2001|2001|ADDMEMBER|",
        "1796278666|NONE|acd-agent-1001|1001|PAUSE|ring-no-answer",
        "1796278667|1796278667.5|support|PJSIP/1001|PAUSE|Auto-Pause",
        "1796278670|1796278670.9|support|NONE|ENTERQUEUE||5551234|1",
    ]
    entries = list(queue_log.parse(lines))
    tallies = interval_tallies(entries, UTC, SPEC.service_levels, SPEC.short_abandon)
    assert list(tallies) == ["support"]
    assert day_tally(tallies["support"]).offered == 1
