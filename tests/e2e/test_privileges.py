"""Nothing of the PBX runs as root or reaches the host, no shipped secret opens anything, and
what the PBX and the engine keep is nobody else's (issue 9, findings 1 and 12)."""

from __future__ import annotations

import grp
import os
import pwd
import re
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest

from acd.asterisk.channel_vars import AGI_OK
from acd.credentials import ENGINE_GROUP
from acd.lab import sipp
from acd.pbx.users import HOST_USER, ROOTFS_USER
from tests.e2e.conftest import wait_until

pytestmark = pytest.mark.e2e
FAIL2BAN_LINE = re.compile(
    r'^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] acd\[\d+\]: '
    r'SecurityEvent="\w+",Service="[^"]+",RemoteAddress="[^"]+"'
)


def status_of(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def ami_login(config, username: str, secret: str) -> str:
    """The AMI's answer to one Login (the banner skipped)."""
    with socket.create_connection((config.ami.host, config.ami.port), timeout=5) as sock:
        sock.recv(100)
        sock.sendall(f"Action: Login\r\nUsername: {username}\r\nSecret: {secret}\r\n\r\n".encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(4096)
        return answer.decode()


def test_asterisk_runs_as_its_own_user_with_no_capabilities(pbx):
    """Not root, and not a uid some other host account owns (the rootfs's asterisk was 101,
    which is postgres on this host)."""
    status = status_of(pbx.pid())
    pbx_user = pwd.getpwnam(HOST_USER)
    assert status["Uid"].split() == [str(pbx_user.pw_uid)] * 4
    assert status["Gid"].split() == [str(grp.getgrnam(ENGINE_GROUP).gr_gid)] * 4
    assert int(status["CapEff"], 16) & ~(1 << 12) == 0  # at most CAP_NET_ADMIN (Asterisk keeps it for TOS)
    assert int(status["CapPrm"], 16) & ~(1 << 12) == 0
    assert [p.pw_name for p in pwd.getpwall() if p.pw_uid == pbx_user.pw_uid] == [HOST_USER]


def test_from_inside_the_pbx_the_host_is_out_of_reach(pbx):
    """The PBX's /proc shows only the PBX user's own processes and nothing of the host's, so
    /proc/1/root (the host's /) is not there to follow. (Asterisk itself, having dropped root,
    is not even visible to its own user: it is no longer dumpable.)"""
    probe = (
        "ls /proc; echo ---; ls /proc/1/root/ 2>&1; echo ---; ls /proc/sys 2>&1; echo ---; "
        "cat /etc/hostname /proc/self/status 2>&1 | grep -E '^Uid' "
    )
    shown = subprocess.run(
        ["chroot", f"--userspec={ROOTFS_USER}:{ENGINE_GROUP}", str(pbx.rootfs), "/bin/sh", "-c", probe],
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout
    listing, root, sysctl, whoami = shown.split("---\n")
    pids = {int(name) for name in listing.split() if name.isdigit()}
    assert pids and 1 not in pids and os.getpid() not in pids
    assert all(
        status_of(pid)["Uid"].split()[0] == str(pwd.getpwnam(HOST_USER).pw_uid)
        for pid in pids
        if Path(f"/proc/{pid}").exists()
    )  # its own shell, nobody else
    assert "No such file" in root and "No such file" in sysctl
    assert whoami.split()[1] == str(pwd.getpwnam(HOST_USER).pw_uid)


def test_the_sample_secrets_that_once_shipped_open_nothing(pbx, lab_config):
    """The old acd.yaml's AMI secret and phone password are refused, and the refusals are in
    Asterisk's security log, where fail2ban's asterisk filter reads them."""
    config, _ = lab_config
    assert "Authentication failed" in ami_login(config, config.ami.username, "acd-demo-secret")
    assert "Authentication accepted" in ami_login(config, config.ami.username, config.ami.secret)
    with pytest.raises(RuntimeError, match="REGISTER 1001 failed"):
        sipp.register(sipp.Pbx(port=config.pbx.sip.port), "1001", "phone-1001-pw", 6190, timeout=5)
    security = pbx.state_dir / "log" / "security.log"
    logged = wait_until(lambda: security.exists() and security.read_text(), 10, "Asterisk's security log")
    assert 'SecurityEvent="InvalidPassword"' in logged and 'AccountID="acd"' in logged
    assert wait_until(
        lambda: (
            'SecurityEvent="ChallengeResponseFailed"' in security.read_text()
            and 'AccountID="1001"' in security.read_text()
        ),
        10,
        "the SIP refusal logged",
    )


def test_what_the_engine_keeps_is_nobody_elses(pbx, daemon, lab_config, phones, call):
    """Secrets, rendered config, logs, queue_log, prompts with customers' names, the store and
    the recordings: no bit for other users anywhere."""
    config, _ = lab_config
    daemon.start()
    phones(talk_ms=1500, names=("1001", "1002", "1003"))
    call(["5557001"], dialled="100", patience_ms=20000)  # support: recorded in full
    wait_until(
        lambda: any(pbx.queue_log.read_text().count(v) for v in ("COMPLETEAGENT", "COMPLETECALLER")),
        30,
        "a completed call",
    )
    store = Path(config.store.url.split("///", 1)[1]).parent
    looked = 0
    for top in (config.secrets_path().parent, pbx.state_dir, config.recordings_path(), store):
        for path in [top, *top.rglob("*")]:
            if path.is_symlink() or path.is_socket():
                continue
            looked += 1
            assert stat.S_IMODE(path.stat().st_mode) & 0o007 == 0, path
    assert looked > 50
    etc = pbx.state_dir / "etc" / "manager.conf"
    assert (etc.stat().st_uid, etc.stat().st_gid) == (0, grp.getgrnam(ENGINE_GROUP).gr_gid)
    assert pbx.queue_log.stat().st_uid == pwd.getpwnam(HOST_USER).pw_uid


def test_a_fastagi_session_without_the_pbx_token_is_refused(pbx, daemon, lab_config, tmp_path):
    """Any local process could open acd/record_demand for a stranger's channel; without the
    token the session ends before any command, and the daemon's security log says so."""
    config, _ = lab_config
    security = config.security_log_path()  # the file fail2ban reads, the session's
    before = security.stat().st_size if security.exists() else 0
    daemon.start()
    for script in (f"{'x' * 32}/acd/record_demand", "acd/record_demand"):  # the second: in 10 s's count
        with socket.create_connection((config.fastagi.host, config.fastagi.port), timeout=5) as sock:
            sock.sendall(
                (
                    f"agi_network_script: {script}\nagi_channel: PJSIP/1001-00000001\n"
                    "agi_uniqueid: acd-1.1\nagi_threadid: 1\n\n"
                ).encode()
            )
            assert sock.recv(100) == b""  # closed, no command sent
    log = daemon.log_path.read_text()
    assert log.count('SecurityEvent="FastAgiBadToken"') == 1 and 'Route="acd/record_demand"' in log
    with security.open("rb") as file:
        file.seek(before)
        lines = [line for line in file.read().decode().splitlines() if "FastAgiBadToken" in line]
    assert len(lines) == 1 and all(FAIL2BAN_LINE.match(line) for line in lines), lines
    assert stat.S_IMODE(security.stat().st_mode) & 0o007 == 0


def test_a_stranger_answering_on_the_fastagi_port_cannot_add_dialplan(pbx, lab_config, phones, ami, call):
    """With the daemon down, any local process can listen on its port and answer the
    dialplan's sessions. What it sets is data: a wait with commas in it would have added
    Queue()'s AGI argument (a program run as the call is answered), a comma in a value a
    header to the PBX's events."""
    config, _ = lab_config
    evil, planted = pbx.rootfs / "tmp/acd-evil", pbx.rootfs / "var/tmp/acd-pwned"
    evil.write_text("#!/bin/sh\ntouch /var/tmp/acd-pwned\n")
    evil.chmod(0o755)
    planted.unlink(missing_ok=True)
    hostile = {
        "ACD_QUEUE": "support",
        "ACD_MAX_WAIT": "20,/tmp/acd-evil",
        "ACD_ROUTED": "squatter,Queue: sales",
        AGI_OK: "1",
    }  # it can claim success too
    squatter = _Squatter(config.fastagi.host, config.fastagi.port, hostile)
    try:
        phones(talk_ms=1500, names=("1001",))
        call(["5557101"], dialled="100", patience_ms=15000)
        routed = ami.wait(lambda e: e.get("UserEvent") == "AcdRouted", 20, "the call routed")
        ami.wait(
            lambda e: e.get("Event") == "AgentConnect" and e.get("CallerIDNum") == "5557101",
            20,
            "the call answered",
        )
        time.sleep(2)
    finally:
        squatter.close()
        evil.unlink()
    assert squatter.sessions >= 1
    assert not planted.exists()  # the program never ran
    assert (routed["Queue"], routed["Via"]) == ("support", re.sub(r"[^a-z_]", "", hostile["ACD_ROUTED"]))


class _Squatter:
    """A FastAGI 'server' somebody else started: it answers every session by setting the
    given variables, one command at a time as res_agi wants."""

    def __init__(self, host: str, port: int, values: dict[str, str]) -> None:
        import threading

        self.values, self.sessions = values, 0
        self.sock = socket.create_server((host, port))
        self.sock.settimeout(0.2)
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn, conn.makefile("rb") as reader:
                self.sessions += 1
                while reader.readline() not in (b"\n", b""):
                    pass
                for name, value in self.values.items():
                    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
                    conn.sendall(f'SET VARIABLE {name} "{quoted}"\n'.encode())
                    reader.readline()

    def close(self) -> None:
        self._stop = True
        self.thread.join(timeout=2)
        self.sock.close()
