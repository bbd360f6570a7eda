"""Identity guesses limited across calls and restarts: the IVR's Limit/Guessed requests
(ivr/flow.py) answered from records in redis, with the core's backoff (acd/core/throttle.py).

Per call a caller gets a few questions; across calls, wrong answers count against the
account, the customer and the caller's number, so redialling (or a daemon restart) does not
buy fresh guesses. Without redis no answer is checked (the caller goes on unverified).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from acd import security_log
from acd.core import throttle
from acd.core.throttle import Record


class Store(Protocol):
    async def load_guesses(self, keys: tuple[str, ...]) -> dict[str, Record] | None: ...

    async def save_guesses(self, records: dict[str, Record], forget: tuple[str, ...] = ()) -> None: ...


class GuessLimits:
    def __init__(self, store: Store, rules: throttle.Backoff, clock: Callable[[], float] = time.time) -> None:
        self.store, self.rules, self.clock = store, rules, clock

    async def wait(self, keys: tuple[str, ...]) -> float:
        """Seconds before a guess at `keys` may be checked; the cap when redis cannot say."""
        records = await self.store.load_guesses(keys)
        if records is None:
            return self.rules.cap
        now = self.clock()
        owed = max((throttle.wait(r, self.rules, now) for r in records.values()), default=0.0)
        if owed > 0:
            security_log.event("IvrGuessThrottled", "ivr", "", keys=" ".join(keys), wait=round(owed))
        return owed

    async def guessed(self, keys: tuple[str, ...], right: bool) -> None:
        if right:
            await self.store.save_guesses({}, forget=keys)
            return
        records = await self.store.load_guesses(keys)
        if records is None:
            return
        now = self.clock()
        changed = {k: throttle.failed(r, self.rules, now) for k, r in records.items()}
        await self.store.save_guesses(changed)
        security_log.event("IvrGuessWrong", "ivr", "", keys=" ".join(keys),
                           failures=max((r.failures for r in changed.values()), default=0))
