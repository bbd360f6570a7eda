"""The call center's state as plain data: what the status API serves and the demo draws."""

from __future__ import annotations

from typing import Any

from acd.core.agent_book import AgentBook
from acd.core.agents import State
from acd.core.center import CallCenter
from acd.core.model import ENDED, QueueState


def snapshot(
    center: CallCenter, now: float, recent: int = 50, book: AgentBook | None = None
) -> dict[str, Any]:
    """`book`: the agents' states (ready, on_call, paused, ...) join what the queues say."""
    ended = [c for c in center.calls.values() if c.outcome in ENDED]
    ended.sort(key=lambda c: c.ended_at or 0.0)
    return {
        "at": now,
        "resyncs": center.resyncs,
        "queues": {name: _queue(center, q, now) for name, q in sorted(center.queues.items())},
        "agents": _agents(center, book, now),
        "closed_per_line": {str(line): round(share, 4) for line, share in center.closed_per_line().items()},
        "calls": [c.as_dict(now) for c in center.active_calls()],
        "recent_calls": [c.as_dict(now) for c in ended[-recent:]],
    }


def _queue(center: CallCenter, queue: QueueState, now: float) -> dict[str, Any]:
    waiting = center.waiting(queue.name)
    stats = queue.stats
    return {
        "waiting": len(waiting),
        "longest_wait": round(max((c.waited(now) for c in waiting), default=0.0), 3),
        "callers": [
            {
                "call_id": c.id,
                "caller_id": c.caller_id,
                "position": c.position,
                "waited": round(c.waited(now), 3),
            }
            for c in waiting
        ],
        "members": len(queue.members),
        "available": sum(1 for m in queue.members.values() if m.available),
        "talking": sum(1 for c in center.active_calls() if c.queue == queue.name and c.agent),
        "offered": stats.offered,
        "answered": stats.answered,
        "abandoned": stats.abandoned,
        "timed_out": stats.timed_out,
        "service_level": _ratio(stats.service_level()),
        "service_level_threshold": queue.service_level_s,
        "abandon_rate": _ratio(stats.abandon_rate()),
        "average_wait": _ratio(stats.average_wait()),
        "average_talk": _ratio(stats.average_talk()),
        "completed": stats.completed,
        "escalated": stats.escalated,
        "closed": stats.closed,
    }


def _agents(center: CallCenter, book: AgentBook | None, now: float) -> dict[str, Any]:
    agents = _members(center)
    for number, agent in book.agents.items() if book is not None else ():
        if agent.state is State.LOGGED_OUT and number not in agents:
            continue
        entry = agents.setdefault(number, _member_entry(agent.interface, "unknown", False, False))
        entry.update(
            state=agent.state.value,
            since=agent.since,
            in_state=round(agent.in_state(now), 3),
            reason=agent.reason,
            pending=agent.pending,
        )
    return dict(sorted(agents.items()))


def _member_entry(interface: str, device: str, paused: bool, in_call: bool) -> dict[str, Any]:
    return {
        "interface": interface,
        "device": device,
        "paused": paused,
        "in_call": in_call,
        "queues": [],
        "calls_taken": 0,
    }


def _members(center: CallCenter) -> dict[str, dict[str, Any]]:
    agents: dict[str, dict[str, Any]] = {}
    for queue in center.queues.values():
        for number, member in queue.members.items():
            agent = agents.setdefault(
                number, _member_entry(member.interface, member.device, member.paused, member.in_call)
            )
            agent["queues"].append(queue.name)
            agent["calls_taken"] += member.calls_taken
            agent["in_call"] = agent["in_call"] or member.in_call
    return agents


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
