"""The PBX's word on agents: queue members as Asterisk reports them, and the census (a
resync) that ends what Asterisk no longer has: a call that ended while the daemon was away, a
ring nobody reported the end of, a pause the PBX made itself.

Part of the agents book (acd/core/agent_book.py), apart so the book's own rules and the
reconciling with the PBX each read on their own.
"""

from __future__ import annotations

from acd.core import events as ev
from acd.core.agent_records import Report, Ring
from acd.core.agents import Act, Agent, State

RNA = "ring-no-answer"  # the reason of a pause for a ring nobody answered (or the PBX's own)
WRAPUP = "wrapup"  # the reason the PBX holds an agent with during a call and its wrap-up
RINGING_DEVICES = frozenset({"ringing", "ring_in_use"})


class PbxWord:
    """Mixed into the book: these read and end its rings, calls and pauses."""

    agents: dict[str, Agent]
    members: dict[str, dict[str, Report]]  # agent -> queue -> the PBX's word
    wrap_ends: dict[str, float]
    _census: dict[str, dict[str, Report]] | None
    calls: dict[str, Ring]

    def _act(
        self,
        number: str,
        act: Act,
        at: float,
        *,
        reason: str | None = None,
        interface: str | None = None,
        pending: str | None = None,
    ) -> bool:
        raise NotImplementedError

    def _end_call(self, number: str, at: float, queue: str | None) -> None:
        raise NotImplementedError

    def _end_ring(self, number: str, at: float) -> None:
        raise NotImplementedError

    def _wrapped_up(self, event: ev.AgentWrappedUp) -> None:
        raise NotImplementedError

    def _member(self, event: ev.MemberChanged) -> None:
        report = Report(event.interface, event.device, event.paused, event.in_call, event.reason)
        self.members.setdefault(event.agent, {})[event.queue] = report
        if self._census is not None:
            self._census.setdefault(event.agent, {})[event.queue] = report

    def _member_removed(self, event: ev.MemberRemoved) -> None:
        for table in (self.members, self._census or {}):
            table.get(event.agent, {}).pop(event.queue, None)
            if not table.get(event.agent, True):
                del table[event.agent]

    def _resync_started(self, event: ev.ResyncStarted) -> None:
        self._census = {}

    def _resync_finished(self, event: ev.ResyncFinished) -> None:
        """A census: what the PBX has now is the truth for rings, calls and its own pauses."""
        if self._census is None:
            return
        self.members, self._census = self._census, None
        for number in list(self.agents):
            self._reconcile(number, event.at)

    def _reconcile(self, number: str, at: float) -> None:
        agent = self.agents[number]
        reports = {q: r for q, r in self.members.get(number, {}).items() if r.interface == agent.interface}
        if agent.state is State.LOGGED_OUT or not reports:
            return  # no word from the PBX of this agent: the desk re-adds them
        in_call = any(r.in_call for r in reports.values())
        if agent.state is State.ON_CALL and not in_call:
            self._end_call(number, at, None)  # it ended while we were away
        elif agent.state is State.RINGING and not in_call:
            if not any(r.device in RINGING_DEVICES for r in reports.values()):
                self._end_ring(number, at)
        elif agent.state in (State.READY, State.WRAP_UP, State.RINGING) and in_call:
            self._act(number, Act.ANSWER, at)  # answered while we were away
        agent = self.agents[number]
        if agent.state is State.WRAP_UP and at >= self.wrap_ends.get(number, 0.0):
            self._wrapped_up(ev.AgentWrappedUp(at, number))
        if self.agents[number].state is State.READY and any(
            r.paused and r.reason != WRAPUP for r in reports.values()
        ):  # Asterisk's autopause, while we were away (a wrap-up hold is the desk's to lift)
            self._act(number, Act.PAUSE, at, reason=RNA)

    def _pbx_paused(self, number: str, interface: str) -> bool:
        return any(
            r.paused and r.reason != WRAPUP
            for r in self.members.get(number, {}).values()
            if r.interface == interface
        )

    def pbx_holds(self, number: str) -> set[tuple[bool, str]]:
        """The pauses the PBX last reported for this agent's member at their phone."""
        agent = self.agents.get(number)
        if agent is None:
            return set()
        return {
            (r.paused, r.reason if r.paused else "")
            for r in self.members.get(number, {}).values()
            if r.interface == agent.interface
        }
