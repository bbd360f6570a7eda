"""The day's figures per queue, line, agent and the whole center, per 15-minute interval.

A model subscriber after the agents book (it reads each agent's state as the book has it), so
live, after a restart (the fold) and for any past day (the same fold over that day's journal,
acd/store/figures.py) the figures come from one code path and agree. The definitions are
docs/metrics.md's; the counters are acd/core/figures_counts.py's.

Each fact counts in the interval it happened in: an offer when the caller joined, an answer
when answered, an abandon when the caller hung up, a wrap-up when it was coded; agent time is
cut at interval boundaries. A first-contact resolution is counted when a call is coded
resolved and taken back when the same customer calls again within the window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from acd.core import checkpoint
from acd.core import events as ev
from acd.core.agent_book import AGENT_BOOK_EVENTS, AgentBook
from acd.core.agents import State
from acd.core.figures_counts import Tally
from acd.core.wallboard import LocalDays

SLOT = 900.0  # seconds: the base interval; 30 and 60 minutes are sums of these
DIMENSIONS = ("center", "line", "queue", "agent")
INTERVALS = (15, 30, 60)
LEFT = frozenset({"TIMEOUT", "FULL", "JOINEMPTY", "LEAVEEMPTY", "JOINUNAVAIL", "LEAVEUNAVAIL"})
_COUNTED = (
    ev.CallRouted,
    ev.CallerJoined,
    ev.CallerWaiting,
    ev.CallAnswered,
    ev.CallCompleted,
    ev.CallerAbandoned,
    ev.QueueExited,
    ev.CallEscalated,
    ev.CallbackBooked,
    ev.CallWrappedUp,
    ev.SurveyAnswered,
)
FIGURES_EVENTS = frozenset({*_COUNTED, *AGENT_BOOK_EVENTS})  # the book's too: agents' time


@dataclass(frozen=True)
class Spec:
    """What the figures are measured against (from the config: acd/config_metrics.py)."""

    service_levels: Mapping[str, float]  # queue -> T seconds
    lines: Mapping[str, int]  # queue -> line
    short_abandon: float = 5.0
    repeat_window: float = 86400.0  # a customer's next call within this is a repeat contact
    sales_queues: frozenset[str] = frozenset()
    sale_codes: frozenset[str] = frozenset()


@dataclass(slots=True)
class Taken:
    """An answered call: where it was answered, by whom; for its wrap-up and its survey."""

    queue: str
    agent: str
    customer: str


@dataclass(slots=True)
class Resolved:
    """A first contact resolution counted, in case the customer calls again in the window."""

    at: float
    queue: str
    agent: str
    slot: int


@dataclass(slots=True)
class Presence:
    """An agent's state since when, and the queue their after-call work belongs to."""

    state: str
    since: float
    queue: str = ""


@dataclass
class DayCounts:
    start: float
    end: float
    queues: dict[str, dict[int, Tally]] = field(default_factory=dict)
    agents: dict[str, dict[int, Tally]] = field(default_factory=dict)


