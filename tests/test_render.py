"""Asterisk's configuration rendered from the templates and config/acd.yaml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from acd import config
from acd.pbx import render


@pytest.fixture(scope="module")
def loaded() -> config.Config:
    return config.load(write_secrets=False)


@pytest.fixture(scope="module")
def files(loaded) -> dict[str, str]:
    return render.render(loaded, Path("/srv/x"))


def test_no_placeholder_left(files):
    """Every @NAME@ in every template has a value."""
    assert {
        "asterisk.conf",
        "manager.conf",
        "pjsip.conf",
        "extensions.conf",
        "modules.conf",
        "queues.conf",
        "pjsip_acd.conf",
    } <= set(files)
    for name, text in files.items():
        assert not re.search(r"@[A-Z_][A-Z0-9_]*@", text), name


def test_paths_ports_and_secrets_come_from_the_config(files, loaded):
    assert "astetcdir => /srv/x/etc" in files["asterisk.conf"]
    assert "astrundir => /srv/x/run" in files["asterisk.conf"]
    manager = files["manager.conf"]
    assert "bindaddr = 127.0.0.1" in manager and "port = 5039" in manager
    assert f"[acd]\nsecret = {loaded.ami.secret}\n" in manager
    assert f"[acd-watch]\nsecret = {loaded.ami.watch_secret}\n" in manager
    assert "bind = 127.0.0.1:5060" in files["pjsip.conf"]
    agi = f"agi://127.0.0.1:4573/{loaded.fastagi.token}"
    assert f"AGI({agi}/acd/enter)" in files["extensions.conf"]
    assert "Set(ACD_QUEUE=support)" in files["extensions.conf"]


def test_the_read_only_ami_user_can_change_nothing(files):
    watch = files["manager.conf"].split("[acd-watch]")[1]
    assert "\nwrite =\n" in watch and "permit = 127.0.0.1/255.255.255.255" in watch
    daemon = files["manager.conf"].split("[acd]")[1].split("[acd-watch]")[0]
    assert "deny = 0.0.0.0/0.0.0.0" in daemon and "permit = 127.0.0.1/255.255.255.255" in daemon


def test_the_daemons_ami_user_holds_only_the_classes_it_uses(files):
    """No `system` or `command` to write (finding 1: Originate of AGI() ran a program as root);
    `system` to read for FullyBooted (the eventfilter passes no other system event but Shutdown
    and Reload); bound to loopback, reachable from loopback only."""
    manager = files["manager.conf"]
    daemon = manager.split("[acd]")[1].split("[acd-watch]")[0]
    options = dict(line.split(" = ", 1) for line in daemon.splitlines() if " = " in line and "(" not in line)
    assert set(options["write"].split(",")) == {"call", "agent", "user", "originate"}
    assert set(options["read"].split(",")) == {"system", "call", "agent", "user", "dtmf"}
    assert "command" not in daemon and "config" not in daemon
    assert "bindaddr = 127.0.0.1" in manager.split("[acd]")[0]


def test_the_daemon_originates_only_into_contexts_the_dialplan_has(files):
    from acd.asterisk import actions

    dialplan = files["extensions.conf"]
    for context in actions.ORIGINATE_CONTEXTS | actions.REDIRECT_CONTEXTS:
        assert f"\n[{context}]\n" in dialplan, context


def test_no_variable_stands_in_for_the_agi_address_or_a_folder(files):
    """A channel variable would shadow a global: AGI(${ACD_AGI}) run with ACD_AGI set by an
    Originate's Variable header ran any program. The addresses are written inline."""
    dialplan = files["extensions.conf"]
    assert (
        "[globals]" not in dialplan and "${ACD_AGI}" not in dialplan and "${ACD_RECORDINGS}" not in dialplan
    )


def test_values_from_outside_are_filtered_before_any_application_uses_them(files):
    """Queue(${ACD_QUEUE},...) with a comma in the value would have added Queue()'s AGI argument."""
    dialplan = files["extensions.conf"]
    clean = dialplan.split("[acd-clean]")[1].split("\n[")[0]
    for name in (
        "ACD_QUEUE",
        "ACD_PREFERRED_QUEUE",
        "ACD_MAX_WAIT",
        "ACD_PRIORITY",
        "ACD_CLOSED",
        "ACD_CUSTOMER_ID",
        "ACD_SEGMENT",
        "ACD_LANGUAGE",
        "ACD_CATEGORY",
        "ACD_ACCOUNT",
        "ACD_VERIFIED",
        "ACD_IVR_STEPS",
        "ACD_ROUTED",
        "ACD_VIP",
    ):
        assert f"Set({name}=${{FILTER(" in clean, name
    for context in ("[from-trunk]", "[acd-escalated]", "[acd-queue-keys]", "[acd-callback-hold]"):
        section = dialplan.split(context)[1].split("\n[")[0]
        assert section.index("Gosub(acd-clean,s,1)") < section.index(",Queue(")
    assert "MixMonitor(/srv/x/../recordings/${ACD_RECORD_FILE},b)" not in dialplan
    assert "ChanSpy(${FILTER(" in dialplan and "Dial(PJSIP/${FILTER(0-9," in dialplan


