"""docs/metrics.md's counters from queue_log lines alone: each verb where it counts."""

from __future__ import annotations

import datetime as dt

from acd.asterisk import queue_log
from acd.asterisk.queue_log_figures import day_tally, interval_tallies
from acd.config_journal import Days

BERLIN = Days("Europe/Berlin")
NINE = int(BERLIN.midnight(dt.date(2026, 12, 2)) + 9 * 3600)
LOG = f"""{NINE}|a|support|NONE|ENTERQUEUE||+4930111|1
{NINE + 12}|a|support|PJSIP/1001|CONNECT|12|a-agent|3
{NINE + 80}|a|support|PJSIP/1001|COMPLETECALLER|12|68|1
{NINE + 100}|b|support|NONE|ENTERQUEUE||+4930112|1
{NINE + 102}|b|support|NONE|ABANDON|1|1|2
{NINE + 200}|c|support|NONE|ENTERQUEUE||+4930113|1
{NINE + 240}|c|support|NONE|ABANDON|1|1|40
{NINE + 890}|d|support|NONE|ENTERQUEUE||+4930114|1
{NINE + 920}|d|support|PJSIP/1002|CONNECT|30|d-agent|2
{NINE + 990}|d|support|PJSIP/1002|COMPLETEAGENT|30|70|1
{NINE + 1000}|e|support|NONE|ENTERQUEUE||+4930115|1
{NINE + 1600}|e|support|NONE|EXITWITHTIMEOUT|1|1|600
{NINE + 1601}|NONE|support|PJSIP/1001|ADDMEMBER|
garbage line
"""


def test_each_verb_counts_in_its_interval():
    tallies = interval_tallies(queue_log.parse(LOG.splitlines()), BERLIN, {"support": 20.0}, 5.0)
    first, second = tallies["support"][36], tallies["support"][37]  # 09:00 and 09:15
    assert (first.offered, first.answered, first.answered_in_sl, first.completed) == (4, 1, 1, 1)
    assert (first.short_abandoned, first.abandoned, first.abandoned_after_sl) == (1, 1, 1)
    assert (second.offered, second.answered, second.answered_in_sl, second.timed_out) == (1, 1, 0, 1)
    day = day_tally(tallies["support"]).figures()
    assert (day["sl1"], day["sl2"]) == (0.5, 0.5)  # (1 + 1 short in T) / (2 + 2 abandons)
    assert (day["asa"], day["longest_wait"], day["talk"]) == (21.0, 40.0, 138.0)
