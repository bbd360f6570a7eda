"""Complaint cases: a call someone called a complaint (the caller in the IVR, the agent by an
escalation's reason or a disposition) becomes one case with an owner and a deadline; past the
deadline unresolved it goes to the owner's manager, then one level higher.

The model is folded like the others and loaded from the store's open cases at start (a case
outlives the day's journal); applying is idempotent by case id, so both may hold one. Which
event opens or escalates a case is decided here (`opening`, `escalation`) and applied by the
adapter (acd/cases_desk.py) as CaseOpened/CaseEscalated: each step is in the journal.

An IVR complaint or a complaint escalation waits for the agent who answers the call next: they
own the case. A caller no agent answered leaves a case for `Rules.unassigned`. Pure: no I/O.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from acd.core import checkpoint
from acd.core import events as ev
from acd.core.people import Person

CASES_EVENTS: tuple[type[ev.Event], ...] = (
    ev.CallRouted,
    ev.CallEscalated,
    ev.CaseOpened,
    ev.CaseEscalated,
    ev.CaseResolved,
)
OPENING_EVENTS: tuple[type[ev.Event], ...] = (
    ev.CallAnswered,
    ev.CallWrappedUp,
    ev.CallerAbandoned,
    ev.QueueExited,
)
REMEMBERED = 20_000  # calls kept for their caller and whether they have a case already


@dataclass(frozen=True)
class Rules:
    categories: frozenset[str] = frozenset({"complaint"})
    reasons: frozenset[str] = frozenset({"complaint"})
    dispositions: frozenset[str] = frozenset({"complaint_logged"})
    deadline: float = 24 * 3600.0
    levels: int = 2
    unassigned: str = ""


@dataclass(frozen=True)
class Case:
    id: str
    call_id: str
    customer_id: int | None
    caller_id: str
    source: str
    owner: str
    opened_at: float
    deadline: float
    level: int = 0

    def view(self, now: float) -> dict[str, object]:
        return {
            "id": self.id,
            "call_id": self.call_id,
            "customer_id": self.customer_id,
            "caller_id": self.caller_id,
            "source": self.source,
            "owner": self.owner,
            "opened_at": self.opened_at,
            "deadline": self.deadline,
            "level": self.level,
            "overdue": now >= self.deadline,
        }


@dataclass(frozen=True)
class Caller:
    customer_id: int | None
    caller_id: str
    complaint: str = ""  # the source waiting for an answering agent: "ivr" | "escalation"
    case: str = ""  # the call's case, once it has one


checkpoint.register(Case, Caller)


def case_id(call_id: str) -> str:
    """One case per call: its id says which."""
    return f"case-{call_id}"


def manager_of(number: str, people: Mapping[str, Person]) -> str:
    """The staff table's `manager`; for an agent without one, the first supervisor (by number)
    of their team; "" when nobody is above them."""
    person = people.get(number)
    if person is None:
        return ""
    if person.manager:
        return person.manager
    if person.role != "agent" or person.team is None:
        return ""
    bosses = sorted(
        p.number
        for p in people.values()
        if p.role == "supervisor" and not p.disabled and person.team in p.teams
    )
    return bosses[0] if bosses else ""


class Cases(checkpoint.Checkpointed):
    STATE = ("open", "calls")

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.open: dict[str, Case] = {}
        self.calls: OrderedDict[str, Caller] = OrderedDict()
        self._handlers: dict[type[ev.Event], Callable[[ev.Event], None]] = {
            ev.CallRouted: self._routed,  # type: ignore[dict-item]
            ev.CallEscalated: self._escalated,  # type: ignore[dict-item]
            ev.CaseOpened: self._opened,  # type: ignore[dict-item]
            ev.CaseEscalated: self._raised,  # type: ignore[dict-item]
            ev.CaseResolved: self._resolved,  # type: ignore[dict-item]
        }

    def apply(self, event: ev.Event) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)

    def adopt(self, values: Mapping[str, Any]) -> None:
        """A checkpoint's cases join those the store has open (loaded before it)."""
        self.open = {**self.open, **values["open"]}
        self.calls = values["calls"]

    def load(self, cases: list[Case]) -> None:
        """The store's open cases, before the journal's fold (which may hold some of them)."""
        for case in cases:
            self.open.setdefault(case.id, case)

    # -- the model ---------------------------------------------------------------------------

    def _remember(self, call_id: str, caller: Caller) -> None:
        self.calls[call_id] = caller
        self.calls.move_to_end(call_id)
        while len(self.calls) > REMEMBERED:
            self.calls.popitem(last=False)

    def _routed(self, event: ev.CallRouted) -> None:
        complaint = "ivr" if event.category in self.rules.categories else ""
        known = self.calls.get(event.call_id)
        if known is not None:  # routed again (a dial-back): keep what it had
            self._remember(event.call_id, replace(known, complaint=known.complaint or complaint))
            return
        self._remember(event.call_id, Caller(event.customer_id, event.caller_id, complaint))

    def _escalated(self, event: ev.CallEscalated) -> None:
        known = self.calls.get(event.call_id)
        if event.reason in self.rules.reasons and known is not None and not known.complaint:
            self._remember(event.call_id, replace(known, complaint="escalation"))

    def _opened(self, event: ev.CaseOpened) -> None:
        if event.case_id not in self.open:
            self.open[event.case_id] = Case(
                event.case_id,
                event.call_id,
                event.customer_id,
                event.caller_id,
                event.source,
                event.owner,
                event.at,
                event.deadline,
            )
        known = self.calls.get(event.call_id)
        if known is not None:
            self._remember(event.call_id, replace(known, case=event.case_id))

    def _raised(self, event: ev.CaseEscalated) -> None:
        case = self.open.get(event.case_id)
        if case is not None and event.level > case.level:
            self.open[event.case_id] = replace(
                case, level=event.level, owner=event.owner, deadline=event.deadline
            )

    def _resolved(self, event: ev.CaseResolved) -> None:
        self.open.pop(event.case_id, None)

    # -- the decisions -------------------------------------------------------------------------

    def opening(self, event: ev.Event) -> ev.CaseOpened | None:
        """The case `event` opens, if any: the answering agent owns a waiting complaint, the
        agent who codes a call a complaint owns it, a complaint nobody answered is unassigned."""
        call_id = getattr(event, "call_id", "")
        known = self.calls.get(call_id)
        if known is None or known.case or case_id(call_id) in self.open:
            return None
        if isinstance(event, ev.CallWrappedUp) and event.disposition in self.rules.dispositions:
            return self._case(event, known, "disposition", event.agent)
        if not known.complaint:
            return None
        if isinstance(event, ev.CallAnswered):
            return self._case(event, known, known.complaint, event.agent)
        if isinstance(event, ev.CallerAbandoned | ev.QueueExited):
            return self._case(event, known, known.complaint, self.rules.unassigned)
        return None

    def _case(self, event: ev.Event, known: Caller, source: str, owner: str) -> ev.CaseOpened:
        call_id: str = getattr(event, "call_id")  # noqa: B009  every opening event has one
        return ev.CaseOpened(
            event.at,
            case_id(call_id),
            call_id,
            known.customer_id,
            known.caller_id,
            source,
            owner,
            event.at + self.rules.deadline,
        )

    def due(self, now: float) -> list[Case]:
        """Open cases past their deadline that may still go one level higher."""
        return sorted(
            (c for c in self.open.values() if c.deadline <= now and c.level < self.rules.levels),
            key=lambda c: (c.deadline, c.id),
        )

    def escalation(self, case: Case, people: Mapping[str, Person], now: float) -> ev.CaseEscalated:
        """The case one level up: to the owner's manager (the same owner, and the level still
        counted, when nobody is above them: the deadline then only moves on)."""
        boss = manager_of(case.owner, people) if case.owner else self.rules.unassigned
        return ev.CaseEscalated(now, case.id, case.level + 1, boss or case.owner, now + self.rules.deadline)

    # -- what the screens ask ------------------------------------------------------------------

    def of_customer(self, customer_id: int | None) -> list[Case]:
        if customer_id is None:
            return []
        return sorted(
            (c for c in self.open.values() if c.customer_id == customer_id), key=lambda c: c.deadline
        )

    def listed(self, owners: frozenset[str] | None = None) -> list[Case]:
        """Open cases, soonest deadline first: all of them, or those of these owners."""
        chosen = (c for c in self.open.values() if owners is None or c.owner in owners)
        return sorted(chosen, key=lambda c: (c.deadline, c.id))
