"""In-call codes belong to the agent (finding 6): a caller pressing the agents' codes during a
queued call starts and toggles nothing; the agent's own *1 still records. Real PBX, baresip."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import wait_until
from tests.e2e.test_recording import hang_up, queued_call, rows

pytestmark = pytest.mark.e2e


def dynamic_features(pbx, channel: str) -> str:
    """The channel's DYNAMIC_FEATURES as the PBX holds it ("" when unset or empty)."""
    found = re.search(r"^DYNAMIC_FEATURES=(.*)$", pbx.cli(f"core show channel {channel}"), re.MULTILINE)
    return found.group(1).strip() if found else ""


def test_a_caller_cannot_use_the_agents_in_call_codes(pbx, daemon, audio_phones, ami, lab_config):
    config, _ = lab_config
    daemon.start()
    caller, agent, connect = queued_call(audio_phones, ami, "5558701", phone="1004", dialled="200")
    time.sleep(1)
    caller_channel, agent_channel = connect["Channel"], connect["DestChannel"]
    since = ami.mark()
    caller.send_digits(config.features.record)  # the attack: the caller's *1 ...
    time.sleep(2.5)
    caller.send_digits(config.features.record_pause)  # ... and *2
    time.sleep(2.5)
    caller.send_digits(config.features.escalate + "1")  # ... and *5 with a reason
    time.sleep(2.5)
    assert rows(lab_config, connect["Linkedid"]) == []
    assert ami.find(lambda e: e.get("UserEvent") in ("AcdRecording", "AcdEscalated"), since) == []
    assert (
        ami.find(lambda e: e.get("Event") == "AGIExecStart" and e.get("Channel") == caller_channel, since)
        == []
    )
    assert dynamic_features(pbx, caller_channel) == ""
    assert "acd_record" in dynamic_features(pbx, agent_channel).split("#")

    agent.send_digits(config.features.record)  # the agent's own code still works
    wait_until(lambda: rows(lab_config, connect["Linkedid"]), 10, "the agent's on-demand recording")
    hang_up(caller)
