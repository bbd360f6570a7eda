"""A day at a contact center as the core's events, made up but shaped like the PBX's: agents
log in through the morning, calls arrive all day and are answered, abandoned, time out or end
in the IVR, and at the end some callers still wait and some still talk (a kill -9 then).

For the restart test and benchmark (tests/test_restart.py, bench/restart.py): deterministic
for a seed, in the PBX's time order, with queue positions as Asterisk would give them.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator

from acd.core import events as ev

QUEUES = ("support", "sales", "billing")
HOUR = 3600.0


@dataclasses.dataclass(frozen=True)
class Shape:
    agents: int = 1000
    calls: int = 20_000  # calls the day finished
    open_calls: int = 500  # still going at the end: 2 in 5 waiting, the rest talking
    hours: float = 10.0
    queues: tuple[str, ...] = QUEUES
    seed: int = 1


def day(start: float, shape: Shape = Shape()) -> list[ev.Event]:
    """Every event of the day, in time order (ties in the order each call made them)."""
    rng = random.Random(shape.seed)
    timed: list[tuple[float, int, ev.Event]] = []
    members = _agents(start, shape, rng, timed)
    end = start + shape.hours * HOUR
    for i in range(shape.calls):
        at = rng.uniform(start + HOUR, end - 600.0)
        _call(i, at, rng.choice(shape.queues), members, rng, timed, open_at=None)
    for i in range(shape.calls, shape.calls + shape.open_calls):
        at = rng.uniform(end - 300.0, end - 5.0)
        _call(i, at, rng.choice(shape.queues), members, rng, timed, open_at=end)
    timed.sort(key=lambda t: (t[0], t[1]))
    return list(_positioned(e for _, _, e in timed))


def _add(timed: list, event: ev.Event) -> None:
    timed.append((event.at, len(timed), event))


def _agents(start: float, shape: Shape, rng: random.Random, timed: list) -> dict[str, list[str]]:
    _add(timed, ev.ResyncStarted(start))
    _add(timed, ev.ResyncFinished(start, shape.queues))
    members: dict[str, list[str]] = {q: [] for q in shape.queues}
    for a in range(shape.agents):
        agent, at = str(10_000 + a), start + 1.0 + rng.uniform(0, HOUR)
        _add(timed, ev.AgentLoggedIn(at, agent, f"PJSIP/{agent}"))
        for queue in rng.sample(shape.queues, k=min(len(shape.queues), rng.choice((1, 2)))):
            members[queue].append(agent)
            _add(timed, _member(at, queue, agent, in_call=False))
    return members


def _member(at: float, queue: str, agent: str, in_call: bool) -> ev.MemberChanged:
    device = "in_use" if in_call else "not_in_use"
    return ev.MemberChanged(at, queue, agent, f"PJSIP/{agent}", device, False, in_call, 0)


def _call(
    i: int,
    at: float,
    queue: str,
    members: dict[str, list[str]],
    rng: random.Random,
    timed: list,
    open_at: float | None,
) -> None:
    call, caller, trunk = f"1796000000.{i}", f"+3225{i:07d}", f"PJSIP/trunk-{i:08x}"
    _add(timed, ev.CallRouted(at, call, caller, "100", queue, customer_id=i % 9000 or None, candidates=1))
    fate = rng.random()
    if open_at is None and fate < 0.10:  # gone in the IVR
        _add(timed, ev.ChannelHungUp(at + rng.uniform(5, 60), call, trunk, call))
        return
    joined = at + rng.uniform(10, 40)
    _add(timed, ev.CallerJoined(joined, call, queue, caller, 1, trunk))
    wait = rng.expovariate(1 / 25.0)
    for announced in range(1, int(wait // 30) + 1):
        _add(timed, ev.CallerAnnounced(joined + 30 * announced, call, 1, 60.0))
    left = joined + wait
    if open_at is not None and (fate < 0.4 or left >= open_at):
        return  # still waiting at the end
    if open_at is None and fate < 0.18:
        _add(timed, ev.CallerAbandoned(left, call, queue, wait))
        _add(timed, ev.ChannelHungUp(left, call, trunk, call))
        return
    if open_at is None and fate < 0.20:
        _add(timed, ev.CallerLeft(left, call, queue))
        _add(timed, ev.QueueExited(left, call, queue, "TIMEOUT"))
        _add(timed, ev.ChannelHungUp(left + 1, call, trunk, call))
        return
    agent = rng.choice(members[queue])
    leg, leg_id = f"PJSIP/{agent}-{i:08x}", f"{call}1"
    _add(timed, ev.AgentRung(left - 2, call, queue, agent, leg, leg_id))
    _add(timed, ev.CallerLeft(left, call, queue))
    _add(timed, ev.CallAnswered(left, call, queue, agent, wait, 2.0, leg, leg_id))
    _add(timed, _member(left, queue, agent, in_call=True))
    talk = rng.uniform(60, 600)
    if open_at is not None and left + talk >= open_at:
        return  # still talking at the end
    ended = left + talk
    _add(timed, ev.CallCompleted(ended, call, queue, agent, wait, talk, rng.choice(("caller", "agent"))))
    _add(timed, ev.ChannelHungUp(ended, call, trunk, call))
    _add(timed, ev.ChannelHungUp(ended, leg_id, leg, call))
    _add(timed, _member(ended, queue, agent, in_call=False))
    _add(timed, ev.AgentWrappedUp(ended + 10, agent))


def _positioned(events: Iterator[ev.Event]) -> Iterator[ev.Event]:
    """Give joiners the place Asterisk would (last in line), announcements the caller's."""
    waiting: dict[str, list[str]] = {}
    for made in events:
        event = made
        if isinstance(made, ev.CallerJoined):
            line = waiting.setdefault(made.queue, [])
            line.append(made.call_id)
            event = dataclasses.replace(made, position=len(line))
        elif isinstance(made, ev.CallerAnnounced):
            found = next((q for q in waiting.values() if made.call_id in q), None)
            if found is None:
                continue  # answered before this announcement would have played
            event = dataclasses.replace(made, position=found.index(made.call_id) + 1)
        elif isinstance(made, (ev.CallerLeft, ev.CallerAbandoned)):
            line = waiting.get(made.queue, [])
            if made.call_id in line:
                line.remove(made.call_id)
        yield event
