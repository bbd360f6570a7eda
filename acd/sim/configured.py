"""The configured center as a scenario: every queue of acd.yaml with its line, overflow, T,
wrap-up and max wait, and the configured agents grouped by their skills (queues). A staffing
plan per group replaces the config's head count; calls per interval come per queue or per
dialled number (routed by the core's routing.queue_for)."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence

from acd.config import Config
from acd.core import routing
from acd.sim import arrivals
from acd.sim.arrivals import Arrival
from acd.sim.scenario import AgentGroup, QueueSpec, Scenario, Service
from acd.sim.stats import ArrivalsFor


def group_name(skills: Iterable[str]) -> str:
    return "+".join(sorted(skills))


def queues(config: Config, service: Service) -> tuple[QueueSpec, ...]:
    return tuple(
        QueueSpec(
            q.name,
            q.line,
            q.overflow_to,
            float(q.overflow_after),
            float(q.service_level),
            float(q.wrapup),
            service,
            float(q.max_wait) if q.max_wait else math.inf,
            float(q.ring_timeout),
            float(q.retry),
        )
        for q in config.queues
    )


def groups(config: Config, plans: Mapping[str, Sequence[int]]) -> tuple[AgentGroup, ...]:
    """One group per skill set of the configured agents (their count), or as `plans` says
    (a plan may name a skill set nobody has yet: "support+support-2")."""
    counts: dict[str, int] = {}
    for agent in config.agents:
        if agent.queues:
            counts[group_name(agent.queues)] = counts.get(group_name(agent.queues), 0) + 1
    names = [*counts, *(n for n in plans if n not in counts)]
    known = {q.name for q in config.queues}
    for name in names:
        unknown = set(name.split("+")) - known
        if unknown:
            raise ValueError(f"agent group {name!r}: no queue named {', '.join(sorted(unknown))}")
    return tuple(
        AgentGroup(name, tuple(name.split("+")), tuple(plans.get(name, (counts.get(name, 0),))))
        for name in names
    )


def routed(config: Config, calls: Mapping[str, Sequence[float]]) -> dict[str, Sequence[float]]:
    """Calls per queue; a key of digits is a dialled number, routed as the daemon routes it
    (routing.queue_for: the number's queue, else the default queue)."""
    names = {q.name for q in config.queues}
    out: dict[str, list[float]] = {}
    for key, counts in calls.items():
        rules = config.routing
        queue = routing.queue_for(key, rules.numbers, rules.default_queue) if key.isdigit() else key
        if queue not in names:
            raise ValueError(f"calls for an unknown queue: {queue}")
        summed = out.setdefault(queue, [])
        summed += [0.0] * (len(counts) - len(summed))
        for i, n in enumerate(counts):
            summed[i] += n
    return dict(out)


def scenario(
    config: Config,
    calls: Mapping[str, Sequence[float]],
    plans: Mapping[str, Sequence[int]],
    service: Service,
    patience: float | None = None,
    vip_share: float = 0.0,
) -> tuple[Scenario, ArrivalsFor]:
    calls = routed(config, calls)
    intervals = max(len(c) for c in calls.values())
    built = Scenario(queues(config, service), groups(config, plans), intervals=intervals, patience=patience)

    def feed(rng: random.Random) -> Iterable[Arrival]:
        return arrivals.poisson(rng, calls, built.interval, vip_share)

    return built, feed
