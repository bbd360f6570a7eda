"""The real daemon refuses in-call routes for a channel the PBX never reported (issue 9,
finding 3): even with the PBX's token, a session naming another channel records, mutes and
redirects nothing, sends no command, and shows in the security log."""

from __future__ import annotations

import socket

import pytest

pytestmark = pytest.mark.e2e


def test_forged_agent_channel_is_refused_with_a_security_event(pbx, daemon, lab_config):
    config, _ = lab_config
    daemon.start()
    forged = [
        ("acd/escalate", "PJSIP/trunk-carrier-00000001", "acd-1.1"),  # a caller's leg
        ("acd/record_demand", "PJSIP/1001-0000beef", "acd-2.2"),  # no such leg
        ("acd/record_pause", "PJSIP/1002-0000cafe", "acd-3.3"),
    ]
    for route, channel, uniqueid in forged:
        with socket.create_connection((config.fastagi.host, config.fastagi.port), timeout=5) as sock:
            sock.sendall(
                (
                    f"agi_network_script: {config.fastagi.token}/{route}\nagi_channel: {channel}\n"
                    f"agi_uniqueid: {uniqueid}\nagi_threadid: 1\n\n"
                ).encode()
            )
            assert sock.recv(200) == b""  # closed: no prompt, no variable, no ACD_AGI_OK
    security = config.security_log_path().read_text().splitlines()
    refused = [line for line in security if 'SecurityEvent="FastAgiUnknownChannel"' in line]
    assert [line.split('Route="')[1].split('"')[0] for line in refused[-3:]] == [r for r, _, _ in forged]
    assert 'refused' in daemon.log_path.read_text()
