"""Who is asking: a number and a password checked against the staff table (acd/store/roster.py),
from the sign-in form (then a cookie session, acd/web/sessions.py) or from HTTP Basic (the
API's tools).

An unknown number and a wrong password get the same answer through the same steps (argon2
against a dummy hash). Wrong tries are slowed, never locked out (acd/core/throttle.py):
failures count against the number and the address, and once either owes a wait, tries there
are not even evaluated (429). The real user is not caught by a stranger's guessing: a
successful sign-in hands out a device cookie (signed with http.signing_key), and tries that
carry one are counted against that device alone (OWASP's "device cookies").

Basic credentials, once checked, are remembered for a few minutes under an HMAC of the pair,
so a tool polling the API costs one argon2 check, not one a request.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import sha256
from typing import Protocol

from acd import security_log
from acd.config import Config
from acd.core.people import Person, may_sign_in
from acd.core.staffing import Staffing
from acd.core.throttle import Backoff, Throttle
from acd.web.sessions import Keeper, Sessions

DEVICE_COOKIE = b"acd_device"
DEVICE_DAYS = 30
WRONG = "wrong number or password"
MAX_KEYS = 10_000  # throttle records kept; the quiet ones go first
SIGN_IN_BACKOFF = Backoff(free=5, base=1.0, cap=300.0, forget=3600.0)
BASIC_MEMORY = 300.0  # seconds a checked Basic pair is remembered
_NUMBER = re.compile(r"[0-9]{1,20}")


class People(Protocol):
    people: dict[str, Person]
    staffing: Staffing  # the agents among them

    def person(self, number: str) -> Person | None: ...

    async def check_password(self, number: str, password: str) -> Person | None: ...

    async def add(self, person: Person, password: str | None, pin: str | None = None) -> Person: ...

    async def set_password(self, number: str, password: str) -> Person: ...

    async def set_disabled(self, number: str, disabled: bool) -> Person: ...


class Unauthorized(Exception):
    """No credentials, or wrong ones: 401."""


class Throttled(Exception):
    """Too many wrong tries here lately: 429, try again after `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__("too many wrong tries; wait before trying again")
        self.retry_after = max(1, math.ceil(retry_after))


class Forbidden(Exception):
    """Signed in, but this role may not do that: 403."""


@dataclass(frozen=True)
class SignIn:
    person: Person
    device_cookie: bytes | None  # to set on the answer (a first sign-in from this client)


class StaffLogin:
    def __init__(
        self,
        config: Config,
        people: People,
        clock: Callable[[], float] = time.time,
        rules: Backoff = SIGN_IN_BACKOFF,
        keeper: Keeper | None = None,
    ) -> None:
        self.config, self.people, self.clock = config, people, clock
        self.key = config.http.signing_key.encode()
        self.throttle = Throttle(rules)
        self.sessions = Sessions(
            config.http.signing_key, people, config.http.session_idle, config.http.session_max, clock, keeper
        )
        self._basic: dict[str, tuple[str, int, float]] = {}  # HMAC of the pair -> number, version, until

    async def sign_in(
        self, number: str, password: str, remote: str = "", device: bytes | None = None
    ) -> SignIn:
        """The person whose number and password these are, or Unauthorized / Throttled."""
        if not _NUMBER.fullmatch(number) or not 0 < len(password) <= 128:
            raise Unauthorized(WRONG)
        now = self.clock()
        nonce, keys = self._owed(number, remote, device, now)
        known = self.people.person(number) is not None
        person = await self.people.check_password(number, password)  # a stranger's costs the same
        if not may_sign_in(person) or person is None:
            self.throttle.fail(keys, self.clock())
            self._bound(now)
            security_log.event(
                "InvalidPassword" if known else "InvalidAccountID", "http", remote, AccountID=number
            )
            raise Unauthorized(WRONG)
        if nonce:
            self.throttle.succeed(keys)
            return SignIn(person, None)
        return SignIn(person, self.device_cookie(number, now))

    def _owed(
        self, number: str, remote: str, device: bytes | None, now: float
    ) -> tuple[str | None, list[str]]:
        """The device's nonce and the keys a try counts against; Throttled when one owes a wait."""
        nonce = self._device(device, number, now)
        keys = [f"device:{nonce}"] if nonce else [f"number:{number}", f"address:{remote}"]
        owed = self.throttle.wait(keys, now)
        if owed > 0:
            security_log.event("HttpSignInThrottled", "http", remote, AccountID=number, Wait=round(owed))
            raise Throttled(owed)
        return nonce, keys

    async def basic(
        self, authorization: bytes | None, remote: str = "", device: bytes | None = None
    ) -> SignIn:
        """HTTP Basic: the same check, remembered a while for the same pair (after the
        throttle: a remembered pair must not answer a guesser who owes a wait)."""
        number, password = _basic(authorization)
        now = self.clock()
        self._owed(number, remote, device, now)
        pair = hmac.new(self.key, f"basic|{number}|{password}".encode(), sha256).hexdigest()
        known = self._basic.get(pair)
        if known is not None:
            person = self.people.person(known[0])
            if known[2] > now and may_sign_in(person) and person is not None and person.version == known[1]:
                return SignIn(person, None)
            del self._basic[pair]
        signed = await self.sign_in(number, password, remote, device)
        if len(self._basic) >= MAX_KEYS:
            self._basic = {k: v for k, v in self._basic.items() if v[2] > now}
        if len(self._basic) < MAX_KEYS:
            self._basic[pair] = (number, signed.person.version, now + BASIC_MEMORY)
        return signed

    def device_cookie(self, number: str, now: float) -> bytes:
        body = f"{number}.{secrets.token_hex(8)}.{int(now) + DEVICE_DAYS * 86400}"
        return f"{body}.{self._mac(body)}".encode()

    def _device(self, cookie: bytes | None, number: str, now: float) -> str | None:
        """The device's nonce when `cookie` is one we handed `number` and still valid."""
        if not cookie or len(cookie) > 200:
            return None
        try:
            owner, nonce, expires, mac = cookie.decode("ascii").split(".")
            valid = (
                hmac.compare_digest(mac, self._mac(f"{owner}.{nonce}.{expires}"))
                and owner == number
                and int(expires) > now
            )
        except (UnicodeDecodeError, ValueError):
            return None
        return nonce if valid else None

    def _mac(self, body: str) -> str:
        return hmac.new(self.key, b"device-cookie|" + body.encode(), sha256).hexdigest()

    def _bound(self, now: float) -> None:
        """Strangers choose the numbers: keep the table bounded."""
        if len(self.throttle.records) > MAX_KEYS:
            self.throttle.forget_quiet(now)
        if len(self.throttle.records) > MAX_KEYS:
            oldest = sorted(self.throttle.records.items(), key=lambda item: item[1].last)
            self.throttle.records = dict(oldest[len(oldest) // 2 :])

    @property
    def staffing(self) -> Staffing:
        """Who the agents are, their teams and queues: the staff table's, never acd.yaml's."""
        return self.people.staffing

    def team_agents(self, person: Person) -> set[str] | None:
        """Whose recordings and sessions `person` may see: None is everyone's (quality)."""
        if person.role == "quality":
            return None
        if person.role == "supervisor":
            return set(self.staffing.of_teams(person.teams))
        raise Forbidden(f"role {person.role!r} may not hear recordings")


def _basic(authorization: bytes | None) -> tuple[str, str]:
    if not authorization or not authorization.startswith(b"Basic ") or len(authorization) > 400:
        raise Unauthorized("credentials required")
    try:
        decoded = base64.b64decode(authorization[6:], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized(WRONG) from None
    number, sep, password = decoded.partition(":")
    if not sep or not _NUMBER.fullmatch(number) or len(password) > 128:
        raise Unauthorized(WRONG)
    return number, password
