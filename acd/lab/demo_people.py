"""The demo's scripted callers: who they are in the customer store and what they press.

Seeded into the store once (idempotent, by phone number); made-up people on made-up numbers
in Berlin's range. Digits follow config/ivr.yaml's menu: a known caller's language is known
(no language menu), categories 3 and 4 ask the account, 4 also a question (date of birth).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from acd.core.accounts import check_digit
from acd.store import db
from acd.store.models import Account, Customer, PhoneNumber

FIRST_KEYS_MS, NEXT_KEYS_MS = 2000, 1500  # after the answer, then between bursts (prompts interrupt)


def account(body: str) -> str:
    return body + check_digit(body)


@dataclass(frozen=True)
class Caller:
    """One scripted caller: their number (E.164), the number they dial, the digits they press
    ([(pause ms, digits)], see sipp.dtmf_actions), and their customer record if they have one."""

    moment: str  # what the day shows with them
    number: str
    dialled: str
    trunk: str
    keys: tuple[tuple[int, str], ...] = ()
    name: str | None = None  # None: not a customer (the IVR asks the language)
    vip: bool = False
    account: str | None = None
    born: dt.date | None = None
    postcode: str | None = None

    @property
    def national(self) -> str:
        """How the carrier presents the number: nationally, as most do."""
        return "0" + self.number.removeprefix("+49")


def scripted(ivr: str, direct: str) -> list[Caller]:
    """The round's callers: three through the IVR (`ivr`), one VIP on the direct line."""
    order, fault = account("1170001"), account("1170002")
    return [
        Caller(
            "ivr: order status, account",
            "+49301170001",
            ivr,
            "demo-ivr-1",
            keys=((FIRST_KEYS_MS, "3"), (NEXT_KEYS_MS, order)),
            name="Mila Hartmann",
            account=order,
        ),
        Caller(
            "ivr: technical fault, verified",
            "+49301170002",
            ivr,
            "demo-ivr-2",
            keys=((FIRST_KEYS_MS, "4"), (NEXT_KEYS_MS, fault), (NEXT_KEYS_MS, "01021980")),
            name="Jonas Ebner",
            account=fault,
            born=dt.date(1980, 2, 1),
            postcode="10115",
        ),
        Caller(
            "ivr: new caller, language and product",
            "+49301170903",
            ivr,
            "demo-ivr-3",
            keys=((FIRST_KEYS_MS, "1"), (NEXT_KEYS_MS, "1")),
        ),
        Caller("vip", "+49301170004", direct, "demo-vip", name="Greta Sommer", vip=True),
    ]


def seed(url: str, callers: list[Caller]) -> None:
    """Put the scripted customers into the store unless their number is there already."""
    db.migrate(url)
    made = db.engine(url)
    try:
        with db.sessions(made).begin() as session:
            for caller in callers:
                if caller.name is None:
                    continue
                known = session.scalars(select(PhoneNumber).where(PhoneNumber.number == caller.number))
                if known.first() is not None:
                    continue
                customer = Customer(
                    name=caller.name,
                    language="en",
                    vip=caller.vip,
                    date_of_birth=caller.born,
                    postcode=caller.postcode,
                )
                customer.numbers = [PhoneNumber(number=caller.number)]
                if caller.account:
                    customer.accounts = [Account(number=caller.account, last_payment_euros=42)]
                session.add(customer)
    finally:
        made.dispose()
