"""sipp as the lab's phones: agents' softphones that register and answer, and carrier callers.

Used by the demo and by the end-to-end tests. Every process binds 127.0.0.1 and gets its own
media port range (sipp opens mp, mp+2 and more; overlapping ranges collide).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

SCENARIOS = Path(__file__).with_name("scenarios")
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Pbx:
    """Where the PBX listens for SIP."""

    host: str = HOST
    port: int = 5060

    @property
    def target(self) -> str:
        return f"{self.host}:{self.port}"


def register(
    pbx: Pbx, user: str, password: str, contact_port: int, expires: int = 3600, timeout: float = 10
) -> None:
    """REGISTER `user` (digest auth) with a contact on `contact_port`; raises if refused.

    `expires=0` removes the contact, so a stopped phone is not rung for a whole ring timeout.
    """
    cmd = [
        "sipp",
        "-sf",
        str(SCENARIOS / "register.xml"),
        "-s",
        user,
        "-au",
        user,
        "-ap",
        password,
        "-key",
        "contact_port",
        str(contact_port),
        "-key",
        "expires",
        str(expires),
        # its own media port: sipp's default (6000, 6002) collides with agents' SIP ports
        pbx.target,
        "-i",
        HOST,
        "-p",
        "0",
        "-mp",
        str(40000 + contact_port),
        "-m",
        "1",
        "-nostdin",
        "-timeout",
        f"{int(timeout)}s",
        "-timeout_error",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 5, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"REGISTER {user} failed (sipp exit {result.returncode})")


class Process:
    """A sipp process in the background, stopped (and its stats kept) on close."""

    def __init__(self, cmd: Sequence[str], workdir: Path, name: str) -> None:
        self.name = name
        self.workdir = workdir
        self.log = workdir / f"{name}.out"
        with open(self.log, "wb") as out:
            self.popen = subprocess.Popen(
                list(cmd),
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait(self, timeout: float) -> int:
        return self.popen.wait(timeout=timeout)

    def running(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=5)


class RegisteredPhone(Process):
    """A softphone's sipp: registered once it listens; stopping it removes the registration."""

    def __init__(
        self, pbx: Pbx, user: str, password: str, port: int, cmd: Sequence[str], workdir: Path, name: str
    ) -> None:
        self.pbx, self.user, self.password, self.port = pbx, user, password, port
        super().__init__(cmd, workdir, name)
        wait_listening(self, port)
        register(pbx, user, password, port)

    def stop(self) -> None:
        super().stop()
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            register(self.pbx, self.user, self.password, self.port, expires=0)


class AgentPhone(RegisteredPhone):
    """An agent's softphone: registered, answering every call at once, hanging up after
    `talk_ms`; stopping it also removes its registration."""

    def __init__(
        self, pbx: Pbx, workdir: Path, user: str, password: str, port: int, talk_ms: int, media_port: int
    ) -> None:
        cmd = listening_phone(SCENARIOS / "agent.xml", port, media_port, "-d", str(talk_ms))
        super().__init__(pbx, user, password, port, cmd, workdir, f"agent-{user}")


def listening_phone(scenario: Path, port: int, media_port: int, *options: str) -> list[str]:
    """sipp as a softphone that waits for calls on `port` (media from `media_port`)."""
    return [
        *("sipp", "-sf", str(scenario), "-i", HOST, "-p", str(port), "-mi", HOST, "-mp", str(media_port)),
        *options,
        *("-nostdin", "-trace_err", "-trace_stat", "-fd", "1"),
    ]


def wait_listening(process: Process, port: int, timeout: float = 5) -> None:
    """Until the sipp process has bound its UDP port (or ended, or the time is up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.running():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                return  # taken: sipp is listening
        time.sleep(0.05)


def dtmf_actions(keys: Sequence[tuple[int, str]], tone_ms: int = 100) -> str:
    """sipp actions that wait, then send digits as RFC 4733 events: [(pause_ms, "123"), ...].

    play_dtmf returns at once and a later one cancels a running one, so each pause also
    covers the previous digits' own length (400 ms lead-in + 2 x tone per digit).
    """
    out = []
    for pause_ms, digits in keys:
        if not all(d in "0123456789*#" for d in digits) or not digits:
            raise ValueError(f"not DTMF digits: {digits!r}")
        out.append(f'  <pause milliseconds="{pause_ms}"/>')
        out.append(f'  <nop><action><exec play_dtmf="{digits},{tone_ms}"/></action></nop>')
        out.append(f'  <pause milliseconds="{400 + 2 * tone_ms * (len(digits) + 1)}"/>')
    return "\n".join(out)


def callers(
    pbx: Pbx,
    workdir: Path,
    calls: Sequence[tuple[str, str]],
    *,
    trunk_port: int,
    media_port: int,
    rate: float = 1.0,
    patience_ms: int = 60000,
    name: str = "callers",
    limit: int | None = None,
    keys: Sequence[tuple[int, str]] = (),
) -> Process:
    """Place one call per (caller number, dialled number) from the carrier's port at `rate`
    calls/s; each presses `keys` (see dtmf_actions), then hangs up after `patience_ms`
    unless the agent has hung up first. Sending digits needs root (sipp's raw socket)."""
    scenario = workdir / f"{name}.xml"
    text = (SCENARIOS / "caller.xml").read_text().replace("@PATIENCE@", str(patience_ms))
    scenario.write_text(text.replace("@DIGITS@", dtmf_actions(keys)))
    calls_csv = workdir / f"{name}.csv"
    calls_csv.write_text("SEQUENTIAL\n" + "".join(f"{caller};{dialled}\n" for caller, dialled in calls))
    rate_per_minute = max(1, round(rate * 60))
    cmd = [
        "sipp",
        "-sf",
        str(scenario),
        "-inf",
        str(calls_csv),
        pbx.target,
        "-i",
        HOST,
        "-p",
        str(trunk_port),
        "-mi",
        HOST,
        "-mp",
        str(media_port),
        "-m",
        str(len(calls)),
        "-r",
        str(rate_per_minute),
        "-rp",
        "60000",
        "-l",
        str(limit or len(calls)),
        "-nostdin",
        "-trace_err",
        "-trace_stat",
        "-fd",
        "1",
        "-timeout",  # sipp's own end, whatever happens: the last call placed, waited and ended
        f"{round(len(calls) / max(rate, 0.001)) + patience_ms // 1000 + 120}s",
    ]
    return Process(cmd, workdir, name)


@contextlib.contextmanager
def workdir(prefix: str = "acd-sipp-") -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as path:
        yield Path(path)


def wait_all(processes: Sequence[Process], timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    return [p.wait(max(0.1, deadline - time.monotonic())) for p in processes]
