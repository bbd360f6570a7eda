"""Events as the journal's JSON text (acd/store/journal_rows.py): every event type, read back
as the record json.dumps(codec.to_record(event)) wrote before (rows written before and after
must read alike), and back into the event."""

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
    text = to_json(event)
    assert json.loads(text) == json.loads(json.dumps(record, separators=(",", ":")))
    assert list(json.loads(text)) == list(record)  # "type" first, then the fields in order
    assert codec.from_record(json.loads(text)) == event
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
    with pytest.raises(TypeError):
        to_json(ev.CallerLeft(1.0, "c", 1 << 70))  # type: ignore[arg-type]


def test_no_number_json_lacks_is_read_back_as_a_number():
    """JSON has no NaN: it is written null (json.dumps wrote NaN, which is not JSON), and
    reading refuses it where a number is required, as it refused NaN."""
    text = to_json(ev.CallerLeft(float("nan"), "c", "q"))
    assert json.loads(text) == {"type": "CallerLeft", "at": None, "call_id": "c", "queue": "q"}
    with pytest.raises(codec.BadRecord, match="finite"):
        codec.from_record(json.loads(text))


@pytest.mark.parametrize(
    "text", ["Müller", "\u2028 \u2029", "\x00\x1f\x7f", '"quoted" \\ back', "😀 \ud7ff", ""]
)
def test_awkward_text_reads_back_as_it_was(text):
    event = ev.CallerJoined(1795362415.555348, text, "support", text, 1)
    assert codec.from_record(json.loads(to_json(event))) == event


@pytest.mark.parametrize("at", [0.0, 1e-7, 1e16, 1795362415.123456789, 5e-324, 1.7976931348623157e308])
def test_every_float_reads_back_exactly(at):
    assert codec.from_record(json.loads(to_json(ev.CallerLeft(at, "c", "q")))).at == at


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
