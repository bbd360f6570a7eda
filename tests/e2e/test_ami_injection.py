"""A redis agent record with CR/LF in its pause reason does not reach the PBX as extra AMI
actions when the daemon re-applies agent state at (re)connect (issue 9, finding 2). Before,
the reason's line breaks ended the QueuePause and the rest ran as actions of its own."""

from __future__ import annotations

import json
import time

import pytest
import redis

from tests.e2e.conftest import wait_until

pytestmark = pytest.mark.e2e
MARK = "AcdInjected"
INJECTED = (
    f"break\r\n\r\nAction: UserEvent\r\nUserEvent: {MARK}\r\n\r\n"
    "Action: QueueAdd\r\nQueue: support\r\nInterface: PJSIP/9002\r\nMemberName: 6666\r\n\r\n"
    "Action: Originate\r\nChannel: Local/announce@acd-announce/n\r\nApplication: AGI\r\n"
    "Data: /usr/bin/touch,/tmp/acd-injected"
)


def test_a_pause_reason_with_line_breaks_in_redis_adds_no_action(pbx, daemon, lab_config, ami):
    config, _ = lab_config
    client = redis.Redis.from_url(config.redis.url, password=config.redis.password)
    key = f"{config.redis.prefix}:agents"
    since = time.time()
    client.hset(
        key,
        "2003",
        json.dumps(
            {
                "number": "2003",
                "state": "paused",
                "since": since,
                "reason": INJECTED,
                "interface": "PJSIP/1005",
            }
        ),
    )
    client.hset(
        key,
        "2002",
        json.dumps(
            {
                "number": "2002",
                "state": "ready",
                "since": since,
                "reason": "",
                "interface": "PJSIP/1006\r\nAction: Logoff",
            }
        ),
    )
    client.hset(
        key,
        "2001",
        json.dumps(
            {
                "number": "2001",
                "state": "paused",
                "since": since,
                "reason": "lunch",
                "interface": "PJSIP/1006",
            }
        ),
    )  # fine
    client.close()
    start = ami.mark()
    daemon.start()
    # the control: the good record was re-applied, so the restore ran
    wait_until(
        lambda: ami.find(
            lambda e: (
                e.get("Event") == "QueueMemberPause"
                and e.get("Interface") == "PJSIP/1006"
                and e.get("Paused") == "1"
                and e.get("PausedReason", e.get("Reason")) == "lunch"
            ),
            start,
        ),
        20,
        "agent 2001 restored, paused for lunch",
    )
    time.sleep(2)
    assert ami.find(lambda e: e.get("UserEvent") == MARK, start) == []
    members = pbx.cli("queue show support")
    assert "PJSIP/9002" not in members and "PJSIP/1005" not in members
    assert not (pbx.rootfs / "tmp/acd-injected").exists()
    log = daemon.log_path.read_text()
    assert "dropped agent '2003''s record from redis: pause reason" in log
    assert "dropped agent '2002''s record from redis: interface" in log
    state = {a["number"]: a for a in daemon.state()["links"]["agent_states"]}
    assert state["2003"]["state"] == "logged_out" and state["2001"]["reason"] == "lunch"
