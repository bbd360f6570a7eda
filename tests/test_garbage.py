"""The collector's policy: survivors frozen, short collections, a nightly sweep for dead cycles."""

from __future__ import annotations

import datetime as dt
import gc
import weakref
from collections.abc import Iterator

import pytest

from acd import config, garbage
from acd.config_journal import Days


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def cycle() -> tuple[Node, Node]:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a, b


@pytest.fixture
def settled() -> Iterator[None]:
    garbage.settle()
    try:
        yield
    finally:
        garbage.unsettle()


def test_survivors_of_a_middle_collection_are_frozen_and_never_walked_again(settled) -> None:
    before = gc.get_freeze_count()
    kept = [Node() for _ in range(100)]
    gc.collect(1)
    assert gc.get_freeze_count() >= before + 100
    assert not any(obj is kept[0] for obj in gc.get_objects())  # out of every generation
    assert gc.get_threshold() == garbage.THRESHOLDS


def test_a_young_dead_cycle_is_still_collected(settled) -> None:
    a, _ = cycle()
    gone = weakref.ref(a)
    del a, _
    gc.collect(1)
    assert gone() is None


def test_the_sweep_collects_a_cycle_that_died_frozen(settled) -> None:
    a, _ = cycle()
    gone = weakref.ref(a)
    gc.collect(1)  # frozen alive
    del a, _
    gc.collect()  # a full collection walks no frozen object
    assert gone() is not None
    assert garbage.sweep() >= 2
    assert gone() is None
    assert gc.get_freeze_count() > 0  # the survivors frozen again


def test_settle_turns_on_the_collector_start_up_kept_off() -> None:
    gc.disable()  # as acd/__main__.py does before the first import
    try:
        garbage.settle()
        assert gc.isenabled()
    finally:
        garbage.unsettle()
        gc.enable()


def test_the_acd_command_imports_with_the_collector_off_and_a_verb_but_run_turns_it_on() -> None:
    import subprocess
    import sys

    probe = (
        "import gc, sys; import acd.__main__ as entry; import acd.cli as cli; real = cli.main;"
        " cli.main = lambda: print('importing:', gc.isenabled()) or real();"
        " sys.argv = ['acd', 'check-config']; code = entry.main(); print('after:', gc.isenabled(), code)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines()[0] == "importing: False", done.stderr
    assert done.stdout.splitlines()[-1] == "after: True 0", done.stderr


def test_unsettle_gives_cpythons_policy_back() -> None:
    garbage.settle()
    garbage.unsettle()
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0
    assert garbage._freeze_survivors not in gc.callbacks


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("2026-03-10 02:00", "2026-03-10 03:30"),
        ("2026-03-10 03:30", "2026-03-11 03:30"),
        ("2026-03-10 23:59", "2026-03-11 03:30"),
        ("2026-03-28 23:00", "2026-03-29 03:30"),  # the clocks go forward at 02:00: a 23-hour day
        ("2026-10-25 01:00", "2026-10-25 03:30"),  # and back at 03:00: a 25-hour day
    ],
)
def test_the_sweep_falls_at_night_local_time(local: str, expected: str) -> None:
    days = Days("Europe/Berlin")
    at = dt.datetime.fromisoformat(local).replace(tzinfo=days.tz).timestamp()
    due = dt.datetime.fromtimestamp(garbage.next_sweep(days, at), days.tz)
    assert due.strftime("%Y-%m-%d %H:%M") == expected


def test_the_sweep_falls_when_the_config_says() -> None:
    days = Days("Europe/Berlin")
    at = dt.datetime.fromisoformat("2026-03-10 04:00").replace(tzinfo=days.tz).timestamp()
    when = config.parse({**config.read_yaml(config.DEFAULT_PATH), "journal": {"sweep_at": "04:15"}})
    due = dt.datetime.fromtimestamp(garbage.next_sweep(days, at, when.journal.sweep_time()), days.tz)
    assert due.strftime("%Y-%m-%d %H:%M") == "2026-03-10 04:15"
