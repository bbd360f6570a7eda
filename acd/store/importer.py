"""`acd customers import FILE.csv`: all rows or none.

The file is read twice: first every row is checked and every problem collected with its
line number; only a clean file is then written, in one transaction, so a failure at any
point leaves the store as it was. Columns (header row required; only `name` is mandatory):

    name, phones, language, segment, vip, date_of_birth, postcode, pin, accounts

`phones` and `accounts` hold several values separated by ';'. Phones may be national or
international; they are stored in E.164. Accounts end in their Luhn check digit.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import Connection, Engine, func, insert, select

from acd.config import Numbers
from acd.core.accounts import valid_account
from acd.core.numbers import normalize
from acd.store import db
from acd.store.customers import hash_pin
from acd.store.models import Account, Customer, PhoneNumber

COLUMNS = ("name", "phones", "language", "segment", "vip", "date_of_birth", "postcode", "pin",
           "accounts")
BATCH = 5000
_FLAGS = {"": False, "0": False, "1": True, "false": False, "true": True, "no": False, "yes": True}
_TEXT = re.compile(r"[^\x00-\x1f\x7f]{1,120}")

Progress = Callable[[int], None]


class ImportFailed(Exception):
    """The file has problems; nothing was written. `problems` holds (line, reason) pairs."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__(f"{len(problems)} bad rows; nothing imported")
        self.problems = problems


@dataclass
class _Row:
    customer: dict
    phones: list[str]
    accounts: list[str]


def import_csv(made: Engine, path: Path, numbers: Numbers, progress: Progress = lambda n: None) -> int:
    problems, seen_accounts = [], set()
    for line, row in _rows(path):
        try:
            parsed = _parse(row, numbers, hash_pins=False)
        except ValueError as exc:
            problems.append((line, str(exc)))
            continue
        for account in parsed.accounts:
            if account in seen_accounts:
                problems.append((line, f"account {account} appears twice in the file"))
            seen_accounts.add(account)
        progress(1)
    with made.connect() as connection:
        taken = _existing_accounts(connection, seen_accounts)
    problems += [(0, f"account {a} already belongs to a customer") for a in sorted(taken)]
    if problems:
        raise ImportFailed(problems)
    return _write(made, path, numbers)


def _rows(path: Path) -> Iterator[tuple[int, dict]]:
    with open(path, newline="", encoding="utf-8", errors="strict") as handle:
        reader = csv.DictReader(handle)
        unknown = set(reader.fieldnames or ()) - set(COLUMNS)
        if "name" not in (reader.fieldnames or ()) or unknown:
            raise ImportFailed([(1, f"header must name columns from {', '.join(COLUMNS)}"
                                    + (f"; unknown: {', '.join(sorted(unknown))}" if unknown else ""))])
        for row in reader:
            if None in row:
                raise ImportFailed([(reader.line_num, "more fields than the header names")])
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items()}


def _parse(row: dict, numbers: Numbers, hash_pins: bool) -> _Row:
    name = row.get("name", "")
    if not _TEXT.fullmatch(name):
        raise ValueError("name is missing, too long or has control characters")
    phones = []
    for raw in filter(None, row.get("phones", "").split(";")):
        e164 = normalize(raw, numbers.country_code, numbers.national_prefix, numbers.international_prefix)
        if e164 is None:
            raise ValueError(f"phone {raw[:30]!r} is not a phone number")
        phones.append(e164)
    accounts = [a.strip() for a in row.get("accounts", "").split(";") if a.strip()]
    for account in accounts:
        if not valid_account(account):
            raise ValueError(f"account {account[:30]!r} is not 8 digits with a valid check digit")
    return _Row(_customer(row, name, hash_pins), sorted(set(phones)), accounts)


def _customer(row: dict, name: str, hash_pins: bool) -> dict:
    language, segment = row.get("language", ""), row.get("segment", "") or "standard"
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise ValueError(f"language {language[:10]!r} is not a two-letter code")
    if not re.fullmatch(r"[a-z_]{1,20}", segment):
        raise ValueError(f"segment {segment[:30]!r} is not a lower-case word")
    vip = row.get("vip", "").lower()
    if vip not in _FLAGS:
        raise ValueError(f"vip {vip[:10]!r} is not yes/no/true/false/1/0")
    try:
        born = dt.date.fromisoformat(row["date_of_birth"]) if row.get("date_of_birth") else None
    except ValueError:
        raise ValueError(f"date_of_birth {row['date_of_birth'][:20]!r} is not YYYY-MM-DD") from None
    postcode, pin = row.get("postcode", ""), row.get("pin", "")
    if postcode and not re.fullmatch(r"[0-9A-Za-z ]{3,10}", postcode):
        raise ValueError(f"postcode {postcode[:20]!r} is not a postcode")
    if pin and not re.fullmatch(r"[0-9]{4,8}", pin):
        raise ValueError("pin must be 4 to 8 digits")
    return {"name": name, "language": language or None, "segment": segment, "vip": _FLAGS[vip],
            "date_of_birth": born, "postcode": postcode or None,
            "pin_hash": hash_pin(pin) if pin and hash_pins else None}


def _existing_accounts(connection: Connection, accounts: set[str]) -> set[str]:
    wanted, taken = sorted(accounts), set()
    for i in range(0, len(wanted), 500):
        chunk = wanted[i:i + 500]
        taken |= set(connection.scalars(select(Account.number).where(Account.number.in_(chunk))))
    return taken


def _write(made: Engine, path: Path, numbers: Numbers) -> int:
    written = 0
    with made.begin() as connection:  # one transaction: all rows or none
        next_id = (connection.scalar(select(func.max(Customer.id))) or 0) + 1
        batch: list[_Row] = []
        for _, row in _rows(path):
            batch.append(_parse(row, numbers, hash_pins=True))
            if len(batch) == BATCH:
                next_id = _insert(connection, batch, next_id)
                written += len(batch)
                batch = []
        if batch:
            _insert(connection, batch, next_id)
            written += len(batch)
        db.advance_sequences(connection)
    return written


def _insert(connection: Connection, batch: list[_Row], next_id: int) -> int:
    people, phones, accounts = [], [], []
    for offset, row in enumerate(batch):
        cid = next_id + offset
        people.append({"id": cid, **row.customer})
        phones += [{"number": n, "customer_id": cid} for n in row.phones]
        accounts += [{"number": a, "customer_id": cid} for a in row.accounts]
    connection.execute(insert(Customer), people)
    if phones:
        connection.execute(insert(PhoneNumber), phones)
    if accounts:
        connection.execute(insert(Account), accounts)
    return next_id + len(batch)
