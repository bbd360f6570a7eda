"""An agent escalates a call to the next line: `*5` and a reason digit during the call.

The caller's channel is redirected (AMI) to the dialplan's acd-escalated context with the
next line's queue set on it: the same channel, so the same interaction (linkedid), with the
IVR's answers still on it and the reason and first agent added. Blind escalation: the
first agent's leg ends at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from twisted.logger import Logger

from acd.asterisk import actions
from acd.asterisk import channel_vars as var
from acd.asterisk.fastagi import AgiChannel, Route
from acd.asterisk.ivr_player import read_digits, say
from acd.asterisk.live_channel import agent_leg
from acd.background import background
from acd.config import Config
from acd.core import events as ev
from acd.core.center import CallCenter
from acd.core.legs import AgentLegs
from acd.core.model import Call, Outcome
from acd.speech import SpeechCache
from acd.store.directory import Directory

log = Logger()
PROMPTS = {"reason": "Escalation reason.", "refused": "This call cannot be escalated."}


class EscalationRefused(ValueError):
    """The page's escalate cannot be done now; the message says why."""


class Escalations:
    def __init__(
        self,
        config: Config,
        center: CallCenter,
        ami,
        directory: Directory,
        speech: SpeechCache,
        sink: Callable[[ev.Event], object],
        legs: AgentLegs,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config, self.center, self.ami, self.directory = config, center, ami, directory
        self.speech, self.sink, self.clock, self.legs = speech, sink, clock, legs

    def table(self) -> dict[str, Route]:
        return {"acd/escalate": self.escalate}

    async def escalate(self, channel: AgiChannel) -> None:
        """Only from an agent's answered leg, and only the caller that leg answered: the
        channel to redirect comes from the PBX's events, never from the session alone."""
        leg = await agent_leg(channel, self.legs, "acd/escalate")
        peer = await channel.get_variable("BRIDGEPEER")
        call = self.center.calls.get(leg.call_id)
        if call is not None and (not call.channel or call.channel != peer or call.agent != leg.agent):
            call = None
        target = self._next_line(call.queue) if call is not None else None
        if call is None or target is None:
            log.info(
                "escalation refused on {chan}: no queued call or no next line",
                chan=channel.headers.get("agi_channel", "")[:60],
            )
            await say(channel, self.speech, [("en", PROMPTS["refused"])])
            return
        digit = await read_digits(channel, self.speech, [("en", PROMPTS["reason"])], 1, 4000)
        reason = self.config.features.escalation_reasons.get(digit, "other")
        await self._send_on(call, target, reason, "")

    async def escalate_from_web(self, agent: str, reason: str, note: str) -> dict[str, str]:
        """The page's escalate: the call this agent is talking on, as the PBX reported it
        (its caller's channel from the queue's events), sent on as `*5` sends it, with the
        agent's note for the next line. EscalationRefused says why not."""
        call = next(
            (
                c
                for c in self.center.calls.values()
                if c.agent == agent and c.outcome is Outcome.TALKING and c.channel
            ),
            None,
        )
        if call is None:
            raise EscalationRefused("you are on no queued call")
        target = self._next_line(call.queue)
        if target is None:
            raise EscalationRefused(f"queue {call.queue} has no next line")
        call_id, from_queue = call.id, call.queue
        await self._send_on(call, target, reason, note)
        return {"call": call_id, "from_queue": from_queue, "to_queue": target}

    async def _send_on(self, call: Call, target: str, reason: str, note: str) -> None:
        # the call object changes as the PBX reports (its queue once redirected): keep what it was
        call_id, from_queue, agent, peer = call.id, call.queue, call.agent, call.channel
        values = {
            var.QUEUE: target,
            var.ESCALATED_FROM: agent,
            var.ESCALATION_REASON: reason,
            var.MAX_WAIT: str(self.config.queue(target).max_wait),
        }
        for name, value in values.items():
            await self.ami.action(actions.setvar(peer, name, value))
        event = ev.CallEscalated(self.clock(), call_id, from_queue, target, agent, reason, note)
        self.sink(event)
        await self.ami.action(actions.redirect(peer, "acd-escalated"))
        log.info(
            "call {call} escalated {frm} -> {to} by {agent} ({reason})",
            call=call_id,
            frm=from_queue,
            to=target,
            agent=agent,
            reason=reason,
        )
        background(
            self.directory.record_escalation(call_id, from_queue, target, agent, reason, event.at, note),
            "recording an escalation",
        )

    def _next_line(self, queue: str) -> str | None:
        found = next((q for q in self.config.queues if q.name == queue), None)
        return found.overflow_to if found is not None else None
