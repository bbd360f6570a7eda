"""Guessing slowed, never a lockout: failures per key (a number, an address, an account) earn
a growing wait before the next attempt at that key is even evaluated.

A hard lockout lets anyone lock the real user out with a few wrong tries; a backoff only
slows guessing: the wait doubles with every failure past the free ones, up to a cap, and a
key's failures are forgotten after a quiet while. Pure: time is passed in, records are plain
data, so the adapters keep them where they like (memory, redis) and restarts keep them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Backoff:
    free: int = 3  # failures before any wait
    base: float = 2.0  # seconds of wait after the first failure past the free ones
    cap: float = 300.0  # the longest wait
    forget: float = 3600.0  # seconds without a failure after which a key starts afresh

    def __post_init__(self) -> None:
        if self.free < 0 or not (0 < self.base <= self.cap) or self.forget <= 0:
            raise ValueError(f"not a usable backoff: {self}")


@dataclass(frozen=True)
class Record:
    """One key's failures: how many, and when the last was."""

    failures: int = 0
    last: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {"failures": self.failures, "last": self.last}

    @classmethod
    def from_dict(cls, data: object) -> Record:
        """A record read back from outside (redis): anything odd is refused."""
        if not isinstance(data, dict):
            raise ValueError("a throttle record is an object")  # noqa: TRY004  bad data, as for every field
        failures, last = data.get("failures"), data.get("last")
        if isinstance(failures, bool) or not isinstance(failures, int) or not 0 <= failures <= 1_000_000:
            raise ValueError(f"bad failures: {failures!r}")
        if (
            isinstance(last, bool)
            or not isinstance(last, (int, float))
            or not math.isfinite(last)
            or last < 0
        ):
            raise ValueError(f"bad last: {last!r}")
        return cls(failures, float(last))


def current(record: Record, rules: Backoff, now: float) -> Record:
    """The record as it stands at `now`: forgotten after a quiet while."""
    if record.failures and now - record.last >= rules.forget:
        return Record()
    return record


def wait(record: Record, rules: Backoff, now: float) -> float:
    """Seconds from `now` before the next attempt at this key may be evaluated (0: now)."""
    record = current(record, rules, now)
    counted = record.failures - rules.free
    if counted <= 0:
        return 0.0
    delay = min(rules.cap, rules.base * 2.0 ** min(counted - 1, 62))
    return max(0.0, record.last + delay - now)


def failed(record: Record, rules: Backoff, now: float) -> Record:
    record = current(record, rules, now)
    return replace(record, failures=record.failures + 1, last=max(now, record.last))


Change = Callable[[dict[str, Record]], dict[str, Record]]
"""From the records as they stand to those that change (a record of no failures: gone), as a
store applies it at once."""


def owed(records: Mapping[str, Record], rules: Backoff, now: float) -> float:
    """The longest wait any of the records owes."""
    return max((wait(r, rules, now) for r in records.values()), default=0.0)


def attempted(records: Mapping[str, Record], rules: Backoff, now: float) -> dict[str, Record]:
    """An attempt counted as a failure at every key before it is evaluated, so parallel
    attempts see each other; none is counted while a wait is owed. A right answer forgets
    the count, an attempt that was no guess gets it back (`spared`)."""
    if owed(records, rules, now) > 0:
        return {}
    return {k: failed(r, rules, now) for k, r in records.items()}


def spared(records: Mapping[str, Record]) -> dict[str, Record]:
    """One attempt given back (a skipped question, an account that exists)."""
    return {k: replace(r, failures=r.failures - 1) for k, r in records.items() if r.failures}


def forgotten(records: Mapping[str, Record]) -> dict[str, Record]:
    return {k: Record() for k in records}


@dataclass
class Throttle:
    """Records by key, in memory; adapters persist `records` (or each change) as they need."""

    rules: Backoff = field(default_factory=Backoff)
    records: dict[str, Record] = field(default_factory=dict)

    def wait(self, keys: Iterable[str], now: float) -> float:
        """The longest wait any of `keys` owes."""
        return max((wait(self.records.get(k, Record()), self.rules, now) for k in keys), default=0.0)

    def fail(self, keys: Iterable[str], now: float) -> dict[str, Record]:
        """Count a failure against every key; returns the changed records."""
        changed = {k: failed(self.records.get(k, Record()), self.rules, now) for k in keys}
        self.records.update(changed)
        return changed

    def succeed(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.records.pop(key, None)

    def forget_quiet(self, now: float) -> None:
        """Drop records that no longer count, so the table stays bounded."""
        self.records = {k: r for k, r in self.records.items() if current(r, self.rules, now).failures}
