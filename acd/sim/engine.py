"""The event loop: a heap of (time, order, kind, subject) on a virtual clock.

What it models is app_queue's part: a caller joins, waits in order (waiting.py), rings the
longest-idle agent the core lets take them (tiers.eligible via pool.py), is answered after the
phone's ring, talks, and the agent does wrap-up; a caller out of patience hangs up. Every
decision the engine makes is the core's: the overflow widening by wait (tiers), the expected
wait before a callback offer (dispatch/ewt), a callback after each attempt (callbacks), a
repeat caller's ring to their last agent first (routing.last_agent_queue).
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from acd.core import callbacks, routing
from acd.core import events as ev
from acd.sim.arrivals import Arrival
from acd.sim.pool import Agent, Pool
from acd.sim.repeat import Repeats
from acd.sim.scenario import Scenario
from acd.sim.tally import Tally, total
from acd.sim.waiting import Call, State, Waiting

ARRIVE, FREE, ABANDON, OVERFLOW, OFFER, BOUNDARY, DUE, TIMEOUT, RETRY = range(9)
EPSILON = 1e-6  # an overflow event lands just past the core's threshold


@dataclass
class Result:
    interval: float
    tallies: dict[tuple[int, str], Tally]
    staffed: list[float]
    busy: list[float]

    def intervals(self) -> int:
        return max([i for i, _ in self.tallies] + [len(self.staffed) - 1]) + 1

    def tally(self, first: int = 0, last: int | None = None, queue: str | None = None) -> Tally:
        """Summed over intervals first..last (inclusive) and one queue or all."""
        end = self.intervals() - 1 if last is None else last
        return total(
            t for (i, q), t in self.tallies.items() if first <= i <= end and (queue is None or q == queue)
        )

    def occupancy(self, first: int = 0, last: int | None = None) -> float | None:
        end = len(self.staffed) - 1 if last is None else last
        staffed = sum(self.staffed[first : end + 1])
        busy = sum(self.busy[first : end + 1])
        return busy / staffed if staffed else None


class Simulation:
    """`trace`: a list to receive the core's events for every fact counted (acd/core/events.py,
    at `epoch` + the virtual clock, in the order counted, not sorted), so the engine's own
    figures (acd/core/figures.py) can be folded from a simulated day."""

    def __init__(
        self,
        scenario: Scenario,
        arrivals: Iterable[Arrival],
        rng: random.Random,
        trace: list[ev.Event] | None = None,
        epoch: float = 0.0,
    ) -> None:
        self.scenario, self.rng = scenario, rng
        self.trace, self.epoch = trace, epoch
        self.heap: list[tuple[float, int, int, object]] = []
        self.order = 0
        self.calls = 0
        self.pool = Pool(scenario)
        self.specs = {q.name: q for q in scenario.queues}
        self.lines = {q.name: q.as_line() for q in scenario.queues}
        self.waiting = {q.name: Waiting() for q in scenario.queues}
        self.tallies: dict[tuple[int, str], Tally] = {}
        self.repeats = Repeats(scenario.repeat_share)
        self.arrivals = iter(arrivals)
        self.now = 0.0
        self.handlers: dict[int, Callable[[object], None]] = {
            ARRIVE: self._arrive,  # type: ignore[dict-item]
            FREE: self._free,  # type: ignore[dict-item]
            ABANDON: self._abandon,  # type: ignore[dict-item]
            OVERFLOW: self._overflow,  # type: ignore[dict-item]
            OFFER: self._offer,  # type: ignore[dict-item]
            BOUNDARY: self._boundary,  # type: ignore[dict-item]
            DUE: self._due,  # type: ignore[dict-item]
            TIMEOUT: self._timeout,  # type: ignore[dict-item]
            RETRY: self._retry,  # type: ignore[dict-item]
        }

    def run(self) -> Result:
        plans = [len(g.staffing) for g in self.scenario.groups]
        for i in range(max([self.scenario.intervals, *plans])):  # a plan may outlast the calls
            self._at(i * self.scenario.interval, BOUNDARY, i)
        self._next_arrival()
        heap, handlers, pop = self.heap, self.handlers, heapq.heappop
        while heap:
            self.now, _, kind, subject = pop(heap)
            handlers[kind](subject)
        self.pool.close(self.now)
        seconds = self.pool.seconds
        return Result(self.scenario.interval, self.tallies, seconds.staffed, seconds.busy)

    def _at(self, time: float, kind: int, subject: object) -> None:
        self.order += 1
        heapq.heappush(self.heap, (time, self.order, kind, subject))

    def _tally(self, time: float, queue: str) -> Tally:
        key = (int(time // self.scenario.interval), queue)
        found = self.tallies.get(key)
        if found is None:
            found = self.tallies[key] = Tally()
        return found

    def _next_arrival(self) -> None:
        arrival = next(self.arrivals, None)
        if arrival is not None:
            self._at(arrival.time, ARRIVE, arrival)

    # caller side

    def _arrive(self, arrival: Arrival) -> None:
        self._next_arrival()
        patience = self.scenario.patience
        deadline = self.now + self.rng.expovariate(1.0 / patience) if patience else math.inf
        self.calls += 1
        call = Call(self.calls, arrival.queue, arrival.priority, self.now, deadline)
        call.last_agent = self.repeats.last_agent(arrival, self.rng)
        tally = self._tally(self.now, call.queue)
        tally.offered += 1
        if self.trace is not None:
            position = len(self.waiting[call.queue]) + 1
            self.trace.append(ev.CallerJoined(self.epoch + self.now, str(call.seq), call.queue, "", position))
        if call.last_agent is not None:
            tally.repeat += 1
            if routing.last_agent_queue(call.last_agent, self.pool.ready) is not None:  # the daemon's rule
                self._connect(self.pool.by_id[call.last_agent], call, personal=True)
                return
        agent = self.pool.longest_idle(self.lines[call.queue], 0.0)
        if agent is not None:
            self._connect(agent, call)
            return
        self.waiting[call.queue].add(call)
        self._schedule_waiting(call)

    def _schedule_waiting(self, call: Call) -> None:
        """What may happen to a waiting caller; once per call (a caller whose first ring went
        unanswered comes here late, some moments already past)."""
        if call.scheduled:
            return
        call.scheduled = True
        line, offer, now = self.lines[call.queue], self.scenario.callback, self.now
        if call.deadline < math.inf:
            self._at(call.deadline, ABANDON, call)
        timeout = call.arrival + self.specs[call.queue].max_wait
        if timeout < call.deadline:
            self._at(max(now, timeout), TIMEOUT, call)
        if line.overflow_to is not None:  # a booked callback outlives the caller's patience
            self._at(max(now, call.arrival + line.overflow_after + EPSILON), OVERFLOW, call)
        if offer is not None and call.arrival + offer.after < call.deadline:
            self._at(max(now, call.arrival + offer.after), OFFER, call)

    def _abandon(self, call: Call) -> None:
        if call.state is State.WAITING:
            self.waiting[call.queue].remove(call)
            self._hang_up(call, self.now)
        elif call.state is State.RINGING:  # between an unanswered ring and the next try
            self._hang_up(call, self.now)

    def _timeout(self, call: Call) -> None:
        """Queue()'s own timeout: the caller leaves for the fallback (a placeholder stays)."""
        if call.state is State.WAITING:
            self.waiting[call.queue].remove(call)
            self._timed_out(call)

    def _timed_out(self, call: Call) -> None:
        call.state = State.TIMED_OUT
        self._tally(self.now, call.queue).timed_out += 1
        if self.trace is not None:
            self.trace.append(ev.QueueExited(self.epoch + self.now, str(call.seq), call.queue, "TIMEOUT"))

    def _hang_up(self, call: Call, at: float) -> None:
        call.state = State.ABANDONED
        self._tally(at, call.queue).abandon(at - call.arrival, self.specs[call.queue].service_level)
        if self.trace is not None:
            self.trace.append(
                ev.CallerAbandoned(self.epoch + at, str(call.seq), call.queue, at - call.arrival)
            )

    def _overflow(self, call: Call) -> None:
        """The caller's wait reached the line's overflow: more agents may take them now."""
        if call.state in (State.WAITING, State.BOOKED):
            agent = self.pool.longest_idle(self.lines[call.queue], self.now - call.arrival)
            if agent is not None:
                self.waiting[call.queue].remove(call)
                self._connect(agent, call)

    def _offer(self, call: Call) -> None:
        offer = self.scenario.callback
        if call.state is not State.WAITING or offer is None:
            return
        if offer.min_ewt > 0.0:
            expected = self._expected_wait(call)  # None: nobody could take them, ever
            if expected is not None and expected < offer.min_ewt:
                return
        if self.rng.random() < offer.share:
            call.state = State.BOOKED
            position = self.waiting[call.queue].position(call)
            call.booked = callbacks.Callback(str(call.seq), "", call.queue, position, call.priority, self.now)
            self._tally(self.now, call.queue).callbacks += 1
            if self.trace is not None:
                self.trace.append(
                    ev.CallbackBooked(self.epoch + self.now, str(call.seq), call.queue, str(call.seq))
                )

    def _expected_wait(self, call: Call) -> float | None:
        """The core's estimate (dispatch.Roster.decide over ewt) for this caller now."""
        aht = self.specs[call.queue].service.aht
        free_in = self.pool.free_in(self.now, aht)
        position = self.waiting[call.queue].position(call)
        waited = self.now - call.arrival
        return self.pool.roster.decide(call.queue, waited, position, free_in, aht).expected_wait

    def _due(self, call: Call) -> None:
        """A callback's retry time: back in at the front, unless the core says it is given up."""
        offer, booked = self.scenario.callback, call.booked
        assert offer is not None and booked is not None
        if not callbacks.due(booked, self.now, offer.rules):
            call.state = State.GIVEN_UP
            self._tally(self.now, call.queue).callbacks_given_up += 1
            return
        call.state = State.BOOKED
        agent = self.pool.longest_idle(self.lines[call.queue], self.now - call.arrival)
        if agent is not None:
            self._connect(agent, call)
        else:
            self.waiting[call.queue].add(call, front=True)

    # agent side

    def _connect(self, agent: Agent, call: Call, personal: bool = False) -> None:
        """The agent rings and answers (the caller may hang up while it rings). `personal`: the
        last agent's own queue, rung alone for `last_agent_ring` seconds, then the line's queue."""
        self.pool.idle.pop(agent, None)
        agent.busy = True
        if call.state is State.BOOKED:
            self._dial_back(agent, call)
            return
        scenario = self.scenario
        unanswered = scenario.no_answer and self.rng.random() < scenario.no_answer
        if personal and (unanswered or scenario.ring >= scenario.last_agent_ring):
            self._unanswered(agent, call, scenario.last_agent_ring, 0.0)
            return
        if unanswered:
            spec = self.specs[call.queue]
            self._unanswered(agent, call, spec.ring_timeout, spec.retry)
            return
        answer = self.now + self.scenario.ring
        if call.deadline < answer:
            self._hang_up(call, call.deadline)
            self._at(call.deadline, FREE, agent)
            return
        call.state = State.ANSWERED
        spec = self.specs[call.queue]
        queued = self.now > call.arrival  # not answered by the phone that rang at once
        tally = self._tally(answer, call.queue)
        tally.answer(answer - call.arrival, spec.service_level, queued)
        if call.last_agent == agent.id:
            tally.last_agent_answered += 1
        if self.trace is not None:
            hold = answer - call.arrival
            self.trace.append(
                ev.CallAnswered(
                    self.epoch + answer, str(call.seq), call.queue, agent.id, hold, self.scenario.ring
                )
            )
        self._talk(agent, call, answer, answer - call.arrival)

    def _unanswered(self, agent: Agent, call: Call, rings: float, retry: float) -> None:
        """The agent lets it ring for `rings` (the queue's ring_timeout); the caller, still
        waiting in their place, is tried again `retry` seconds later (app_queue's timeout and
        retry; a last agent's own queue: its ring, then the line's queue at once)."""
        given_up = self.now + rings
        if call.deadline < given_up:
            self._hang_up(call, call.deadline)
            self._at(call.deadline, FREE, agent)
            return
        call.state = State.RINGING
        self._schedule_waiting(call)  # a caller rung at once waits from here on
        self._at(given_up, FREE, agent)
        self._at(given_up + retry, RETRY, call)

    def _retry(self, call: Call) -> None:
        if call.state is not State.RINGING:
            return
        call.state = State.WAITING
        if self.now - call.arrival >= self.specs[call.queue].max_wait:
            self._timed_out(call)
            return
        agent = self.pool.longest_idle(self.lines[call.queue], self.now - call.arrival)
        if agent is not None:
            self._connect(agent, call)
        else:
            self.waiting[call.queue].add(call)  # its own key: the place it had

    def _talk(self, agent: Agent, call: Call, answer: float, hold: float) -> None:
        """Talk, then the queue's wrap-up; the agent is free after both."""
        spec = self.specs[call.queue]
        talk = spec.service.draw(self.rng)
        agent.answered_at = answer
        self.repeats.noted(agent.id)
        self.pool.seconds.add(self.pool.seconds.busy, answer, answer + talk + spec.wrapup)
        self._at(answer + talk + spec.wrapup, FREE, agent)
        if self.trace is not None:
            done = ev.CallCompleted(
                self.epoch + answer + talk, str(call.seq), call.queue, agent.id, hold, talk, "agent"
            )
            self.trace.append(done)

    def _dial_back(self, agent: Agent, call: Call) -> None:
        offer, booked = self.scenario.callback, call.booked
        assert offer is not None and booked is not None
        end = self.now + offer.ring
        status = "ANSWER" if self.rng.random() < offer.answer_rate else "NOANSWER"
        call.booked = callbacks.after_attempt(booked, status, end, offer.rules)
        self.pool.seconds.add(self.pool.seconds.busy, self.now, end)
        if call.booked.status is callbacks.Status.DONE:
            call.state = State.ANSWERED
            self._tally(end, call.queue).callbacks_done += 1
            self._talk(agent, call, end, 0.0)
            return
        self._at(end, FREE, agent)
        if call.booked.status is callbacks.Status.RETRY:
            call.state = State.RETRY
            self._at(call.booked.due, DUE, call)
        else:
            call.state = State.GIVEN_UP
            self._tally(end, call.queue).callbacks_given_up += 1

    def _free(self, agent: Agent) -> None:
        agent.busy = False
        if agent.leaving:
            self.pool.leave(agent, self.now)
        else:
            self._serve_next(agent)

    def _serve_next(self, agent: Agent) -> None:
        """The agent takes the first waiting caller the core lets them take, else idles."""
        best: Call | None = None
        for queue in agent.penalties:
            found = self.waiting[queue].first_for(agent.penalties, self.lines[queue], self.now)
            if found is not None and (best is None or found.key < best.key):
                best = found
        if best is None:
            self.pool.idle[agent] = None
            return
        self.waiting[best.queue].remove(best)
        self._connect(agent, best)

    def _boundary(self, interval: int) -> None:
        for group in self.scenario.groups:
            for agent in self.pool.staff(group, group.at(interval), self.now):
                self._serve_next(agent)


def simulate(
    scenario: Scenario,
    arrivals: Iterable[Arrival],
    rng: random.Random,
    trace: list[ev.Event] | None = None,
    epoch: float = 0.0,
) -> Result:
    return Simulation(scenario, arrivals, rng, trace, epoch).run()
