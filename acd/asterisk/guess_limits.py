"""Guesses limited across calls and restarts, with the core's backoff (acd/core/throttle.py):
the IVR's identity questions (ivr/flow.py's Limit/Guessed requests) and the PINs typed on
phones (agent login, supervisors' listen-in), from records in redis.

Per call a caller gets a few questions; across calls, wrong answers count against the
account, the customer and the caller's number, so redialling (or a daemon restart) does not
buy fresh guesses. Without redis no identity answer is checked (the caller goes on
unverified); PINs fall back to this process's memory, so agents can still log in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from acd import security_log
from acd.core import throttle
from acd.core.pin_guard import GuessBook, pin_keys
from acd.core.throttle import Record

__all__ = ["GuessLimits", "Memory", "Store", "pin_keys"]


class Store(Protocol):
    async def load_guesses(self, keys: tuple[str, ...]) -> dict[str, Record] | None: ...

    async def save_guesses(self, records: dict[str, Record], forget: tuple[str, ...] = ()) -> None: ...


class Memory:
    """The core's table of failures (acd/core/pin_guard.py) as a store: the fallback when
    redis cannot say, in this process only."""

    def __init__(self, most: int = 10_000, book: GuessBook | None = None) -> None:
        self.book = book if book is not None else GuessBook(most)

    @property
    def records(self) -> dict[str, Record]:
        return self.book.records

    async def load_guesses(self, keys: tuple[str, ...]) -> dict[str, Record] | None:
        return self.book.get(keys)

    async def save_guesses(self, records: dict[str, Record], forget: tuple[str, ...] = ()) -> None:
        self.book.put(records, forget)


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

    async def _load(self, keys: tuple[str, ...]) -> dict[str, Record] | None:
        records = await self.store.load_guesses(keys)
        if records is None and self.fallback is not None:
            records = await self.fallback.load_guesses(keys)
        return records

    async def _save(self, records: dict[str, Record], forget: tuple[str, ...] = ()) -> None:
        await self.store.save_guesses(records, forget)
        if self.fallback is not None:
            await self.fallback.save_guesses(records, forget)

    async def wait(self, keys: tuple[str, ...], remote: str = "") -> float:
        """Seconds before a guess at `keys` may be checked; the cap when nothing can say."""
        records = await self._load(keys)
        if records is None:
            return self.rules.cap
        now = self.clock()
        owed = max((throttle.wait(r, self.rules, now) for r in records.values()), default=0.0)
        if owed > 0:
            security_log.event(
                f"{self.kind}GuessThrottled", self.service, remote, keys=" ".join(keys), wait=round(owed)
            )
        return owed

    async def guessed(self, keys: tuple[str, ...], right: bool, remote: str = "") -> None:
        if right:
            await self._save({}, forget=keys)
            return
        records = await self._load(keys)
        if records is None:
            return
        now = self.clock()
        changed = {k: throttle.failed(r, self.rules, now) for k, r in records.items()}
        await self._save(changed)
        security_log.event(
            f"{self.kind}GuessWrong",
            self.service,
            remote,
            keys=" ".join(keys),
            failures=max((r.failures for r in changed.values()), default=0),
        )
