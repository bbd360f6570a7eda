"""Who is asking: HTTP Basic credentials checked against config/acd.yaml's staff.

Only staff with a web password can sign in; agents and callers have no web login at all.
Wrong passwords in a row lock the number for a while, as wrong PINs do on the phone.
"""
from __future__ import annotations

import base64
import binascii
import hmac
import time
from typing import Callable

from acd.config import Config, Staff
from acd.core.agents import PinGuard


class Unauthorized(Exception):
    """No credentials, or wrong ones: 401."""


class Forbidden(Exception):
    """Signed in, but this role may not do that: 403."""


class StaffLogin:
    def __init__(self, config: Config, clock: Callable[[], float] = time.time) -> None:
        self.config, self.clock = config, clock
        self.guard = PinGuard(config.features.lockout_after, config.features.lockout_seconds)

    def person(self, authorization: bytes | None) -> Staff:
        number, password = _basic(authorization)
        person = self.config.person(number)
        now = self.clock()
        if person is None or person.password is None:
            raise Unauthorized("unknown user")
        if self.guard.locked(number, now):
            raise Unauthorized("locked after too many wrong passwords")
        if not hmac.compare_digest(password.encode(), person.password.encode()):
            self.guard.wrong(number, now)
            raise Unauthorized("wrong password")
        self.guard.right(number)
        return person

    def team_agents(self, person: Staff) -> set[str] | None:
        """Whose recordings `person` may hear: None is everyone's (quality)."""
        if person.role == "quality":
            return None
        if person.role == "supervisor":
            return {a.number for a in self.config.agents if a.team in person.teams}
        raise Forbidden(f"role {person.role!r} may not hear recordings")


def _basic(authorization: bytes | None) -> tuple[str, str]:
    if not authorization or not authorization.startswith(b"Basic "):
        raise Unauthorized("credentials required")
    try:
        decoded = base64.b64decode(authorization[6:], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized("malformed credentials") from None
    number, sep, password = decoded.partition(":")
    if not sep or len(number) > 20 or len(password) > 128:
        raise Unauthorized("malformed credentials")
    return number, password
