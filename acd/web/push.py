"""Live push: `GET /api/events`, every journal event as it is applied, as server-sent events.

Signed-in staff only, filtered on the server (acd/core/feed.py): an admin sees every event, a
supervisor what /api/state shows them, an agent the events that name them or a call that rang
them. A client that reconnects with `Last-Event-ID` gets every event after that one, in order
and once: from the ring of recent events, else from the journal store; when neither holds them
any more it gets `event: reset` and reloads the state.

Memory is bounded per client: the feed writes to a stream only while its socket takes bytes
(the stream is the response's push producer); while it does not, messages queue up to
`push.client_buffer` bytes, and past that the client is cut off and everything it held freed.
"""

from __future__ import annotations

import asyncio
import bisect
import inspect
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from twisted.internet import defer, threads
from twisted.logger import Logger
from twisted.web import resource, server

from acd.config_push import Push
from acd.core.feed import Audience, Calls, Kept, Ring, Scope
from acd.core.feed import gap as journal_gap
from acd.core.journal import Entry
from acd.core.people import Person
from acd.core.staffing import Staffing
from acd.web import sse
from acd.web.auth import Forbidden, StaffLogin, Throttled, Unauthorized
from acd.web.base import answer, identify, session_key
from acd.web.stream import Refused, Stream

log = Logger()


class Journal(Protocol):
    """What the push reads from the journal store: the entries after `seq`, oldest first."""

    def since(self, seq: int, limit: int) -> Sequence[Entry] | Awaitable[Sequence[Entry]]: ...


class Blocking(Protocol):
    """A journal store whose reads block (acd/store/journal.py)."""

    def since(self, seq: int, limit: int) -> Sequence[Entry]: ...


class OnThread:
    """A journal whose reads block (acd/store/journal.py), read on a thread off the reactor."""

    def __init__(self, journal: Blocking) -> None:
        self.journal = journal

    def since(self, seq: int, limit: int) -> defer.Deferred[Sequence[Entry]]:
        return threads.deferToThread(self.journal.since, seq, limit)


