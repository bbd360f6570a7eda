"""Taking checkpoints: every N entries or on the timer if anything is new, one write at a time,
the last one at stop unless nothing changed, and a store that refuses is logged, not raised."""

from __future__ import annotations

import json

from sqlalchemy.exc import OperationalError
from twisted.internet import defer

from acd.checkpoint_child import in_process
from acd.checkpoints import Checkpointer
from acd.core import events as ev
from acd.core.journal import Sequencer
from acd.core.legs import AgentLegs


class Store:
    def __init__(self, fail: bool = False) -> None:
        self.saved: list[tuple[int, int, dict]] = []
        self.fail = fail

    def save(self, seq: int, version: int, body: str) -> int:
        if self.fail:
            raise OperationalError("INSERT", {}, Exception("disk full"))
        self.saved.append((seq, version, json.loads(body)))
        return 0


def made(store: Store, run=defer.maybeDeferred, **how) -> tuple[Checkpointer, Sequencer, AgentLegs]:
    """Taken in a forked child, as the daemon takes them (unless `capture=` says otherwise);
    time stands still unless a test moves it (so no checkpoint rests after the last)."""
    legs, numbers = AgentLegs(), Sequencer()
    how = {"clock": lambda: 100.0, **how}
    return Checkpointer({"legs": legs}, store, numbers, every=3, run=run, **how), numbers, legs  # type: ignore[arg-type]


def applied(taker: Checkpointer, numbers: Sequencer, legs: AgentLegs, n: int) -> None:
    for i in range(n):
        entry = numbers.next(ev.AgentRung(float(i), f"c{i}", "support", "1001", "PJSIP/1001-1", f"l{i}"))
        legs.apply(entry.event)
        taker.count(entry)


def test_a_checkpoint_every_n_entries_of_the_models_at_that_entry():
    store = Store()
    taker, numbers, legs = made(store)
    applied(taker, numbers, legs, 7)
    assert [seq for seq, _, _ in store.saved] == [3, 6]
    legs_at_3 = store.saved[0][2]["models"]["legs"]["legs"]["$d"]
    assert sorted(legs_at_3) == ["l0", "l1", "l2"]


def test_the_timer_takes_one_only_when_something_is_new():
    store = Store()
    taker, numbers, legs = made(store)
    taker.tick()
    applied(taker, numbers, legs, 1)
    taker.tick()
    taker.tick()
    assert [seq for seq, _, _ in store.saved] == [1]


def test_one_write_at_a_time():
    store, waiting = Store(), []

    def later(f, *args):
        waiting.append((f, args))
        return defer.Deferred()

    taker, numbers, legs = made(store, run=later, capture=in_process)  # no child left waiting
    applied(taker, numbers, legs, 9)
    assert len(waiting) == 1  # at 3; 6 and 9 found one still being written


def test_at_stop_the_last_unless_nothing_changed_since_the_last_written():
    store = Store()
    taker, numbers, legs = made(store)
    applied(taker, numbers, legs, 4)
    taker.take_now()
    taker.take_now()
    assert [seq for seq, _, _ in store.saved] == [3, 4]


def test_a_store_that_refuses_is_logged_not_raised():
    taker, numbers, legs = made(Store(fail=True))
    applied(taker, numbers, legs, 4)
    taker.take_now()
    assert taker.taken == 0


def test_the_body_is_encoded_model_by_model_as_json_dumps_wrote_it_whole():
    from acd.checkpoints import encoded

    body = {
        "version": 1,
        "seq": 7,
        "mark": [1.5, "AgentRung"],
        "models": {"legs": {"legs": {"$d": {"l0": ["x", 1, None, True]}}}, "center": {"q": 'Müller "x" \\'}},
    }
    assert encoded(body) == json.dumps(body, separators=(",", ":"), allow_nan=False)
    assert json.loads(encoded({"models": {}})) == {"models": {}}
    try:
        encoded({**body, "models": {"legs": float("nan")}})
    except ValueError:
        pass
    else:
        raise AssertionError("NaN must be refused, as before")


def test_the_next_by_count_rests_as_long_as_the_last_took():
    store, clock = Store(), [100.0]
    taker, numbers, legs = made(store, capture=in_process, clock=lambda: clock[0])
    real = taker._write_text

    def slow(*args):
        clock[0] += 5.0  # this one took 5 s
        real(*args)

    taker._write_text = slow  # type: ignore[method-assign]
    applied(taker, numbers, legs, 6)
    assert [seq for seq, _, _ in store.saved] == [3]  # at 6 it rests until 110
    clock[0] = 110.0
    applied(taker, numbers, legs, 1)
    assert [seq for seq, _, _ in store.saved] == [3, 7]
