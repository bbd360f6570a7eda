"""What the IVR asks of the store, on SQLite and PostgreSQL: accounts, identity facts, and
the journey's record (the interaction, its IVR segment and answers)."""

from __future__ import annotations

import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from acd.core.accounts import check_digit
from acd.store import customers, db
from acd.store.directory import Directory, IvrRecord
from acd.store.models import Account, Customer, Interaction, InteractionSegment, IvrAnswer

ACCOUNT = "1234567" + check_digit("1234567")


@pytest.fixture
def ida(db_url) -> int:
    with db.sessions(db.engine(db_url)).begin() as session:
        person = Customer(
            name="Ida Berg",
            language="de",
            date_of_birth=dt.date(1975, 3, 9),
            postcode="80331",
            pin_hash=customers.hash_pin("2468"),
        )
        person.accounts = [Account(number=ACCOUNT, last_payment_euros=129)]
        session.add(person)
        session.flush()
        return person.id


@pytest.mark.parametrize(
    "question, answer, right",
    [
        ("date_of_birth", "09031975", True),
        ("date_of_birth", "19750309", False),
        ("postcode", "80331", True),
        ("postcode", "80332", False),
        ("last_payment", "129", True),
        ("last_payment", "130", False),
        ("pin", "2468", True),
        ("pin", "8642", False),
        ("postcode", "8033'1", False),
        ("postcode", "", False),
        ("shoe_size", "42", False),
    ],
)
def test_identity_facts(db_url, ida, question, answer, right):
    with db.sessions(db.engine(db_url))() as session:
        assert customers.check_fact(session, question, ida, ACCOUNT, answer) is right


def test_unknown_facts_and_customers_never_match(db_url, ida):
    with db.sessions(db.engine(db_url)).begin() as session:
        session.add(Customer(id=ida + 1, name="No Facts"))
    with db.sessions(db.engine(db_url))() as session:
        assert not customers.check_fact(session, "date_of_birth", ida + 1, None, "01011970")
        assert not customers.check_fact(session, "pin", ida + 1, None, "0000")
        assert not customers.check_fact(session, "postcode", ida + 99, None, "80331")
        assert not customers.check_fact(session, "last_payment", ida, "00000000", "129")


def test_record_ivr_on_the_journey(db_url, ida):
    async def scenario(directory: Directory) -> None:
        assert (await directory.find_account(ACCOUNT)).id == ida
        assert await directory.find_account("00000000") is None
        await directory.open_interaction("1700000000.1", None, "+498912345", 1700000000.0)
        await directory.record_ivr(
            IvrRecord(
                "1700000000.1",
                1700000000.5,
                1700000030.0,
                ida,
                "de",
                "complaint",
                ACCOUNT,
                "verified",
                "language:de category:complaint account:ok postcode:right",
            )
        )
        await directory.record_ivr(IvrRecord("no-such-journey", 0, 1, None, "", "", None, "", "x"))

    directory = Directory(db_url)
    try:
        # pytest's reactor already runs a loop in this thread: give the scenario its own
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, scenario(directory)).result()
    finally:
        directory.close()
    with db.sessions(db.engine(db_url))() as session:
        row = session.scalars(select(Interaction)).one()
        assert (row.customer_id, row.category, row.verification, row.language) == (
            ida,
            "complaint",
            "verified",
            "de",
        )
        assert row.ivr_steps.endswith("postcode:right")
        segment = session.scalars(select(InteractionSegment)).one()
        assert (segment.kind, segment.outcome) == ("ivr", "postcode:right")
        answers = dict(session.execute(select(IvrAnswer.key, IvrAnswer.value)).all())
        assert answers == {
            "language": "de",
            "category": "complaint",
            "account": ACCOUNT,
            "verification": "verified",
        }
