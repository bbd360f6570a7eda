"""Events as plain records (JSON-ready dicts) and back, for the journal and the live push.

A record is `{"type": <event class name>, "at": ..., <fields>}`. Reading one back checks every
field against the event's own annotations: a journal row or a value that went through redis or
a file is untrusted, and a record that does not fit is refused with the reason.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from typing import Any

from acd.core import events as ev


class BadRecord(ValueError):
    """The record is not one of our events."""


def _event_types() -> dict[str, type[ev.Event]]:
    found: dict[str, type[ev.Event]] = {}
    for name, value in vars(ev).items():
        if isinstance(value, type) and issubclass(value, ev.Event) and value is not ev.Event:
            if name in found:  # pragma: no cover - a module cannot bind one name twice
                raise RuntimeError(f"two events named {name}")
            found[name] = value
    return found


EVENT_TYPES: Mapping[str, type[ev.Event]] = _event_types()
MAX_TEXT = 2048  # characters of one text field: more than any channel name or reason


def _text(value: object) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise BadRecord("not a short text")
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRecord("not an integer")
    return value


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadRecord("not a finite number")
    return float(value)


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise BadRecord("not true or false")
    return value


def _optional(check: Callable[[object], Any]) -> Callable[[object], Any]:
    return lambda value: None if value is None else check(value)


def _texts(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or len(value) > 1000:
        raise BadRecord("not a list of texts")
    return tuple(_text(item) for item in value)


_CHECKS: dict[str, Callable[[object], Any]] = {
    "str": _text,
    "int": _int,
    "float": _float,
    "bool": _bool,
    "int | None": _optional(_int),
    "float | None": _optional(_float),
    "tuple[str, ...]": _texts,
}
_FIELDS: dict[type[ev.Event], tuple[tuple[str, Callable[[object], Any], bool], ...]] = {}
for _cls in EVENT_TYPES.values():
    _FIELDS[_cls] = tuple(
        (f.name, _CHECKS[str(f.type)], f.default is dataclasses.MISSING) for f in dataclasses.fields(_cls)
    )


def to_record(event: ev.Event) -> dict[str, Any]:
    record: dict[str, Any] = {"type": type(event).__name__}
    for name, _check, _required in _FIELDS[type(event)]:
        value = getattr(event, name)
        record[name] = list(value) if isinstance(value, tuple) else value
    return record


def from_record(record: Mapping[str, object]) -> ev.Event:
    """The event a record describes, or BadRecord saying why not."""
    kind = record.get("type")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise BadRecord(f"unknown event type {str(kind)[:40]!r}")
    values: dict[str, Any] = {}
    for name, check, required in _FIELDS[cls]:
        if name not in record:
            if required:
                raise BadRecord(f"{cls.__name__}: {name} missing")
            continue
        try:
            values[name] = check(record[name])
        except BadRecord as why:
            raise BadRecord(f"{cls.__name__}.{name}: {why}") from None
    unknown = set(record) - {"type"} - values.keys()
    if unknown:
        raise BadRecord(f"{cls.__name__}: unknown field {sorted(unknown)[0][:40]!r}")
    return cls(**values)
