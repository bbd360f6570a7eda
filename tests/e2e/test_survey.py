"""The post-call survey and the callback offer on the real PBX.

A daemon that surveys every call (share 1) routes a carrier caller; the agent hangs up, the
caller stays in the dialplan (Queue()'s c), hears the questions and keys 4 and 5 as RFC 4733
digits: both scores land on the call's interaction and in the journal. A caller who hangs up
during the questions leaves no score. A waiting caller hears the callback offer with their
position (the PBX's own AcdAnnounce event names the offer's file) and pressing 1 books a
callback that the journal holds as CallbackBooked.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import sqlalchemy
import yaml

from acd import config as config_module
from acd.asterisk.announcer import callback_offer
from acd.lab.daemon_proc import DaemonProcess
from acd.pbx.control import state_dir
from acd.speech import SpeechCache
from tests.e2e.conftest import wait_until
from tests.e2e.test_callback_policy import forget_callbacks

pytestmark = pytest.mark.e2e


@pytest.fixture
def surveying_daemon(pbx, lab_config, tmp_path: Path):
    """surveying_daemon(share=1.0): a daemon on the lab's configuration, but for its survey."""
    _, path = lab_config
    started: list[DaemonProcess] = []

    def start(**survey: object) -> DaemonProcess:
        raw = yaml.safe_load(path.read_text())
        raw["survey"].update(survey)
        changed = tmp_path / "acd-survey.yaml"
        changed.write_text(yaml.safe_dump(raw))
        process = DaemonProcess(config_module.load(changed), changed, tmp_path / "daemon.log")
        started.append(process)
        process.start()
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def surveying(surveying_daemon):
    """A daemon that asks every caller."""
    return surveying_daemon(share=1.0)


def rows(url: str, query: str, **params: object) -> list[tuple]:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(sqlalchemy.text(query), params)]
    finally:
        engine.dispose()


def interaction(url: str, caller: str) -> tuple | None:
    found = rows(
        url,
        "SELECT id, linkedid, ended_at FROM interactions WHERE caller_number LIKE :n ORDER BY id DESC",
        n=f"%{caller.lstrip('0')}",
    )
    return found[0] if found else None


def scores(url: str, interaction_id: int) -> dict[int, tuple[int, str, str]]:
    found = rows(
        url,
        "SELECT question, score, agent, queue FROM survey_answers WHERE interaction_id = :i",
        i=interaction_id,
    )
    return {q: (s, a, qu) for q, s, a, qu in found}


def journal(url: str, kind: str) -> list[dict]:
    return [json.loads(b) for (b,) in rows(url, "SELECT body FROM journal WHERE type = :t", t=kind)]


def test_a_surveyed_caller_keys_4_and_5_after_the_agent_hangs_up(surveying, phones, call, lab_config):
    config, _ = lab_config
    phones(talk_ms=2000)
    sipp = call(["05557301"], dialled="100", keys=[(5000, "4"), (4000, "5")], patience_ms=40000)
    url = config.store.url
    found = wait_until(lambda: interaction(url, "05557301"), 20, "the call's interaction")
    given = wait_until(lambda: len(s := scores(url, found[0])) == 2 and s, 40, "two scores on it")
    agent = given[1][1]
    assert given == {1: (4, agent, "support"), 2: (5, agent, "support")} and agent in ("1001", "1002", "1003")
    answered = wait_until(  # the journal is written in batches of its own
        lambda: len(a := [e for e in journal(url, "SurveyAnswered") if e["call_id"] == found[1]]) == 2 and a,
        10,
        "both answers in the journal",
    )
    assert [(e["question"], e["score"], e["agent"], e["queue"]) for e in answered] == [
        (1, 4, agent, "support"),
        (2, 5, agent, "support"),
    ]
    sipp.wait(30)  # the PBX hung up after the thanks: the caller got its BYE


def test_a_caller_who_hangs_up_during_the_questions_leaves_no_score(surveying, phones, call, lab_config):
    config, _ = lab_config
    phones(talk_ms=2000)
    sipp = call(["05557302"], dialled="100", patience_ms=5000)  # gone during the first question
    url = config.store.url
    found = wait_until(lambda: interaction(url, "05557302"), 20, "the call's interaction")
    sipp.wait(30)
    wait_until(lambda: (i := interaction(url, "05557302")) and i[2] is not None, 20, "the call ended")
    time.sleep(3)  # a moment for a stray answer: none may come
    assert scores(url, found[0]) == {}
    assert [e for e in journal(url, "SurveyAnswered") if e["call_id"] == found[1]] == []


