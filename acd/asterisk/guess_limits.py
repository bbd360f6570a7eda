"""Guesses limited across calls and restarts, with the core's backoff (acd/core/throttle.py):
the IVR's identity questions (ivr/flow.py's Limit, Attempt, Guessed and Spared requests) and
the PINs typed on phones (agent login, supervisors' listen-in), from records in redis.

Per call a caller gets a few questions; across calls, wrong answers count against the
account, the customer and the caller's number, so redialling (or a daemon restart) does not
buy fresh guesses. Each guess is counted before it is checked, in one update, so parallel
calls cannot each take the same free guess. Without redis no identity answer is checked (the caller goes on
unverified); PINs fall back to this process's memory, so agents can still log in.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Protocol

from acd import security_log
from acd.core import throttle
from acd.core.pin_guard import GuessBook, pin_keys
from acd.core.throttle import Change, Record

__all__ = ["Change", "GuessLimits", "Memory", "Store", "pin_keys"]


class Store(Protocol):
    async def load_guesses(self, keys: tuple[str, ...]) -> dict[str, Record] | None: ...

    async def update_guesses(
        self, keys: tuple[str, ...], change: Change, ttl: int
    ) -> dict[str, Record] | None:
        """`change` applied at once: no other update of these keys comes between its read
        and its write. Returns the records it saw; None when the store cannot say."""
        ...


class Memory:
    """The core's table of failures (acd/core/pin_guard.py) as a store: the fallback when
    redis cannot say, in this process only (one thread: every update is at once)."""

    def __init__(self, most: int = 10_000, book: GuessBook | None = None) -> None:
        self.book = book if book is not None else GuessBook(most)

    @property
    def records(self) -> dict[str, Record]:
        return self.book.records

    async def load_guesses(self, keys: tuple[str, ...]) -> dict[str, Record] | None:
        return self.book.get(keys)

    async def update_guesses(
        self, keys: tuple[str, ...], change: Change, ttl: int
    ) -> dict[str, Record] | None:
        seen = self.book.get(keys)
        changed = change(seen)
        kept = {k: r for k, r in changed.items() if r.failures}
        self.book.put(kept, forget=tuple(k for k in changed if k not in kept))
        return seen


class GuessLimits:
    def __init__(
        self,
        store: Store,
        rules: throttle.Backoff,
        clock: Callable[[], float] = time.time,
        kind: str = "Ivr",
        service: str = "ivr",
        fallback: Store | None = None,
    ) -> None:
        self.store, self.rules, self.clock = store, rules, clock
        self.kind, self.service, self.fallback = kind, service, fallback
        self.ttl = math.ceil(rules.forget) + 1  # a record forgotten by the rules goes from redis too

    async def _load(self, keys: tuple[str, ...]) -> dict[str, Record] | None:
        records = await self.store.load_guesses(keys)
        if records is None and self.fallback is not None:
            records = await self.fallback.load_guesses(keys)
        return records

    async def _update(self, keys: tuple[str, ...], change: Change) -> dict[str, Record] | None:
        seen = await self.store.update_guesses(keys, change, self.ttl)
        if self.fallback is None:
            return seen
        if seen is None:
            return await self.fallback.update_guesses(keys, change, self.ttl)
        settled = change(seen)  # the fallback mirrors what redis now holds
        await self.fallback.update_guesses(keys, lambda _: settled, self.ttl)
        return seen

    async def wait(self, keys: tuple[str, ...], remote: str = "") -> float:
        """Seconds before a guess at `keys` may be checked; the cap when nothing can say.
        Counts nothing: for not asking at all; `attempt` before each guess."""
        records = await self._load(keys)
        if records is None:
            return self.rules.cap
        return self._owed(keys, records, remote)

    async def attempt(self, keys: tuple[str, ...], remote: str = "") -> float:
        """As `wait`, and when nothing is owed the guess about to be checked is already
        counted as wrong, so callers guessing at once each see the others' guesses."""
        now = self.clock()
        seen = await self._update(keys, lambda records: throttle.attempted(records, self.rules, now))
        if seen is None:
            return self.rules.cap
        return self._owed(keys, seen, remote)

    def _owed(self, keys: tuple[str, ...], records: dict[str, Record], remote: str) -> float:
        owed = throttle.owed(records, self.rules, self.clock())
        if owed > 0:
            security_log.event(
                f"{self.kind}GuessThrottled", self.service, remote, keys=" ".join(keys), wait=round(owed)
            )
        return owed

    async def guessed(self, keys: tuple[str, ...], right: bool, remote: str = "") -> None:
        """The attempt's outcome: right, the keys start afresh; wrong, it stays counted."""
        if right:
            await self._update(keys, throttle.forgotten)
            return
        records = await self._load(keys)
        security_log.event(
            f"{self.kind}GuessWrong",
            self.service,
            remote,
            keys=" ".join(keys),
            failures=max((r.failures for r in (records or {}).values()), default=0),
        )

    async def right_pin(self, keys: tuple[str, str], remote: str = "") -> None:
        """A right PIN (acd/core/pin_guard.py's keys): that number at that phone starts afresh;
        the phone, which may have guessed at other numbers, only gets this attempt back."""
        await self.guessed(keys[:1], right=True, remote=remote)
        await self.spare(keys[1:])

    async def spare(self, keys: tuple[str, ...]) -> None:
        """The attempt was no wrong guess after all: its count is given back."""
        await self._update(keys, throttle.spared)
