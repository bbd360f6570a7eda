"""Lines, priorities and overflow on the real PBX, judged by Asterisk's own queue_log."""

from __future__ import annotations

import pytest

from acd.asterisk import queue_log
from tests.e2e.conftest import OVERFLOW_AFTER, SECRETS, call_by_caller, wait_until

pytestmark = pytest.mark.e2e


def connects(pbx) -> list[queue_log.Entry]:
    return [e for e in queue_log.read(pbx.queue_log) if e.verb == "CONNECT"]


def caller_of(pbx, call_id: str) -> str:
    return queue_log.calls(queue_log.read(pbx.queue_log))[call_id].caller_id


def waiting(daemon, queue: str, count: int) -> None:
    daemon.wait_for(lambda s: s["queues"][queue]["waiting"] >= count, 20, f"{count} callers in {queue}")


def test_vip_is_answered_before_earlier_callers(pbx, daemon, customers, phones, call):
    customers("Ines Vogt", ["+49301140003"], vip=True)
    daemon.start()
    before = len(connects(pbx))
    call(["5554001", "5554002", "0301140003"], dialled="100", rate=1, patience_ms=40000)
    waiting(daemon, "support", 3)
    phones(talk_ms=1500, names=("1001",))  # one seat opens: who gets it?
    wait_until(lambda: len(connects(pbx)) >= before + 2, 30, "two calls answered")
    order = [caller_of(pbx, e.call_id) for e in connects(pbx)[before:]]
    assert order[0] == "0301140003", order
    assert order[1] == "5554001"  # then the normal callers in their order


def test_overflow_to_the_second_line_keeps_the_callers_place(pbx, daemon, phones, softphone, call, ami):
    """No first-line agent is free; a second-line agent is logged in. After OVERFLOW_AFTER
    seconds the first caller (then the second) is offered to them, still in `support`."""
    daemon.start()
    phones(talk_ms=1500, names=("1005",))
    softphone("1005", "*70", keys=SECRETS.login("2001"))
    ami.wait(
        lambda e: (
            e.get("Event") == "QueueMemberAdded" and e.get("Queue") == "support" and e.get("Penalty") == "1"
        ),
        30,
        "the second-line agent backing up support",
    )
    call(["5555001", "5555002"], dialled="100", rate=1, patience_ms=40000)
    first = wait_until(lambda: call_by_caller(pbx, "5555001", "completed"), 40, "the first caller served")
    second = wait_until(lambda: call_by_caller(pbx, "5555002", "completed"), 40, "the second caller served")
    assert (first.queue, first.agent) == ("support", "2001")
    assert first.hold_time >= OVERFLOW_AFTER - 1  # not before the overflow time
    assert (second.queue, second.agent) == ("support", "2001")
    assert first.verbs.index("CONNECT") >= 0 and "ENTERQUEUE" in first.verbs
    order = [caller_of(pbx, e.call_id) for e in connects(pbx)]
    assert order.index("5555001") < order.index("5555002")
    requeued = [
        e
        for e in queue_log.read(pbx.queue_log)
        if e.verb == "ENTERQUEUE" and e.queue != "support" and e.call_id in (first.call_id, second.call_id)
    ]
    assert requeued == []


def served(pbx, caller: str) -> list[queue_log.QueuedCall]:
    return [
        c
        for c in queue_log.calls(queue_log.read(pbx.queue_log)).values()
        if c.caller_id == caller and c.outcome == "completed"
    ]


def test_repeat_caller_is_offered_to_their_last_agent_first(pbx, daemon, customers, phones, call):
    """Two free agents take turns (rrmemory); a customer calling again goes to the agent who
    served them last, through that agent's own queue, not to the next in turn."""
    customers("Kim Roth", ["+49301150001"])
    daemon.start()
    phones(talk_ms=1500, names=("1001", "1002"))
    call(["0301150001"], dialled="100", patience_ms=20000)
    [first] = wait_until(lambda: served(pbx, "0301150001"), 30, "the first call served")
    call(["0301150001"], dialled="100", patience_ms=20000)
    calls = wait_until(
        lambda: len(found := served(pbx, "0301150001")) >= 2 and found, 30, "the second call served"
    )
    second = next(c for c in calls if c.call_id != first.call_id)
    assert (second.agent, second.queue) == (first.agent, f"acd-agent-{first.agent}")


