"""The check before a route acts on a live call: is the session's channel an agent leg the
PBX reported (acd/core/legs.py)? A session that names another channel is refused and shows
in the security log; the daemon records, mutes or redirects nothing for it."""

from __future__ import annotations

import asyncio

from acd import security_log
from acd.asterisk.fastagi import AgiChannel, Refused
from acd.core.legs import AgentLegs, Leg

POLL_S = 0.05


async def agent_leg(
    channel: AgiChannel, legs: AgentLegs, route: str, answered: bool = True, wait: float = 0.0
) -> Leg:
    """The session's own agent leg; Refused (and a security event) when the PBX reported no
    such leg. `wait`: seconds to allow the PBX's AMI event, which may trail the session."""
    uniqueid = channel.headers.get("agi_uniqueid", "")
    name = channel.headers.get("agi_channel", "")
    leg = legs.find(uniqueid, name, answered)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while leg is None and loop.time() < deadline:
        await asyncio.sleep(POLL_S)
        leg = legs.find(uniqueid, name, answered)
    if leg is None:
        security_log.event(
            "FastAgiUnknownChannel", "fastagi", channel.peer, Route=route, Channel=name, Uniqueid=uniqueid
        )
        raise Refused(f"{route}: no live agent leg {name[:60]!r}")
    return leg
