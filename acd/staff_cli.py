"""`acd staff add|passwd|disable|enable|list`: the staff table (acd/store/staff.py) from a shell.

Secrets never come from argv (other users read it in `ps`, shells keep it in their history):
asked twice on a terminal (getpass, no echo), or one line each from stdin with
`--password-stdin` / `--pin-stdin` for scripts (the password first when both).

The CLI writes the store; the daemon's sessions live in its own memory (and redis's copy), out
of this process's reach. A new password or disabling bumps the record's version instead: the
daemon reads the table every few seconds (acd/service.py ROSTER_EVERY) and then refuses every
request of a session made before the change, as it refuses the person's next sign-in.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, TextIO

from acd.core.people import ROLES, Person

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported for this verb only: the CLI starts quick
    from sqlalchemy.orm import sessionmaker

    from acd.config import Config
    from acd.config_web import Hashing

EXIT_REFUSED = 1  # the store said no: unknown number, taken number, bad field, secrets differ
EXIT_USAGE = 2  # as argparse's: nothing to read a secret from
ENDS = "their open sessions end at the daemon's next read of the table (within seconds)"
Prompt = Callable[[str], str]


class Refused(Exception):
    """What this command cannot do, said on stderr."""

    def __init__(self, message: str, code: int = EXIT_REFUSED) -> None:
        super().__init__(message)
        self.code = code


def add_parser(verbs: argparse._SubParsersAction, run: Callable[..., int]) -> None:
    """`acd staff ...` on the CLI's parser; `run` is called with (config, args)."""
    staff_verb = verbs.add_parser(
        "staff", help="people who sign in: add, passwd, manager, disable, enable, list"
    )
    actions = staff_verb.add_subparsers(required=True, metavar="ACTION", dest="action")
    add = actions.add_parser("add", help="a new person (password asked, never on the command line)")
    add.add_argument("number")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--team", action="append", default=[], help="a team (repeat for more)")
    add.add_argument("--phone", help="the extension their phone registers as")
    add.add_argument("--queue", action="append", default=[], help="an agent's queue (repeat for more)")
    add.add_argument("--pin", action="store_true", help="also ask for a phone PIN (4 to 8 digits)")
    add.add_argument("--manager", default="", help="whom their late complaint cases go to")
    boss = actions.add_parser("manager", help="whom their late complaint cases go to ('' : none)")
    boss.add_argument("number")
    boss.add_argument("manager")
    passwd = actions.add_parser("passwd", help="a new password (or with --pin, a new phone PIN)")
    passwd.add_argument("number")
    passwd.add_argument("--pin", action="store_true", help="the phone PIN instead of the password")
    for parser in (add, passwd):
        parser.add_argument("--password-stdin", action="store_true", help="the password: one line of stdin")
        parser.add_argument("--pin-stdin", action="store_true", help="the PIN: one line of stdin")
    for name, what in (
        ("disable", "refuse their sign-in and end their sessions"),
        ("enable", "let them back"),
    ):
        actions.add_parser(name, help=what).add_argument("number")
    actions.add_parser("list", help="everyone, without hashes")
    staff_verb.set_defaults(func=run)


