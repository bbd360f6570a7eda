"""Supervisors listening in, proven by audio: every party is a softphone that plays its own
tone and records what it hears. The caller plays 500 Hz, the agent 1000 Hz; the supervisor
plays a different tone in each mode, so one call shows what each mode lets through:
silent 1750 Hz (nobody hears it), whisper 2150 Hz (the agent only), barge 2850 Hz (both).
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import SECRETS, SIP_PORT, heard, tone, wait_until

pytestmark = pytest.mark.e2e
CALLER, AGENT = 500.0, 1000.0
TONE = {"monitor": 1750.0, "whisper": 2150.0, "barge": 2850.0}  # no harmonic of 500 or 1000
CODE = {"monitor": "*22", "whisper": "*23", "barge": "*24"}
DIGIT = {"monitor": "4", "whisper": "5", "barge": "6"}
ALL = [CALLER, AGENT, *TONE.values()]
TALK_S = 3.0


def connected_call(audio_phones, ami, caller_id: str):
    agent = audio_phones("agent", AGENT, phone="1001")
    caller = audio_phones("caller", CALLER, caller_id=caller_id)
    caller.dial(f"sip:100@127.0.0.1:{SIP_PORT}")
    connect = ami.wait(
        lambda e: e.get("Event") == "AgentConnect" and e.get("CallerIDNum") == caller_id,
        20,
        "the agent answering",
    )
    return caller, agent, connect


def listen_in(audio_phones, ami, mode: str, agent: str = "1001"):
    """Supervisor 9001 (team front) dials the mode's code and the agent, then the PIN."""
    supervisor = audio_phones("supervisor", 0, phone="9001", answer=False)
    supervisor.dial(f"sip:{CODE[mode]}{agent}@127.0.0.1:{SIP_PORT}")
    supervisor.wait_event("CALL_ESTABLISHED", 10)
    time.sleep(1.0)  # the PIN prompt is playing: digits now count
    supervisor.send_digits(f"{SECRETS.pin('9001')}#")
    return supervisor


def speak(phone, hz: float, ami, switch: str | None = None) -> None:
    """Silence, the mode digit (once ChanSpy took it), then this mode's tone for TALK_S."""
    phone.play(tone(phone.folder.parent, 0))
    if switch:
        time.sleep(0.3)
        mark = ami.mark()
        phone.send_digits(switch)
        ami.wait(
            lambda e: (
                e.get("Event") == "DTMFEnd"
                and e.get("Digit") == switch
                and e.get("Channel", "").startswith("PJSIP/9001-")
            ),
            5,
            f"the supervisor's {switch}",
            mark,
        )
        time.sleep(0.7)
    phone.play(tone(phone.folder.parent, hz))
    time.sleep(TALK_S)


def hang_up_all(ami, caller, supervisor) -> None:
    supervisor.hangup()
    ami.wait(lambda e: e.get("UserEvent") == "AcdSpyEnded", 10, "the spy session's end")
    caller.hangup()
    caller.wait_event("CALL_CLOSED", 10)
    time.sleep(0.5)  # the agent's phone closes its file


def audit(lab_config, linkedid: str) -> dict:
    from acd.store import db, quality

    config, _ = lab_config
    sessions = db.sessions(db.engine(config.store.url))

    def closed() -> dict | None:
        with sessions() as session:
            rows = [r for r in quality.supervision_sessions(session, {"1001"}) if r["linkedid"] == linkedid]
        return rows[0] if rows and rows[0]["ended_at"] else None

    return wait_until(closed, 10, "the session's audit row")


def test_switching_modes_by_dtmf_lets_through_only_what_each_mode_allows(
    pbx, daemon, audio_phones, ami, lab_config
):
    """Silent first (*22), then 5 (whisper), then 6 (barge), in one session."""
    daemon.start()
    caller, agent, connect = connected_call(audio_phones, ami, "5558101")
    supervisor = listen_in(audio_phones, ami, "monitor")
    started = ami.wait(
        lambda e: e.get("Event") == "ChanSpyStart" and e.get("SpyerChannel", "").startswith("PJSIP/9001-"),
        15,
        "ChanSpy",
    )
    assert started["SpyeeChannel"].startswith("PJSIP/1001-")
    speak(supervisor, TONE["monitor"], ami)
    speak(supervisor, TONE["whisper"], ami, switch=DIGIT["whisper"])
    speak(supervisor, TONE["barge"], ami, switch=DIGIT["barge"])
    hang_up_all(ami, caller, supervisor)

    name = "switch 22>5>6"
    to_caller = heard(name, "caller", caller.recording(), ALL)
    to_agent = heard(name, "agent", agent.recording(), ALL)
    to_supervisor = heard(name, "supervisor", supervisor.recording(), ALL)
    assert not to_caller[TONE["monitor"]].heard and not to_agent[TONE["monitor"]].heard
    assert to_agent[TONE["whisper"]].heard and not to_caller[TONE["whisper"]].heard
    assert to_agent[TONE["barge"]].heard and to_caller[TONE["barge"]].heard
    assert to_supervisor[CALLER].heard and to_supervisor[AGENT].heard
    assert to_caller[AGENT].heard and to_agent[CALLER].heard  # the call itself went on

    row = audit(lab_config, connect["Linkedid"])
    assert (row["supervisor"], row["agent"], row["origin"], row["outcome"]) == (
        "9001",
        "1001",
        "phone",
        "ended",
    )
    assert row["modes"] == ["monitor", "whisper", "barge"]
    assert row["opened_at"] <= row["spy_started_at"] < row["ended_at"]
    assert row["interaction_id"] is not None


@pytest.mark.parametrize("mode", ["whisper", "barge"])
def test_each_mode_from_its_own_code(pbx, daemon, audio_phones, ami, lab_config, mode):
    """*23 starts whispering (the agent hears it, the caller does not), *24 barging (both);
    4 then falls back to silent monitoring."""
    daemon.start()
    caller, agent, connect = connected_call(audio_phones, ami, f"555820{len(mode)}")
    supervisor = listen_in(audio_phones, ami, mode)
    ami.wait(
        lambda e: e.get("Event") == "ChanSpyStart" and e.get("SpyerChannel", "").startswith("PJSIP/9001-"),
        15,
        "ChanSpy",
    )
    speak(supervisor, TONE[mode], ami)
    speak(supervisor, TONE["monitor"], ami, switch=DIGIT["monitor"])
    hang_up_all(ami, caller, supervisor)

    to_caller = heard(f"{CODE[mode]} then 4", "caller", caller.recording(), ALL)
    to_agent = heard(f"{CODE[mode]} then 4", "agent", agent.recording(), ALL)
    to_supervisor = heard(f"{CODE[mode]} then 4", "supervisor", supervisor.recording(), ALL)
    assert to_agent[TONE[mode]].heard
    assert to_caller[TONE[mode]].heard is (mode == "barge")
    assert not to_agent[TONE["monitor"]].heard and not to_caller[TONE["monitor"]].heard
    assert to_supervisor[CALLER].heard and to_supervisor[AGENT].heard
    assert audit(lab_config, connect["Linkedid"])["modes"] == [mode, "monitor"]
