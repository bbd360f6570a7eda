"""Routes that act on a live call check the session's channel against what AMI reported
(issue 9, finding 3): a forged agi_channel / agi_uniqueid is refused, logged as a security
event, and nothing is recorded, muted or redirected."""

from __future__ import annotations

import pytest
from twisted.logger import formatEvent, globalLogPublisher

from acd import config as config_module
from acd.asterisk.ami_events import translate
from acd.asterisk.escalation import Escalations
from acd.asterisk.fastagi import AgiChannel, Refused
from acd.asterisk.recorder import Recorder
from acd.core import events as ev
from acd.core.center import CallCenter
from acd.core.legs import AgentLegs
from acd.core.recording import Take
from tests.asterisk.test_fastagi import _Wire, on_asyncio

CALLER, AGENT_LEG = "PJSIP/trunk-carrier-00000000", "PJSIP/1001-00000002"


def dest(event: str, **extra: str) -> dict[str, str]:
    return {
        "Event": event,
        "Uniqueid": "acd-1.0",
        "Channel": CALLER,
        "Queue": "support",
        "MemberName": "1001",
        "HoldTime": "3",
        "RingTime": "1",
        "Linkedid": "acd-1.0",
        "DestChannel": AGENT_LEG,
        "DestUniqueid": "acd-1.2",
        **extra,
    }


def test_a_leg_is_known_from_ringing_to_hangup():
    legs = AgentLegs()
    legs.apply(translate(dest("AgentCalled"), 1.0))
    assert legs.find("acd-1.2", AGENT_LEG, answered=False) is not None
    assert legs.find("acd-1.2", AGENT_LEG) is None  # not answered yet
    legs.apply(translate(dest("AgentConnect"), 2.0))
    leg = legs.find("acd-1.2", AGENT_LEG)
    assert (leg.agent, leg.call_id) == ("1001", "acd-1.0")
    assert legs.find("acd-1.2", "PJSIP/1003-00000009") is None  # a name it does not have
    assert legs.find("acd-1.0", CALLER) is None  # the caller's leg is no agent's
    legs.apply(
        translate(
            {"Event": "Hangup", "Uniqueid": "acd-1.2", "Channel": AGENT_LEG, "Linkedid": "acd-1.0"}, 3.0
        )
    )
    assert legs.find("acd-1.2", AGENT_LEG) is None


def test_the_table_is_bounded():
    legs = AgentLegs(limit=3)
    for n in range(10):
        legs.apply(ev.AgentRung(0.0, f"c{n}", "q", "1001", f"PJSIP/1001-{n:08x}", f"l{n}"))
    assert len(legs.legs) == 3 and "l9" in legs.legs


class Ami:
    def __init__(self) -> None:
        self.sent: list = []

    async def action(self, action):
        self.sent.append(action)
        return {"Response": "Success"}


@pytest.fixture
def security() -> list[str]:
    lines: list[str] = []

    def observe(event: dict) -> None:
        if event.get("log_namespace") == "acd.security":
            lines.append(formatEvent(event))

    globalLogPublisher.addObserver(observe)
    yield lines
    globalLogPublisher.removeObserver(observe)


def session(channel: str, uniqueid: str, wire: _Wire | None = None) -> AgiChannel:
    return AgiChannel({"agi_channel": channel, "agi_uniqueid": uniqueid}, wire or _Wire(), "127.0.0.1:5")


def live_call() -> tuple[CallCenter, AgentLegs]:
    center, legs = CallCenter({"support": 20.0}), AgentLegs()
    for event in (
        dest("QueueCallerJoin", Position="1", CallerIDNum="5551001"),
        dest("AgentCalled"),
        dest("AgentConnect"),
    ):
        center.apply(translate(event, 1.0))
        legs.apply(translate(event, 1.0))
    return center, legs


@pytest.mark.parametrize(
    "channel,uniqueid",
    [
        ("PJSIP/1003-00000009", "acd-1.2"),  # a stranger's name with the live leg's uniqueid
        (AGENT_LEG, "acd-9.9"),  # the live leg's name, another uniqueid
        (CALLER, "acd-1.0"),  # the caller's own leg: no agent's
        ("", ""),
    ],
)
@on_asyncio
async def test_forged_channel_cannot_escalate_a_call(channel, uniqueid, security):
    """A session naming any channel but the agent leg AMI reported redirects nothing."""
    center, legs = live_call()
    ami = Ami()
    escalations = Escalations(config_module.load(), center, ami, None, None, lambda e: None, legs)
    wire = _Wire(f"200 result=1 ({CALLER})\n".encode())
    with pytest.raises(Refused):  # no ACD_AGI_OK: the dialplan's fallback, nothing done
        await escalations.escalate(session(channel, uniqueid, wire))
    assert ami.sent == [] and wire.sent == []
    assert len(security) == 1 and 'SecurityEvent="FastAgiUnknownChannel"' in security[0]
    assert 'Route="acd/escalate"' in security[0] and 'RemoteAddress="127.0.0.1:5"' in security[0]


@on_asyncio
async def test_forged_channel_cannot_record_or_mute(tmp_path, security):
    """record_demand, record_pause and the connect-time record refuse an unknown channel;
    a take's mute acts only from the leg it records."""
    _, legs = live_call()
    ami = Ami()
    recorder = Recorder(config_module.load(), ami, None, None, lambda iface: "1001", legs)
    recorder.takes["acd-7.7"] = Take("t1", "acd-7.0", "1002", "PJSIP/1002-00000007", "x.wav", 1.0, "policy")
    for route in (recorder.record_demand, recorder.record_pause):
        wire = _Wire()
        with pytest.raises(Refused):
            await route(session("PJSIP/1002-00000007", "acd-7.7", wire))  # a take's leg, not live
        assert wire.sent == []
    wire = _Wire()
    legs.legs.clear()
    with pytest.raises(Refused):
        await recorder.record(session(AGENT_LEG, "acd-1.2", wire))
    assert ami.sent == [] and wire.sent == [] and set(recorder.takes) == {"acd-7.7"}
    assert [line.split('Route="')[1].split('"')[0] for line in security] == [
        "acd/record_demand",
        "acd/record_pause",
        "acd/record",
    ]
