"""The subscription table: each type's subscribers in order, live-only adapters spared the
reconstructed events, replays to the read model alone, a raising subscriber reported."""

from __future__ import annotations

import pytest

from acd.core import events as ev
from acd.core.bus import Bus
from acd.core.journal import Sequencer


def joined(call: str) -> ev.CallerJoined:
    return ev.CallerJoined(1.0, call, "support", "+49301", 1)


def left(call: str) -> ev.CallerLeft:
    return ev.CallerLeft(2.0, call, "support")


@pytest.fixture
def wired() -> tuple[Bus, list, list]:
    got: list = []
    errors: list = []
    bus = Bus(lambda name, entry, exc: errors.append((name, entry.seq, str(exc))))
    bus.subscribe("model", lambda e: got.append(("model", e.call_id)), model=True)
    bus.subscribe("joins", lambda e: got.append(("joins", e.call_id)), [ev.CallerJoined])
    bus.subscribe("acts", lambda e: got.append(("acts", e.call_id)), live=True)
    bus.subscribe_entries("journal", lambda entry: got.append(("journal", entry.seq)))
    return bus, got, errors


def test_each_subscriber_takes_its_types_in_order(wired) -> None:
    bus, got, _ = wired
    numbers = Sequencer()
    bus.publish(numbers.next(joined("c1")))
    bus.publish(numbers.next(left("c1")))
    assert got == [
        ("model", "c1"), ("joins", "c1"), ("acts", "c1"), ("journal", 1),
        ("model", "c1"), ("acts", "c1"), ("journal", 2),
    ]  # fmt: skip


def test_a_live_only_subscriber_is_spared_what_was_reconstructed(wired) -> None:
    bus, got, _ = wired
    bus.publish(Sequencer().next(joined("c1"), reconstructed=True))
    assert [name for name, _ in got] == ["model", "joins", "journal"]


def test_a_replay_goes_to_the_read_model_alone(wired) -> None:
    bus, got, _ = wired
    numbers = Sequencer()
    bus.replay(numbers.next(joined("c1")))
    bus.publish(numbers.next(joined("c2")))  # the publish plan is not the replay's
    assert got == [("model", "c1"), ("model", "c2"), ("joins", "c2"), ("acts", "c2"), ("journal", 2)]


def test_a_subscriber_that_raises_is_reported_and_the_rest_still_run(wired) -> None:
    bus, got, errors = wired

    def broken(event: ev.Event) -> None:
        raise RuntimeError("a bug")

    bus.subscribe("broken", broken, live=True)
    bus.subscribe("after", lambda e: got.append(("after", e.call_id)))
    bus.publish(Sequencer().next(joined("c1")))
    assert errors == [("broken", 1, "a bug")]
    assert got[-1] == ("after", "c1")


def test_a_subscriber_added_later_is_in_the_next_events_plan(wired) -> None:
    bus, got, _ = wired
    numbers = Sequencer()
    bus.publish(numbers.next(left("c1")))
    bus.subscribe("late", lambda e: got.append(("late", e.call_id)), [ev.CallerLeft])
    bus.publish(numbers.next(left("c2")))
    assert got[-1] == ("late", "c2")


def test_the_read_model_cannot_be_live_only() -> None:
    with pytest.raises(ValueError, match="every event"):
        Bus(lambda *a: None).subscribe("figures", lambda e: None, model=True, live=True)