class Figures(checkpoint.Checkpointed):
    def __init__(self, book: AgentBook, days: LocalDays, spec: Spec) -> None:
        self.book, self.days, self.spec = book, days, spec
        self.day = DayCounts(float("-inf"), float("-inf"))
        self.offered: set[tuple[str, str]] = set()  # (call, queue): offered once per queue
        self.customers: dict[str, str] = {}  # call -> its customer (id, else caller ID)
        self.taken: dict[tuple[str, str], Taken] = {}  # (call, agent) -> where it was answered
        self.resolved: dict[str, Resolved] = {}  # customer -> their last first-contact resolution
        self.presence: dict[str, Presence] = {}  # agent -> their state since when
        self._handlers: dict[type[ev.Event], Callable[[Any], None]] = {
            ev.CallRouted: self._routed,
            ev.CallerJoined: self._joined,
            ev.CallerWaiting: self._joined,
            ev.CallAnswered: self._answered,
            ev.CallCompleted: self._completed,
            ev.CallerAbandoned: self._abandoned,
            ev.QueueExited: self._exited,
            ev.CallEscalated: self._escalated,
            ev.CallbackBooked: self._callback,
            ev.CallWrappedUp: self._coded,
            ev.SurveyAnswered: self._surveyed,
        }

    STATE = ("day", "offered", "customers", "taken", "resolved", "presence")

    def apply(self, event: ev.Event) -> None:
        if event.at >= self.day.end:
            self._new_day(event.at)
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)
        if self.book.last is event:
            for number in self.book.moved:
                self._moved(number, event.at)

    def begin(self, at: float) -> None:
        """The day holding `at` has begun, events or not (a report's day after its eve)."""
        if at >= self.day.end:
            self._new_day(at)

    def _new_day(self, at: float) -> None:
        self._close_presence(self.day.end)
        self.day = DayCounts(self.days.start(at), self.days.end(at))
        self.offered.clear()
        for presence in self.presence.values():
            presence.since = max(presence.since, self.day.start)

    # -- reading --------------------------------------------------------------------------------

    def slot(self, at: float) -> int:
        if self.day.start <= at < self.day.end and self.day.end - self.day.start == 86400.0:
            return int((at - self.day.start) // SLOT)  # no clock change today: the same
        return int(self.days.clock(at) // SLOT)

    def rows(self, by: str, minutes: int = 15, now: float | None = None) -> list[dict[str, Any]]:
        """Every (key, interval) with something counted, in time order, as docs/metrics.md's
        figures; `now` adds the agents' time in their state so far (live)."""
        if by not in DIMENSIONS or minutes not in INTERVALS:
            raise ValueError(f"no rows by {by!r} per {minutes!r} minutes")
        table = self._table(by, self.agents_until(now))
        width = minutes // 15
        out: list[dict[str, Any]] = []
        for key in sorted(table):
            grouped: dict[int, Tally] = {}
            for slot, counts in table[key].items():
                grouped.setdefault(slot // width, Tally()).add(counts)
            out += [self._row(by, key, group, width, counts) for group, counts in grouped.items()]
        return sorted(out, key=lambda r: (r["start"], r["key"]))

    def totals(self, by: str, now: float | None = None) -> dict[str, dict[str, Any]]:
        """The whole day's figures per key."""
        return {key: tally.figures() for key, tally in self.tallies(by, now).items()}

    def tallies(self, by: str, now: float | None = None) -> dict[str, Tally]:
        """The whole day's counters per key (a range's report adds its days' up)."""
        if by not in DIMENSIONS:
            raise ValueError(f"no figures by {by!r}")
        out: dict[str, Tally] = {}
        for key, slots in sorted(self._table(by, self.agents_until(now)).items()):
            total = out[key] = Tally()
            for tally in slots.values():
                total.add(tally)
        return out

    def _table(self, by: str, agents: dict[str, dict[int, Tally]]) -> dict[str, dict[int, Tally]]:
        if by == "queue":
            return self.day.queues
        if by == "agent":
            return agents
        table: dict[str, dict[int, Tally]] = {}
        for queue, slots in self.day.queues.items():
            key = "all" if by == "center" else str(self.spec.lines.get(queue, 1))
            for slot, counts in slots.items():
                table.setdefault(key, {}).setdefault(slot, Tally()).add(counts)
        if by == "center":  # agent time is the center's occupancy; per line it is not defined
            for slots in agents.values():
                for slot, counts in slots.items():
                    time = Tally(available=counts.available, busy=counts.busy, paused=counts.paused)
                    table.setdefault("all", {}).setdefault(slot, Tally()).add(time)
        return table

    def _row(self, by: str, key: str, group: int, width: int, counts: Tally) -> dict[str, Any]:
        first = group * width
        clock = int(first * SLOT)
        start = self.day.start + clock  # a day of a clock change: shifted to when the wall reads it
        start += (clock - self.days.clock(start) + 43200) % 86400 - 43200  # (by the zone's change)
        return {
            "start": start,
            "end": start + width * SLOT,
            "label": f"{clock // 3600:02d}:{clock % 3600 // 60:02d}",
            "by": by,
            "key": key,
            **counts.figures(),
        }

    def agents_until(self, now: float | None) -> dict[str, dict[int, Tally]]:  # now: live time too
        if now is None or not self.presence:
            return self.day.agents
        copy = {a: {s: _copied(c) for s, c in slots.items()} for a, slots in self.day.agents.items()}
        for number, presence in self.presence.items():
            self._add_time(copy, number, presence, min(now, self.day.end))
        return copy

    # -- calls ----------------------------------------------------------------------------------

    def _queue(self, queue: str, at: float) -> Tally:
        return self.day.queues.setdefault(queue, {}).setdefault(self.slot(at), Tally())

    def _agent(self, agent: str, at: float) -> Tally:
        return self.day.agents.setdefault(agent, {}).setdefault(self.slot(at), Tally())

    def _both(self, queue: str, agent: str, at: float) -> tuple[Tally, ...]:
        return (self._queue(queue, at), self._agent(agent, at)) if agent else (self._queue(queue, at),)

    def _routed(self, event: ev.CallRouted) -> None:
        customer = customer_of(event)
        self.customers[event.call_id] = customer
        if len(self.customers) > 200_000:  # a day's calls many times over: the oldest go
            del self.customers[next(iter(self.customers))]
        self.repeat_contact(event)

    def repeat_contact(self, event: ev.CallRouted) -> None:
        """The customer called again: a resolution they had within the window is taken back
        (today's; a past day's report replays the window after its day through this alone)."""
        customer = customer_of(event)
        earlier = self.resolved.pop(customer, None) if customer else None
        if earlier is None or event.at - earlier.at > self.spec.repeat_window:
            return
        if earlier.at < self.day.start:
            return  # an earlier day's stays counted there (its report reads this day too)
        for slots, key in ((self.day.queues, earlier.queue), (self.day.agents, earlier.agent)):
            tally = slots.get(key, {}).get(earlier.slot)
            if tally is not None and tally.first_contact > 0:
                tally.first_contact -= 1

    def _joined(self, event: ev.CallerJoined | ev.CallerWaiting) -> None:
        if (event.call_id, event.queue) not in self.offered:
            self.offered.add((event.call_id, event.queue))
            self._queue(event.queue, event.at).offered += 1

    def _answered(self, event: ev.CallAnswered) -> None:
        in_sl = event.hold_time <= self.spec.service_levels.get(event.queue, 20.0)
        for counts in self._both(event.queue, event.agent, event.at):
            counts.answered += 1
            counts.answered_in_sl += in_sl
            counts.answer_wait += event.hold_time
            counts.longest_wait = max(counts.longest_wait, event.hold_time)
        self.taken[event.call_id, event.agent] = Taken(
            event.queue, event.agent, self.customers.get(event.call_id, "")
        )
        if len(self.taken) > 200_000:  # calls nobody coded, many times a day's: the oldest go
            del self.taken[next(iter(self.taken))]

    def _completed(self, event: ev.CallCompleted) -> None:
        for counts in self._both(event.queue, event.agent, event.at):
            counts.completed += 1
            counts.talk += event.talk_time
        presence = self.presence.get(event.agent)
        if presence is not None:
            presence.queue = event.queue  # the after-call work that follows is this queue's

    def _abandoned(self, event: ev.CallerAbandoned) -> None:
        counts = self._queue(event.queue, event.at)
        if event.hold_time < self.spec.short_abandon:
            counts.short_abandoned += 1
        else:
            counts.abandoned += 1
            counts.longest_wait = max(counts.longest_wait, event.hold_time)
            counts.abandoned_after_sl += event.hold_time > self.spec.service_levels.get(event.queue, 20.0)
        counts.abandoned_in_sl += event.hold_time <= self.spec.service_levels.get(event.queue, 20.0)

    def _exited(self, event: ev.QueueExited) -> None:
        if event.status in LEFT:
            self._queue(event.queue, event.at).timed_out += 1

    def _escalated(self, event: ev.CallEscalated) -> None:
        for counts in self._both(event.from_queue, event.agent, event.at):
            counts.escalated += 1

    def _callback(self, event: ev.CallbackBooked) -> None:
        self._queue(event.queue, event.at).callbacks += 1

    def _coded(self, event: ev.CallWrappedUp) -> None:
        taken = self.taken.pop((event.call_id, event.agent), None)
        if taken is None:
            return  # not a call this agent answered (or coded already): nothing to count it against
        sale = taken.queue in self.spec.sales_queues
        for counts in self._both(taken.queue, taken.agent, event.at):
            counts.coded += 1
            counts.resolved += event.resolved
            counts.first_contact += event.resolved
            counts.sale_coded += sale
            counts.sales += sale and event.disposition in self.spec.sale_codes
        if event.resolved and taken.customer:
            self.resolved[taken.customer] = Resolved(event.at, taken.queue, taken.agent, self.slot(event.at))

    def _surveyed(self, event: ev.SurveyAnswered) -> None:
        if 1 <= event.score <= 5:
            for counts in self._both(event.queue, event.agent, event.at):
                counts.surveys += 1
                counts.survey_total += event.score

    # -- agents' time ---------------------------------------------------------------------------

    def _moved(self, number: str, at: float) -> None:
        agent = self.book.get(number)
        if agent is None:
            return
        before = self.presence.get(number)
        if before is not None and before.state == agent.state.value:
            return
        queue = before.queue if before is not None else ""
        if before is not None:
            self._add_time(self.day.agents, number, before, at)
            if before.state == State.WRAP_UP.value and before.queue:
                self._acw(before, at)
        if agent.state is State.LOGGED_OUT:
            self.presence.pop(number, None)
        else:
            self.presence[number] = Presence(agent.state.value, max(at, self.day.start), queue)

    def _acw(self, wrap: Presence, until: float) -> None:
        """After-call work counts for the queue of the call it followed, when it ends."""
        self._queue(wrap.queue, until).acw += max(0.0, until - wrap.since)

    def _close_presence(self, until: float) -> None:
        for number, presence in self.presence.items():
            self._add_time(self.day.agents, number, presence, until)

    def _add_time(
        self, table: dict[str, dict[int, Tally]], number: str, presence: Presence, until: float
    ) -> None:
        """The agent's seconds in `presence.state` up to `until`, cut at interval boundaries."""
        kind = _KIND.get(presence.state)
        start, slots = max(presence.since, self.day.start), table.setdefault(number, {})
        while kind is not None and start < until:
            slot = self.slot(start)
            edge = min(until, self._edge(start, slot))
            if edge <= start:  # a float's rounding at the boundary: no slice too thin to move on
                edge = until
            counts = slots.setdefault(slot, Tally())
            setattr(counts, kind, getattr(counts, kind) + (edge - start))
            if presence.state == State.WRAP_UP.value:
                counts.acw += edge - start
            start = edge

    def _edge(self, start: float, slot: int) -> float:
        """Where the interval holding `start` ends; on a day of a clock change the wall clock's
        intervals are not the elapsed ones from midnight (clocks change on a quarter hour)."""
        if self.day.end - self.day.start == 86400.0:
            return self.day.start + (slot + 1) * SLOT
        return start + SLOT - self.days.clock(start) % SLOT


_KIND = {
    State.READY.value: "available",
    State.RINGING.value: "available",
    State.ON_CALL.value: "busy",
    State.WRAP_UP.value: "busy",
    State.PAUSED.value: "paused",
}


def customer_of(event: ev.CallRouted) -> str:
    """Who called: the customer their number named, else the number itself ("" if withheld)."""
    if event.customer_id is not None:
        return f"id:{event.customer_id}"
    return f"cid:{event.caller_id}" if event.caller_id.strip("+").isdigit() else ""


def _copied(counts: Tally) -> Tally:
    copy = Tally()
    copy.add(counts)
    return copy


checkpoint.register(Tally, Taken, Resolved, Presence, DayCounts)