def test_waiting_caller_is_told_position_and_expected_wait(pbx, daemon, phones, call, ami):
    """One agent is busy with the first caller; the second hears (by ChanSpy whisper, still
    in the queue) their position and the core's estimate: the agent's expected time left."""
    daemon.start()
    phones(talk_ms=30000, names=("1001",))
    call(["5556001", "5556002"], dialled="100", rate=1, patience_ms=30000)
    spied = ami.wait(
        lambda e: e.get("Event") == "ChanSpyStart" and e.get("SpyeeCallerIDNum") == "5556002",
        20,
        "the announcement",
    )
    assert spied["SpyeeChannel"].startswith("PJSIP/trunk-carrier-")
    state = daemon.wait_for(
        lambda s: any(c["caller_id"] == "+495556002" and c["announced_at"] for c in s["calls"]),
        10,
        "the announcement recorded",
    )
    told = next(c for c in state["calls"] if c["caller_id"] == "+495556002")
    assert told["position"] == 1
    # the queue's handle time (the day's mean talk, 120 s until three calls are done; the day
    # carries over restarts, so earlier tests' calls count) minus what was talked so far
    support = state["queues"]["support"]
    handle = support["average_talk"] if support["completed"] >= 3 else 120.0
    assert max(handle - 30, min(10.0, handle * 0.1)) - 0.5 <= told["expected_wait"] <= handle + 0.5
    assert told["outcome"] == "waiting"  # told without leaving the queue


def test_escalation_to_the_second_line_keeps_the_interaction(
    pbx, daemon, customers, phones, softphone, call, ami, lab_config
):
    """The first-line agent escalates (*5, reason 2 = complaint): the caller, still the same
    channel and interaction, reaches the second line with the IVR's answers, the reason and
    the first agent's note on the journey; line 1 does not count it as closed."""
    from sqlalchemy import select

    from acd.lab import sipp
    from acd.store import db
    from acd.store.models import Interaction, InteractionSegment, Note
    from tests.lab import sipp_phones

    config, _ = lab_config
    lena = customers("Lena Brandt", ["+49301160001"], language="en")
    daemon.start()
    phones(talk_ms=1500, names=("1005",))
    softphone("1005", "*70", keys=SECRETS.login("2001"))
    ami.wait(
        lambda e: e.get("UserEvent") == "AcdAgentFeature" and e.get("Result") == "logged_in",
        30,
        "the second-line agent logged in",
    )
    passwords = {p.name: p.password for p in config.phones}
    # a port of its own: a BYE the PBX still retransmits to 1001's usual port (a call an earlier
    # test left) would be this one-call agent's "call", and it would quit before ours rang
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
        call(["0301160001"], dialled="800", keys=[(2000, "9")], patience_ms=40000)
        escalated = ami.wait(lambda e: e.get("UserEvent") == "AcdEscalated", 40, "the escalation")
        assert (escalated["Queue"], escalated["From"], escalated["Reason"]) == (
            "support-2",
            "1001",
            "complaint",
        )
        assert (escalated["Customer"], escalated["Category"]) == (str(lena), "other")  # the IVR's answers
        call_id = escalated["Uniqueid"]
        story = wait_until(
            lambda: (
                [
                    (e.queue, e.agent, e.verb)
                    for e in queue_log.read(pbx.queue_log)
                    if e.call_id == call_id and e.verb.startswith("COMPLETE") and e.queue == "support-2"
                ]
                and [
                    (e.queue, e.agent, e.verb) for e in queue_log.read(pbx.queue_log) if e.call_id == call_id
                ]
            ),
            30,
            "the second line to serve the same call",
        )
        connects = [(queue, agent) for queue, agent, verb in story if verb == "CONNECT"]
        assert connects == [("support", "1001"), ("support-2", "2001")]
    finally:
        first.stop()
    sessions = db.sessions(db.engine(config.store.url))

    def ended() -> Interaction | None:
        with sessions() as session:
            found = session.scalars(select(Interaction).where(Interaction.linkedid == call_id)).one()
            return found if found.outcome is not None else None

    journey = wait_until(ended, 10, "the interaction closed")
    with sessions() as session:
        segments = session.execute(
            select(InteractionSegment.kind, InteractionSegment.name, InteractionSegment.outcome)
            .where(InteractionSegment.interaction_id == journey.id)
            .order_by(InteractionSegment.id)
        ).all()
        notes = session.scalars(select(Note.text).where(Note.interaction_id == journey.id)).all()
    kinds = [kind for kind, _, _ in segments]
    assert kinds[0] == "ivr" and sorted(kinds[1:]) == ["agent", "agent", "escalation", "queue", "queue"]
    outcomes = {(kind, name): outcome for kind, name, outcome in segments if kind != "ivr"}
    assert outcomes == {
        ("queue", "support"): "answered",
        ("agent", "1001"): "escalated",
        ("escalation", "support>support-2"): "complaint",
        ("queue", "support-2"): "answered",
        ("agent", "2001"): "completed",
    }
    assert journey.outcome == "completed" and journey.ended_at is not None  # one journey, closed once
    assert notes == ["escalated from support to support-2: complaint"]
    state = daemon.state()
    assert state["queues"]["support"]["escalated"] >= 1


