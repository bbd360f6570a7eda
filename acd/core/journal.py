"""The journal's unit: one applied event with its sequence number.

Sequence numbers are the journal's order, not the PBX's clock: two events in one second keep
the order the daemon applied them in, and a live-push client resumes after the last one it saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from acd.core import codec
from acd.core import events as ev


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    event: ev.Event
    reconstructed: bool = False  # rebuilt from queue_log: it happened while the daemon was down

    def as_record(self) -> dict[str, Any]:
        return {"seq": self.seq, "reconstructed": self.reconstructed, "event": codec.to_record(self.event)}


class Sequencer:
    """Numbers events in the order they are applied, continuing after what the journal holds."""

    def __init__(self, last: int = 0) -> None:
        self.last = last

    def next(self, event: ev.Event, reconstructed: bool = False) -> Entry:
        self.last += 1
        return Entry(self.last, event, reconstructed)
