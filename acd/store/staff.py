"""The staff table's reads and writes (one short SQLAlchemy session each), and the seeding
from config/acd.yaml: who is missing is inserted, nobody present is touched, so a password
changed with `acd staff passwd` or the admin page survives every restart."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from acd.config import Config
from acd.config_people import agent_people
from acd.core.people import ROLES, Person
from acd.store.models import StaffMember
from acd.store.passwords import Hasher

NUMBER = re.compile(r"[0-9]{1,20}")
NAME = re.compile(r"[^\r\n;,|]{1,60}")
TEAM = re.compile(r"[a-z][a-z0-9_-]{0,39}")
PIN = re.compile(r"[0-9]{4,8}")
MIN_PASSWORD, MAX_PASSWORD = 10, 128


class StaffError(ValueError):
    """A record that cannot be written; the message says which field and why."""


def to_person(row: StaffMember) -> Person:
    return Person(
        row.number,
        row.name,
        row.role,
        _names(row.teams),
        row.phone,
        _names(row.queues),
        bool(row.disabled),
        row.version,
        row.manager or "",
    )


def everyone(session: Session) -> list[Person]:
    return [to_person(r) for r in session.scalars(select(StaffMember).order_by(StaffMember.number))]


def record(session: Session, number: str) -> StaffMember | None:
    return session.scalars(select(StaffMember).where(StaffMember.number == number)).first()


def check(person: Person) -> Person:
    """The person's fields as the config would accept them (StaffError names the first bad one)."""
    if not NUMBER.fullmatch(person.number):
        raise StaffError("number: 1 to 20 digits")
    if not NAME.fullmatch(person.name) or person.name != person.name.strip():
        raise StaffError("name: 1 to 60 characters, no line breaks, ; , or |")
    if person.role not in ROLES:
        raise StaffError(f"role: one of {', '.join(ROLES)}")
    for field, names in (("teams", person.teams), ("queues", person.queues)):
        if any(not TEAM.fullmatch(n) for n in names) or len(",".join(names)) > 400:
            raise StaffError(f"{field}: lower-case names (a-z, 0-9, _ and -)")
    if person.phone is not None and not NUMBER.fullmatch(person.phone):
        raise StaffError("phone: 1 to 20 digits")
    if person.manager and (not NUMBER.fullmatch(person.manager) or person.manager == person.number):
        raise StaffError("manager: another person's number (1 to 20 digits)")
    return person


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD or password != password.strip():
        raise StaffError(f"password: {MIN_PASSWORD} to {MAX_PASSWORD} characters, no space at either end")
    return password


def check_pin(pin: str) -> str:
    if not PIN.fullmatch(pin):
        raise StaffError("PIN: 4 to 8 digits")
    return pin


def add(
    session: Session, person: Person, password_hash: str | None, pin_hash: str | None, now: dt.datetime
) -> Person:
    check(person)
    if record(session, person.number) is not None:
        raise StaffError(f"number: {person.number} is taken")
    row = StaffMember(
        number=person.number,
        name=person.name,
        role=person.role,
        teams=",".join(person.teams),
        phone=person.phone,
        queues=",".join(person.queues),
        password_hash=password_hash,
        pin_hash=pin_hash,
        disabled=person.disabled,
        manager=person.manager or None,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return to_person(row)


def change(session: Session, number: str, now: dt.datetime, ends_sessions: bool, **values: object) -> Person:
    """Set `values` on the record; `ends_sessions` bumps its version (a new password, disabled)."""
    row = record(session, number)
    if row is None:
        raise StaffError(f"number: nobody has number {number}")
    for key, value in values.items():
        setattr(row, key, value)
    if ends_sessions:
        row.version += 1
    row.updated_at = now
    session.flush()
    return to_person(row)


def from_config(config: Config) -> list[tuple[Person, str | None, str | None]]:
    """acd.yaml's people with their secrets (password, PIN) from the secrets file."""
    people: list[tuple[Person, str | None, str | None]] = [
        (person, a.password, a.pin) for person, a in zip(agent_people(config), config.agents, strict=True)
    ]
    people += [
        (Person(s.number, s.name, s.role, s.teams, s.phone, manager=s.manager or ""), s.password, s.pin)
        for s in config.staff
    ]
    return people


def seed(session: Session, config: Config, hasher: Hasher, now: dt.datetime) -> list[str]:
    """Insert acd.yaml's people missing from the table; the numbers inserted."""
    present = set(session.scalars(select(StaffMember.number)))
    added = []
    for person, password, pin in from_config(config):
        if person.number in present:
            continue
        add(
            session,
            replace(person, disabled=False),
            hasher.hash(password) if password else None,
            hasher.hash(pin) if pin else None,
            now,
        )
        added.append(person.number)
    return added


def _names(joined: str | None) -> tuple[str, ...]:
    return tuple(n for n in (joined or "").split(",") if n)
