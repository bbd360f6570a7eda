"""Call recording, proven by audio: a queued call's file holds both parties; what is said
while the agent has paused the recording is not in it (though the agent heard it); an agent
records on demand; the dialplan records alone when the daemon is down and the daemon
indexes that file later; only quality staff and the agent's own supervisors get the files;
the retention job deletes files and rows."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time

import pytest

from acd import recordings
from tests.e2e.conftest import SECRETS, SIP_PORT, heard, tone, wait_until
from tests.e2e.web import call_api

pytestmark = pytest.mark.e2e
CALLER, AGENT, CARD = 500.0, 1000.0, 1300.0  # CARD: the caller reads out card data
SOFIA, TOMAS, QUINN = "9001", "9002", "9101"  # staff; their web passwords: SECRETS.web


def rows(lab_config, linkedid: str) -> list[dict]:
    from acd.store import db, quality

    config, _ = lab_config
    with db.sessions(db.engine(config.store.url))() as session:
        return quality.recordings(session, linkedid=linkedid)


def finished_row(lab_config, linkedid: str, timeout: float = 20) -> dict:
    return wait_until(
        lambda: next((r for r in rows(lab_config, linkedid) if r["status"] != "recording"), None),
        timeout,
        "the recording's row closed",
    )


def queued_call(audio_phones, ami, caller_id: str, phone: str = "1001", dialled: str = "100"):
    agent = audio_phones("agent", AGENT, phone=phone)
    caller = audio_phones("caller", CALLER, caller_id=caller_id)
    caller.dial(f"sip:{dialled}@127.0.0.1:{SIP_PORT}")
    connect = ami.wait(
        lambda e: e.get("Event") == "AgentConnect" and e.get("CallerIDNum") == caller_id,
        20,
        "the agent answering",
    )
    return caller, agent, connect


def hang_up(caller) -> None:
    caller.hangup()
    caller.wait_event("CALL_CLOSED", 10)
    time.sleep(0.5)


def recording_state(ami, state: str) -> dict:
    return ami.wait(
        lambda e: e.get("UserEvent") == "AcdRecording" and e.get("State") == state,
        10,
        f"the recording {state}",
    )


def test_both_parties_are_recorded_but_not_while_paused(pbx, daemon, audio_phones, ami, lab_config):
    config, _ = lab_config
    daemon.start()
    caller, agent, connect = queued_call(audio_phones, ami, "5558301")
    time.sleep(2)
    agent.send_digits("*2")  # pause: the card number comes
    recording_state(ami, "paused")
    time.sleep(1.5)  # the agent hears "Recording paused."
    caller.play(tone(caller.folder.parent, CARD))
    time.sleep(3)
    caller.play(tone(caller.folder.parent, CALLER))
    agent.send_digits("*2")  # and on again
    recording_state(ami, "recording")
    time.sleep(3)
    hang_up(caller)

    row = finished_row(lab_config, connect["Linkedid"])
    path = recordings.inside(config.recordings_path(), row["path"])
    in_file = heard("recording, paused", "recording", path, [CALLER, AGENT, CARD])
    to_agent = heard("recording, paused", "agent", agent.recording(), [CALLER, AGENT, CARD])
    assert in_file[CALLER].heard and in_file[AGENT].heard
    assert to_agent[CARD].heard and not in_file[CARD].heard
    assert (row["agent"], row["queue"], row["reason"], row["status"]) == (
        "1001",
        "support",
        "queue support",
        "done",
    )
    assert row["interaction_id"] is not None
    assert (
        row["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() and row["size"] == path.stat().st_size
    )
    assert 8 <= row["duration_s"] <= row["ended_at"] - row["started_at"] + 1
    assert 2.5 <= row["paused_s"] <= 6

    base = daemon.base
    status, listed = call_api(base, "GET", f"/api/recordings?call={connect['Linkedid']}", SECRETS.web(QUINN))
    assert status == 200 and [r["id"] for r in listed["recordings"]] == [row["id"]]
    status, audio = call_api(base, "GET", f"/api/recordings/{row['id']}", SECRETS.web(QUINN))
    assert status == 200 and hashlib.sha256(audio).hexdigest() == row["sha256"]
    assert (
        call_api(base, "GET", f"/api/recordings/{row['id']}", SECRETS.web(SOFIA))[0] == 200
    )  # 1001 is her team's
    assert call_api(base, "GET", f"/api/recordings/{row['id']}", SECRETS.web(TOMAS))[0] == 403
    assert row["id"] not in [
        r["id"] for r in call_api(base, "GET", "/api/recordings", SECRETS.web(TOMAS))[1]["recordings"]
    ]
    assert (
        call_api(base, "GET", f"/api/recordings/{row['id']}", ("1001", SECRETS.pin("1001")))[0] == 401
    )  # an agent
    assert call_api(base, "GET", "/api/recordings", None)[0] == 401
    assert call_api(base, "GET", "/api/recordings/../../etc/passwd", SECRETS.web(QUINN))[0] == 404


def test_an_agent_records_on_demand(pbx, daemon, audio_phones, ami, lab_config):
    """Sales calls are not recorded by the policy; the agent's *1 starts one."""
    config, _ = lab_config
    daemon.start()
    caller, agent, connect = queued_call(audio_phones, ami, "5558401", phone="1004", dialled="200")
    time.sleep(1)
    assert rows(lab_config, connect["Linkedid"]) == []
    agent.send_digits("*1")
    wait_until(lambda: rows(lab_config, connect["Linkedid"]), 10, "the recording's row")
    time.sleep(4)
    hang_up(caller)
    row = finished_row(lab_config, connect["Linkedid"])
    assert (row["agent"], row["queue"], row["reason"]) == ("1004", "sales", "on demand")
    path = recordings.inside(config.recordings_path(), row["path"])
    found = heard("on demand", "recording", path, [CALLER, AGENT])
    assert found[CALLER].heard and found[AGENT].heard


