"""Debian's baresip as a scripted softphone that plays a known sound and records what it hears.

Each phone is one baresip process with a config folder of its own: SIP on a loopback port,
`aufile` as its microphone (switchable during a call), `sndfile` writing the decoded audio
it receives, and `ctrl_tcp` for commands (dial, DTMF, hang up) and call events, as
netstrings of JSON. baresip binds its SIP port for UDP and TCP and the next port for TLS,
so phones need ports at least two apart.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

HOST = "127.0.0.1"
MODULES = ("g711", "aufile", "sndfile", "menu", "ctrl_tcp", "account")


class PhoneError(RuntimeError):
    """baresip refused a command, or an awaited call event did not come."""


class Softphone:
    """One baresip. `aor` is its account, e.g. <sip:1001@127.0.0.1:5160>;auth_pass=...;regint=600."""

    def __init__(
        self,
        workdir: Path,
        name: str,
        sip_port: int,
        ctrl_port: int,
        rtp_ports: tuple[int, int],
        source: Path,
        account: str,
    ) -> None:
        if shutil.which("baresip") is None:
            raise PhoneError("baresip is not installed (Debian package baresip-core)")
        self.name = name
        self.folder = workdir / f"baresip-{name}"
        self.received = self.folder / "received"
        self.received.mkdir(parents=True, exist_ok=True)
        self.ctrl_port = ctrl_port
        (self.folder / "config").write_text(_config(sip_port, ctrl_port, rtp_ports, source, self.received))
        (self.folder / "accounts").write_text(account + "\n")
        self.log = self.folder / "baresip.log"
        with open(self.log, "wb") as out:
            self.popen = subprocess.Popen(
                ["baresip", "-4", "-f", str(self.folder)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.events: list[dict] = []
        self._answers: dict[str, dict] = {}
        self._lock = threading.Condition()
        self._token = 0
        self._sock = self._connect()
        self._reader = threading.Thread(target=self._read, daemon=True, name=f"baresip-{name}")
        self._reader.start()

    # -- commands --------------------------------------------------------------------------

    def dial(self, uri: str) -> None:
        self.command("dial", uri)

    def send_digits(self, digits: str) -> None:
        """RFC 4733 events; baresip queues them itself (about 240 ms a digit)."""
        for digit in digits:
            self.command("sndcode", digit)

    def play(self, source: Path) -> None:
        """Switch the microphone to another WAV during the call."""
        self.command("ausrc", f"aufile,{source}")

    def hangup(self) -> None:
        self.command("hangup")

    def command(self, name: str, params: str = "", timeout: float = 5.0) -> dict:
        with self._lock:
            self._token += 1
            token = str(self._token)
        body = json.dumps({"command": name, "params": params, "token": token}).encode()
        self._sock.sendall(str(len(body)).encode() + b":" + body + b",")
        with self._lock:
            if not self._lock.wait_for(lambda: token in self._answers, timeout):
                raise PhoneError(f"{self.name}: no answer to {name}")
            answer = self._answers.pop(token)
        if not answer.get("ok"):
            raise PhoneError(f"{self.name}: {name} {params!r} refused: {answer.get('data')!r}")
        return answer

    # -- events ----------------------------------------------------------------------------

    def wait_event(self, kind: str, timeout: float, since: int = 0) -> dict:
        """The first call event of `kind` (CALL_ESTABLISHED, CALL_CLOSED, ...) after index `since`."""

        def found() -> dict | None:
            return next((e for e in self.events[since:] if e.get("type") == kind), None)

        with self._lock:
            if not self._lock.wait_for(lambda: found() is not None, timeout):
                raise PhoneError(f"{self.name}: no {kind} within {timeout} s; see {self.log}")
            event = found()
            assert event is not None  # the wait above saw it
            return event

    def wait_registered(self, timeout: float = 10.0) -> None:
        """Until the PBX accepted the REGISTER (baresip registers before ctrl_tcp has a client,
        so its REGISTER_OK event is never seen; its log says it)."""
        deadline = time.monotonic() + timeout
        while "200 OK" not in self.log.read_text(errors="replace"):
            if time.monotonic() > deadline or self.popen.poll() is not None:
                raise PhoneError(f"{self.name}: not registered within {timeout} s; see {self.log}")
            time.sleep(0.05)

    def recording(self) -> Path:
        """What this phone heard on its last call (finished once the call closed)."""
        heard = sorted(self.received.glob("dump-*-dec.wav"), key=lambda p: p.stat().st_mtime)
        if not heard:
            raise PhoneError(f"{self.name}: no received audio in {self.received}")
        return heard[-1]

    def stop(self) -> None:
        with contextlib.suppress(OSError, PhoneError):
            self.command("quit", timeout=2)
        try:
            self.popen.wait(timeout=3)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)
        with contextlib.suppress(OSError):
            self._sock.close()

    # -- the control connection ------------------------------------------------------------

    def _connect(self, timeout: float = 5.0) -> socket.socket:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return socket.create_connection((HOST, self.ctrl_port), timeout=1)
            except OSError:
                if self.popen.poll() is not None or time.monotonic() > deadline:
                    raise PhoneError(f"{self.name}: baresip did not start; see {self.log}") from None
                time.sleep(0.05)

    def _read(self) -> None:
        buffer = b""
        self._sock.settimeout(None)
        while True:
            try:
                chunk = self._sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while True:
                length, sep, rest = buffer.partition(b":")
                if not sep or not length.isdigit() or len(rest) < int(length) + 1:
                    break
                self._deliver(json.loads(rest[: int(length)]))
                buffer = rest[int(length) + 1 :]

    def _deliver(self, message: dict) -> None:
        with self._lock:
            if message.get("response"):
                self._answers[str(message.get("token"))] = message
            elif message.get("event"):
                message["received_at"] = time.time()
                self.events.append(message)
            self._lock.notify_all()


def _config(sip_port: int, ctrl_port: int, rtp_ports: tuple[int, int], source: Path, received: Path) -> str:
    lines = [
        f"sip_listen {HOST}:{sip_port}",
        f"net_interface {HOST}",
        f"audio_source aufile,{source}",
        "audio_player",
        "audio_srate 8000",
        "audio_channels 1",
        f"rtp_ports {rtp_ports[0]}-{rtp_ports[1]}",
        "module_path /usr/lib/baresip/modules",
        *[f"module {m}.so" for m in MODULES],
        f"ctrl_tcp_listen {HOST}:{ctrl_port}",
        f"snd_path {received}",
    ]
    return "\n".join(lines) + "\n"


def registered_account(user: str, password: str, pbx: str, answer: bool = True) -> str:
    """An account that registers with the PBX (`pbx` is host:port) and, if asked, answers at once."""
    mode = ";answermode=auto" if answer else ""
    return f"<sip:{user}@{pbx}>;auth_pass={password};regint=600;audio_codecs=PCMU{mode}"


def trunk_account(caller_id: str, sip_port: int) -> str:
    """The carrier: no registration; the PBX knows it by its address and port."""
    return f"<sip:{caller_id}@{HOST}:{sip_port}>;regint=0;audio_codecs=PCMU"
