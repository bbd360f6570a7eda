"""Passwords and PINs hashed with argon2id (argon2-cffi), at the cost the config names.

A check against an unknown person still costs one hash (against a dummy made at the same
cost), so the time an answer takes says nothing about who exists.
"""

from __future__ import annotations

import secrets

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from acd.config_web import Hashing

DEFAULT_COST = Hashing()


class Hasher:
    def __init__(self, cost: Hashing = DEFAULT_COST) -> None:
        self.argon = argon2.PasswordHasher(
            time_cost=cost.time_cost, memory_cost=cost.memory_kib, parallelism=cost.parallelism
        )
        self._dummy: str | None = None  # made at the first check (start-up stays quick)

    def hash(self, secret: str) -> str:
        return self.argon.hash(secret)

    def verify(self, stored: str | None, secret: str) -> bool:
        """Whether `secret` matches `stored`; None (no hash: no password set) never matches,
        after the same work as a real check."""
        if self._dummy is None:
            self._dummy = self.argon.hash(secrets.token_urlsafe(16))
        try:
            return self.argon.verify(stored if stored is not None else self._dummy, secret) and (
                stored is not None
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def stale(self, stored: str) -> bool:
        """Made at another cost than the config's: remake it while the secret is at hand."""
        try:
            return self.argon.check_needs_rehash(stored)
        except InvalidHashError:
            return True
