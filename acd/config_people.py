"""Who works here, as acd.yaml seeds the staff table: agents (with their seat, queues and team)
and the other staff (supervisors, quality reviewers, admins). `manager` says whom a complaint
case goes to when its owner lets the deadline pass (acd/core/cases.py)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from acd.config_types import Digits, Name, PersonName, Pin, Secret, _Section


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
