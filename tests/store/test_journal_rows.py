"""Events as the journal's JSON text (acd/store/journal_rows.py): every event type, as
json.dumps(codec.to_record(event)) wrote it before (rows written before and after must read
alike), and back again."""

from __future__ import annotations

import dataclasses
import json

import pytest
from twisted.logger import globalLogPublisher

from acd.core import codec
from acd.core import events as ev
from acd.core.journal import Entry
from acd.store.journal_rows import rows, to_json

VALUES = {
    "str": "Müller \"x\" \\ \u2028",
    "int": 7,
    "float": 1795362415.555348,
    "bool": True,
    "int | None": None,
    "float | None": 2.5,
    "tuple[str, ...]": ("support", "sales"),
}


def sample(cls: type[ev.Event]) -> ev.Event:
    return cls(**{f.name: VALUES[str(f.type)] for f in dataclasses.fields(cls)})


def reference(event: ev.Event) -> dict:
    """The record as the field-by-field loop made it."""
    record: dict = {"type": type(event).__name__}
    for f in dataclasses.fields(event):
        value = getattr(event, f.name)
        record[f.name] = list(value) if isinstance(value, tuple) else value
    return record


@pytest.mark.parametrize("cls", sorted(codec.EVENT_TYPES.values(), key=lambda c: c.__name__))
def test_every_event_type_encodes_as_before_and_reads_back(cls):
    event = sample(cls)
    record = codec.to_record(event)
    assert record == reference(event) and list(record) == list(reference(event))
    assert to_json(event) == json.dumps(record, separators=(",", ":"))
    assert codec.from_record(json.loads(to_json(event))) == event
    assert codec.from_record(record) == event


def test_a_type_that_is_not_an_event_is_refused():
    @dataclasses.dataclass(frozen=True)
    class Stranger(ev.Event):
        pass

    with pytest.raises(KeyError):
        to_json(Stranger(1.0))


def test_a_value_json_cannot_write_is_a_type_error_as_json_dumps_said():
    with pytest.raises(TypeError, match="not JSON serializable"):
        to_json(ev.CallerLeft(1.0, object(), "support"))  # type: ignore[arg-type]
    assert to_json(ev.CallerLeft(float("nan"), "c", "q")) == json.dumps(
        {"type": "CallerLeft", "at": float("nan"), "call_id": "c", "queue": "q"}, separators=(",", ":")
    )


def test_an_entry_that_cannot_be_written_is_logged_and_left_out(caplog_twisted):
    good = Entry(2, ev.CallerLeft(1.0, "c", "q"), reconstructed=True)
    made = rows([Entry(1, ev.CallerLeft(1.0, object(), "q")), good])  # type: ignore[arg-type]
    assert made == [(2, 1.0, "CallerLeft", to_json(good.event), True)]
    assert [e["seq"] for e in caplog_twisted if "cannot be written" in e.get("log_format", "")] == [1]


@pytest.fixture
def caplog_twisted():
    logged: list[dict] = []
    globalLogPublisher.addObserver(logged.append)
    yield logged
    globalLogPublisher.removeObserver(logged.append)
