"""The daemon's AMI user on the real PBX holds only what the daemon uses (issue 9, finding 1):
with its own generated secret, an Originate of AGI()/System() and actions outside its
classes are refused and run nothing; it logs in by MD5 challenge, from loopback only."""

from __future__ import annotations

import hashlib
import socket
import time

import pytest

from tests.e2e.conftest import wait_until

pytestmark = pytest.mark.e2e


class Ami:
    """A bare AMI session on a socket: one action at a time, its answer as a dict."""

    def __init__(self, config, source: str = "127.0.0.1") -> None:
        self.sock = socket.socket()
        self.sock.settimeout(5)
        self.sock.bind((source, 0))
        self.sock.connect((config.ami.host, config.ami.port))
        self.buffer = b""
        while b"\r\n" not in self.buffer:
            self.buffer += self.sock.recv(100)
        self.buffer = self.buffer.split(b"\r\n", 1)[1]
        self.count = 0

    def send(self, action: str, **headers: str) -> dict[str, str]:
        self.count += 1
        lines = [f"Action: {action}", f"ActionID: t{self.count}"] + [f"{k}: {v}" for k, v in headers.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        while True:
            while b"\r\n\r\n" not in self.buffer:
                chunk = self.sock.recv(4096)
                if not chunk:
                    raise ConnectionError("the PBX closed the session")
                self.buffer += chunk
            block, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            answer = dict(line.split(": ", 1) for line in block.decode().split("\r\n") if ": " in line)
            if answer.get("ActionID") == f"t{self.count}" and "Response" in answer:
                return answer

    def login_md5(self, username: str, secret: str) -> dict[str, str]:
        challenge = self.send("Challenge", AuthType="MD5")["Challenge"]
        key = hashlib.md5((challenge + secret).encode()).hexdigest()
        return self.send("Login", AuthType="MD5", Username=username, Key=key, Events="off")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def daemon_user(pbx, lab_config):
    config, _ = lab_config
    session = Ami(config)
    assert session.login_md5(config.ami.username, config.ami.secret)["Response"] == "Success"
    yield session
    session.close()


def planted(pbx, name: str) -> list[str]:
    return [str(p) for p in (pbx.rootfs / "tmp" / name, pbx.rootfs / "var/tmp" / name) if p.exists()]


@pytest.mark.parametrize(
    "application, data",
    [
        ("AGI", "/usr/bin/touch,/tmp/acd-ami-agi"),  # the attack: no space in it
        ("System", "touch /tmp/acd-ami-system"),
        ("Exec", "System(touch /tmp/acd-ami-exec)"),
        ("EAGI", "/usr/bin/touch,/var/tmp/acd-ami-eagi"),
    ],
)
def test_originate_of_a_program_is_refused_and_runs_nothing(pbx, daemon_user, application, data):
    name = data.rsplit("/", 1)[1].rstrip(")")
    answer = daemon_user.send(
        "Originate",
        Channel="Local/announce@acd-announce/n",
        Application=application,
        Data=data,
        Async="false",
        Timeout="5000",
    )
    # Asterisk 22: "Originate Access Forbidden: app or data blacklisted" (older: "...requires
    # the additional System privilege")
    assert answer["Response"] == "Error" and (
        "Forbidden" in answer["Message"] or "System privilege" in answer["Message"]
    ), answer
    time.sleep(2)
    assert planted(pbx, name) == []


def test_originate_into_the_daemons_own_context_is_allowed(daemon_user):
    """The control: the user may originate, just not a program."""
    answer = daemon_user.send(
        "Originate",
        Channel="Local/announce@acd-announce/n",
        Context="acd-announce-whisper",
        Exten="s",
        Priority="1",
        Async="true",
        Variable="ACD_ANNOUNCE_TO=PJSIP/none-at-all",
    )
    assert answer["Response"] == "Success", answer


@pytest.mark.parametrize(
    "action, headers",
    [
        ("Command", {"Command": "core show version"}),  # command
        ("MixMonitor", {"Channel": "PJSIP/1001-00000001", "File": "/tmp/x.wav"}),  # system
        ("GetConfig", {"Filename": "manager.conf"}),  # config: the secrets
        (
            "UpdateConfig",
            {
                "SrcFilename": "extensions.conf",
                "DstFilename": "extensions.conf",
                "Action-000000": "Append",
                "Cat-000000": "from-trunk",
                "Var-000000": "exten",
                "Value-000000": "_X.,1,System(touch /tmp/x)",
            },
        ),
        ("Reload", {}),  # system, config
        ("ModuleLoad", {"Module": "res_agi.so", "LoadType": "unload"}),  # system
        ("Hangup", {"Channel": "PJSIP/nobody-00000000"}),  # system, call: allowed by call
    ],
)
def test_actions_outside_its_classes_are_refused(daemon_user, action, headers):
    answer = daemon_user.send(action, **headers)
    if action == "Hangup":
        assert "Permission denied" not in answer.get("Message", ""), answer  # the control
    else:
        assert answer["Response"] == "Error" and answer["Message"] == "Permission denied", answer


def test_only_loopback_and_only_by_challenge(pbx, lab_config, daemon):
    """From another loopback address the right secret is refused (ACL); the daemon's own
    login never sends the secret (MD5 challenge), as the PBX's security log says."""
    config, _ = lab_config
    stranger = Ami(config, source="127.0.0.2")
    try:
        refused = stranger.send("Login", Username=config.ami.username, Secret=config.ami.secret)
    except ConnectionError:
        refused = {"Response": "Error"}
    finally:
        stranger.close()
    assert refused["Response"] == "Error"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", config.ami.port), timeout=2).close()
    security = pbx.state_dir / "log" / "security.log"
    before = security.read_text() if security.exists() else ""
    daemon.start()  # waits for its AMI login and resync
    logged = wait_until(
        lambda: [
            line
            for line in security.read_text()[len(before) :].splitlines()
            if 'SecurityEvent="SuccessfulAuth"' in line and 'AccountID="acd"' in line
        ],
        10,
        "the daemon's login in the security log",
    )
    assert all('UsingPassword="0"' in line for line in logged), logged
