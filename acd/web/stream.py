"""One live-push client's response: the push producer its HTTP channel pauses while the socket
is full, with a bounded queue for what it could not take yet.

After the headers, bytes go straight to the connection, framed as HTTP/1.1 chunks when the
response is chunked: a batch of events is framed once and the same bytes are written to every
stream that sees the same events (twisted's Request.write would frame it per client). While
twisted holds nothing unsent for the connection, they go to the socket at once: one send(2),
instead of a buffer, a writer registered with the loop, a send and the writer removed again,
for each of a thousand clients (bench/push_fanout.py: that was most of a fan-out's time).
Whatever the socket does not take goes to twisted's buffer, in order, as before.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from twisted.internet import defer, tcp

from acd.core.feed import Audience


@dataclass(frozen=True, slots=True)
class Refused:
    """Why a stream was not opened: the status and message, and for the pages a reason code
    and the cap (an EventSource cannot read the body; the page fetches it and words it)."""

    status: int
    error: str
    reason: Literal["full", "per_person", "per_kiosk"]
    limit: int | None = None  # how many one person or link may hold (None: the server is full)

    def body(self) -> dict[str, object]:
        found: dict[str, object] = {"error": self.error, "reason": self.reason}
        if self.limit is not None:
            found["limit"] = self.limit
        return found


def _idle(transport: Any) -> bool:
    """Connected, and twisted holds nothing unsent for it (so a send now keeps the order)."""
    return bool(
        transport.connected
        and not transport.disconnecting
        and not transport._tempDataLen
        and len(transport.dataBuffer) == transport.offset
    )


def chunk(data: bytes) -> bytes:
    """`data` as one HTTP/1.1 chunk."""
    return b"%x\r\n%s\r\n" % (len(data), data)


class Stream:
    """Writes while the socket takes bytes, queues up to `limit` bytes while it does not, and
    calls `too_slow` past that (the feed cuts the client off)."""

    def __init__(
        self,
        request,
        audience: Audience,
        who: str,
        limit: int,
        too_slow: Callable[[Stream], None],
        closed: Callable[[Stream], None],
    ) -> None:
        self.request, self.audience, self.who, self.limit = request, audience, who, limit
        self._too_slow, self._closed = too_slow, closed
        self.live = False  # takes new events (once what it missed has been sent)
        self.last = 0  # the newest sequence number sent to it, or passed over as not its own
        self.closed = False
        self.paused = bool(getattr(request.channel, "_waitingForTransport", False))
        self.queued: deque[bytes] = deque()  # framed already
        self.queued_bytes = 0
        self._waiting: list[defer.Deferred[None]] = []
        self._transport: Any = None  # the connection's, once the headers are out
        self.chunked = False
        self._direct = False
        request.registerProducer(self, True)

    def start(self, opening: bytes) -> None:
        """The headers and the first bytes, through the request; then straight to the socket."""
        self.request.write(opening)
        self.chunked = bool(getattr(self.request, "chunked", False))
        self._transport = self.request.channel.transport
        self._direct = isinstance(self._transport, tcp.Connection) and not getattr(
            self._transport, "TLS", False
        )

    def frame(self, data: bytes) -> bytes:
        return chunk(data) if self.chunked else data

    def send(self, wire: bytes) -> None:
        """`wire`: bytes framed by `frame` (shared between streams that see the same)."""
        if self.closed:
            return
        if self.paused or self.queued:
            self.queued.append(wire)
            self.queued_bytes += len(wire)
            if self.queued_bytes > self.limit:
                self._too_slow(self)
            return
        self._write(wire)

    def _write(self, data: bytes) -> None:
        transport = self._transport
        if self._direct and _idle(transport):
            try:
                sent = transport.socket.send(data)
            except OSError:  # full (EAGAIN), or broken: twisted's own write finds out
                sent = 0
            if sent == len(data):
                return
            data = data[sent:]
        transport.write(data)

    def room(self) -> defer.Deferred[None]:
        """Fires once the socket takes bytes again and nothing is queued (now, if so)."""
        if not (self.paused or self.queued) or self.closed:
            return defer.succeed(None)
        waiting: defer.Deferred[None] = defer.Deferred()
        self._waiting.append(waiting)
        return waiting

    def pauseProducing(self) -> None:
        self.paused = True

    def resumeProducing(self) -> None:
        self.paused = False
        while self.queued and not self.paused and not self.closed:
            wire = self.queued.popleft()
            self.queued_bytes -= len(wire)
            self._write(wire)  # may pause us again, synchronously
        if not (self.paused or self.queued):
            self._wake()

    def _wake(self) -> None:
        waiting, self._waiting = self._waiting, []
        for each in waiting:
            each.callback(None)

    def stopProducing(self) -> None:
        self.close()

    def abort(self) -> None:
        """Cut the connection now: nothing more is queued, twisted's buffers are freed."""
        self.close()
        transport = getattr(self.request.channel, "transport", None)
        if transport is not None:
            transport.abortConnection()

    def end(self) -> None:
        """The daemon stops: the response ends cleanly (browsers reconnect after `retry`)."""
        self.close()
        if not self.request.finished:
            self.request.unregisterProducer()
            self.request.finish()

    def close(self) -> None:
        """Forget the client and everything queued for it."""
        if self.closed:
            return
        self.closed = True
        self.queued.clear()
        self.queued_bytes = 0
        self._closed(self)
        self._wake()
