"""`/metrics` for Prometheus (the official client library): counters and histograms per queue
and line from the journal's events, gauges read from the core's model at scrape time.

Counters count from the process's start, as Prometheus expects of any exporter (its rate()
and increase() take a restart as a counter reset); the day's figures that survive restarts are
`acd report`'s and /api/reports'. Label values come from the configuration only (a queue the
PBX reports that acd.yaml does not name is "other"), so no wire input grows the series.
Signed-in supervisors and admins scrape it (a session, or HTTP Basic for the scraper).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from twisted.internet import defer
from twisted.web import server

from acd.config import Config
from acd.core import events as ev
from acd.core.agent_book import AgentBook
from acd.core.agents import State
from acd.core.center import CallCenter
from acd.core.journal import Entry
from acd.web.auth import Forbidden, StaffLogin
from acd.web.base import AsyncJson, _failed

CONTENT_TYPE = b"text/plain; version=0.0.4; charset=utf-8"
WAITS = (5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600)  # seconds: around the usual 20 and 30 of SL
TALKS = (30, 60, 120, 180, 300, 450, 600, 900, 1200, 1800)
ROLES = frozenset({"supervisor", "admin"})


class CallMetrics:
    """A bus subscriber (every entry): the counters and histograms of the calls."""

    def __init__(self, lines: Mapping[str, int]) -> None:
        self.lines = {name: str(line) for name, line in lines.items()}
        self.registry = CollectorRegistry(auto_describe=True)
        on: dict[str, Any] = {"registry": self.registry, "namespace": "acd"}
        where = ("queue", "line")
        self.offered = Counter("calls_offered", "Callers who joined a queue", where, **on)
        self.answered = Counter("calls_answered", "Calls an agent answered", where, **on)
        self.in_sl = Counter("calls_answered_in_sl", "Answered within the queue's service level", where, **on)
        self.abandoned = Counter("calls_abandoned", "Callers who hung up waiting", (*where, "short"), **on)
        self.timed_out = Counter("calls_timed_out", "Callers the queue sent on", where, **on)
        self.escalated = Counter("calls_escalated", "Calls sent to the next line", where, **on)
        self.callbacks = Counter("callbacks_booked", "Waiting callers who booked a callback", where, **on)
        self.surveys = Counter("survey_answers", "Survey answers by score", (*where, "score"), **on)
        self.wait = Histogram("wait_seconds", "Callers' waits", (*where, "outcome"), buckets=WAITS, **on)
        self.talk = Histogram("talk_seconds", "Talk time of completed calls", where, buckets=TALKS, **on)
        self.events = EventCounts()
        self.registry.register(self.events)
        self.service_levels: dict[str, float] = {}
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}  # (metric, labels) -> child
        self.short_abandon = 5.0
        self._counts: dict[type[ev.Event], Callable[[Any], None]] = {
            ev.CallerJoined: self._joined,
            ev.CallAnswered: self._answered,
            ev.CallerAbandoned: self._abandoned,
            ev.CallCompleted: self._completed,
            ev.QueueExited: self._exited,
            ev.CallEscalated: self._escalated,
            ev.CallbackBooked: self._callback,
            ev.SurveyAnswered: self._surveyed,
        }

    def on_entry(self, entry: Entry) -> None:
        event = entry.event
        self.events.counts[type(event)] += 1
        count = self._counts.get(type(event))
        if count is not None:
            count(event)

    def _child(self, metric: Any, *labels: str) -> Any:
        """metric.labels(*labels), kept: the client's labels() validates and locks on every
        call (3 us, the most of any subscriber's per event). The label values are bounded
        (configured queues and lines, event types), and no series is ever removed."""
        key = (id(metric), labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def _where(self, queue: str) -> tuple[str, str]:
        return (queue, self.lines[queue]) if queue in self.lines else ("other", "0")

    def _joined(self, event: ev.CallerJoined) -> None:
        self._child(self.offered, *self._where(event.queue)).inc()

    def _answered(self, event: ev.CallAnswered) -> None:
        where = self._where(event.queue)
        self._child(self.answered, *where).inc()
        if event.hold_time <= self.service_levels.get(event.queue, 20.0):
            self._child(self.in_sl, *where).inc()
        self._child(self.wait, *where, "answered").observe(event.hold_time)

    def _abandoned(self, event: ev.CallerAbandoned) -> None:
        where = self._where(event.queue)
        self._child(self.abandoned, *where, "yes" if event.hold_time < self.short_abandon else "no").inc()
        self._child(self.wait, *where, "abandoned").observe(event.hold_time)

    def _completed(self, event: ev.CallCompleted) -> None:
        self._child(self.talk, *self._where(event.queue)).observe(event.talk_time)

    def _exited(self, event: ev.QueueExited) -> None:
        if event.status in ("TIMEOUT", "FULL", "JOINEMPTY", "LEAVEEMPTY", "JOINUNAVAIL", "LEAVEUNAVAIL"):
            self._child(self.timed_out, *self._where(event.queue)).inc()

    def _escalated(self, event: ev.CallEscalated) -> None:
        self._child(self.escalated, *self._where(event.from_queue)).inc()

    def _callback(self, event: ev.CallbackBooked) -> None:
        self._child(self.callbacks, *self._where(event.queue)).inc()

    def _surveyed(self, event: ev.SurveyAnswered) -> None:
        if 1 <= event.score <= 5:
            self._child(self.surveys, *self._where(event.queue), str(event.score)).inc()


class EventCounts(Collector):
    """acd_events_total by type, kept as plain counts and read at scrape time: it counts every
    event, and the client's Counter (its lock, its checks) cost 1.5 us of each
    (bench/ami_ingest.py). Only the reactor's thread counts and scrapes."""

    def __init__(self) -> None:
        self.counts: defaultdict[type[ev.Event], int] = defaultdict(int)

    def collect(self) -> Iterable[CounterMetricFamily]:
        family = CounterMetricFamily("acd_events", "Journal events applied, by type", labels=["type"])
        for kind, count in sorted(self.counts.items(), key=lambda item: item[0].__name__):
            family.add_metric([kind.__name__], count)
        return [family]


class ModelGauges(Collector):
    """What is true now, read from the core's model at each scrape (nothing to keep in step)."""

    def __init__(
        self,
        center: CallCenter,
        book: AgentBook,
        queues: Iterable[str],
        ami_connected: Callable[[], bool],
        last_seq: Callable[[], int],
        clock: Callable[[], float],
    ) -> None:
        self.center, self.book, self.queues = center, book, tuple(queues)
        self.ami_connected, self.last_seq, self.clock = ami_connected, last_seq, clock

    def collect(self) -> Iterable[GaugeMetricFamily]:
        now = self.clock()
        waiting = GaugeMetricFamily("acd_callers_waiting", "Callers waiting now", labels=["queue"])
        longest = GaugeMetricFamily("acd_longest_wait_seconds", "The longest wait now", labels=["queue"])
        for queue in self.queues:
            callers = self.center.waiting(queue)
            waiting.add_metric([queue], len(callers))
            longest.add_metric([queue], max((c.waited(now) for c in callers), default=0.0))
        agents = GaugeMetricFamily("acd_agents", "Agents by state now", labels=["state"])
        states = {state.value: 0 for state in State}
        for agent in self.book.agents.values():
            states[agent.state.value] += 1
        for state, count in states.items():
            agents.add_metric([state], count)
        ami = GaugeMetricFamily("acd_ami_connected", "1 while the daemon is logged in to AMI")
        ami.add_metric([], 1.0 if self.ami_connected() else 0.0)
        last = GaugeMetricFamily("acd_journal_last_seq", "The journal's last sequence number")
        last.add_metric([], float(self.last_seq()))
        return [waiting, longest, agents, ami, last]


class MetricsPage(AsyncJson):
    """GET /metrics: the exposition text, for supervisors and admins only."""

    def __init__(self, login: StaffLogin, registry: CollectorRegistry) -> None:
        super().__init__(login)
        self.registry = registry

    async def get(self, request) -> object:
        person = self.person(request)
        if person.role not in ROLES:
            raise Forbidden(f"role {person.role!r} may not read the metrics")
        return generate_latest(self.registry)

    def _run(self, request, handler) -> object:
        gone: list[bool] = []
        request.notifyFinish().addErrback(lambda _: gone.append(True))
        done = defer.Deferred.fromFuture(asyncio.ensure_future(self._identified(request, handler)))
        done.addCallbacks(lambda body: _text(request, gone, body), lambda f: _failed(request, gone, f))
        return server.NOT_DONE_YET


def _text(request, gone: list, body: bytes) -> None:
    if gone or request.finished:
        return
    request.setHeader(b"content-type", CONTENT_TYPE)
    request.setHeader(b"cache-control", b"no-store")
    request.setHeader(b"content-length", str(len(body)).encode())
    request.write(body)
    request.finish()


def exporter(
    config: Config,
    center: CallCenter,
    book: AgentBook,
    ami_connected: Callable[[], bool],
    last_seq: Callable[[], int],
    clock: Callable[[], float] = time.time,
) -> CallMetrics:
    """The call metrics with the model's gauges in the same registry."""
    metrics = CallMetrics({q.name: q.line for q in config.queues})
    metrics.service_levels = {q.name: float(q.service_level) for q in config.queues}
    metrics.short_abandon = float(config.wallboard.short_abandon)
    queues = [q.name for q in config.queues]
    metrics.registry.register(ModelGauges(center, book, queues, ami_connected, last_seq, clock))
    return metrics
