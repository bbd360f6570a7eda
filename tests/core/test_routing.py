"""Routing by dialled number."""

from __future__ import annotations

from acd.core.routing import queue_for


def test_queue_for_number_or_default():
    """A known DID goes to its queue; anything else to the default."""
    numbers = {"100": "support", "200": "sales"}
    assert queue_for("200", numbers, "support") == "sales"
    assert queue_for("999", numbers, "support") == "support"
    assert queue_for("", numbers, "support") == "support"
