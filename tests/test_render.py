"""Asterisk's configuration rendered from the templates and config/acd.yaml."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from acd import config
from acd.pbx import render


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return render.render(config.load(), Path("/srv/x"))


def test_no_placeholder_left(files):
    """Every @NAME@ in every template has a value."""
    assert {"asterisk.conf", "manager.conf", "pjsip.conf", "extensions.conf", "modules.conf",
            "queues.conf", "pjsip_acd.conf"} <= set(files)
    for name, text in files.items():
        assert not re.search(r"@[A-Z_]+@", text), name


def test_paths_ports_and_secret_come_from_the_config(files):
    assert "astetcdir => /srv/x/etc" in files["asterisk.conf"]
    assert "astrundir => /srv/x/run" in files["asterisk.conf"]
    manager = files["manager.conf"]
    assert "bindaddr = 127.0.0.1" in manager and "port = 5039" in manager
    assert "[acd]" in manager and "secret = acd-demo-secret" in manager
    assert "bind = 127.0.0.1:5060" in files["pjsip.conf"]
    assert "ACD_AGI = agi://127.0.0.1:4573" in files["extensions.conf"]
    assert "ACD_DEFAULT_QUEUE = support" in files["extensions.conf"]


def test_queues_have_their_agents_as_members(files):
    support = files["queues.conf"].split("[support]")[1].split("[sales]")[0]
    assert "member => PJSIP/1001,0,1001,PJSIP/1001" in support
    assert "PJSIP/1004" not in support
    assert "strategy = rrmemory" in support and "servicelevel = 20" in support


def test_trunk_identified_by_address_and_port_and_phones_authenticate(files):
    pjsip = files["pjsip_acd.conf"]
    assert "match = 127.0.0.1:5080" in pjsip
    for phone in ("1001", "1002", "1003", "1004"):
        assert f"[{phone}-auth]" in pjsip and f"password = phone-{phone}-pw" in pjsip


def test_missing_token_is_named():
    with pytest.raises(KeyError, match="x.conf: no value for @NOPE@"):
        render.fill("a = @NOPE@", {}, "x.conf")


def test_write_creates_the_state_folders_and_hides_secrets(tmp_path: Path):
    etc = render.write(config.load(), tmp_path)
    assert {p.name for p in tmp_path.iterdir()} >= set(render.STATE_FOLDERS)
    assert (etc / "manager.conf").stat().st_mode & 0o077 == 0


def test_supervisor_phones_reach_the_spy_codes_and_others_are_refused(files):
    pjsip = files["pjsip_acd.conf"]
    assert "[9001]\ntype = endpoint\ntransport = transport-udp\ncontext = supervisors" in pjsip
    assert "[1001]\ntype = endpoint\ntransport = transport-udp\ncontext = phones" in pjsip
    dialplan = files["extensions.conf"]
    supervisors = dialplan.split("[supervisors]")[1].split("\n[")[0]
    assert "exten => _*22X.,1,Set(ACD_SPY_MODE=monitor)" in supervisors
    assert "Goto(acd-spy-ask,${EXTEN:3},1)" in supervisors
    for context in ("[phones]", "[from-trunk]"):
        section = dialplan.split(context)[1].split("\n[")[0]
        assert "Goto(acd-spy-refused,${EXTEN:3},1)" in section and "acd-spy-ask" not in section
    refused = dialplan.split("[acd-spy-refused]")[1].split("\n[")[0]
    assert "ChanSpy(" not in refused and "acd-spy," not in refused


def test_every_queue_call_runs_the_recording_decision_on_the_agents_leg(files):
    dialplan = files["extensions.conf"]
    queues = [line for line in dialplan.splitlines() if "Queue(" in line and not line.startswith(";")]
    assert queues and all("acd-record" in line for line in queues)
    assert "ACD_RECORD_QUEUES = support-3" in dialplan       # recorded even without the daemon
    features = files["features.conf"]
    assert "acd_record => *1,self/callee,AGI(agi://127.0.0.1:4573/acd/record_demand)" in features
    assert "acd_record_pause => *2,self/callee,AGI(agi://127.0.0.1:4573/acd/record_pause)" in features
