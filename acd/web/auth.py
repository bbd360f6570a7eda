"""Who is asking: HTTP Basic credentials checked against config/acd.yaml's staff.

Only staff with a web password can sign in; agents and callers have no web login at all.
An unknown number and a wrong password get the same answer through the same steps. Wrong
tries are slowed, never locked out (acd/core/throttle.py): failures count against the number
and the address, and once either owes a wait, tries there are not even evaluated (429). The
real user is not caught by a stranger's guessing: a successful sign-in hands out a device
cookie (signed with http.signing_key), and tries that carry one are counted against that
device alone (OWASP's "device cookies").
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

from acd import security_log
from acd.config import Config, Staff
from acd.core.throttle import Backoff, Throttle

DEVICE_COOKIE = b"acd_device"
DEVICE_DAYS = 30
WRONG = "wrong number or password"
MAX_KEYS = 10_000  # throttle records kept; the quiet ones go first
SIGN_IN_BACKOFF = Backoff(free=5, base=1.0, cap=300.0, forget=3600.0)
_NUMBER = re.compile(r"[0-9]{1,20}")
_DUMMY = secrets.token_urlsafe(24).encode()  # compared against when the number is unknown


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
    person: Staff
    device_cookie: bytes | None  # to set on the answer (a first sign-in from this client)


class StaffLogin:
    def __init__(
        self, config: Config, clock: Callable[[], float] = time.time, rules: Backoff = SIGN_IN_BACKOFF
    ) -> None:
        self.config, self.clock = config, clock
        self.key = config.http.signing_key.encode()
        self.throttle = Throttle(rules)

    def sign_in(self, authorization: bytes | None, remote: str = "", device: bytes | None = None) -> SignIn:
        """The signed-in staff member, or Unauthorized / Throttled."""
        number, password = _basic(authorization)
        now = self.clock()
        nonce = self._device(device, number, now)
        keys = [f"device:{nonce}"] if nonce else [f"number:{number}", f"address:{remote}"]
        owed = self.throttle.wait(keys, now)
        if owed > 0:
            security_log.event("HttpSignInThrottled", "http", remote, AccountID=number, Wait=round(owed))
            raise Throttled(owed)
        person = self.config.person(number)
        secret = person.password if person is not None else None
        known = secret is not None
        # compared even for a stranger (against a dummy), so the time says nothing
        matches = hmac.compare_digest(password.encode(), secret.encode() if secret is not None else _DUMMY)
        if person is None or not (matches and known):
            self.throttle.fail(keys, now)
            self._bound(now)
            security_log.event(
                "InvalidPassword" if known else "InvalidAccountID", "http", remote, AccountID=number
            )
            raise Unauthorized(WRONG)
        if nonce:
            self.throttle.succeed(keys)
            return SignIn(person, None)
        return SignIn(person, self.device_cookie(number, now))

    def person(self, authorization: bytes | None, remote: str = "") -> Staff:
        return self.sign_in(authorization, remote).person

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

    def team_agents(self, person: Staff) -> set[str] | None:
        """Whose recordings and sessions `person` may see: None is everyone's (quality)."""
        if person.role == "quality":
            return None
        if person.role == "supervisor":
            return {a.number for a in self.config.agents if a.team in person.teams}
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
