"""What the agents book keeps of each agent besides their state: the call they are rung for
or on, and the PBX's last word of them as a member of each queue (acd/core/agent_book.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Ring:
    """The call an agent is rung for or talking on, and their leg of it."""

    call_id: str
    queue: str
    leg: str = ""  # the agent channel's uniqueid ("" when the event did not carry it)


@dataclass(frozen=True, slots=True)
class Report:
    """What the PBX last said of the agent as a member of one queue."""

    interface: str
    device: str
    paused: bool
    in_call: bool
    reason: str = ""
