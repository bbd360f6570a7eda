"""The wallboard's day: per queue and per 15-minute interval, what the wall's figures count.

Pure and folded back on a restart (a model subscriber): a restart mid-morning shows the
morning again. Waiting callers and members come from the CallCenter, agents' states from the
AgentBook (both read, never changed); this model adds the day's counters with our own written
definitions, because the tools users know disagree on them (../shared/docs/screens-and-numbers.md).

Definitions (T: the queue's `service_level` seconds; S: `wallboard.short_abandon` seconds):
- offered: callers who joined the queue (an escalated call is offered again at the next line)
- answered: calls an agent of the queue answered; answered in T: with a wait of at most T
- abandoned: callers who hung up while waiting, after waiting at least S; short abandons
  (less than S: a wrong number, a caller who changed their mind) are counted apart and
  left out of every rate below
- timed out: callers the queue's own rules sent on (max wait, no agents): neither answered
  nor abandoned here
- service level (ours) = answered in T / (answered + abandoned after T), as docs/metrics.md
  Variants, side by side: SL1 = answered in T / answered (Asterisk's ServiceLevelPerf, Wazo);
  SL2 = (answered in T + every abandon within T) / (answered + abandoned + short abandons)
  (Asterisk's ServiceLevelPerf2); SL of offered = answered in T / (offered - short abandons)
- abandon rate = abandoned / (answered + abandoned)
- ASA (average speed of answer) = sum of answered calls' waits / answered (abandons excluded)
- AHT (average handle time) = (talk, hold included, + after-call work) / calls completed, where
  after-call work is the agent's time in wrap-up after the call (counted once it ends)
- intervals: 15 minutes (`wallboard.interval`) from local midnight in config.timezone; each
  fact counts in the interval it happened in (a join when offered, an answer when answered)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from acd.core import checkpoint
from acd.core import events as ev
from acd.core.agent_book import AGENT_BOOK_EVENTS, AgentBook
from acd.core.agents import State
from acd.core.center import CENTER_EVENTS, CallCenter
from acd.core.model import Outcome

SHORT_ABANDON = 5.0
INTERVAL = 900.0
DAY = 86400.0
# what the wall takes: whatever changes the center or the agents, less what shows on neither
QUIET = frozenset({ev.DigitPressed, ev.SpyStarted, ev.SpyEnded, ev.CallbackDialled, ev.CallerAnnounced})
WALLBOARD_EVENTS = frozenset(CENTER_EVENTS | set(AGENT_BOOK_EVENTS)) - QUIET


class LocalDays(Protocol):
    """Local days in the configured zone (acd/config_journal.py Days)."""

    def start(self, at: float) -> float: ...  # local midnight on the day holding `at`
    def end(self, at: float) -> float: ...  # when that day ends (23 or 25 hours on DST days)
    def clock(self, at: float) -> float: ...  # seconds past midnight on the local wall clock


@dataclass(slots=True)
class Counts:
    """One queue's counters over a day or an interval."""

    offered: int = 0
    answered: int = 0
    answered_in_sl: int = 0
    abandoned: int = 0  # after the short-abandon threshold
    short_abandoned: int = 0
    abandoned_after_sl: int = 0  # of `abandoned`: waited longer than T
    abandoned_in_sl: int = 0  # every abandon (short ones too) within T: Asterisk's SL2 counts them
    timed_out: int = 0
    answer_wait: float = 0.0  # seconds, summed over answered calls
    completed: int = 0
    talk: float = 0.0
    wrap_up: float = 0.0

    def add(self, other: Counts) -> None:
        for name in _FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def figures(self) -> dict[str, Any]:
        """The counters and every rate the wall shows (None: nothing to divide by yet)."""
        closed = self.answered + self.abandoned
        return {
            **{name: _round(getattr(self, name)) for name in _FIELDS},
            "service_level": _share(self.answered_in_sl, self.answered + self.abandoned_after_sl),
            "sl1": _share(self.answered_in_sl, self.answered),
            "sl2": _share(self.answered_in_sl + self.abandoned_in_sl, closed + self.short_abandoned),
            "sl_offered": _share(self.answered_in_sl, self.offered - self.short_abandoned),
            "abandon_rate": _share(self.abandoned, closed),
            "asa": _share(self.answer_wait, self.answered, 1),
            "aht": _share(self.talk + self.wrap_up, self.completed, 1),
        }


_FIELDS = tuple(f.name for f in fields(Counts))


@dataclass(slots=True)
class Wrap:
    """An agent's after-call work in progress: which queue's call it belongs to, since when."""

    queue: str
    since: float


@dataclass
class Day:
    """One local day's counters: per queue, and per queue and interval number."""

    start: float
    end: float
    queues: dict[str, Counts] = field(default_factory=dict)
    intervals: dict[str, dict[int, Counts]] = field(default_factory=dict)
    handled: dict[str, int] = field(default_factory=dict)  # agent -> calls completed today


