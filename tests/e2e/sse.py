"""A blocking server-sent-events reader for e2e tests: http.client on a thread of its own."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import threading


class Reader(threading.Thread):
    """Reads `GET /api/events` into `messages` as (id, event, data) until cut off."""

    def __init__(self, port: int, auth: tuple[str, str], last_id: int | None = None) -> None:
        super().__init__(daemon=True)
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "Accept": "text/event-stream"}
        if last_id is not None:
            self.headers["Last-Event-ID"] = str(last_id)
        self.port = port
        self.status = 0
        self.messages: list[tuple[int | None, str, dict]] = []
        self.connected = threading.Event()
        self._connection: http.client.HTTPConnection | None = None

    @property
    def ids(self) -> list[int]:
        return [seq for seq, kind, _ in self.messages if seq is not None and kind != "reset"]

    def run(self) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            self._connection.request("GET", "/api/events", headers=self.headers)
            answer = self._connection.getresponse()
            self.status = answer.status
            self.connected.set()
            block: dict[str, str] = {}
            for raw in iter(answer.readline, b""):
                line = raw.decode().rstrip("\n")
                if line:
                    name, _, value = line.partition(":")
                    block[name] = value.removeprefix(" ")
                    continue
                if "data" in block:
                    seq = int(block["id"]) if "id" in block else None
                    self.messages.append((seq, block.get("event", "message"), json.loads(block["data"])))
                block = {}
        except (OSError, http.client.HTTPException, ValueError):
            pass  # cut off
        finally:
            self.connected.set()

    def cut(self) -> None:
        """Drop the connection as a network failure would (no goodbye)."""
        if self._connection is not None and self._connection.sock is not None:
            self._connection.sock.shutdown(socket.SHUT_RDWR)
        self.join(5)
