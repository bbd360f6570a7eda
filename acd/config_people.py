"""Who works here, as acd.yaml seeds the staff table: agents (with their seat, queues and team)
and the other staff (supervisors, quality reviewers, admins). `manager` says whom a complaint
case goes to when its owner lets the deadline pass (acd/core/cases.py)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from acd.config_types import Digits, Name, PersonName, Pin, Secret, _Section, unique
from acd.core.people import Person
from acd.core.staffing import Staffing

if TYPE_CHECKING:
    from acd.config import Config


class Agent(_Section):
    number: Digits
    name: PersonName
    pin: Pin  # typed after the login feature code
    password: Secret | None = None  # the web desk's (secrets file); the store keeps its hash
    phone: Digits | None = None  # a fixed seat: a member from the PBX's start, no login needed
    queues: tuple[Name, ...] = ()
    team: Name | None = None  # the supervisors of this team may listen in
    hired: dt.date | None = None  # new agents' calls are recorded more (recording.new_agents)
    manager: Digits | None = None  # else their team's supervisor


class Staff(_Section):
    """Supervisors listen in on their teams' agents and hear their recordings; quality
    reviewers hear every recording. The PIN is for phones, the password for the web API."""

    number: Digits
    name: PersonName
    role: Literal["supervisor", "quality", "admin"]  # admin: the whole live state
    pin: Pin | None = None
    password: Secret | None = None
    phone: Digits | None = None  # their own desk: the web's "listen in" rings it
    teams: tuple[Name, ...] = ()
    manager: Digits | None = None  # one level higher for complaint cases


def check_staff(config: Config, queues: set[str]) -> None:
    """The staff's phones, teams and numbers fit the agents' and phones'; recording's names exist."""
    roles = {p.name: p.role for p in config.phones}
    teams = {a.team for a in config.agents if a.team}
    unique("staff", [s.number for s in config.staff])
    for i, person in enumerate(config.staff):
        if config.agent(person.number) is not None:
            raise ValueError(f"staff[{i}].number: {person.number!r} is also an agent's number")
        if person.role == "supervisor" and person.pin is None:
            raise ValueError(f"staff[{i}].pin: a supervisor needs a PIN for the phone")
        if person.phone is not None and roles.get(person.phone) != "supervisor":
            raise ValueError(f"staff[{i}].phone: {person.phone!r} is not a phone with role supervisor")
        for team in person.teams:
            if team not in teams:
                raise ValueError(f"staff[{i}].teams: no agent is in team {team!r}")
    for name in config.recording.queues:
        if name not in queues:
            raise ValueError(f"recording.queues.{name}: no queue named {name!r}")
    for number in config.recording.agents:
        if config.agent(number) is None:
            raise ValueError(f"recording.agents.{number}: no agent {number!r}")


def agent_people(config: Config) -> list[Person]:
    """acd.yaml's agents as staff records: what seeds the staff table (acd/store/staff.py)."""
    return [
        Person(
            a.number, a.name, "agent", (a.team,) if a.team else (), a.phone, a.queues, manager=a.manager or ""
        )
        for a in config.agents
    ]


def seed_staffing(config: Config) -> Staffing:
    """The agents as acd.yaml seeds them: for tools and tests that run without the staff table."""
    return Staffing(agent_people(config))
