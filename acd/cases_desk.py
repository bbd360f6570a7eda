"""The complaint cases' adapter: applies what the core's rules decide (acd/core/cases.py) as
journaled events, looks at deadlines on a timer, writes each step to the store and resolves
cases for the web.

A case is applied on the next reactor turn, not inside the event that opened it: every
subscriber then sees the journal's events in their order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from twisted.logger import Logger

from acd.background import background
from acd.config_cases import Cases as CasesConfig
from acd.core import events as ev
from acd.core.cases import Case, Cases, Rules
from acd.core.people import Person
from acd.store.cases import open_cases, write_step
from acd.store.directory import Directory

log = Logger()
MAX_NOTE = 2000


class CaseError(ValueError):
    """A resolve that cannot be done: the message says why."""


def rules(config: CasesConfig) -> Rules:
    return Rules(
        frozenset(config.categories),
        frozenset(config.escalation_reasons),
        frozenset(config.dispositions),
        config.deadline,
        config.levels,
        config.unassigned or "",
    )


class CaseDesk:
    def __init__(
        self,
        cases: Cases,
        apply: Callable[[ev.Event], object],
        directory: Directory,
        people: Callable[[], Mapping[str, Person]],
        enabled: bool = True,
        clock: Callable[[], float] = time.time,
        later: Callable[..., Any] | None = None,
    ) -> None:
        self.cases, self.apply, self.directory, self.people = cases, apply, directory, people
        self.enabled, self.clock, self._later = enabled, clock, later

    def load(self) -> None:
        """The store's open cases into the model (at start, before the journal's fold)."""
        try:
            with self.directory.sessions() as session:
                self.cases.load(open_cases(session))
        except SQLAlchemyError as exc:  # as the journal's fold: start without them, said loudly
            log.error("the open complaint cases cannot be read: {why}", why=exc)

    def on_event(self, event: ev.Event) -> None:
        """A live event that may open a case (bus: OPENING_EVENTS, live only)."""
        opened = self.cases.opening(event) if self.enabled else None
        if opened is not None:
            self.later()(0, self._open, opened)

    def later(self) -> Callable[..., Any]:
        if self._later is None:
            from twisted.internet import reactor  # the one acd/daemon.py installed, never a default

            self._later = reactor.callLater
        return self._later

    def _open(self, opened: ev.CaseOpened) -> None:
        if opened.case_id not in self.cases.open:  # not opened by an earlier turn
            self.apply(opened)
            log.info("case {case} opened for {owner}", case=opened.case_id, owner=opened.owner or "nobody")

    def tick(self) -> None:
        """Each case past its deadline goes one level up (a timer: cases.check_seconds)."""
        now = self.clock()
        for case in self.cases.due(now):
            raised = self.cases.escalation(case, self.people(), now)
            self.apply(raised)
            log.info("case {case} escalated to {owner}", case=case.id, owner=raised.owner)

    def store(self, event: ev.Event) -> None:
        """Each step on its row (bus: the case events, reconstructed or not)."""
        background(self.directory.write(write_step, event), "writing a complaint case")

    def of_customer(self, customer_id: int | None) -> list[dict[str, object]]:
        now = self.clock()
        return [self.view(c, now) for c in self.cases.of_customer(customer_id)]

    def view(self, case: Case, now: float) -> dict[str, object]:
        owner = self.people().get(case.owner)
        return {**case.view(now), "owner_name": owner.name if owner is not None else ""}

    def resolve(self, case_id: str, by: str, note: str) -> ev.CaseResolved:
        if case_id not in self.cases.open:
            raise CaseError("no open case with that id")
        if len(note) > MAX_NOTE or any(ord(c) < 32 and c not in "\n\t" for c in note):
            raise CaseError(f"note: at most {MAX_NOTE} characters, no control characters")
        resolved = ev.CaseResolved(self.clock(), case_id, by, note.strip())
        self.apply(resolved)
        return resolved
