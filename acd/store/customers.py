"""Finding customers: by the caller's number, by account, and checking what they know."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from acd.store.models import Account, Customer, Interaction, InteractionSegment, PhoneNumber

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
    return CustomerCard(customer.id, customer.name, customer.language, customer.segment,
                        customer.vip, tuple(sorted(a.number for a in customer.accounts)))


def lookup(session: Session, e164: str) -> list[CustomerCard]:
    """The customers who use this number (E.164), at most MAX_CANDIDATES, by id.

    One round trip of plain rows (no ORM objects): this runs for every inbound call.
    """
    if not isinstance(e164, str) or not _E164.fullmatch(e164):
        return []  # not a normalised number: nothing to look for (and no NUL for PostgreSQL)
    holders = (select(PhoneNumber.customer_id.label("id")).where(PhoneNumber.number == e164)
               .order_by(PhoneNumber.customer_id).limit(MAX_CANDIDATES).subquery())
    query = (select(Customer.id, Customer.name, Customer.language, Customer.segment, Customer.vip,
                    Account.number)
             .join(holders, holders.c.id == Customer.id)
             .outerjoin(Account, Account.customer_id == Customer.id)
             .order_by(Customer.id, Account.number))
    cards: dict[int, tuple] = {}
    accounts: dict[int, list[str]] = {}
    for cid, name, language, segment, vip, number in session.execute(query):
        cards.setdefault(cid, (cid, name, language, segment, bool(vip)))
        accounts.setdefault(cid, []).extend([number] if number else [])
    return [CustomerCard(*cards[cid], tuple(accounts[cid])) for cid in cards]


def by_account(session: Session, number: str) -> CustomerCard | None:
    query = (select(Customer).join(Account).where(Account.number == number)
             .options(selectinload(Customer.accounts)))
    found = session.scalars(query).first()
    return _card(found) if found else None


def check_fact(session: Session, question: str, customer_id: int, account: str | None,
               answer: str) -> bool:
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
        payments = [a.last_payment_euros for a in customer.accounts
                    if account is None or a.number == account]
        return int(answer) in [p for p in payments if p is not None]
    if question == "pin":
        return verify_pin(answer, customer.pin_hash)
    return False


def caller(session: Session, e164: str, since: dt.datetime | None) -> tuple[list[CustomerCard], str | None]:
    """Who calls, and (for one known customer, if `since` is given) who served them last:
    both in one session, as every inbound call asks."""
    cards = lookup(session, e164)
    agent = last_agent(session, cards[0].id, since) if len(cards) == 1 and since is not None else None
    return cards, agent


def last_agent(session: Session, customer_id: int, since: dt.datetime) -> str | None:
    query = (select(InteractionSegment.name).join(Interaction)
             .where(Interaction.customer_id == customer_id, InteractionSegment.kind == "agent",
                    InteractionSegment.started_at >= since)
             .order_by(InteractionSegment.started_at.desc()).limit(1))
    return session.scalars(query).first()


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
    if scheme != "scrypt":
        return False
    expected = hash_pin(pin, base64.b64decode(salt)).split("$")[2]
    return hmac.compare_digest(expected, digest)