class Feed:
    """The journal's live tail: a ring of recent events and the open streams they go to."""

    def __init__(
        self,
        settings: Push,
        last_seq: Callable[[], int],
        journal: Journal | None = None,
        soon: Callable[[Callable[[], None]], object] | None = None,
    ) -> None:
        self.settings, self.last_seq, self.journal = settings, last_seq, journal
        self.ring: Ring[Entry] = Ring(settings.ring)  # encoded only when someone is sent it
        self.calls = Calls()
        self.streams: set[Stream] = set()
        self.owners: dict[Stream, Person] = {}  # whose each stream is, as they were when it opened
        self.held: Counter[str] = Counter()  # open streams per person
        self.sessions: dict[Stream, str] = {}  # the cookie session each was opened by, if one
        self.counts = {"opened": 0, "too_slow": 0, "refused_full": 0, "refused_person": 0, "resets": 0}
        self._soon = soon or _next_turn
        self._batch: list[Kept[Entry]] = []

    def publish(self, entry: Entry) -> None:
        """The bus's `live push` subscriber: kept now, sent at the end of this reactor turn
        with the others applied in it (one write per client for a burst of AMI events)."""
        kept = Kept(entry.seq, self.calls.scope_of(entry.event), entry)
        self.ring.append(kept)
        if not self.streams:
            return  # nobody to send it to now; a client that comes back reads the ring
        if not self._batch:
            self._soon(self.flush)
        self._batch.append(kept)

    def flush(self) -> None:
        """The batch to every live stream, framed once per audience and starting point."""
        batch, self._batch = self._batch, []
        if not batch:
            return
        batch.sort(key=_seq)  # an event applied inside another's delivery was published first
        made: dict[tuple[Audience, int, bool], bytes] = {}
        wires: dict[int, bytes] = {}  # each entry encoded once, and only if someone sees it
        for stream in list(self.streams):
            if not stream.live or stream.last >= batch[-1].seq:
                continue
            start = 0 if stream.last < batch[0].seq else bisect.bisect_right(batch, stream.last, key=_seq)
            key = (stream.audience, start, stream.chunked)
            wire = made.get(key)
            if wire is None:
                wanted = [_wire(k, wires) for k in batch[start:] if stream.audience.sees(k.scope)]
                wire = made[key] = stream.frame(b"".join(wanted)) if wanted else b""
            stream.last = batch[-1].seq
            if wire:
                stream.send(wire)

    def beat(self) -> None:
        """A comment on every stream (the heartbeat): idle proxies keep it, dead peers show."""
        wire = sse.comment()
        for stream in list(self.streams):
            stream.send(stream.frame(wire))

    def refusal(self, number: str) -> Refused | None:
        """Why `number` may not open another stream now, counted (None: they may)."""
        if len(self.streams) >= self.settings.max_streams:
            self.counts["refused_full"] += 1
            return Refused(503, "too many live streams; try again later", "full")
        cap = self.settings.max_per_person
        if self.held[number] >= cap:
            self.counts["refused_person"] += 1
            why = f"you have {self.held[number]} live streams open (push.max_per_person); close one"
            return Refused(429, why, "per_person", cap)
        return None

    def open(
        self,
        request,
        audience: Audience,
        after: int | None,
        who: str,
        person: Person,
        session: str | None = None,
    ) -> Stream:
        """A stream of `person`'s (counted against push.max_per_person until it closes), opened
        by the cookie session `session` (None: Basic) and ending when that is signed out."""
        stream = Stream(request, audience, who, self.settings.client_buffer, self.too_slow, self._closed)
        self.streams.add(stream)
        self.owners[stream] = person
        if session is not None:
            self.sessions[stream] = session
        self.held[person.number] += 1
        self.counts["opened"] += 1
        request.notifyFinish().addBoth(lambda _: stream.close())
        stream.start(sse.opening())
        if after is None:
            stream.last, stream.live = self.last_seq(), True
        else:
            defer.ensureDeferred(self._resume(stream, after)).addErrback(self._resume_failed, stream)
        return stream

    def _closed(self, stream: Stream) -> None:
        """Ended, cut off or aborted: its person's slot is free again."""
        self.streams.discard(stream)
        self.sessions.pop(stream, None)
        person = self.owners.pop(stream, None)
        if person is not None:
            self.held[person.number] -= 1
            if self.held[person.number] <= 0:
                del self.held[person.number]

    def follow(self, audience_now: Callable[[Person], Audience | None]) -> None:
        """The staff table was read again: each stream sees what its person may see now, and
        a live one is told to reload the state when that changed (another team: its state
        was the old audience's); None (disabled, a new password, a role that sees no events)
        cuts it off now, as their sessions end, not only when it reconnects."""
        now: dict[tuple[str, int], Audience | None] = {}
        for stream, person in list(self.owners.items()):
            key = (person.number, person.version)
            if key not in now:
                now[key] = audience_now(person)
            audience = now[key]
            if audience is None:
                stream.abort()
            elif audience != stream.audience:
                stream.audience = audience  # a stream still catching up filters by it from here
                if stream.live:
                    self._reset(stream, "what you may see changed")

    def signed_out(self, key: str) -> None:
        """The session `key` was signed out: the streams it opened are cut now."""
        for stream in [s for s, opened_by in self.sessions.items() if opened_by == key]:
            stream.abort()

    async def _resume(self, stream: Stream, after: int) -> None:
        """Everything after `after`, then live: the ring when it reaches back that far, else the
        journal page by page until the ring does. The backlog goes out only as fast as the
        client reads it (a long absence is no slowness); the last look at the ring and going
        live are one turn of the reactor, so no event falls between them."""
        if after > self.last_seq():
            return self._reset(stream, "the stream was restarted since that event")
        cursor = after
        past = Calls(self.settings.replay_page * 4)  # the calls the journal's pages tell of
        while not stream.closed:
            kept = self.ring.after(cursor, self.last_seq())
            if kept == []:
                stream.last, stream.live = cursor, True
                return None
            if kept is None:
                page = await self._page(cursor)
                if not page or journal_gap(cursor, page):
                    return self._reset(stream, "the events after that one are no longer kept")
                backlog: list[tuple[int, Scope, bytes | Entry]] = [
                    (e.seq, past.scope_of(e.event) | self.calls.scope_of(e.event, learn=False), e)
                    for e in page
                ]
            else:
                backlog = [(k.seq, k.scope, k.wire) for k in kept]  # entries, encoded as sent
            for seq, scope, item in backlog:
                await stream.room()
                if stream.closed:
                    return None
                if stream.audience.sees(scope):
                    stream.send(stream.frame(item if isinstance(item, bytes) else sse.of_entry(item)))
                cursor = seq
        return None

    async def _page(self, cursor: int) -> Sequence[Entry]:
        if self.journal is None:
            return []
        found = self.journal.since(cursor, self.settings.replay_page)
        return await found if inspect.isawaitable(found) else found

    def _reset(self, stream: Stream, why: str) -> None:
        """The client cannot be told what it missed: it must reload the state, then go on."""
        self.counts["resets"] += 1
        last = self.last_seq()
        stream.send(stream.frame(sse.message(last, "reset", {"reason": why, "last": last})))
        stream.last, stream.live = last, True

    def _resume_failed(self, failure, stream: Stream) -> None:
        log.failure("live push: resuming a stream failed", failure)
        stream.abort()

    def too_slow(self, stream: Stream) -> None:
        self.counts["too_slow"] += 1
        log.warn(
            "live push: {who} reads too slowly ({queued} bytes queued), cut off",
            who=stream.who,
            queued=stream.queued_bytes,
        )
        stream.abort()

    def stop(self) -> None:
        """The daemon stops: every stream ends cleanly."""
        for stream in list(self.streams):
            stream.end()

    def snapshot(self) -> dict:
        return {"streams": len(self.streams), "kept": len(self.ring), **self.counts}


