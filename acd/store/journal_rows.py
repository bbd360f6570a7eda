"""The journal's rows: entries as tuples for the driver, events as compact JSON text.

The writer thread shares the GIL (and on one core, the CPU) with the reactor, so each row
costs what a few C calls cost: an event's values in one attrgetter call, one dict, and the
json module's C encoder made once (json.dumps makes a new encoder, and a new C encoder
inside it, on every call). The text is json.dumps(codec.to_record(event),
separators=(",", ":")), character for character: rows written before read the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from operator import attrgetter
from typing import Any, cast

from twisted.logger import Logger

from acd.core import codec
from acd.core import events as ev
from acd.core.journal import Entry

log = Logger()
COLUMNS = ("seq", "at", "type", "body", "reconstructed")  # what a row holds, in order
Row = tuple[int, float, str, str, bool]
Values = Callable[[ev.Event], tuple[Any, ...]]


def _values(names: tuple[str, ...]) -> Values:
    """The event's field values in one C call, a tuple even for one field."""
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda event: (one(event),)
    return cast(Values, attrgetter(*names))


# per event type: the record's keys ("type" first), the type's name, its values' getter
_PLANS: dict[type[ev.Event], tuple[tuple[str, ...], str, Values]] = {
    kind: (("type", *codec.field_names(kind)), kind.__name__, _values(codec.field_names(kind)))
    for kind in codec.EVENT_TYPES.values()
}


def _unknown(value: object) -> object:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _compact_json() -> Callable[[object], str]:
    """json.dumps(value, separators=(",", ":")), its C encoder made once (records are flat:
    no check for cycles is needed). A tuple is a JSON list, as json.dumps writes it."""
    if c_make_encoder is None:  # pragma: no cover - CPython has the C accelerator
        return json.JSONEncoder(separators=(",", ":")).encode
    chunks = c_make_encoder(None, _unknown, encode_basestring_ascii, None, ":", ",", False, False, True)
    return lambda value: "".join(chunks(value, 0))


_JSON = _compact_json()


def to_json(event: ev.Event) -> str:
    """The event's record as the journal's body; KeyError for a type that is not an event,
    TypeError for a value JSON cannot hold."""
    keys, name, values = _PLANS[type(event)]
    return _JSON(dict(zip(keys, (name, *values(event)))))


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
