"""Supervisors listening in: who may spy on whom, in which mode, and the story of each session.

ChanSpy does the listening; this decides. A supervisor (a phone with the supervisor role,
and their PIN) reaches only the agents of their own teams. While spying, DTMF 4, 5 and 6
switch between silent monitoring, whispering to the agent and barging in (ChanSpy's `d`
option); the session remembers every mode it went through, for the audit.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any


class Mode(str, enum.Enum):
    MONITOR = "monitor"  # hears both parties; nobody hears them
    WHISPER = "whisper"  # the agent hears them, the caller does not
    BARGE = "barge"  # both hear them


# ChanSpy options: q no beep or name, b bridged calls only, E end with the spied call,
# d switch modes by DTMF (4 monitor, 5 whisper, 6 barge); then the starting mode's own letter.
BASE_OPTIONS = "qbEd"
MODE_OPTION = {Mode.MONITOR: "", Mode.WHISPER: "w", Mode.BARGE: "B"}
MODE_DIGITS = {"4": Mode.MONITOR, "5": Mode.WHISPER, "6": Mode.BARGE}


def spy_options(mode: Mode) -> str:
    return BASE_OPTIONS + MODE_OPTION[mode]


class Refusal(str, enum.Enum):
    NOT_SUPERVISOR = "not_supervisor"  # the phone or the person has no supervisor role
    WRONG_PIN = "wrong_pin"
    LOCKED = "locked"  # too many wrong PINs
    UNKNOWN_AGENT = "unknown_agent"
    OTHER_TEAM = "other_team"  # an agent outside the supervisor's teams
    NOT_LOGGED_IN = "not_logged_in"  # the agent has no phone to listen to
    NO_PHONE = "no_phone"  # (web) the supervisor has no phone to ring
    ABANDONED = "abandoned"  # hung up before the PIN was through


class SpyRefused(Exception):
    """A listen-in refused, with the reason (the phone says it, the web maps it to a status)."""

    def __init__(self, why: Refusal) -> None:
        super().__init__(why.value)
        self.why = why


@dataclass(frozen=True)
class Supervisor:
    number: str
    teams: frozenset[str]


def may_spy(supervisor: Supervisor | None, agent_team: str | None, agent_known: bool) -> Refusal | None:
    """Why `supervisor` may not listen to the agent, or None when they may."""
    if supervisor is None:
        return Refusal.NOT_SUPERVISOR
    if not agent_known:
        return Refusal.UNKNOWN_AGENT
    if agent_team is None or agent_team not in supervisor.teams:
        return Refusal.OTHER_TEAM
    return None


@dataclass(frozen=True)
class Session:
    """One supervisor listening to one agent: the audit row, as it grows."""

    id: str
    supervisor: str
    agent: str
    origin: str  # "phone" | "web"
    opened_at: float
    modes: tuple[Mode, ...] = ()
    call_id: str = ""  # the spied call's linkedid, once ChanSpy found it
    spy_started_at: float | None = None
    ended_at: float | None = None
    outcome: str = "open"  # open | ended | no_call | refused:<why>

    @property
    def mode(self) -> Mode | None:
        return self.modes[-1] if self.modes else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "supervisor": self.supervisor,
            "agent": self.agent,
            "origin": self.origin,
            "opened_at": self.opened_at,
            "modes": [m.value for m in self.modes],
            "call_id": self.call_id,
            "spy_started_at": self.spy_started_at,
            "ended_at": self.ended_at,
            "outcome": self.outcome,
        }


def refused(session_id: str, supervisor: str, agent: str, origin: str, why: Refusal, at: float) -> Session:
    return Session(session_id, supervisor, agent, origin, at, ended_at=at, outcome=f"refused:{why.value}")


@dataclass
class SessionBook:
    """Open sessions by the supervisor channel's uniqueid; each change returns the new row."""

    open: dict[str, Session] = field(default_factory=dict)

    def start(self, spyer: str, session: Session, mode: Mode) -> Session:
        self.open[spyer] = replace(session, modes=(mode,))
        return self.open[spyer]

    def spying(self, spyer: str, call_id: str, at: float) -> Session | None:
        """ChanSpy found the agent's call."""
        return self._change(spyer, call_id=call_id, spy_started_at=at)

    def digit(self, spyer: str, digit: str) -> Session | None:
        """A DTMF digit from the supervisor: a mode switch when it names another mode while
        ChanSpy listens (before, digits are the PIN's, or ChanSpy is not reading them)."""
        session = self.open.get(spyer)
        mode = MODE_DIGITS.get(digit)
        if session is None or session.spy_started_at is None or mode is None or mode is session.mode:
            return None
        return self._change(spyer, modes=session.modes + (mode,))

    def end(self, spyer: str, at: float) -> Session | None:
        session = self.open.pop(spyer, None)
        if session is None:
            return None
        return replace(session, ended_at=at, outcome="ended" if session.call_id else "no_call")

    def _change(self, spyer: str, **changes: Any) -> Session | None:
        session = self.open.get(spyer)
        if session is None:
            return None
        self.open[spyer] = replace(session, **changes)
        return self.open[spyer]
