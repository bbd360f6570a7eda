"""Routing by dialled number, and caller IDs as the untrusted input they are."""
from __future__ import annotations

import pytest

from acd.core.routing import clean_caller_id, queue_for


def test_queue_for_number_or_default():
    """A known DID goes to its queue; anything else to the default."""
    numbers = {"100": "support", "200": "sales"}
    assert queue_for("200", numbers, "support") == "sales"
    assert queue_for("999", numbers, "support") == "support"
    assert queue_for("", numbers, "support") == "support"


@pytest.mark.parametrize("raw, clean", [
    ("5551001", "5551001"),
    ("+4930123", "+4930123"),
    ("  5551001 ", "5551001"),
    ("", ""),
    ("anonymous", ""),
    ("1' OR '1'='1", ""),
    ("555\r\n1234", ""),
    ("\x00", ""),
    ("５５５", ""),
    ("ünknown", ""),
    ("1" * 1000, ""),
    ("++49", ""),
])
def test_clean_caller_id_keeps_only_numbers(raw, clean):
    """Only digits with an optional leading + survive; everything else counts as withheld."""
    assert clean_caller_id(raw) == clean