def test_queues_have_their_agents_as_members(files):
    support = files["queues.conf"].split("[support]")[1].split("[sales]")[0]
    assert "member => PJSIP/1001,0,1001,PJSIP/1001" in support
    assert "PJSIP/1004" not in support
    assert "strategy = rrmemory" in support and "servicelevel = 20" in support


def test_an_agent_who_does_not_answer_is_paused_by_asterisk_too(files):
    """While the daemon is down nobody else pauses them (the kill -9 test's ring-no-answer)."""
    sections = files["queues.conf"].split("\n[")[2:]
    assert sections and all("autopause = all" in s and "autopausebusy = no" in s for s in sections)


def test_trunk_identified_by_address_and_port_and_phones_authenticate(files, loaded):
    pjsip = files["pjsip_acd.conf"]
    assert "match = 127.0.0.1:5080" in pjsip
    for phone in ("1001", "1002", "1003", "1004"):
        assert f"[{phone}-auth]" in pjsip and f"password = {loaded.phone(phone).password}" in pjsip


def test_missing_token_is_named():
    with pytest.raises(KeyError, match="x.conf: no value for @NOPE@"):
        render.fill("a = @NOPE@", {}, "x.conf")


def test_write_creates_the_state_folders_and_hides_secrets(tmp_path: Path, loaded):
    render.write(loaded, tmp_path)
    assert {p.name for p in tmp_path.iterdir()} >= set(render.STATE_FOLDERS)
    for path in [tmp_path, *tmp_path.rglob("*")]:  # secrets, customers' names...
        assert path.stat().st_mode & 0o007 == 0, path  # ...are nobody else's


def test_supervisor_phones_reach_the_spy_codes_and_others_are_refused(files):
    pjsip = files["pjsip_acd.conf"]
    assert "[9001]\ntype = endpoint\ntransport = transport-udp\ncontext = supervisors" in pjsip
    assert "[1001]\ntype = endpoint\ntransport = transport-udp\ncontext = phones" in pjsip
    dialplan = files["extensions.conf"]
    supervisors = dialplan.split("[supervisors]")[1].split("\n[")[0]
    assert "exten => _*22X.,1,Set(ACD_SPY_MODE=monitor)" in supervisors
    assert "Set(ACD_SPY_AGENT=${FILTER(0-9,${EXTEN:3})})" in supervisors  # digits only: no Goto elsewhere
    assert "Goto(acd-spy-ask,s,1)" in supervisors
    for context in ("[phones]", "[from-trunk]"):
        section = dialplan.split(context)[1].split("\n[")[0]
        assert "Goto(acd-spy-refused,s,1)" in section and "acd-spy-ask" not in section
    refused = dialplan.split("[acd-spy-refused]")[1].split("\n[")[0]
    assert "ChanSpy(" not in refused and "acd-spy," not in refused


def test_every_queue_call_runs_the_recording_decision_on_the_agents_leg(files, loaded):
    dialplan = files["extensions.conf"]
    queues = [line for line in dialplan.splitlines() if "Queue(" in line and not line.startswith(";")]
    assert queues and all("acd-record" in line for line in queues)
    assert "Set(LOCAL(always)=support-3)" in dialplan  # recorded even without the daemon
    features = files["features.conf"]
    agi = f"agi://127.0.0.1:4573/{loaded.fastagi.token}"
    assert f"acd_record => *1,self/callee,AGI({agi}/acd/record_demand)" in features
    assert f"acd_record_pause => *2,self/callee,AGI({agi}/acd/record_pause)" in features


def test_every_daemon_agi_is_cleared_before_and_checked_after(files):
    """AGISTATUS says SUCCESS also when a route failed half-way (issue 9, finding 4): each
    AGI() to the daemon clears ACD_AGI_OK just before and reads it just after, and no line
    of the dialplan trusts AGISTATUS any more. (acd/callback has its own proof, ACD_CALLBACK.)"""
    from acd.asterisk import channel_vars

    ok = channel_vars.AGI_OK
    lines = files["extensions.conf"].splitlines()
    daemon_agis = [i for i, line in enumerate(lines) if ",AGI(agi://" in line]
    assert len(daemon_agis) == 7
    for i in daemon_agis:
        if "/acd/callback" in lines[i]:
            assert lines[i - 1].endswith("Set(ACD_CALLBACK=)") and "ACD_CALLBACK" in lines[i + 1]
            continue
        assert lines[i - 1].endswith(f"Set({ok}=)"), lines[i]
        assert f'"${{{ok}}}"' in lines[i + 1], lines[i + 1]
    assert "AGISTATUS" not in "\n".join(line for line in lines if not line.lstrip().startswith(";"))
