"""`acd customers import FILE.csv`: the good rows, and every bad one named by its line.

The file is read twice: first every row is checked and every problem collected with the
line its record starts on; then the good rows are written, in one transaction, so a failure
while writing leaves the store as it was. A bad row (a broken field, an account another row
or customer has, bytes that are not UTF-8, a field larger than csv's limit) is dropped and
reported; it does not stop the others. Columns (header row required; only `name` is
mandatory; a UTF-8 byte order mark before it is allowed):

    name, phones, language, segment, vip, date_of_birth, postcode, pin, accounts

`phones` and `accounts` hold several values separated by ';'. Phones may be national or
international; they are stored in E.164. Accounts end in their Luhn check digit.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, func, insert, select

from acd.config import Numbers
from acd.core.accounts import valid_account
from acd.core.numbers import normalize
from acd.core.text import clean_name
from acd.store import db
from acd.store.customers import hash_pin
from acd.store.models import Account, Customer, PhoneNumber

COLUMNS = ("name", "phones", "language", "segment", "vip", "date_of_birth", "postcode", "pin", "accounts")
BATCH = 5000
FIELD_LIMIT = 1000  # characters in any one field; no column needs more
CSV_LIMIT = 16 * 1024 * 1024  # csv's own limit, raised so a long field is read whole, then refused
_FLAGS = {"": False, "0": False, "1": True, "false": False, "true": True, "no": False, "yes": True}
_NAME_LIMIT = 120
_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # undecodable bytes, kept by surrogateescape

Progress = Callable[[int], None]
Problem = tuple[int, str]


class ImportFailed(Exception):
    """The file cannot be imported at all (no usable header); nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems; nothing imported")
        self.problems = problems


@dataclass(frozen=True)
class Imported:
    """What an import did: rows written, and each dropped row's line and reason."""

    written: int
    problems: list[Problem]


@dataclass
class _Row:
    customer: dict
    phones: list[str]
    accounts: list[str]


def import_csv(made: Engine, path: Path, numbers: Numbers, progress: Progress = lambda n: None) -> Imported:
    problems: list[Problem] = []
    owners: dict[str, int] = {}  # account -> the line of the row that brings it
    bad: set[int] = set()
    for line, row in _rows(path, problems):
        try:
            parsed = _parse(row, numbers, hash_pins=False)
            twice = [a for i, a in enumerate(parsed.accounts) if a in owners or a in parsed.accounts[:i]]
            if twice:
                raise ValueError(f"account {twice[0]} appears twice in the file")
        except ValueError as exc:
            problems.append((line, str(exc)))
            bad.add(line)
            continue
        owners.update((a, line) for a in parsed.accounts)
        progress(1)
    with made.connect() as connection:
        taken = _existing_accounts(connection, set(owners))
    for account in sorted(taken):
        problems.append((owners[account], f"account {account} already belongs to a customer"))
        bad.add(owners[account])
    bad.update(line for line, _ in problems)
    problems.sort()
    return Imported(_write(made, path, numbers, bad), problems)


def _rows(path: Path, problems: list[Problem]) -> Iterator[tuple[int, dict]]:
    """Each readable record with the line it starts on; unreadable ones go to `problems`."""
    csv.field_size_limit(max(csv.field_size_limit(), CSV_LIMIT))
    with open(path, newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
        reader = csv.reader(handle)
        header = _header(reader)
        ended = reader.line_num
        while True:
            line = ended + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                problems.append((line, f"unreadable record: {exc}"))
                continue
            finally:
                ended = reader.line_num
            if not fields:
                continue  # a blank line
            problem = _unusable(fields, header)
            if problem:
                problems.append((line, problem))
                continue
            yield line, {k: v.strip() for k, v in zip(header, fields)}


def _header(reader: Iterator[list[str]]) -> list[str]:
    try:
        header: list[str] = next(reader, [])
    except csv.Error as exc:
        raise ImportFailed([(1, f"unreadable header: {exc}")]) from None
    unknown = set(header) - set(COLUMNS)
    if "name" not in header or unknown or len(set(header)) != len(header):
        raise ImportFailed(
            [
                (
                    1,
                    f"header must name columns from {', '.join(COLUMNS)}, each once"
                    + (f"; unknown: {', '.join(sorted(unknown))[:200]}" if unknown else ""),
                )
            ]
        )
    return header


def _unusable(fields: list[str], header: list[str]) -> str | None:
    if len(fields) > len(header):
        return f"{len(fields)} fields, but the header names {len(header)}"
    for column, value in zip(header, fields):
        if _NOT_UTF8.search(value):
            return f"{column} is not UTF-8 text"
        if len(value) > FIELD_LIMIT:
            return f"{column} is longer than {FIELD_LIMIT} characters"
    return None


def _parse(row: dict, numbers: Numbers, hash_pins: bool) -> _Row:
    name = clean_name(row.get("name", ""), FIELD_LIMIT)  # stored as shown: no controls
    if not name or len(name) > _NAME_LIMIT:
        raise ValueError(f"name is missing or longer than {_NAME_LIMIT} characters")
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
    return {
        "name": name,
        "language": language or None,
        "segment": segment,
        "vip": _FLAGS[vip],
        "date_of_birth": born,
        "postcode": postcode or None,
        "pin_hash": hash_pin(pin) if pin and hash_pins else None,
    }


def _existing_accounts(connection: Connection, accounts: set[str]) -> set[str]:
    wanted, taken = sorted(accounts), set()
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        taken |= set(connection.scalars(select(Account.number).where(Account.number.in_(chunk))))
    return taken


def _write(made: Engine, path: Path, numbers: Numbers, bad: set[int]) -> int:
    written = 0
    with made.begin() as connection:  # one transaction: every good row or none
        next_id = (connection.scalar(select(func.max(Customer.id))) or 0) + 1
        batch: list[_Row] = []
        for line, row in _rows(path, []):
            if line in bad:
                continue
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
