"""Synthetic customers for demos and benchmarks, fast enough for a million.

Rows go in through SQLAlchemy Core in large batches inside one transaction per batch; ids
are assigned here so numbers and accounts can refer to them without a round trip.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from sqlalchemy import Engine, func, insert, select

from acd.core.accounts import check_digit
from acd.store import db
from acd.store.models import Account, Customer, PhoneNumber

FIRST = (
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elif",
    "Farid",
    "Greta",
    "Hannah",
    "Ivan",
    "Jana",
    "Karl",
    "Lena",
    "Marco",
    "Nina",
    "Omar",
    "Paula",
    "Quentin",
    "Rosa",
    "Sven",
    "Tara",
    "Ugo",
    "Vera",
    "Wim",
    "Yusuf",
    "Zoe",
    "Lukas",
    "Mia",
    "Noah",
    "Emma",
    "Leon",
)
LAST = (
    "Schmidt",
    "Müller",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Yilmaz",
    "Kowalski",
    "Rossi",
    "Dubois",
    "Novak",
    "Jansen",
    "Larsen",
    "Popescu",
    "Santos",
)
AREAS = ("30", "40", "69", "89", "221", "211", "711", "351", "341", "511", "151", "160", "170", "176")
BATCH = 20_000
_BORN = dt.date(1940, 1, 1)

Progress = Callable[[int], None]


def generate(made: Engine, count: int, seed: int = 1, progress: Progress = lambda n: None) -> int:
    """Add `count` customers (about 5 % VIP, 3 % sharing a number with the one before)."""
    rng = random.Random(seed)
    with made.connect() as connection:
        start = (connection.scalar(select(func.max(Customer.id))) or 0) + 1
        next_account = (connection.scalar(select(func.count(Account.id))) or 0) + 1
    done, previous = 0, None
    while done < count:
        size = min(BATCH, count - done)
        people, numbers, accounts = [], [], []
        for offset in range(size):
            cid = start + done + offset
            people.append(_person(rng, cid))
            number = "+49" + rng.choice(AREAS) + str(rng.randrange(1_000_000, 99_999_999))
            numbers.append({"number": number, "customer_id": cid})
            if previous is not None and rng.random() < 0.03:  # shares the previous one's line
                numbers.append({"number": previous, "customer_id": cid})
            previous = number
            body = f"{next_account:07d}"
            accounts.append(
                {
                    "number": body + check_digit(body),
                    "customer_id": cid,
                    "last_payment_euros": rng.randrange(5, 500),
                }
            )
            next_account += 1
        with made.begin() as connection:
            connection.execute(insert(Customer), people)
            connection.execute(insert(PhoneNumber), _unique(numbers))
            connection.execute(insert(Account), accounts)
            db.advance_sequences(connection)
        done += size
        progress(size)
    return done


def _person(rng: random.Random, cid: int) -> dict:
    vip = rng.random() < 0.05
    return {
        "id": cid,
        "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "language": rng.choice(("de", "de", "de", "en")),
        "vip": vip,
        "segment": "premium" if vip else rng.choice(("standard", "standard", "business")),
        "postcode": f"{rng.randrange(1000, 99999):05d}",
        "pin_hash": None,
        "date_of_birth": _BORN + dt.timedelta(days=rng.randrange(0, 365 * 60)),
    }


def _unique(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        key = (row["number"], row["customer_id"])
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out
