"""A center from a handful of knobs, the CLI's and the bench's: one first-line queue fed by
calls per interval (or a recorded day's), its agents per interval, optionally a second line
that takes its callers after `overflow_after` seconds, VIPs, patience and a callback offer."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from acd.sim import arrivals
from acd.sim.arrivals import Arrival
from acd.sim.engine import Result
from acd.sim.scenario import AgentGroup, CallbackOffer, QueueSpec, Scenario, Service
from acd.sim.stats import ArrivalsFor, Estimate, summary

FIRST, SECOND = "first", "second"


@dataclass(frozen=True)
class Knobs:
    calls: tuple[float, ...]  # expected calls per interval
    agents: tuple[int, ...]  # first-line agents per interval (the last holds)
    aht: float = 180.0
    cv: float | None = None  # lognormal talk with this coefficient of variation; None: exponential
    wrapup: float = 0.0
    patience: float | None = None
    service_level: float = 20.0
    second_line: tuple[int, ...] = ()  # agents of a second line taking first-line overflow
    overflow_after: float = 30.0
    callback_after: float | None = None
    callback_share: float = 0.3
    vip_share: float = 0.0
    ring: float = 0.0
    interval: float = 900.0
    recorded: tuple[tuple[float, int], ...] = ()  # a recorded day instead: (seconds, priority)
    no_answer: float = 0.0  # share of rings an agent lets go unanswered
    repeat_share: float = 0.0  # callers whose last agent (if ready) rings first
    last_agent_ring: float = 8.0  # the config's routing.last_agent_ring


def build(knobs: Knobs) -> tuple[Scenario, ArrivalsFor]:
    service = Service(knobs.aht) if knobs.cv is None else Service(knobs.aht, "lognormal", knobs.cv)
    overflow = SECOND if knobs.second_line else None
    first = QueueSpec(FIRST, 1, overflow, knobs.overflow_after, knobs.service_level, knobs.wrapup, service)
    queues, groups = [first], [AgentGroup(FIRST, (FIRST,), knobs.agents)]
    if knobs.second_line:
        queues.append(QueueSpec(SECOND, 2, None, 30.0, knobs.service_level, knobs.wrapup, service))
        groups.append(AgentGroup(SECOND, (SECOND,), knobs.second_line))
    offer = CallbackOffer(knobs.callback_after, knobs.callback_share) if knobs.callback_after else None
    scenario = Scenario(
        tuple(queues),
        tuple(groups),
        knobs.interval,
        len(knobs.calls),
        knobs.patience,
        knobs.ring,
        offer,
        knobs.no_answer,
        knobs.repeat_share,
        knobs.last_agent_ring,
    )

    def feed(rng: random.Random) -> Iterable[Arrival]:
        if knobs.recorded:  # the same calls every replication: talk and patience vary
            return arrivals.recorded((at, FIRST, priority) for at, priority in knobs.recorded)
        return arrivals.poisson(rng, {FIRST: knobs.calls}, knobs.interval, knobs.vip_share)

    return scenario, feed


def rows(
    results: Sequence[Result], intervals: int, warmup: int = 0
) -> list[tuple[int | None, dict[str, Estimate | None]]]:
    """Per interval (after the warm-up), then the whole day (None): each figure across runs."""
    per = [(i, summary(results, i, i)) for i in range(warmup, intervals)]
    return [*per, (None, summary(results, warmup, None))]  # the day: the drain after closing too