def test_callback_keeps_the_place_and_connects_the_customer(
    pbx, daemon, phones, call, ami, lab_config, tmp_path
):
    """B presses 1 while waiting between A and C, hangs up, and the daemon restarts meanwhile.
    When an agent comes, A is served, then B's placeholder: B is dialled back on the trunk
    and connected; then C. The callback ends done, and its record leaves redis."""
    import redis

    from acd.lab import sipp
    from tests.e2e.conftest import CALLBACK_TRUNK_PORT

    config, _ = lab_config
    daemon.start()
    call(["5557001", "5557003"], dialled="100", rate=0.1, patience_ms=90000)  # C 10 s after A
    daemon.wait_for(lambda s: s["queues"]["support"]["waiting"] == 1, 20, "A waiting")
    b = call(
        ["5557002"],
        dialled="100",
        keys=[(11000, config.callback.key)],
        patience_ms=20000,
        trunk_port=CALLBACK_TRUNK_PORT,
    )  # B presses 1 once C is behind them
    b.wait(40)  # the PBX thanked them and hung up
    waiting = daemon.wait_for(
        lambda s: s["queues"]["support"]["waiting"] == 3, 30, "A, the placeholder and C waiting"
    )["queues"]["support"]["callers"]
    assert [c["caller_id"] for c in sorted(waiting, key=lambda c: c["position"])] == [
        "+495557001",
        "+495557002",
        "+495557003",
    ]  # the placeholder dials B's number in E.164
    daemon.stop()  # the placeholder lives in Asterisk, the request in redis
    daemon.start()
    customer = sipp.Process(
        [
            "sipp",
            "-sf",
            str(sipp.SCENARIOS / "agent.xml"),
            "-i",
            "127.0.0.1",
            "-p",
            str(CALLBACK_TRUNK_PORT),
            "-mi",
            "127.0.0.1",
            "-mp",
            "45000",
            "-d",
            "1000",
            "-m",
            "1",
            "-nostdin",
        ],
        tmp_path,
        "customer",
    )
    sipp.wait_listening(customer, CALLBACK_TRUNK_PORT)
    try:
        phones(talk_ms=1500, names=("1001",))
        dialled = ami.wait(lambda e: e.get("UserEvent") == "AcdCallback", 60, "the callback dialled")
        assert dialled["Status"] == "ANSWER"
        wait_until(
            lambda: len([e for e in connects(pbx) if caller_of(pbx, e.call_id) == "5557003"]),
            40,
            "C served after the callback",
        )
    finally:
        customer.stop()
    order = [caller_of(pbx, e.call_id) for e in connects(pbx)]
    assert (
        order.index("5557001") < order.index("+495557002") < order.index("5557003")
    )  # B: the placeholder, in E.164
    client = redis.Redis.from_url(config.redis.url, password=config.redis.password)
    saved = client.hget(f"{config.redis.prefix}:callbacks", dialled["Id"])
    client.close()
    assert saved is None  # done: a finished callback leaves no record behind