def run(
    config: Config,
    args: argparse.Namespace,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    prompt: Prompt | None = None,
) -> int:
    from acd.store import db, staff

    stdin, out = stdin or sys.stdin, out or sys.stdout
    db.migrate(config.store.url)
    engine = db.engine(config.store.url)
    try:
        table = Table(db.sessions(engine), config.hashing)
        table.seed(config)
        if args.action == "list":
            table.listing(out)
        else:
            print(table.change(args, Secrets(stdin, prompt or getpass.getpass, args)), file=out)
        return 0
    except Refused as no:
        print(f"acd staff: {no}", file=sys.stderr)
        return no.code
    except staff.StaffError as no:
        print(f"acd staff: {no}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        engine.dispose()


class Table:
    """The staff table's changes, each in one transaction, hashed at the config's cost (the
    daemon's Roster does the same for the admin page, on its threads)."""

    def __init__(self, sessions: sessionmaker, cost: Hashing) -> None:
        from acd.store.passwords import Hasher

        self.sessions, self.hasher = sessions, Hasher(cost)

    def seed(self, config: Config) -> None:
        """acd.yaml's people missing from the table, as the daemon's start inserts them: the
        CLI sees (and may change) everyone the daemon will."""
        from acd.store import staff
        from acd.store.times import utc

        with self.sessions.begin() as session:
            staff.seed(session, config, self.hasher, utc(time.time()))

    def change(self, args: argparse.Namespace, secrets: Secrets) -> str:
        from acd.store import staff
        from acd.store.times import utc

        number, now = args.number, utc(time.time())
        with self.sessions() as session:
            known = staff.record(session, number) is not None  # before any secret is asked for
        if args.action == "add":
            if known:
                raise Refused(f"number: {number} is taken")
            person = staff.check(
                Person(
                    number,
                    args.name.strip(),
                    args.role,
                    tuple(args.team),
                    args.phone,
                    tuple(args.queue),
                    manager=args.manager,
                )
            )
            self._known_manager(args.manager)
            password = self.hasher.hash(secrets.read("password", staff.check_password))
            pin = (
                self.hasher.hash(secrets.read("PIN", staff.check_pin)) if args.pin or args.pin_stdin else None
            )
            with self.sessions.begin() as session:
                made = staff.add(session, person, password, pin, now)
            return f"added {made.number} ({made.name}, {made.role})"
        if not known:
            raise Refused(f"number: nobody has number {number}")
        if args.action == "manager":
            self._known_manager(args.manager)
            with self.sessions.begin() as session:
                row = staff.record(session, number)
                staff.check(replace(staff.to_person(row), manager=args.manager))  # type: ignore[arg-type]
                staff.change(session, number, now, False, manager=args.manager or None)
            return f"{number} reports to {args.manager or 'nobody'}"
        if args.action == "passwd" and (args.pin or args.pin_stdin):
            values: dict[str, object] = {"pin_hash": self.hasher.hash(secrets.read("PIN", staff.check_pin))}
            done = f"new phone PIN for {number}"  # web sessions stay: a PIN never signs a browser in
        elif args.action == "passwd":
            values = {"password_hash": self.hasher.hash(secrets.read("password", staff.check_password))}
            done = f"new password for {number}; {ENDS}"
        else:
            values = {"disabled": args.action == "disable"}
            done = f"{number} {args.action}d" + (f"; {ENDS}" if args.action == "disable" else "")
        with self.sessions.begin() as session:
            staff.change(session, number, now, "pin_hash" not in values, **values)
        return done

    def _known_manager(self, manager: str) -> None:
        from acd.store import staff

        if not manager:
            return
        with self.sessions() as session:
            if staff.record(session, manager) is None:
                raise Refused(f"manager: nobody has number {manager}")

    def listing(self, out: TextIO) -> None:
        """Everyone as a table: who, their standing, whether a password and a PIN are set."""
        from sqlalchemy import select

        from acd.store.models import StaffMember

        with self.sessions() as session:
            rows = list(session.scalars(select(StaffMember).order_by(StaffMember.number)))
        table = [
            ("NUMBER", "NAME", "ROLE", "TEAMS", "PHONE", "QUEUES", "MANAGER", "STATE", "PASSWORD", "PIN")
        ]
        for row in rows:
            table.append(
                (
                    row.number,
                    row.name,
                    row.role,
                    row.teams or "-",
                    row.phone or "-",
                    row.queues or "-",
                    row.manager or "-",
                    "disabled" if row.disabled else "active",
                    "set" if row.password_hash else "none",
                    "set" if row.pin_hash else "none",
                )
            )
        widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
        for line in table:
            print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip(), file=out)


class Secrets:
    """A password or PIN from stdin (one line) or asked twice on the terminal."""

    def __init__(self, stdin: TextIO, prompt: Prompt, args: argparse.Namespace) -> None:
        self.stdin, self.prompt = stdin, prompt
        self.from_stdin = {w: getattr(args, f"{w.lower()}_stdin", False) for w in ("password", "PIN")}

    def read(self, what: str, check: Callable[[str], str]) -> str:
        if self.from_stdin[what]:
            line = self.stdin.readline()
            if not line:
                raise Refused(f"--{what.lower()}-stdin: stdin ended before the {what}")
            return check(line.removesuffix("\n").removesuffix("\r"))
        if not self.stdin.isatty():
            raise Refused(f"no terminal to ask for the {what} on: use --{what.lower()}-stdin", EXIT_USAGE)
        first = check(self.prompt(f"{what}: "))
        if self.prompt(f"{what} again: ") != first:
            raise Refused(f"the two {what}s differ; nothing changed")
        return first
