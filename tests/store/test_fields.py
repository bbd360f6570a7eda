"""Stored fields that reach the PBX are validated as they are read (issue 9, finding 10)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acd.core.agi_quote import quoted
from acd.store import fields


@pytest.mark.parametrize(
    "value,expected",
    [
        ("de", "de"),
        ("en", "en"),
        ("fra", "fra"),
        ("DE", None),
        ("de_DE", None),
        ("d", None),
        ("de\n", None),
        ("de\x00", None),
        ('de" x', None),
        ("x" * 5000, None),
        (None, None),
        (7, None),
    ],
)
def test_language_is_a_code_or_nothing(value, expected):
    assert fields.language(value) == expected


def test_language_must_be_one_we_speak():
    assert fields.language("fr", {"de", "en"}) is None and fields.language("de", {"de", "en"}) == "de"


@pytest.mark.parametrize("value", ["", "Premium", "vip plus", 'x"\nEXEC System y', "a" * 33, "\x00", None])
def test_a_segment_that_is_no_code_reads_as_the_default(value):
    assert fields.segment(value) == fields.DEFAULT_SEGMENT


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=3000) | st.binary(max_size=50).map(lambda b: b.decode("latin-1")))
def test_whatever_is_stored_reads_as_a_value_safe_in_one_agi_command(value):
    """Any stored text: what the reader returns is short and quotes into one command."""
    for read in (fields.language(value), fields.segment(value)):
        assert read is None or (len(read) <= 32 and quoted(read) == read)
