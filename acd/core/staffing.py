"""Who the agents are: the staff table's agents (the daemon's snapshot of it, acd/store/roster.py;
acd.yaml's `agents:` only seed that table), with their team, queues and phone.

One answer for every reader: the agents book's enrolments, the phone login's queues, and each
screen's team filter (a supervisor's agents and the queues those serve). Pure: the records in,
answers out; a change to the table makes a new Staffing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from acd.core import events as ev
from acd.core.agents import Agent, State
from acd.core.people import Person


class Staffing:
    """`agents`: the enabled agents, who may log in and take calls; `everyone`: those and the
    disabled ones, whose calls and recordings still belong to their team."""

    def __init__(self, people: Iterable[Person] = ()) -> None:
        self.everyone: dict[str, Person] = {p.number: p for p in people if p.role == "agent"}
        self.agents: dict[str, Person] = {n: p for n, p in self.everyone.items() if not p.disabled}

    def get(self, number: str) -> Person | None:
        """The enabled agent with this number, if any."""
        return self.agents.get(number)

    def queues(self, number: str) -> tuple[str, ...]:
        """The queues this agent serves (a disabled one's too: they are removed from them)."""
        found = self.everyone.get(number)
        return found.queues if found is not None else ()

    def of_teams(self, teams: Iterable[str]) -> frozenset[str]:
        """The agents of these teams (a supervisor's), disabled ones too."""
        wanted = set(teams)
        return frozenset(n for n, p in self.everyone.items() if p.team is not None and p.team in wanted)

    def queues_of(self, numbers: Iterable[str]) -> frozenset[str]:
        """The queues these agents serve."""
        return frozenset(q for n in numbers if n in self.everyone for q in self.everyone[n].queues)


class Skills(Mapping[str, frozenset[str]]):
    """Agent -> the queues they serve, as the staffing says now (the pop's overflow note)."""

    def __init__(self, staffing: Callable[[], Staffing]) -> None:
        self._staffing = staffing

    def __getitem__(self, number: str) -> frozenset[str]:
        return frozenset(self._staffing().everyone[number].queues)

    def __iter__(self) -> Iterator[str]:
        return iter(self._staffing().everyone)

    def __len__(self) -> int:
        return len(self._staffing().everyone)


def enrolments(staffing: Staffing, book: Mapping[str, Agent], at: float) -> tuple[list[ev.Event], list[str]]:
    """What makes the book's agents the staffing's: AgentEnrolled for each agent the book lacks,
    AgentWithdrawn for each logged-out one who is no longer an enabled agent; and those still
    logged in, who must be logged out first (their withdrawal follows on a later pass)."""
    events: list[ev.Event] = [ev.AgentEnrolled(at, n) for n in staffing.agents if n not in book]
    leaving = [n for n in book if n not in staffing.agents]
    events += [ev.AgentWithdrawn(at, n) for n in leaving if book[n].state is State.LOGGED_OUT]
    return events, [n for n in leaving if book[n].state is not State.LOGGED_OUT]


def seats(agents: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """(number, fixed phone name or None) -> the book's seats (the config's fixed phones)."""
    return {number: f"PJSIP/{phone}" if phone else "" for number, phone in agents}
