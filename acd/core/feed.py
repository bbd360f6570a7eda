"""The live push's pure parts: whom an event concerns, who may see it, and the recent past.

A supervisor sees what `/api/state` shows them (acd/web/status.py team_view): their teams'
agents, the queues those agents serve, and the calls in those queues or with those agents.
Many events name only a call (a hang-up, an announcement), so the feed remembers which queues
and agents each recent call touched. An event that names nobody anyone may be shown (a
callback's dial status, a supervisor's own digits) is for admins only: unknown means no.
"""

from __future__ import annotations

import bisect
import functools
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from acd.core import events as ev
from acd.core.journal import Entry

NEUTRAL: frozenset[type[ev.Event]] = frozenset({ev.ResyncStarted, ev.ResyncFinished})
CALLS_REMEMBERED = 20_000  # calls whose queues and agents are kept; the oldest go first

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Scope:
    """Whom one event concerns."""

    agents: frozenset[str] = frozenset()
    queues: frozenset[str] = frozenset()
    neutral: bool = False  # about the link to the PBX, not about anyone (resyncs)

    def __or__(self, other: Scope) -> Scope:
        return Scope(self.agents | other.agents, self.queues | other.queues, self.neutral or other.neutral)


@dataclass(frozen=True, slots=True)
class Audience:
    """What one client may see: `queues` None is everything (an admin)."""

    agents: frozenset[str] = frozenset()
    queues: frozenset[str] | None = None

    def sees(self, scope: Scope) -> bool:
        if self.queues is None or scope.neutral:
            return True
        return not (self.agents.isdisjoint(scope.agents) and self.queues.isdisjoint(scope.queues))


class Calls:
    """The queues and agents each recent call touched, bounded (the oldest call goes first)."""

    def __init__(self, capacity: int = CALLS_REMEMBERED) -> None:
        self.capacity = capacity
        self._parties: OrderedDict[str, Scope] = OrderedDict()

    def __len__(self) -> int:
        return len(self._parties)

    def scope_of(self, event: ev.Event, learn: bool = True) -> Scope:
        """Whom `event` concerns: what it names and what its call touched before. `learn`
        keeps what it names for the call's later events (off for replays of the past).

        Runs for every event applied: most of a call's events name nothing new, so the call's
        scope is returned as it is, and what an event names is a shared, cached Scope."""
        if type(event) in NEUTRAL:
            return _NEUTRAL_SCOPE
        named = _named(
            getattr(event, "agent", ""),
            getattr(event, "queue", ""),  # the fields that name a queue (an escalation: two)
            getattr(event, "from_queue", ""),
            getattr(event, "to_queue", ""),
        )
        call = getattr(event, "call_id", "")
        if not call:
            return named
        known = self._parties.get(call)
        scope = named if known is None else _joined(known, named)
        if learn and (scope.agents or scope.queues):
            self._parties[call] = scope
            self._parties.move_to_end(call)
            while len(self._parties) > self.capacity:
                self._parties.popitem(last=False)
        return scope


_NEUTRAL_SCOPE = Scope(neutral=True)


@functools.lru_cache(maxsize=4096)  # agents and queues are the config's: few pairs recur
def _named(agent: str, *queues: str) -> Scope:
    """The Scope of what one event names (an agent, up to three queues; "" for none)."""
    return Scope(frozenset((agent,)) if agent else frozenset(), frozenset(q for q in queues if q))


def _joined(known: Scope, named: Scope) -> Scope:
    """`known | named`, without a new Scope when the event names nothing the call lacks."""
    if named.agents <= known.agents and named.queues <= known.queues:
        return known
    return known | named


@dataclass(frozen=True, slots=True)
class Kept(Generic[T]):
    """One entry in the ring, with whom it concerns and what is sent (or what it is made from)."""

    seq: int
    scope: Scope
    wire: T


class Ring(Generic[T]):
    """The most recent entries, in sequence order, bounded: what a reconnecting client missed."""

    def __init__(self, capacity: int) -> None:
        self._kept: deque[Kept[T]] = deque(maxlen=capacity)

    def __len__(self) -> int:
        return len(self._kept)

    def append(self, kept: Kept[T]) -> None:
        """Kept in sequence order. An entry may come after a later one: a subscriber ahead of
        the push that applies an event of its own, there and then, has it published first."""
        if not self._kept or kept.seq > self._kept[-1].seq:
            self._kept.append(kept)
            return
        at = bisect.bisect_left(self._kept, kept.seq, key=_seq)
        if at < len(self._kept) and self._kept[at].seq == kept.seq:
            raise ValueError(f"sequence {kept.seq} kept already")
        if len(self._kept) == self._kept.maxlen:  # full: the oldest goes, as an append would do
            if at == 0:
                return  # older than anything kept: it would be the one to go
            self._kept.popleft()
            at -= 1
        self._kept.insert(at, kept)

    @property
    def first(self) -> int | None:
        return self._kept[0].seq if self._kept else None

    def after(self, seq: int, last: int) -> list[Kept[T]] | None:
        """Every kept entry after `seq`, or None when the ring no longer reaches back to the
        entry right after it (pruned: ask the journal). `last` is the newest number given out."""
        if seq >= last:
            return []
        if not self._kept or self._kept[0].seq > seq + 1:
            return None
        start = bisect.bisect_right(self._kept, seq, key=_seq)
        return [self._kept[i] for i in range(start, len(self._kept))]


def _seq(kept: Kept[T]) -> int:
    return kept.seq


def gap(after: int, entries: Iterable[Entry]) -> bool:
    """True when `entries` (the journal's answer to `since(after)`) skip a number: the journal
    was pruned there, so the client cannot be told everything it missed."""
    expected = after + 1
    for entry in entries:
        if entry.seq != expected:
            return entry.seq > expected
        expected += 1
    return False
