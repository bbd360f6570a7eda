"""How many FastAGI sessions may be open at once, and how many of them not yet past the token.

Every session holds a file descriptor, and a local process need not know the token to open
one: without a cap, connections that never speak (each up to `header_timeout`) or a pile of
sessions could use every descriptor the daemon has. Over `max_connections` a connection is
closed unread. Unauthenticated connections are capped apart and lower; a full crowd of them
loses its oldest, since Asterisk's sessions send their headers at once, so a crowd of silent
connects cannot keep a call out. Floods are logged as one line per source address and
window (acd/core/floods.py): refusals, and what a session still owing the token may repeat at
will (a wrong token, bad headers, silence).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from twisted.logger import Logger

from acd import security_log
from acd.core.floods import OTHERS, Line, Sources

log = Logger(namespace="acd.asterisk.fastagi")

WINDOW = 10.0  # seconds: at most one line per kind of refusal and source address in each
MOST_ADDRESSES = 32  # source addresses tracked per kind; refusals from more are one count


@dataclass(eq=False)
class Slot:
    """One admitted session; `task` is what dropping it cancels, `remote` its source address."""

    task: asyncio.Task | None
    remote: str


Write = Callable[[int, str, dict[str, object]], object]  # count, address (OTHERS: the rest), fields


class Tally:
    """Something that may come in floods, written once per source address and window: the
    first at once, the rest as one line with their count (`Sources`); this runs the window's
    timer. `write` makes the line."""

    def __init__(self, write: Write, window: float = WINDOW, most: int = MOST_ADDRESSES) -> None:
        self.write = write
        self.window = window
        self.sources = Sources(most)
        self.timer: asyncio.TimerHandle | None = None

    def note(self, address: str, **fields: object) -> None:
        line = self.sources.note(address, fields)
        if line is not None:
            self._write(line)
        if self.timer is None:
            self._start()

    def _write(self, line: Line) -> None:
        self.write(line.count, line.address, dict(line.fields))

    def _start(self) -> None:
        self.timer = asyncio.get_running_loop().call_later(self.window, self._window_ended)

    def _window_ended(self) -> None:
        self.timer = None
        for line in self.sources.window_ended():
            self._write(line)
        if not self.sources.quiet():
            self._start()

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


def refusals(kind: str) -> Tally:
    """A security event's tally: `Refused` counts the sessions since its last line."""

    def write(count: int, address: str, fields: dict[str, object]) -> None:
        others = {"Sources": "other addresses"} if address == OTHERS else {}  # RemoteAddress="-"
        security_log.event(kind, "fastagi", address, Refused=count, **others, **fields)

    return Tally(write)


def warnings(what: str) -> Tally:
    """A daemon log warning's tally, for what strangers can repeat without the token."""

    def write(count: int, address: str, fields: dict[str, object]) -> None:
        log.warn(
            "FastAGI: {what} from {peer}: {why} ({n} since the last such line)",
            what=what,
            peer=address if address != OTHERS else "other addresses",
            why=fields.get("why", ""),
            n=count,
        )

    return Tally(write)


@dataclass(eq=False)
class Floods:
    """What sessions still owing the token may repeat at will, each written once a window."""

    bad_token: Tally = field(default_factory=lambda: refusals("FastAgiBadToken"))
    bad_request: Tally = field(default_factory=lambda: warnings("bad request"))
    timed_out: Tally = field(default_factory=lambda: warnings("timeout"))

    def stop(self) -> None:
        for tally in (self.bad_token, self.bad_request, self.timed_out):
            tally.stop()


class Gate:
    """The sessions open (`open`) and those still owing their token (`waiting`, oldest first)."""

    def __init__(self, most: int, most_unauthenticated: int) -> None:
        self.most = most
        self.most_unauthenticated = most_unauthenticated
        self.open = 0
        self.waiting: dict[Slot, None] = {}  # insertion-ordered: the oldest first
        self.over = refusals("FastAgiTooManyConnections")
        self.dropped = refusals("FastAgiTooManyUnauthenticated")

    def enter(self, remote: str) -> Slot | None:
        """A slot for the session that just connected; None when it must be closed unread."""
        if self.open >= self.most:
            self.over.note(remote, Open=self.open, Limit=self.most)
            return None
        if len(self.waiting) >= self.most_unauthenticated:
            self._drop_oldest()
        slot = Slot(asyncio.current_task(), remote)
        self.open += 1
        self.waiting[slot] = None
        return slot

    def _drop_oldest(self) -> None:
        """Its slot stays counted in `open` until its session has closed (`leave`)."""
        oldest = next(iter(self.waiting))
        del self.waiting[oldest]
        self.dropped.note(oldest.remote, Limit=self.most_unauthenticated)
        if oldest.task is not None:
            oldest.task.cancel()

    def authenticated(self, slot: Slot) -> None:
        self.waiting.pop(slot, None)

    def leave(self, slot: Slot) -> None:
        self.waiting.pop(slot, None)
        self.open -= 1

    def stop(self) -> None:
        self.over.stop()
        self.dropped.stop()
