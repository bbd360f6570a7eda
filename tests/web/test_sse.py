"""Server-sent events on the wire, and reading the id a client resumes from."""

from __future__ import annotations

import json

import pytest

from acd.core import events as ev
from acd.core.journal import Entry
from acd.web import sse


def test_an_entry_is_one_message_with_its_number_type_and_record():
    entry = Entry(42, ev.CallerJoined(1.5, "c1", "support", "0301", 1))
    wire = sse.of_entry(entry).decode()
    lines = wire.split("\n")
    assert lines[:2] == ["id: 42", "event: CallerJoined"]
    assert json.loads(lines[2].removeprefix("data: ")) == entry.as_record()
    assert wire.endswith("\n\n") and wire.count("\n\n") == 1


def test_hostile_text_cannot_break_a_message_or_add_a_field():
    entry = Entry(1, ev.CallerJoined(1.0, "c1", "support", "x\n\nid: 999\r\nevent: reset", 1))
    wire = sse.of_entry(entry).decode()
    assert wire.count("\n") == 4 and "\r" not in wire
    assert "\nid: 999" not in wire


def test_the_resume_id_comes_from_the_header_else_the_query():
    assert sse.resume_id([b"17"], [b"3"]) == 17
    assert sse.resume_id(None, [b"3"]) == 3
    assert sse.resume_id(None, None) is None
    assert sse.resume_id([b""], None) is None


@pytest.mark.parametrize("raw", [b"-1", b"1e3", b"abc", b"9" * 19, b"1 2"])
def test_a_resume_id_that_is_not_a_number_is_refused(raw):
    with pytest.raises(ValueError):
        sse.resume_id([raw], None)
