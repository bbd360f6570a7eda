"""Wrong PINs typed on phones, as the core keeps them: whom a wrong PIN counts against, and
the bounded table of those counts held in this process when redis cannot say.

The store of record is redis (acd/asterisk/guess_limits.py, across calls and restarts);
this table is the fallback, so agents can still log in with redis away. Pure: records are
plain data (acd/core/throttle.py), time is in them.
"""

from __future__ import annotations

from collections.abc import Iterable

from acd.core.throttle import Record


def pin_keys(number: str, interface: str) -> tuple[str, str]:
    """Whom a wrong PIN counts against: that number at that phone (a stranger guessing at their
    own phone never slows the agent at theirs), and that phone (guessing many numbers)."""
    return f"pin:{number[:8]}@{interface}", f"pin-phone:{interface}"


class GuessBook:
    """Failures per key, bounded: past `most` keys the quietest go first."""

    def __init__(self, most: int = 10_000) -> None:
        self.records: dict[str, Record] = {}
        self.most = most

    def get(self, keys: Iterable[str]) -> dict[str, Record]:
        return {k: self.records.get(k, Record()) for k in keys}

    def put(self, records: dict[str, Record], forget: Iterable[str] = ()) -> None:
        self.records.update(records)
        for key in forget:
            self.records.pop(key, None)
        if len(self.records) > self.most:
            quietest = sorted(self.records, key=lambda k: self.records[k].last)
            for key in quietest[: len(self.records) - self.most]:
                del self.records[key]
