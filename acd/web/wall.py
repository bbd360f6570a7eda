"""The wallboard's live stream: `GET /api/wall/events`, one snapshot fanned out to every wall.

No wall polls anything: the bus tells the feed that an entry changed the wall; at most
`wallboard.updates_per_second` times a second the feed makes the snapshot, once per audience
(an admin's, each supervisor's teams', each kiosk's), encodes it once, and writes the same bytes
to every stream of that audience (acd/web/stream.py: bounded per client, cut off past
`push.client_buffer`). Each message is the whole state, `id:` the sequence number of the last
entry in it: a client that reconnects with `Last-Event-ID` gets the current state unless it
has it already, so nothing is lost or doubled. Every `push.heartbeat` seconds the walls get a
fresh snapshot (waits and times in state move on without events).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from twisted.logger import Logger

from acd.config import Config
from acd.config_people import seed_staffing
from acd.core.feed import Audience
from acd.core.journal import Entry
from acd.core.people import Person
from acd.core.staffing import Staffing
from acd.core.wallboard import Wallboard
from acd.web import sse
from acd.web.stream import Refused, Stream

log = Logger()


@dataclass(frozen=True, slots=True)
class View:
    """What one wall shows: `audience` (acd/web/push.py audience_of); a kiosk shows no
    controls and no callers' numbers."""

    audience: Audience
    kiosk: bool = False
    controls: bool = False  # listen / whisper / barge (supervisors)


@dataclass(frozen=True, slots=True)
class Link:
    """The kiosk link a wall was opened by: it lives as its maker's access."""

    id: int
    maker: str  # a person's number


class WallState:
    """The snapshot one view gets: the core's wall, limited to the view, with names added."""

    def __init__(
        self,
        config: Config,
        wall: Wallboard,
        clock: Callable[[], float] = time.time,
        staffing: Callable[[], Staffing] | None = None,  # the staff table's (None: acd.yaml's seed)
    ) -> None:
        self.config, self.wall, self.clock = config, wall, clock
        self.lines = {q.name: q.line for q in config.queues}
        seeded = seed_staffing(config)
        self.staffing = staffing or (lambda: seeded)
        settings = config.wallboard
        self.thresholds = {
            name: {"warn": band.warn, "alarm": band.alarm}
            for name, band in (
                ("service_level", settings.service_level),
                ("abandon_rate", settings.abandon_rate),
                ("longest_wait", settings.longest_wait),
                ("waiting", settings.waiting),
            )
        }

    def __call__(self, view: View) -> dict[str, Any]:
        audience = view.audience
        staffing = self.staffing()
        people = staffing.everyone
        agents = [n for n in staffing.agents if audience.queues is None or n in audience.agents]
        data = self.wall.snapshot(self.clock(), self.lines, agents, audience.queues)
        for agent in data["agents"]:
            person = people.get(agent["number"])
            agent["name"], agent["team"] = (person.name, person.team or "") if person else ("", "")
        if view.kiosk:
            for queue in data["queues"].values():
                queue["callers"] = [{"waited": c["waited"]} for c in queue["callers"]]
        data.update(
            thresholds=self.thresholds,
            timezone=self.config.timezone or "local",
            kiosk=view.kiosk,
            controls=view.controls and not view.kiosk,
        )
        return data


