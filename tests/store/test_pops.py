"""The pop's store part on SQLite and PostgreSQL: the customer's record, their last contacts
with dispositions and notes (this call left out), the customers on a shared number, offers,
and the agent's pick written on the interaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from acd.core.offers import Rule
from acd.store import db
from acd.store.directory import Directory
from acd.store.models import (
    Account,
    Customer,
    Disposition,
    Interaction,
    InteractionSegment,
    Note,
    PhoneNumber,
)
from acd.store.pops import PopDetails
from tests.asterisk.test_fastagi import on_asyncio

UTC = dt.UTC


def seed(url: str) -> None:
    with db.sessions(db.engine(url)).begin() as session:
        ada = Customer(id=1, name="Ada\u202e Lovelace", segment="standard", vip=False, language="en")
        bob = Customer(id=2, name="<b>Bob</b>", segment="gold", vip=True)
        session.add_all([ada, bob, Customer(id=3, name="Stranger")])
        session.flush()
        session.add_all(
            [
                PhoneNumber(number="+4930111", customer_id=1),
                PhoneNumber(number="+4930222", customer_id=1),
                PhoneNumber(number="+4930222", customer_id=2),
                Account(number="12345674", customer_id=1),
            ]
        )
        for n in range(7):  # seven earlier calls of Ada's, and today's
            session.add(
                Interaction(
                    id=10 + n,
                    linkedid=f"old-{n}",
                    customer_id=1,
                    started_at=dt.datetime(2026, 11, 1 + n, 9, tzinfo=UTC),
                    outcome="completed",
                    category="technical",
                )
            )
        session.add(
            Interaction(id=30, linkedid="now", customer_id=1, started_at=dt.datetime(2026, 12, 2, tzinfo=UTC))
        )
        session.add(Interaction(id=31, linkedid="shared", started_at=dt.datetime(2026, 12, 2, tzinfo=UTC)))
        session.flush()  # no relationships between these tables: the rows must exist first
        at = dt.datetime(2026, 11, 7, 9, 5, tzinfo=UTC)
        session.add(InteractionSegment(interaction_id=16, kind="agent", name="1002", started_at=at))
        session.add(
            Disposition(
                interaction_id=16, agent="1002", code="resolved", at=at, resolved=True, follow_up=False
            )
        )
        session.add(Note(interaction_id=16, agent="1002", text="router\nreset \u202eok", at=at))


def view(customer_id, match="number", number="+4930111", call="now", category="technical"):
    return {
        "call": call,
        "caller": {"number": number, "match": match, "customer_id": customer_id, "language": "en"},
        "ivr": {"category": category},
    }


@on_asyncio
async def test_the_record_the_last_contacts_and_the_offers(db_url):
    seed(db_url)
    directory = Directory(db_url)
    rules = [
        Rule("upgrade", "Offer premium", segments=("standard",), max_accounts=1),
        Rule("vip", "x", vip=True),
    ]
    try:

        async def hints(category):
            return [{"title": f"how to fix {category}"}]

        details = PopDetails(directory, rules, last_contacts=5, hints=hints)
        shown = await details.complete(view(1))
    finally:
        directory.close()
    assert shown["address"] == "Ada Lovelace"  # the direction override is gone
    assert shown["customer"]["accounts"] == ["12345674"] and shown["customer"]["vip"] is False
    contacts = shown["last_contacts"]
    assert (
        len(contacts) == 5
        and contacts[0]["started_at"] == dt.datetime(2026, 11, 7, 9, tzinfo=UTC).timestamp()
    )
    assert contacts[0]["agents"] == ["1002"]
    assert contacts[0]["dispositions"] == [
        {"code": "resolved", "agent": "1002", "resolved": True, "follow_up": False}
    ]
    assert contacts[0]["notes"] == [{"text": "router reset ok", "agent": "1002"}]
    assert shown["offers"] == [{"name": "upgrade", "text": "Offer premium"}]
    assert shown["hints"] == [{"title": "how to fix technical"}]


@on_asyncio
async def test_a_shared_number_lists_its_customers_and_the_pick_goes_on_the_interaction(db_url):
    seed(db_url)
    directory = Directory(db_url)
    try:
        details = PopDetails(directory)
        shown = await details.complete(view(None, "shared", "+4930222", "shared"))
        assert shown["customer"] is None and shown["address"] == "" and shown["last_contacts"] == []
        assert shown["candidates"] == [{"id": 1, "name": "Ada Lovelace"}, {"id": 2, "name": "<b>Bob</b>"}]
        assert [c.id for c in await details.candidates("+4930222")] == [1, 2]
        await details.pick("shared", 2)
    finally:
        directory.close()
    with db.sessions(db.engine(db_url))() as session:
        assert session.scalar(select(Interaction.customer_id).where(Interaction.linkedid == "shared")) == 2
