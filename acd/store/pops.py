"""The pop's store-backed part: the customer's record, their last contacts (with dispositions and
notes), the customers sharing a number, knowledge hints and offers, read on a reader thread.

The core's view (acd/core/pops.py) says who calls and how sure the match is; this adds what
only the store knows, for one screen, when it asks. Names are cleaned as they leave the store
(acd/core/text.py); the page still renders every value as text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from acd.core import offers
from acd.core.text import clean_name
from acd.store import customers
from acd.store.customers import CustomerCard
from acd.store.directory import Directory
from acd.store.models import Disposition, Interaction, InteractionSegment, Note
from acd.store.times import epoch

NOTE_LIMIT = 500  # characters of a note shown on the pop
# knowledge hints for a category (acd/store/knowledge.py's hints_for_category, wired in service)
Hints = Callable[[str], Awaitable[Sequence[dict[str, Any]]]]


@dataclass(frozen=True)
class Facts:
    """What the store said, read in one session on a reader thread."""

    customer: CustomerCard | None
    candidates: list[CustomerCard]
    contacts: list[dict[str, Any]]


class PopDetails:
    def __init__(
        self,
        directory: Directory,
        rules: Sequence[offers.Rule] = (),
        last_contacts: int = 5,
        hints: Hints | None = None,
        cases: Callable[[int | None], list[dict[str, Any]]] | None = None,
    ) -> None:
        self.directory, self.rules, self.last_contacts = directory, tuple(rules), last_contacts
        self.hints, self.cases = hints, cases

    async def complete(self, shown: dict[str, Any]) -> dict[str, Any]:
        """`shown` (a core view) with the customer's record, contacts, hints and offers."""
        who = shown["caller"]
        number = who["number"] if who["match"] in ("shared", "picked") else None  # may pick again
        facts = await self.directory.read(
            read_facts, who["customer_id"], number, shown["call"], self.last_contacts
        )
        card, ivr = facts.customer, shown.get("ivr") or {}
        category = ivr.get("category", "")
        return {
            **shown,
            "address": card.name if card is not None else "",
            "customer": _customer(card),
            "candidates": [{"id": c.id, "name": c.name} for c in facts.candidates],
            "last_contacts": facts.contacts,
            "open_cases": self.cases(card.id) if self.cases is not None and card is not None else [],
            "offers": self.offers(card, who.get("language", ""), category),
            "hints": list(await self.hints(category)) if self.hints is not None and category else [],
        }

    def offers(self, card: CustomerCard | None, language: str, category: str) -> list[dict[str, str]]:
        if card is None:
            return []
        record = offers.Record(
            card.segment, card.vip, len(card.accounts), language or card.language or "", category
        )
        return [{"name": r.name, "text": r.text} for r in offers.matching(self.rules, record)]

    async def candidates(self, number: str) -> list[CustomerCard]:
        """The customers on the caller's number: the only ones an agent may pick."""
        return await self.directory.read(customers.lookup, number)

    async def pick(self, call_id: str, customer_id: int) -> None:
        """The agent's pick goes on the call's interaction (the journey's row)."""
        await self.directory.write(_pick, call_id, customer_id)


def read_facts(
    session: Session, customer_id: int | None, shared_number: str | None, call_id: str, limit: int
) -> Facts:
    card = customers.by_id(session, customer_id) if customer_id is not None else None
    shared = customers.lookup(session, shared_number) if shared_number else []
    contacts = last_contacts(session, card.id, call_id, limit) if card is not None else []
    return Facts(card, shared, contacts)


def last_contacts(session: Session, customer_id: int, call_id: str, limit: int) -> list[dict[str, Any]]:
    """The customer's latest interactions before this call, newest first, with who served them
    and their dispositions and notes."""
    rows = session.execute(
        select(Interaction)
        .where(Interaction.customer_id == customer_id, Interaction.linkedid != call_id)
        .order_by(Interaction.started_at.desc(), Interaction.id.desc())
        .limit(limit)
    ).scalars()
    found = {i.id: i for i in rows}
    if not found:
        return []
    ids = list(found)
    agents = _by_interaction(
        session.execute(
            select(InteractionSegment.interaction_id, InteractionSegment.name)
            .where(InteractionSegment.interaction_id.in_(ids), InteractionSegment.kind == "agent")
            .order_by(InteractionSegment.started_at)
        )
    )
    codes = _by_interaction(
        session.execute(
            select(
                Disposition.interaction_id,
                Disposition.code,
                Disposition.agent,
                Disposition.resolved,
                Disposition.follow_up,
            )
            .where(Disposition.interaction_id.in_(ids))
            .order_by(Disposition.at)
        )
    )
    notes = _by_interaction(
        session.execute(
            select(Note.interaction_id, Note.text, Note.agent)
            .where(Note.interaction_id.in_(ids))
            .order_by(Note.at)
        )
    )
    return [
        {
            "started_at": epoch(i.started_at),
            "outcome": i.outcome or "",
            "category": i.category or "",
            "agents": [name for (name,) in agents.get(i.id, [])],
            "dispositions": [
                {"code": code, "agent": agent, "resolved": resolved, "follow_up": follow_up}
                for code, agent, resolved, follow_up in codes.get(i.id, [])
            ],
            "notes": [{"text": clean_note(text), "agent": agent} for text, agent in notes.get(i.id, [])],
        }
        for i in found.values()
    ]


def _by_interaction(rows) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {}
    for interaction_id, *rest in rows:
        out.setdefault(interaction_id, []).append(tuple(rest))
    return out


def clean_note(text: str) -> str:
    """A note as the pop shows it: no controls or direction marks, bounded (line breaks kept as
    spaces; the page shows text, never markup)."""
    return clean_name(text, NOTE_LIMIT)


def _pick(session: Session, call_id: str, customer_id: int) -> None:
    session.execute(
        update(Interaction).where(Interaction.linkedid == call_id).values(customer_id=customer_id)
    )


def _customer(card: CustomerCard | None) -> dict[str, Any] | None:
    if card is None:
        return None
    return {
        "id": card.id,
        "name": card.name,
        "segment": card.segment,
        "vip": card.vip,
        "language": card.language,
        "accounts": list(card.accounts),
    }
