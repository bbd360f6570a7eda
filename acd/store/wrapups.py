"""Wrap-ups on the interaction: the disposition, its notes, resolved and follow-up (the next
pop shows them: acd/store/pops.py's last contacts). Each query is given a session; the daemon
runs them through Directory.write/read. Times are epoch seconds at this boundary."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from acd.store.models import Disposition, Interaction, InteractionSegment, Note
from acd.store.times import utc


@dataclass(frozen=True)
class WrapUp:
    call_id: str  # the interaction's linkedid
    agent: str
    disposition: str
    notes: str
    resolved: bool
    follow_up: bool
    at: float


def took_call(session: Session, call_id: str, agent: str) -> bool:
    """Whether `agent` answered this call (an agent segment of theirs on its interaction)."""
    found = session.scalars(
        select(InteractionSegment.id)
        .join(Interaction, Interaction.id == InteractionSegment.interaction_id)
        .where(
            Interaction.linkedid == call_id,
            InteractionSegment.kind == "agent",
            InteractionSegment.name == agent,
        )
        .limit(1)
    ).first()
    return found is not None


def save_wrapup(session: Session, wrap: WrapUp) -> bool:
    """The agent's disposition (again: a second submit replaces their first) and notes; False
    when the store has no such interaction."""
    interaction = session.scalars(select(Interaction.id).where(Interaction.linkedid == wrap.call_id)).first()
    if interaction is None:
        return False
    row = session.scalars(
        select(Disposition).where(Disposition.interaction_id == interaction, Disposition.agent == wrap.agent)
    ).first()
    if row is None:
        row = Disposition(interaction_id=interaction, agent=wrap.agent)
        session.add(row)
    row.code, row.at = wrap.disposition, utc(wrap.at)
    row.resolved, row.follow_up = wrap.resolved, wrap.follow_up
    if wrap.notes:
        session.add(Note(interaction_id=interaction, agent=wrap.agent, text=wrap.notes, at=utc(wrap.at)))
    return True
