"""The staff table as the daemon sees it: a snapshot in memory for every request (who is who,
who is disabled), refreshed from the store every few seconds so changes made by
`acd staff` in another process arrive; password and PIN checks on threads of their own, so
argon2's work never holds the reactor, and never more of them at once than there are
threads (a burst of guesses queues instead of eating the machine)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from acd.config import Config
from acd.config_web import Hashing
from acd.core.people import Person
from acd.core.staffing import Staffing
from acd.store import db, staff
from acd.store.models import StaffMember
from acd.store.passwords import DEFAULT_COST, Hasher

T = TypeVar("T")
CHECKERS = 2  # argon2 checks at once (the machine's cores, not the number of guessers)


class Roster:
    def __init__(self, url: str, cost: Hashing = DEFAULT_COST) -> None:
        self.engine = db.engine(url)
        self.sessions = db.sessions(self.engine)
        self.hasher = Hasher(cost)
        self.people: dict[str, Person] = {}
        self.staffing = Staffing()  # the agents among them (acd/core/staffing.py)
        self._mark: tuple[object, ...] | None = None
        self._threads = ThreadPoolExecutor(CHECKERS, thread_name_prefix="staff")

    # -- the snapshot ------------------------------------------------------------------------

    def person(self, number: str) -> Person | None:
        return self.people.get(number)

    def load(self) -> None:
        """Read the table now (start-up, and after a change made here)."""
        with self.sessions() as session:
            self._mark = _mark(session)
            self._take(staff.everyone(session))

    def _reload_if_changed(self) -> None:
        with self.sessions() as session:
            mark = _mark(session)
            if mark != self._mark:
                self._mark = mark
                self._take(staff.everyone(session))

    def _take(self, people: list[Person]) -> None:
        self.people, self.staffing = {p.number: p for p in people}, Staffing(people)

    async def refresh(self) -> None:
        """Catch up with changes made elsewhere (one cheap query when nothing changed)."""
        await self._run(self._reload_if_changed)

    def seed(self, config: Config) -> list[str]:
        """acd.yaml's people missing from the table, inserted (start-up; blocking is fine there)."""
        with self.sessions.begin() as session:
            added = staff.seed(session, config, self.hasher, _now())
        self.load()
        return added

    # -- checks ------------------------------------------------------------------------------

    async def check_password(self, number: str, password: str) -> Person | None:
        """The person when `password` is theirs and they may sign in; None otherwise (after
        the same work either way)."""
        return await self._run(self._check, number, password, "password_hash")

    async def check_pin(self, number: str, pin: str) -> Person | None:
        return await self._run(self._check, number, pin, "pin_hash")

    def _check(self, number: str, secret: str, column: str) -> Person | None:
        with self.sessions() as session:
            row = staff.record(session, number)
            stored = getattr(row, column) if row is not None else None
        if not self.hasher.verify(stored, secret) or row is None or row.disabled:
            return None
        if stored is not None and self.hasher.stale(stored):
            with self.sessions.begin() as session:
                staff.change(session, number, _now(), False, **{column: self.hasher.hash(secret)})
        return staff.to_person(row)

    # -- changes (the admin page; the CLI uses the same functions in its own process) ---------

    async def add(self, person: Person, password: str | None, pin: str | None = None) -> Person:
        def work() -> Person:
            hashed = self.hasher.hash(staff.check_password(password)) if password else None
            pin_hash = self.hasher.hash(staff.check_pin(pin)) if pin else None
            with self.sessions.begin() as session:
                made = staff.add(session, person, hashed, pin_hash, _now())
            self.load()
            return made

        return await self._run(work)

    async def set_password(self, number: str, password: str) -> Person:
        def work() -> Person:
            hashed = self.hasher.hash(staff.check_password(password))
            with self.sessions.begin() as session:
                changed = staff.change(session, number, _now(), True, password_hash=hashed)
            self.load()
            return changed

        return await self._run(work)

    async def set_disabled(self, number: str, disabled: bool) -> Person:
        def work() -> Person:
            with self.sessions.begin() as session:
                changed = staff.change(session, number, _now(), True, disabled=disabled)
            self.load()
            return changed

        return await self._run(work)

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, work, *args)

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
        self.engine.dispose()


def _mark(session: Session) -> tuple[object, ...]:
    """What changes whenever any record does: how many, the newest change, the versions' sum."""
    found = session.execute(
        select(func.count(StaffMember.id), func.max(StaffMember.updated_at), func.sum(StaffMember.version))
    ).one()
    return tuple(found)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