def test_recorded_by_the_dialplan_while_the_daemon_is_down_and_indexed_later(
    pbx, daemon, audio_phones, ami, lab_config
):
    config, _ = lab_config
    caller, _agent, connect = queued_call(audio_phones, ami, "5558501")  # no daemon: the default queue
    time.sleep(3)
    hang_up(caller)
    assert rows(lab_config, connect["Linkedid"]) == []
    daemon.start()  # its first sweep indexes the file
    row = finished_row(lab_config, connect["Linkedid"])
    assert (row["agent"], row["queue"], row["reason"], row["status"]) == (
        "1001",
        "support",
        "fallback",
        "done",
    )
    assert row["path"].startswith("unindexed/")
    path = recordings.inside(config.recordings_path(), row["path"])
    assert row["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    found = heard("daemon down", "recording", path, [CALLER, AGENT])
    assert found[CALLER].heard and found[AGENT].heard


def test_the_retention_job_deletes_files_and_rows(pbx, daemon, audio_phones, ami, lab_config):
    config, config_path = lab_config
    daemon.start()
    caller, _agent, connect = queued_call(audio_phones, ami, "5558601")
    time.sleep(2)
    hang_up(caller)
    row = finished_row(lab_config, connect["Linkedid"])
    path = recordings.inside(config.recordings_path(), row["path"])
    kept = subprocess.run(
        [sys.executable, "-m", "acd", "-c", str(config_path), "recordings", "purge"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert kept.stdout.startswith("0 recordings") and path.exists()  # within the 90 days
    purged = subprocess.run(
        [sys.executable, "-m", "acd", "-c", str(config_path), "recordings", "purge", "--days", "0"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert not purged.stdout.startswith("0 ") and not path.exists()
    assert rows(lab_config, connect["Linkedid"]) == []
