"""The ledger is subscribed to its own event types only: every event key_of names a fact for
is in LEDGER_EVENTS, and none outside it (so the bus's filter drops nothing it counts)."""

from __future__ import annotations

from acd.core import codec
from acd.core.reconcile import LEDGER_EVENTS, key_of


def sample(cls):
    fields = {f: "x" for f in cls.__dataclass_fields__ if f != "at"}
    for name, f in cls.__dataclass_fields__.items():
        if f.type in ("int", "int | None"):
            fields[name] = 0
        elif f.type in ("float", "float | None"):
            fields[name] = 0.0
        elif f.type == "bool":
            fields[name] = False
        elif f.type == "tuple[str, ...]":
            fields[name] = ()
    if "status" in fields:
        fields["status"] = "TIMEOUT"
    fields.pop("at", None)
    return cls(1.0, **fields)


def test_the_ledger_s_types_are_exactly_those_it_counts():
    counted = {cls for cls in codec.EVENT_TYPES.values() if key_of(sample(cls)) is not None}
    assert counted == set(LEDGER_EVENTS)
