"""A real server-sent-events client over loopback: asyncio streams, HTTP/1.1, chunked bodies."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field


@dataclass
class Message:
    id: str | None
    event: str
    data: object


@dataclass
class SseClient:
    """Reads one `/api/events` stream into `messages` (and counts comment lines)."""

    status: int = 0
    phrase: str = ""  # the status line's reason ("Too Many Requests")
    headers: dict[str, str] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    comments: int = 0
    body: bytes = b""  # everything read after the headers (a refusal's JSON)
    closed: bool = False
    _writer: asyncio.StreamWriter | None = None
    _task: asyncio.Task | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    async def open(
        cls, port: int, headers: dict[str, str], path: str = "/api/events", method: str = "GET"
    ) -> SseClient:
        client = cls()
        reader, client._writer = await asyncio.open_connection("127.0.0.1", port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept: text/event-stream"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        client._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        status, *rest = head.decode("latin-1").split("\r\n")
        _, code, client.phrase = (status.split(" ", 2) + [""])[:3]
        client.status = int(code)
        for line in rest:
            if ":" in line:
                name, value = line.split(":", 1)
                client.headers[name.strip().lower()] = value.strip()
        client._task = asyncio.ensure_future(client._read(reader))
        return client

    @property
    def ids(self) -> list[int]:
        return [int(m.id) for m in self.messages if m.id is not None and m.event != "reset"]

    async def _read(self, reader: asyncio.StreamReader) -> None:
        buffer = b""
        try:
            async for chunk in _chunks(reader, self.headers.get("transfer-encoding") == "chunked"):
                buffer += chunk
                self.body += chunk
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    self._take(block.decode())
                self._changed.set()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.closed = True
            self._changed.set()

    def _take(self, block: str) -> None:
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            if line.startswith(":"):
                self.comments += 1
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        if "data" in fields:
            self.messages.append(
                Message(fields.get("id"), fields.get("event", "message"), json.loads(fields["data"]))
            )

    async def until(self, probe, timeout: float = 5.0) -> None:
        """Wait until `probe(self)` is true (or the stream ends, or the timeout)."""

        async def wait() -> None:
            while not probe(self) and not self.closed:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(wait(), timeout)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._task is not None:
            self._task.cancel()


async def _chunks(reader: asyncio.StreamReader, chunked: bool):
    if not chunked:
        while data := await reader.read(65536):
            yield data
        return
    while True:
        size = int((await reader.readline()).split(b";")[0], 16)
        if size == 0:
            return
        yield await reader.readexactly(size)
        await reader.readline()
