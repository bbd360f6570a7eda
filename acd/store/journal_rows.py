"""The journal's rows: entries as tuples for the driver, events as compact JSON text.

The writer thread shares the GIL (and on one core, the CPU) with the reactor, so each row
costs what a few C calls cost: orjson writes the event's dataclass as it is (its fields in
order, tuples as lists), after the record's "type": 0.9 us an event, where json's C encoder
over a dict made for it took 2.8 (bench/ami_ingest.py). The text reads back as the record
json.dumps(codec.to_record(event)) wrote: only its spelling differs (non-ASCII text as UTF-8,
not escaped; floats in orjson's shortest form). JSON has no NaN or infinity: orjson writes
null, which reading refuses where a number is required, as it refused json.dumps's NaN.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson
from twisted.logger import Logger

from acd.core import codec
from acd.core import events as ev
from acd.core.journal import Entry

log = Logger()
COLUMNS = ("seq", "at", "type", "body", "reconstructed")  # what a row holds, in order
Row = tuple[int, float, str, str, bool]
_HEADS = {
    kind: f'{{"type":{orjson.dumps(name).decode()},'.encode() for name, kind in codec.EVENT_TYPES.items()
}


def to_json(event: ev.Event) -> str:
    """The event's record as the journal's body; KeyError for a type that is not an event,
    TypeError for a value JSON cannot hold."""
    head = _HEADS[type(event)]
    fields = orjson.dumps(event)  # every event has a field (at): never "{}"
    return (head + fields[1:]).decode()


def rows(entries: Iterable[Entry]) -> list[Row]:
    """The entries as rows; one that cannot be written is logged and left out."""
    made = []
    for entry in entries:
        event = entry.event
        try:
            made.append((entry.seq, event.at, type(event).__name__, to_json(event), entry.reconstructed))
        except (TypeError, ValueError, KeyError) as exc:
            log.error("journal: entry {seq} cannot be written: {why}", seq=entry.seq, why=exc)
    return made
