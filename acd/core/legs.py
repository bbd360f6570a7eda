"""Agents' live call legs, as the PBX reported them: what an in-call code may act on.

A FastAGI session names its channel itself (agi_channel, agi_uniqueid); anyone holding the
token could name a stranger's. So a route that records, mutes or redirects a call first finds
the session's channel here: rung by a queue (AgentCalled) or answered (AgentConnect), not
hung up since, and with the same name under the same uniqueid.
"""

from __future__ import annotations

from dataclasses import dataclass

from acd.core import checkpoint
from acd.core import events as ev


@dataclass(frozen=True, slots=True)
class Leg:
    channel_id: str  # the agent channel's uniqueid
    channel: str  # its name, e.g. PJSIP/1001-00000002
    agent: str
    call_id: str  # the caller's channel's uniqueid (the call)
    answered: bool = False


LEG_EVENTS = frozenset({ev.AgentRung, ev.CallAnswered, ev.ChannelHungUp})  # what `apply` reads


class AgentLegs(checkpoint.Checkpointed):
    """The table, kept from core events; `limit` bounds it should hangups be missed."""

    STATE = ("legs",)

    def __init__(self, limit: int = 10_000) -> None:
        self.legs: dict[str, Leg] = {}
        self.limit = limit

    def apply(self, event: ev.Event) -> None:
        if isinstance(event, (ev.AgentRung, ev.CallAnswered)) and event.agent_channel_id:
            answered = isinstance(event, ev.CallAnswered)
            self.legs[event.agent_channel_id] = Leg(
                event.agent_channel_id, event.agent_channel, event.agent, event.call_id, answered
            )
            while len(self.legs) > self.limit:
                del self.legs[next(iter(self.legs))]
        elif isinstance(event, ev.ChannelHungUp):
            self.legs.pop(event.channel_id, None)

    def find(self, channel_id: str, channel: str, answered: bool = True) -> Leg | None:
        """The live leg with this uniqueid and this name (answered, unless `answered` is
        False: Queue()'s gosub runs on the agent's channel before AgentConnect)."""
        leg = self.legs.get(channel_id)
        if leg is None or leg.channel != channel or (answered and not leg.answered):
            return None
        return leg


checkpoint.register(Leg)