class Wallboard(checkpoint.Checkpointed):
    """Intervals are numbered by the local wall clock: on the day clocks go back, the hour
    that repeats falls into the same four intervals; on the day they go forward, one is empty."""

    def __init__(
        self,
        center: CallCenter,
        book: AgentBook,
        days: LocalDays,
        short_abandon: float = SHORT_ABANDON,
        interval: float = INTERVAL,
    ) -> None:
        self.center, self.book, self.days = center, book, days
        self.short_abandon, self.interval = short_abandon, interval
        self.day = Day(float("-inf"), float("-inf"))
        self.wraps: dict[str, Wrap] = {}
        self.changed = 0  # how many events changed what the wall shows (a version)
        self._counted: dict[type[ev.Event], Callable[[Any], None]] = {
            ev.CallerJoined: self._joined,
            ev.CallerWaiting: self._joined,
            ev.CallAnswered: self._answered,
            ev.CallCompleted: self._completed,
            ev.CallerAbandoned: self._abandoned,
            ev.QueueExited: self._exited,
        }
        self._joined_ids: set[tuple[str, str]] = set()  # (call, queue): offered once per queue

    STATE = ("day", "wraps", "changed", "_joined_ids")

    def apply(self, event: ev.Event) -> None:
        """After the center and the book have taken the event (the bus's order)."""
        if event.at >= self.day.end:
            self._new_day(event.at)
        handler = self._counted.get(type(event))
        if handler is not None:
            handler(event)
        self._close_wraps(event.at)
        self.changed += 1

    def _new_day(self, at: float) -> None:
        self.day = Day(self.days.start(at), self.days.end(at))
        self._joined_ids.clear()

    def _counts(self, queue: str, at: float) -> tuple[Counts, Counts]:
        day = self.day.queues.setdefault(queue, Counts())
        slot = self._slot(at)
        return day, self.day.intervals.setdefault(queue, {}).setdefault(slot, Counts())

    def _slot(self, at: float) -> int:
        if self.day.start <= at < self.day.end and self.day.end - self.day.start == DAY:
            return int((at - self.day.start) // self.interval)  # no clock change today: the same
        return int(self.days.clock(at) // self.interval)

    def _joined(self, event: ev.CallerJoined | ev.CallerWaiting) -> None:
        if (event.call_id, event.queue) in self._joined_ids:
            return  # found again by a resync
        self._joined_ids.add((event.call_id, event.queue))
        for counts in self._counts(event.queue, event.at):
            counts.offered += 1

    def _answered(self, event: ev.CallAnswered) -> None:
        in_sl = event.hold_time <= self.center.queue(event.queue).service_level_s
        for counts in self._counts(event.queue, event.at):
            counts.answered += 1
            counts.answered_in_sl += in_sl
            counts.answer_wait += event.hold_time

    def _completed(self, event: ev.CallCompleted) -> None:
        for counts in self._counts(event.queue, event.at):
            counts.completed += 1
            counts.talk += event.talk_time
        self.day.handled[event.agent] = self.day.handled.get(event.agent, 0) + 1
        agent = self.book.get(event.agent)
        if agent is not None and agent.state is State.WRAP_UP:
            self.wraps[event.agent] = Wrap(event.queue, event.at)

    def _abandoned(self, event: ev.CallerAbandoned) -> None:
        short = event.hold_time < self.short_abandon
        threshold = self.center.queue(event.queue).service_level_s
        for counts in self._counts(event.queue, event.at):
            if short:
                counts.short_abandoned += 1
            else:
                counts.abandoned += 1
                counts.abandoned_after_sl += event.hold_time > threshold
            counts.abandoned_in_sl += event.hold_time <= threshold

    def _exited(self, event: ev.QueueExited) -> None:
        call = self.center.calls.get(event.call_id)
        if call is not None and call.outcome is Outcome.TIMED_OUT and call.ended_at == event.at:
            for counts in self._counts(event.queue, event.at):
                counts.timed_out += 1

    def _close_wraps(self, at: float) -> None:
        """After-call work ends when the agent leaves wrap-up (ready, paused, rung, gone)."""
        for number in self.book.moved:
            wrap = self.wraps.get(number)
            agent = self.book.get(number)
            if wrap is None or agent is None or agent.state is State.WRAP_UP:
                continue
            del self.wraps[number]
            for counts in self._counts(wrap.queue, at):
                counts.wrap_up += max(0.0, at - wrap.since)

    # -- reading ------------------------------------------------------------------------------

    def snapshot(
        self,
        now: float,
        lines: Mapping[str, int],
        agents: Iterable[str],
        only: frozenset[str] | None = None,
    ) -> dict[str, Any]:
        """The wall as plain data: queues, lines, the whole center, agents, intervals.
        `lines`: queue -> line; `agents`: the agents to show; `only`: the queues to show (a
        supervisor's), else every configured queue and any other the PBX reported."""
        today = self.day.start <= now < self.day.end
        day = self.day if today else Day(self.days.start(now), self.days.end(now))
        queues = sorted(only if only is not None else set(lines) | set(day.queues))
        board = {name: self._queue(name, day, now) for name in queues}
        return {
            "at": now,
            "day_start": day.start,
            "interval": self.interval,
            "short_abandon": self.short_abandon,
            "queues": board,
            "lines": self._lines(board, lines),
            "agents": [self._agent(n, day, now) for n in agents],
            "intervals": self._series(queues, day, now),
        }

    def _states(self, members: Iterable[str]) -> dict[str, int]:
        """How many of `members` are in each state (signed-out ones left out)."""
        states: dict[str, int] = {s.value: 0 for s in State if s is not State.LOGGED_OUT}
        for number in members:
            agent = self.book.get(number)
            if agent is not None and agent.state is not State.LOGGED_OUT:
                states[agent.state.value] += 1
        return states

    def _lines(self, board: dict[str, dict[str, Any]], lines: Mapping[str, int]) -> dict[str, Any]:
        """Per line and for the whole center: the queues' figures added up, and their agents by
        state, each agent once (an agent of two queues of a line is one agent there)."""
        out = _lines(board, lines)
        for group in out.values():
            members = {n for name in group["queues"] for n in self.center.queue(name).members}
            group["agents"] = self._states(members)
        return out

    def _queue(self, name: str, day: Day, now: float) -> dict[str, Any]:
        waiting = self.center.waiting(name)
        queue = self.center.queue(name)
        states = self._states(queue.members)
        return {
            "service_level_threshold": queue.service_level_s,
            "waiting": len(waiting),
            "longest_wait": round(max((c.waited(now) for c in waiting), default=0.0), 1),
            "callers": [{"caller_id": c.caller_id, "waited": round(c.waited(now), 1)} for c in waiting],
            "agents": states,
            **day.queues.get(name, Counts()).figures(),
        }

    def _agent(self, number: str, day: Day, now: float) -> dict[str, Any]:
        agent = self.book.get(number)
        ring = self.book.calls.get(number)
        wrap_end = self.book.wrap_ends.get(number)
        state = agent.state.value if agent is not None else State.LOGGED_OUT.value
        return {
            "number": number,
            "state": state,
            "in_state": round(agent.in_state(now), 1) if agent is not None else 0.0,
            "reason": agent.reason if agent is not None else "",
            "queue": ring.queue if ring is not None else "",
            "wrap_up_left": round(max(0.0, wrap_end - now), 1)
            if wrap_end is not None and state == State.WRAP_UP.value
            else None,
            "handled": day.handled.get(number, 0),
        }

    def _series(self, queues: list[str], day: Day, now: float) -> dict[str, Any]:
        """Every interval of the day up to now, per queue and for the whole center; `starts`:
        each one's start in seconds past local midnight (wall clock)."""
        last = self._slot(min(now, day.end - 1))
        starts = [i * self.interval for i in range(last + 1)]
        series: dict[str, Any] = {"starts": starts}
        total = [Counts() for _ in starts]
        for name in queues:
            slots = day.intervals.get(name, {})
            row = [slots.get(i, Counts()) for i in range(last + 1)]
            for sum_, counts in zip(total, row):
                sum_.add(counts)
            series[name] = _columns(row)
        series["all"] = _columns(total)
        return series


def _columns(row: list[Counts]) -> dict[str, list[Any]]:
    return {
        "offered": [c.offered for c in row],
        "answered": [c.answered for c in row],
        "abandoned": [c.abandoned for c in row],
        "service_level": [_share(c.answered_in_sl, c.answered + c.abandoned_after_sl) for c in row],
    }


def _lines(board: dict[str, dict[str, Any]], lines: Mapping[str, int]) -> dict[str, Any]:
    """Per line, and for the whole center ("all"): the queues' counters added up."""
    groups: dict[str, list[str]] = {}
    for name in board:
        groups.setdefault(str(lines.get(name, 1)), []).append(name)
    groups["all"] = list(board)
    out: dict[str, Any] = {}
    for key, names in sorted(groups.items()):
        counts = Counts()
        for name in names:
            counts.add(_back(board[name]))
        out[key] = {
            "queues": names,
            "waiting": sum(board[n]["waiting"] for n in names),
            "longest_wait": max((board[n]["longest_wait"] for n in names), default=0.0),
            **counts.figures(),
        }
    return out


def _back(figures: dict[str, Any]) -> Counts:
    return Counts(**{name: figures[name] for name in _FIELDS})


def _share(part: float, whole: float, digits: int = 4) -> float | None:
    return round(part / whole, digits) if whole else None


def _round(value: float) -> float:
    return round(value, 1) if isinstance(value, float) else value


checkpoint.register(Counts, Wrap, Day)
