"""Complaint cases in the store: each journaled step (CaseOpened, CaseEscalated, CaseResolved)
written to its row, and the open ones read back at start, since a case outlives the day whose
journal the restart folds. Writes are idempotent: a step written twice leaves one row as it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from acd.core import events as ev
from acd.core.cases import Case
from acd.store.models import ComplaintCase
from acd.store.times import epoch, utc

CASE_STEPS: tuple[type[ev.Event], ...] = (ev.CaseOpened, ev.CaseEscalated, ev.CaseResolved)
MAX_NOTE = 2000


def write_step(session: Session, event: ev.Event) -> None:
    """One step on its case's row."""
    if isinstance(event, ev.CaseOpened):
        if session.get(ComplaintCase, event.case_id) is None:
            session.add(
                ComplaintCase(
                    id=event.case_id,
                    call_id=event.call_id,
                    customer_id=event.customer_id,
                    caller_id=event.caller_id[:40],
                    source=event.source,
                    owner=event.owner,
                    level=0,
                    opened_at=utc(event.at),
                    deadline=utc(event.deadline),
                )
            )
        return
    row = session.get(ComplaintCase, getattr(event, "case_id", ""))
    if row is None:
        return
    if isinstance(event, ev.CaseEscalated) and event.level > row.level:
        row.level, row.owner, row.deadline = event.level, event.owner, utc(event.deadline)
    elif isinstance(event, ev.CaseResolved) and row.resolved_at is None:
        row.resolved_at, row.resolved_by, row.note = utc(event.at), event.by, event.note[:MAX_NOTE]


def open_cases(session: Session) -> list[Case]:
    """Every case not resolved yet, as the core's model holds it."""
    rows = session.scalars(select(ComplaintCase).where(ComplaintCase.resolved_at.is_(None)))
    return [
        Case(
            r.id,
            r.call_id,
            r.customer_id,
            r.caller_id,
            r.source,
            r.owner,
            epoch(r.opened_at) or 0.0,
            epoch(r.deadline) or 0.0,
            r.level,
        )
        for r in rows
    ]


def resolved(session: Session, case_id: str) -> tuple[str, float | None, str]:
    """Who resolved a case, when and with which note ("", None, "" while open or unknown)."""
    row = session.get(ComplaintCase, case_id)
    if row is None or row.resolved_at is None:
        return "", None, ""
    return row.resolved_by or "", epoch(row.resolved_at), row.note or ""
