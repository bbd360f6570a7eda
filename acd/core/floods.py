"""What may come in floods, counted per source address for one line per address a window.

fail2ban bans by address, so each source needs lines of its own: the first of a window at
once (it sees the source at once), the rest as one line with the count at the window's end.
Strangers choose their source addresses, so only `most` are tracked; refusals from any
further address in a window are one count (OTHERS), and memory and log lines stay bounded
(at most 2 * (most + 1) lines a window). Pure: the caller runs the window's timer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

OTHERS = ""  # the address of the line that counts the addresses past the bound

Fields = Mapping[str, object]


@dataclass(frozen=True)
class Line:
    """One line to write: `count` refusals from `address` (OTHERS: all untracked ones) since
    its last line, with the last one's fields."""

    address: str
    count: int
    fields: Fields


@dataclass
class _Count:
    since: int = 0  # refusals since the address's last line
    fields: Fields = field(default_factory=dict)


class Sources:
    """The current window's counts, per address, for one kind of refusal."""

    def __init__(self, most: int) -> None:
        self.most = most
        self.counts: dict[str, _Count] = {}
        self.others = _Count()

    def note(self, address: str, fields: Fields) -> Line | None:
        """The line to write at once for the first of `address` in a window; else None (counted)."""
        count = self.counts.get(address)
        if count is None and len(self.counts) >= self.most:
            count = self.others
        if count is None:
            self.counts[address] = _Count(0, fields)
            return Line(address, 1, fields)
        count.since += 1
        count.fields = fields
        return None

    def window_ended(self) -> list[Line]:
        """The counts since the addresses' last lines. Addresses with one stay into the next
        window (their next refusal waits for its end); quiet ones go, to start afresh."""
        lines = [Line(address, c.since, c.fields) for address, c in self.counts.items() if c.since]
        if self.others.since:
            lines.append(Line(OTHERS, self.others.since, self.others.fields))
        self.counts = {line.address: _Count() for line in lines if line.address != OTHERS}
        self.others = _Count()
        return lines

    def tracked(self) -> int:
        return len(self.counts)

    def quiet(self) -> bool:
        """Nothing counted and no address tracked: no window need run."""
        return not self.counts and not self.others.since