class WallFeed:
    """The open walls and the one snapshot per view they are sent."""

    def __init__(
        self,
        produce: Callable[[View], dict[str, Any]],
        last_seq: Callable[[], int],
        updates_per_second: float,
        client_buffer: int,
        max_viewers: int,
        max_per_kiosk: int,
        max_per_person: int,
        later: Callable[[float, Callable[[], None]], object] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.produce, self.last_seq = produce, last_seq
        self.gap, self.client_buffer, self.max_viewers = 1.0 / updates_per_second, client_buffer, max_viewers
        self.max_per_kiosk, self.max_per_person = max_per_kiosk, max_per_person
        self.streams: dict[Stream, View] = {}
        self.kiosks: dict[Stream, Link] = {}  # the kiosk link each kiosk's stream was opened by
        self.people: dict[Stream, Person] = {}  # whom each other stream was opened by (signed in)
        self.sessions: dict[Stream, str] = {}  # the cookie session it was opened by, if one
        self.counts = {"opened": 0, "snapshots": 0, "too_slow": 0, "refused_full": 0}
        self.counts.update(refused_kiosk=0, refused_person=0)
        self._later, self._clock = later or _later, clock
        self._version: int | None = None  # the last entry that changed the wall (None: since start)
        self._plain: dict[View, bytes] = {}  # this version's message per view
        self._wires: dict[tuple[View, bool], bytes] = {}  # the same, framed (chunked or not)
        self._pending = False
        self._sent_at = float("-inf")

    @property
    def version(self) -> int:
        return self._version if self._version is not None else self.last_seq()

    def changed(self, entry: Entry) -> None:
        """The bus's `wallboard push` subscriber: a fresh snapshot soon, coalesced."""
        self._version = entry.seq
        self._forget()
        if not self.streams or self._pending:
            return
        self._pending = True
        self._later(max(0.0, self._sent_at + self.gap - self._clock()), self.flush)

    def _forget(self) -> None:
        self._plain.clear()
        self._wires.clear()

    def flush(self) -> None:
        """The current snapshot to every wall that does not have it yet."""
        self._pending = False
        self._sent_at = self._clock()
        version = self.version
        for stream, view in list(self.streams.items()):
            if stream.last != version:
                stream.send(self.wire(view, stream))
                stream.last = version

    def refresh(self) -> None:
        """Every wall gets the snapshot made again now (times move on without events)."""
        self._forget()
        for stream, view in list(self.streams.items()):
            stream.send(self.wire(view, stream))
            stream.last = self.version

    def wire(self, view: View, stream: Stream) -> bytes:
        """This version's message for `view`: made and encoded once, however many walls get it."""
        key = (view, stream.chunked)
        found = self._wires.get(key)
        if found is None:
            plain = self._plain.get(view)
            if plain is None:
                self.counts["snapshots"] += 1
                plain = self._plain[view] = sse.message(self.version, "wall", self.produce(view))
            found = self._wires[key] = stream.frame(plain)
        return found

    def refusal(self, opener: Link | Person) -> Refused | None:
        """Why another wall of `opener` (a kiosk link or a signed-in person) may not open now,
        counted (None: it may)."""
        if len(self.streams) >= self.max_viewers:
            self.counts["refused_full"] += 1
            return Refused(503, "too many walls open; try again later", "full")
        if isinstance(opener, Link):
            if self.held(opener) >= self.max_per_kiosk:
                self.counts["refused_kiosk"] += 1
                why = f"this kiosk link has {self.max_per_kiosk} walls open (wallboard.max_per_kiosk)"
                return Refused(429, why, "per_kiosk", self.max_per_kiosk)
        elif self.held_by(opener.number) >= self.max_per_person:
            self.counts["refused_person"] += 1
            why = f"you have {self.max_per_person} walls open (wallboard.max_per_person); close one"
            return Refused(429, why, "per_person", self.max_per_person)
        return None

    def held(self, kiosk: Link) -> int:
        """The walls open through this link (a few: counted when one more asks)."""
        return sum(link.id == kiosk.id for link in self.kiosks.values())

    def held_by(self, number: str) -> int:
        """The walls this person opened signed in (their kiosk links' are the links' own)."""
        return sum(person.number == number for person in self.people.values())

    def open(
        self,
        request,
        view: View,
        after: int | None,
        who: str,
        opener: Link | Person,
        session: str | None = None,
    ) -> Stream:
        """A new wall: the current snapshot unless `after` says it has it already; one opened
        by the cookie session `session` (None: Basic, a kiosk) ends when that is signed out."""
        stream = Stream(request, view.audience, who, self.client_buffer, self.too_slow, self._closed)
        self.streams[stream] = view
        if isinstance(opener, Link):
            self.kiosks[stream] = opener
        else:
            self.people[stream] = opener
        if session is not None:
            self.sessions[stream] = session
        self.counts["opened"] += 1
        request.notifyFinish().addBoth(lambda _: stream.close())
        stream.start(sse.opening())
        version = self.version
        if after != version:
            stream.send(self.wire(view, stream))
        stream.last, stream.live = version, True
        return stream

    def _closed(self, stream: Stream) -> None:
        self.streams.pop(stream, None)
        self.kiosks.pop(stream, None)
        self.people.pop(stream, None)
        self.sessions.pop(stream, None)

    def signed_out(self, key: str) -> None:
        """The session `key` was signed out: the walls it opened are cut now."""
        for stream in [s for s, opened_by in self.sessions.items() if opened_by == key]:
            stream.abort()

    def close_kiosk(self, kiosk: int) -> None:
        """A revoked kiosk link: its walls are cut off now (the browser's retry is refused)."""
        for stream, opened_by in list(self.kiosks.items()):
            if opened_by.id == kiosk:
                stream.abort()

    def follow(self, view_of: Callable[[str], View | None]) -> None:
        """The staff table was read again: each kiosk's wall is its maker's view now, sent at
        once when it changed (another team); None (the maker may no longer share the wall)
        cuts it off now (its retry is refused), not only when it reconnects."""
        views: dict[str, View | None] = {}
        for stream, link in list(self.kiosks.items()):
            if link.maker not in views:
                views[link.maker] = view_of(link.maker)
            self._show(stream, views[link.maker])

    def follow_people(self, view_now: Callable[[Person], View | None]) -> None:
        """The same for the walls of signed-in people: each shows what its person may see
        now; None (disabled, a new password, no longer an admin or a supervisor) cuts it off,
        as their sessions end."""
        views: dict[tuple[str, int], View | None] = {}
        for stream, person in list(self.people.items()):
            key = (person.number, person.version)
            if key not in views:
                views[key] = view_now(person)
            self._show(stream, views[key])

    def _show(self, stream: Stream, view: View | None) -> None:
        """`view` on this wall from now on (sent at once when it changed); None cuts it off."""
        if view is None:
            stream.abort()
        elif view != self.streams.get(stream, view):
            self.streams[stream] = view
            stream.audience = view.audience
            stream.send(self.wire(view, stream))
            stream.last = self.version

    def too_slow(self, stream: Stream) -> None:
        self.counts["too_slow"] += 1
        log.warn("wallboard: {who} reads too slowly, cut off", who=stream.who)
        stream.abort()

    def stop(self) -> None:
        for stream in list(self.streams):
            stream.end()

    def snapshot(self) -> dict[str, int]:
        return {"walls": len(self.streams), **self.counts}


def _later(delay: float, call: Callable[[], None]) -> object:
    from twisted.internet import reactor  # the one cli.py installed

    return reactor.callLater(delay, call)
