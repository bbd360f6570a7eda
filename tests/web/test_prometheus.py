"""/metrics on the daemon's own site over loopback HTTP: after a scripted sequence of events,
the exposition parsed by the client library's own parser holds the counters, histograms and
gauges per queue and line; only supervisors and admins may read it."""

from __future__ import annotations

import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from acd.core import events as ev
from tests.web.conftest import on_asyncio
from tests.web.test_pops import agent, agents_sign_in, get  # noqa: F401  (a fixture)
from tests.web.test_push import auth, make_daemon


@pytest.fixture
def live(tmp_path, agents_sign_in):  # noqa: F811
    from twisted.internet import reactor

    made = make_daemon(tmp_path)
    port = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    yield made
    made.feed.stop()
    port.stopListening()
    made.directory.close()
    made.journal.close()


def scripted(made) -> None:
    now = time.time()
    made.apply(ev.AgentLoggedIn(now - 100, "2001", "PJSIP/2001"))
    for n, wait in enumerate([4, 12, 35]):
        call = f"c{n}"
        made.apply(ev.CallerJoined(now - 90 + n, call, "support", f"+49301{n}", 1))
        made.apply(ev.CallAnswered(now - 90 + n + wait, call, "support", "1001", wait, 2))
        made.apply(ev.CallCompleted(now - 10 + n, call, "support", "1001", wait, 70, "agent"))
    made.apply(ev.CallerJoined(now - 50, "a", "support-2", "+4930999", 1))
    made.apply(ev.CallerAbandoned(now - 48, "a", "support-2", 2))  # short
    made.apply(ev.CallerJoined(now - 40, "b", "support-2", "+4930998", 1))
    made.apply(ev.CallerAbandoned(now - 10, "b", "support-2", 30))
    made.apply(ev.CallerJoined(now - 5, "w", "nightly-unknown", "+4930997", 1))  # not configured
    made.apply(ev.CallerJoined(now - 3, "q", "support", "+4930996", 2))  # still waiting
    made.apply(ev.SurveyAnswered(now, "c0", "support", "1001", 1, 5))


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return found


@on_asyncio
async def test_the_exposition_holds_the_days_calls_per_queue_and_line(live):
    scripted(live)
    answer = await get(live, "/metrics", auth(live, "9901"))
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    got = samples(answer.body.decode())
    support = (("line", "1"), ("queue", "support"))
    assert got["acd_calls_offered_total", support] == 4
    assert got["acd_calls_answered_total", support] == 3
    assert got["acd_calls_answered_in_sl_total", support] == 2  # 4 and 12 s within 20
    second = (("line", "2"), ("queue", "support-2"))
    assert got["acd_calls_abandoned_total", (*second, ("short", "yes"))] == 1
    assert got["acd_calls_abandoned_total", (*second, ("short", "no"))] == 1
    assert got["acd_calls_offered_total", (("line", "0"), ("queue", "other"))] == 1  # no new series
    waits = (("le", "20.0"), ("line", "1"), ("outcome", "answered"), ("queue", "support"))
    assert got["acd_wait_seconds_bucket", waits] == 2
    assert got["acd_wait_seconds_count", (("line", "1"), ("outcome", "answered"), ("queue", "support"))] == 3
    assert got["acd_talk_seconds_sum", support] == 210
    assert got["acd_survey_answers_total", (("line", "1"), ("queue", "support"), ("score", "5"))] == 1
    assert got["acd_callers_waiting", (("queue", "support"),)] == 1
    assert got["acd_agents", (("state", "ready"),)] >= 1
    assert got["acd_journal_last_seq", ()] == live.sequence.last
    assert got["acd_ami_connected", ()] == 0  # no PBX in this test
    assert got["acd_events_total", (("type", "CallerJoined"),)] == 7


@on_asyncio
async def test_only_supervisors_and_admins_read_it(live):
    assert (await get(live, "/metrics", {})).status == 401
    assert (await get(live, "/metrics", agent("1001"))).status == 403
    assert (await get(live, "/metrics", auth(live, "9101"))).status == 403
    assert (await get(live, "/metrics", auth(live, "9001"))).status == 200
