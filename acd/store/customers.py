"""Finding customers: by the caller's number, by account, and checking what they know."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from acd.core.text import clean_name
from acd.store import fields
from acd.store.models import Account, Customer, Interaction, InteractionSegment, PhoneNumber

NAME_LIMIT = 120  # the column's width; whoever shows a name may cut it shorter
MAX_CANDIDATES = 5  # a number shared by more customers than this is a switchboard
_E164 = re.compile(r"\+[1-9][0-9]{4,14}")


@dataclass(frozen=True)
class CustomerCard:
    """What the daemon needs about a caller; plain data, safe to hand across threads."""

    id: int
    name: str
    language: str | None
    segment: str
    vip: bool
    accounts: tuple[str, ...]


def _card(customer: Customer) -> CustomerCard:
    return CustomerCard(
        customer.id,
        clean_name(customer.name, NAME_LIMIT),
        fields.language(customer.language),
        fields.segment(customer.segment),
        customer.vip,
        tuple(sorted(a.number for a in customer.accounts)),
    )


# Built once: constructing a statement costs more than running it (0.5 ms against 0.1 ms on
# SQLite with a million customers), and these run for every inbound call.
_HOLDERS = (
    select(PhoneNumber.customer_id.label("id"))
    .where(PhoneNumber.number == bindparam("number"))
    .order_by(PhoneNumber.customer_id)
    .limit(MAX_CANDIDATES)
    .subquery()
)
_LOOKUP = (
    select(Customer.id, Customer.name, Customer.language, Customer.segment, Customer.vip, Account.number)
    .join(_HOLDERS, _HOLDERS.c.id == Customer.id)
    .outerjoin(Account, Account.customer_id == Customer.id)
    .order_by(Customer.id, Account.number)
)


def _served_last(customer):
    """The newest agent segment of `customer`'s journeys since :since."""
    return (
        select(InteractionSegment.name)
        .join(Interaction)
        .where(
            Interaction.customer_id == customer,
            InteractionSegment.kind == "agent",
            InteractionSegment.started_at >= bindparam("since"),
        )
        .order_by(InteractionSegment.started_at.desc())
        .limit(1)
    )


_LAST_AGENT = _served_last(bindparam("customer"))
# the caller and, in the same round trip, the agent who served each candidate last
_CALLER = _LOOKUP.add_columns(_served_last(Customer.id).correlate(Customer).scalar_subquery())


def lookup(session: Session, e164: str) -> list[CustomerCard]:
    """The customers who use this number (E.164), at most MAX_CANDIDATES, by id.

    One round trip of plain rows (no ORM objects): this runs for every inbound call.
    """
    if not isinstance(e164, str) or not _E164.fullmatch(e164):
        return []  # not a normalised number: nothing to look for (and no NUL for PostgreSQL)
    return _cards(session.execute(_LOOKUP, {"number": e164}))


def _cards(rows) -> list[CustomerCard]:
    """Customer rows, one per account (or one with no account), as cards."""
    cards: dict[int, tuple[int, str, str | None, str, bool]] = {}
    accounts: dict[int, list[str]] = {}
    for cid, name, language, segment, vip, number in rows:
        cards.setdefault(
            cid,
            (
                cid,
                clean_name(name, NAME_LIMIT),
                fields.language(language),
                fields.segment(segment),
                bool(vip),
            ),
        )
        accounts.setdefault(cid, []).extend([number] if number else [])
    return [CustomerCard(*cards[cid], tuple(accounts[cid])) for cid in cards]


def by_account(session: Session, number: str) -> CustomerCard | None:
    query = (
        select(Customer)
        .join(Account)
        .where(Account.number == number)
        .options(selectinload(Customer.accounts))
    )
    found = session.scalars(query).first()
    return _card(found) if found else None


def check_fact(session: Session, question: str, customer_id: int, account: str | None, answer: str) -> bool:
    """Does the caller's answer match what the store knows? Unknown facts never match."""
    customer = session.get(Customer, customer_id)
    if customer is None or not answer.isascii() or not answer.isdigit():
        return False
    if question == "date_of_birth":
        born = customer.date_of_birth
        return born is not None and answer == born.strftime("%d%m%Y")
    if question == "postcode":
        return customer.postcode is not None and answer == customer.postcode.replace(" ", "")
    if question == "last_payment":
        payments = [a.last_payment_euros for a in customer.accounts if account is None or a.number == account]
        return int(answer) in [p for p in payments if p is not None]
    if question == "pin":
        return verify_pin(answer, customer.pin_hash)
    return False


def caller(session: Session, e164: str, since: dt.datetime | None) -> tuple[list[CustomerCard], str | None]:
    """Who calls, and (for one known customer, if `since` is given) who served them last:
    one query, as every inbound call asks."""
    if since is None:
        return lookup(session, e164), None
    if not isinstance(e164, str) or not _E164.fullmatch(e164):
        return [], None
    rows = session.execute(_CALLER, {"number": e164, "since": since}).all()
    cards = _cards(row[:6] for row in rows)
    return cards, (rows[0][6] if len(cards) == 1 else None)


def last_agent(session: Session, customer_id: int, since: dt.datetime) -> str | None:
    return session.scalars(_LAST_AGENT, {"customer": customer_id, "since": since}).first()


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """scrypt with a random salt; stored as 'scrypt$<salt>$<hash>'."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_pin(pin: str, stored: str | None) -> bool:
    try:
        scheme, salt, digest = (stored or "").split("$")
    except ValueError:
        return False
    if scheme != "scrypt" or not digest.isascii():  # the store's text: anyone may have written it
        return False
    try:
        expected = hash_pin(pin, base64.b64decode(salt, validate=True)).split("$")[2]
    except ValueError:  # binascii.Error: not base64
        return False
    return hmac.compare_digest(expected, digest)


def by_id(session: Session, customer_id: int) -> CustomerCard | None:
    found = session.get(Customer, customer_id, options=[selectinload(Customer.accounts)])
    return _card(found) if found else None