def test_a_waiting_caller_hears_the_callback_offer_and_pressing_1_books_it(
    pbx, daemon, call, ami, lab_config
):
    config, _ = lab_config
    assert config.callback is not None
    daemon.start()
    mark = ami.mark()
    offer = callback_offer(config, "en")  # an unknown caller on 100: the menu's default language
    try:
        sipp = call(["05557303"], dialled="100", keys=[(9000, config.callback.key)], patience_ms=20000)
        said = ami.wait(
            lambda e: e.get("Event") == "UserEvent" and e.get("UserEvent") == "AcdAnnounce",
            15,
            "an announcement to the waiting caller",
            since=mark,
        )
        assert offer is not None
        offered = SpeechCache(state_dir(config) / "sounds").path(offer[1], offer[0])
        assert str(offered) in said["Files"].split("&"), said["Files"]
        url = config.store.url
        booked = wait_until(lambda: journal(url, "CallbackBooked"), 25, "CallbackBooked in the journal")
        assert [(b["queue"], b["callback_id"] == b["call_id"]) for b in booked] == [("support", True)]
        sipp.wait(30)
    finally:
        forget_callbacks(config)


def test_an_ivr_caller_who_opts_in_is_asked_in_their_language(
    surveying_daemon, phones, customers, call, ami, lab_config
):
    """Known by caller ID (German, so no language menu), picks "anything else", presses 1 at
    "would you rate this call afterwards?"; nobody else is chosen (share 0). After the agent
    hangs up they key 4 to the first question and nothing to the second: one score."""
    config, _ = lab_config
    customers("Greta Voss", ["+49301130001"], language="de")
    surveying_daemon(share=0.0, ivr_opt_in=True)
    phones(talk_ms=2000)
    call(["0301130001"], dialled="800", keys=[(2000, "9"), (1500, "1"), (6000, "4")], patience_ms=40000)
    event = ami.wait(
        lambda e: e.get("UserEvent") == "AcdRouted" and e.get("CallerIDNum") == "0301130001",
        30,
        "AcdRouted for the IVR caller",
    )
    assert event["Steps"] == "language:de:known category:other survey:yes"
    url = config.store.url
    found = wait_until(lambda: interaction(url, "0301130001"), 20, "the call's interaction")
    given = wait_until(lambda: scores(url, found[0]), 40, "a score on it")
    wait_until(lambda: (i := interaction(url, "0301130001")) and i[2] is not None, 40, "the call ended")
    assert {q: s for q, (s, _, _) in scores(url, found[0]).items()} == {1: 4}, given  # the 2nd: none


def test_an_escalated_caller_rates_the_agent_who_ended_the_call(
    surveying, pbx, customers, phones, softphone, call, ami, lab_config
):
    """Queue()'s c does not stand in the escalation's way: the first-line agent escalates (*5,
    reason 2), the second line's agent answers and hangs up, and the caller (keying 4 every
    few seconds: ignored in the queue and in the bridge) rates them, 2001 in support-2."""
    from acd.lab import sipp
    from tests.e2e.conftest import SECRETS
    from tests.lab import sipp_phones

    config, _ = lab_config
    customers("Jonas Pohl", ["+49301170001"], language="en")
    phones(talk_ms=1500, names=("1005",))
    softphone("1005", "*70", keys=SECRETS.login("2001"))
    ami.wait(
        lambda e: e.get("UserEvent") == "AcdAgentFeature" and e.get("Result") == "logged_in",
        30,
        "the second-line agent logged in",
    )
    passwords = {p.name: p.password for p in config.phones}
    first = sipp_phones.EscalatingAgent(
        sipp.Pbx(port=config.pbx.sip.port),
        pbx.state_dir.parent,
        "1001",
        passwords["1001"],
        6121,
        config.features.escalate,
        "2",
        42500,
    )
    try:
        call(["0301170001"], dialled="800", keys=[(2000, "9")] + [(2000, "4")] * 16, patience_ms=20000)
        escalated = ami.wait(lambda e: e.get("UserEvent") == "AcdEscalated", 40, "the escalation")
        url = config.store.url
        found = wait_until(lambda: interaction(url, "0301170001"), 20, "the call's interaction")
        assert found[1] == escalated["Uniqueid"]
        given = wait_until(lambda: len(s := scores(url, found[0])) == 2 and s, 60, "two scores")
    finally:
        first.stop()
    assert given == {1: (4, "2001", "support-2"), 2: (4, "2001", "support-2")}
