"""A scripted stretch of traffic on the real PBX with every kind of call the figures count:
answered within and after the service level, short and long abandons, an escalation from the
first line to the second, a callback (booked in the queue, the customer dialled back when the
placeholder reaches an agent) and surveyed callers (every call asked: share 1). The daemon's
figures per 15-minute interval for both lines equal those computed from queue_log by
docs/metrics.md, and our own queue_log verbs (ACDESCALATE, ACDCALLBACK, ACDSURVEY) count the
escalations, callbacks and survey answers the journal holds.

Compressed: two minutes of calls, not an hour, so the suite stays short; the comparison is per
interval all the same (a run across a quarter hour compares two intervals)."""

from __future__ import annotations

import time

import pytest

from acd.asterisk import queue_log
from acd.config_journal import Days
from acd.lab import sipp
from acd.lab.phones import CustomerPhone, EscalatingAgent
from acd.store.figures import report_totals
from tests.e2e.conftest import CALLBACK_TRUNK_PORT, SECRETS, queued_calls, wait_until
from tests.e2e.test_callback_policy import forget_callbacks
from tests.e2e.test_figures_golden import _from_journal, _from_queue_log
from tests.e2e.test_survey import journal, surveying_daemon  # noqa: F401  (a fixture)

pytestmark = pytest.mark.e2e
WAVE = [f"55584{n:02d}" for n in range(8)]  # more than the agents: a queue builds up
SHORT, LONG, BOOKER = "5558491", "5558492", "5558493"
OURS = ("ACDESCALATE", "ACDCALLBACK", "ACDSURVEY")


def _ended(pbx, numbers: list[str]) -> bool:
    by_caller = {c.caller_id: c for c in queued_calls(pbx).values()}
    return all(n in by_caller and by_caller[n].outcome not in ("", "waiting") for n in numbers)


def _our_verbs(pbx) -> dict[str, int]:
    counted = dict.fromkeys(OURS, 0)
    for line in pbx.queue_log.read_text().splitlines():
        verb = (line.split("|") + ["", "", "", "", ""])[4]
        if verb in counted:
            counted[verb] += 1
    return counted


def test_a_scripted_stretch_of_every_kind_of_call_counts_as_queue_log_says(
    surveying_daemon,  # noqa: F811
    pbx,
    phones,
    softphone,
    call,
    ami,
    lab_config,
    tmp_path,
):
    config, _ = lab_config
    assert config.callback is not None
    for queue in ("support", "support-2"):
        pbx.cli(f"queue reset stats {queue}")
    surveying_daemon(share=1.0)
    phones(talk_ms=15000, names=("1005",))
    softphone("1005", "*70", keys=SECRETS.login("2001"))  # the second line's agent
    ami.wait(
        lambda e: e.get("UserEvent") == "AcdAgentFeature" and e.get("Result") == "logged_in",
        30,
        "the second-line agent logged in",
    )
    phones(talk_ms=15000, names=("1002", "1003"))
    passwords = {p.name: p.password for p in config.phones}
    escalating = EscalatingAgent(
        sipp.Pbx(port=config.pbx.sip.port),
        tmp_path,
        "1001",
        passwords["1001"],
        6121,
        config.features.escalate,
        "1",
        42500,
    )
    customer = None
    try:
        rating = [(3000, "4")] * 40  # ignored in the queue and the bridge, a score in the survey
        wave = call(WAVE, dialled="100", rate=2, patience_ms=120000, keys=rating)
        time.sleep(2)
        lines = dict(dialled="100", trunk_port=CALLBACK_TRUNK_PORT)
        call([SHORT], patience_ms=2000, **lines).wait(20)
        call([LONG], patience_ms=8000, **lines).wait(30)
        call([BOOKER], patience_ms=20000, keys=[(9000, config.callback.key)], **lines).wait(40)
        customer = CustomerPhone(tmp_path, CALLBACK_TRUNK_PORT, 2000, 45200, "callback-customer")
        dialled = ami.wait(lambda e: e.get("UserEvent") == "AcdCallback", 120, "the callback dialled")
        assert dialled["Status"] == "ANSWER"
        wave.wait(180)
        wait_until(lambda: _ended(pbx, [*WAVE, SHORT, LONG]), 60, "queue_log to end every call")
    finally:
        escalating.stop()
        if customer is not None:
            customer.stop()
        forget_callbacks(config)

    url, days = config.store.url, Days(config.timezone)
    escalated = wait_until(lambda: journal(url, "CallEscalated"), 20, "the escalation in the journal")
    booked = journal(url, "CallbackBooked")
    assert len(escalated) == 1 and len(booked) == 1
    answers = wait_until(lambda: journal(url, "SurveyAnswered"), 30, "survey answers in the journal")
    deadline = time.monotonic() + 30  # the last talk may still end; the journal writes in batches
    while (ours := _from_journal(config)) != (logged := _from_queue_log(pbx, config)):
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    (tmp_path / "queue_log").write_text(pbx.queue_log.read_text())  # for a look after a failure
    assert {queue for queue, _ in logged} >= {"support", "support-2"}
    assert ours == logged
    mine = wait_until(
        lambda: (v := _our_verbs(pbx))["ACDSURVEY"] == len(journal(url, "SurveyAnswered")) and v,
        20,
        "every survey answer in queue_log",
    )
    assert (mine["ACDESCALATE"], mine["ACDCALLBACK"]) == (1, 1)
    today = days.date(time.time())
    totals = report_totals(config, today, today, "queue")
    support = totals["support"]
    assert support["escalated"] == 1 and support["callbacks"] == 1, support
    assert support["short_abandoned"] == 1 and support["abandoned"] >= 1, support
    assert support["survey_score"] is not None and 1 <= support["survey_score"] <= 5
    day = queue_log.read(pbx.queue_log)
    print(
        f"\nscripted: {len(list(day))} queue_log lines; journal: {len(escalated)} escalated,"
        f" {len(booked)} callback, {len(answers)} survey answers; support {support}"
    )
