"""A second AMI session for tests: what the PBX itself reports, independent of the daemon."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable


class AmiWatch:
    """Collects every event of one AMI login in a background thread."""

    def __init__(self, host: str, port: int, username: str, secret: str) -> None:
        self.events: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._sock = socket.create_connection((host, port), timeout=5)
        self._sock.sendall(f"Action: Login\r\nUsername: {username}\r\nSecret: {secret}\r\n\r\n".encode())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        buffer = b""
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                chunk = self._sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b"\r\n\r\n" in buffer:
                block, buffer = buffer.split(b"\r\n\r\n", 1)
                message = dict(
                    line.split(": ", 1)
                    for line in block.decode(errors="replace").split("\r\n")
                    if ": " in line
                )
                if "Event" in message:
                    with self._lock:
                        self.events.append(message)

    def mark(self) -> int:
        """Where the events are now: wait(..., since=mark) sees only later ones."""
        with self._lock:
            return len(self.events)

    def find(self, match: Callable[[dict[str, str]], bool], since: int = 0) -> list[dict[str, str]]:
        with self._lock:
            return [e for e in self.events[since:] if match(e)]

    def wait(
        self, match: Callable[[dict[str, str]], bool], timeout: float, what: str, since: int = 0
    ) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.find(match, since)
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"no AMI event {what} within {timeout} s")

    def call_ended(
        self, caller: Callable[[str], bool], queue: str, timeout: float, what: str
    ) -> dict[str, str]:
        """The AgentComplete that ends the call from `caller` (a test of CallerIDNum) in `queue`,
        with the call's Uniqueid. Asterisk 22 may send it bare, without the caller's snapshot
        (or either leg's, when both went first), so the call is found by its AgentConnect, and
        its end by its uniqueid, else as the next bare one from the same member."""
        deadline = time.monotonic() + timeout

        def answered(e: dict[str, str]) -> bool:
            heard = e.get("Event") == "AgentConnect" and e.get("Queue") == queue
            return heard and caller(e.get("CallerIDNum", ""))

        connect = self.wait(answered, timeout, f"{what}: answered")
        call, member = connect["Uniqueid"], connect.get("Interface")
        with self._lock:
            since = self.events.index(connect)

        def ends(e: dict[str, str]) -> bool:
            if e.get("Event") != "AgentComplete" or e.get("Queue") != queue:
                return False
            if "Uniqueid" in e or "DestLinkedid" in e:
                return call in (e.get("Uniqueid"), e.get("DestLinkedid"))
            return e.get("Interface") == member

        done = self.wait(ends, max(0.1, deadline - time.monotonic()), what, since=since)
        return {**done, "Uniqueid": call}

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=2)