def _seq(kept: Kept[Entry]) -> int:
    return kept.seq


def _wire(kept: Kept[Entry], wires: dict[int, bytes]) -> bytes:
    found = wires.get(kept.seq)
    if found is None:
        found = wires[kept.seq] = sse.of_entry(kept.wire)
    return found


def _next_turn(call: Callable[[], None]) -> None:
    from twisted.internet import reactor  # the one cli.py installed, never a default one

    reactor.callLater(0, call)


def audience_of(staffing: Staffing, person: Person) -> Audience:
    """What `person` may see, as /api/state decides (acd/web/status.py team_view)."""
    if person.role == "admin":
        return Audience()
    role: str = person.role  # the staff store adds agents to the configured roles
    if role == "agent":  # their own calls: a ring (AgentRung) names them, so their desk
        return Audience(frozenset((person.number,)), frozenset())  # learns of it at once
    if person.role == "supervisor":
        agents = staffing.of_teams(person.teams)
        return Audience(agents, staffing.queues_of(agents))
    raise Forbidden(f"role {person.role!r} may not see the live events")


class Events(resource.Resource):
    """`GET /api/events`: signed in, one of the allowed roles, a stream while there is room."""

    isLeaf = True

    def __init__(self, login: StaffLogin, feed: Feed) -> None:
        super().__init__()
        self.login, self.feed = login, feed

    def render_GET(self, request) -> object:
        opened = defer.Deferred.fromFuture(asyncio.ensure_future(self._open(request)))
        opened.addErrback(lambda failure: log.failure("opening a live stream failed", failure))
        return server.NOT_DONE_YET

    async def _open(self, request) -> object:
        try:
            if request.postpath not in ([], [b""]):
                return self._error(request, 404, "not found")
            person = await identify(self.login, request)
            audience = audience_of(self.login.staffing, person)
            after = sse.resume_id(
                request.requestHeaders.getRawHeaders(b"last-event-id"), request.args.get(b"last_event_id")
            )
        except Unauthorized as why:
            return self._error(request, 401, str(why))
        except Throttled as why:
            request.setHeader(b"retry-after", str(why.retry_after).encode())
            return self._error(request, 429, str(why))
        except Forbidden as why:
            return self._error(request, 403, str(why))
        except ValueError as why:
            return self._error(request, 400, str(why))
        if request.finished or getattr(request, "_disconnected", False):
            return None  # gone while its password was checked
        refused = self.feed.refusal(person.number)
        if refused is not None:
            request.setHeader(b"retry-after", b"10")
            answer(request, [], refused.status, refused.body())
            return server.NOT_DONE_YET
        request.setHeader(b"content-type", b"text/event-stream; charset=utf-8")
        request.setHeader(b"cache-control", b"no-store")
        request.setHeader(b"x-accel-buffering", b"no")  # a reverse proxy must not hold events back
        who = f"{person.number}@{_peer(request)}"
        self.feed.open(request, audience, after, who, person, session_key(request))
        return server.NOT_DONE_YET

    def render_HEAD(self, request) -> object:
        return self._error(request, 405, "method not allowed")  # a HEAD would hold a stream open

    def _error(self, request, code: int, message: str) -> object:
        answer(request, [], code, {"error": message})
        return server.NOT_DONE_YET


def _peer(request) -> str:
    return getattr(request.getClientAddress(), "host", "") or ""
