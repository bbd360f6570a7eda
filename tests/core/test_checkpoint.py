"""Checkpoints: for a recorded day, the state at any entry N (through JSON) plus the fold of the
tail after N is the full fold's, for every folded model; a checkpoint that does not fit is
refused whole and leaves the models as they were."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acd.config_journal import Days
from acd.core import checkpoint
from acd.core import events as ev
from acd.core.agent_book import AGENT_BOOK_EVENTS, AgentBook
from acd.core.agent_day import AGENT_DAY_EVENTS, AgentDay
from acd.core.bus import Bus
from acd.core.center import CENTER_EVENTS, CallCenter
from acd.core.journal import Entry
from acd.core.legs import LEG_EVENTS, AgentLegs
from acd.core.pops import POP_EVENTS, Pops, Seats
from acd.core.reconcile import LEDGER_EVENTS, CallLedger
from acd.core.wallboard import WALLBOARD_EVENTS, Wallboard
from tests.lab.day import QUEUES, Shape, day

DAYS = Days()
YESTERDAY = DAYS.midnight(dt.date(2026, 11, 29))
TODAY = DAYS.midnight(dt.date(2026, 11, 30))
SHAPE = Shape(agents=30, calls=150, open_calls=20, hours=10.0)


class Models:
    """The daemon's folded models, built and subscribed in the composition root's order."""

    def __init__(self) -> None:
        agents = {str(10_000 + a): "" for a in range(SHAPE.agents)}
        self.center = CallCenter({q: 20.0 for q in QUEUES}, lines={q: 1 for q in QUEUES}, day_end=DAYS.end)
        self.book = AgentBook(agents, {q: 15.0 for q in QUEUES})
        self.wall = Wallboard(self.center, self.book, DAYS)
        self.agent_day = AgentDay(self.book, DAYS.end)
        self.legs, self.ledger, self.pops = AgentLegs(), CallLedger(), Pops(Seats({q: 1 for q in QUEUES}))
        self.bus = Bus(_raise)
        for name, model, types in (
            ("legs", self.legs, LEG_EVENTS),
            ("core", self.center, CENTER_EVENTS),
            ("agents", self.book, AGENT_BOOK_EVENTS),
            ("wallboard", self.wall, WALLBOARD_EVENTS),
            ("agent day", self.agent_day, AGENT_DAY_EVENTS),
            ("ledger", self.ledger, LEDGER_EVENTS),
            ("pops", self.pops, POP_EVENTS),
        ):
            self.bus.subscribe(name, model.apply, types, model=True)
        self.models: dict[str, checkpoint.Checkpointed] = {
            "legs": self.legs,
            "center": self.center,
            "book": self.book,
            "wallboard": self.wall,
            "agent_day": self.agent_day,
            "ledger": self.ledger,
            "pops": self.pops,
        }

    def fold(self, entries: list[Entry]) -> Models:
        for entry in entries:
            self.bus.replay(entry)
        return self

    def states(self) -> dict[str, str]:
        """Each model's state, exact, order of dicts included; sets in a canonical order."""
        return {name: json.dumps(_sets_sorted(m.to_state())) for name, m in self.models.items()}


def _sets_sorted(value: object) -> object:
    if isinstance(value, list):
        return [_sets_sorted(v) for v in value]
    if isinstance(value, dict):
        found = {k: _sets_sorted(v) for k, v in value.items()}
        if "$s" in found:
            found["$s"] = sorted(found["$s"], key=json.dumps)
        return found
    return value


def _raise(name: str, entry: Entry, exc: Exception) -> None:
    raise AssertionError(f"{name} failed on {entry}") from exc


def _seasoned(events: list[ev.Event]) -> list[ev.Event]:
    """The made-up day plus what it lacks: picks, codes, escalations, pauses, a resync."""
    rng, out = random.Random(7), []
    for event in events:
        out.append(event)
        if isinstance(event, ev.CallAnswered) and rng.random() < 0.3:
            out.append(ev.CustomerPicked(event.at, event.call_id, event.agent, 42))
            out.append(ev.CallEscalated(event.at, event.call_id, event.queue, "sales", event.agent, "x", "n"))
        elif isinstance(event, ev.AgentWrappedUp) and rng.random() < 0.5:
            out.append(ev.CallWrappedUp(event.at, "c", event.agent, "done", rng.random() < 0.5, False))
            out.append(ev.AgentPaused(event.at, event.agent, "lunch"))
            out.append(ev.AgentResumed(event.at + 1, event.agent))
    middle = len(out) // 2
    at = out[middle].at
    resync: list[ev.Event] = [ev.ResyncStarted(at), ev.ResyncFinished(at, QUEUES)]
    return out[:middle] + resync + out[middle:]


def _entries() -> list[Entry]:
    two_days = day(YESTERDAY + 60.0, SHAPE) + day(TODAY + 60.0, dataclasses.replace(SHAPE, seed=2))
    return [Entry(seq, event) for seq, event in enumerate(_seasoned(two_days), start=1)]


ENTRIES = _entries()
FULL = Models().fold(ENTRIES).states()


def _mark(seq: int) -> checkpoint.Mark:
    """The journal's entry `seq` as a checkpoint names it."""
    return checkpoint.mark_of(ENTRIES[seq - 1]) if seq else None


def _through_json(models: Models, seq: int) -> object:
    body = checkpoint.capture(models.models, seq, _mark(seq))
    return json.loads(json.dumps(body, allow_nan=False))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(ENTRIES)))
def test_a_checkpoint_at_any_entry_and_the_tail_after_it_fold_into_the_full_fold(n):
    _checkpoint_at(n)


@pytest.mark.parametrize("n", [0, 1, 2, len(ENTRIES) // 2, len(ENTRIES)])
def test_the_edges_too(n):
    _checkpoint_at(n)


def _checkpoint_at(n: int) -> None:
    body = _through_json(Models().fold(ENTRIES[:n]), n)
    again = Models()
    assert checkpoint.restore(again.models, body, len(ENTRIES), _mark) == n
    assert again.fold(ENTRIES[n:]).states() == FULL


def test_the_checkpointed_day_is_a_real_one():
    """Enough is in the state for the equality above to mean something."""
    models = Models().fold(ENTRIES)
    assert sum(q.stats.offered for q in models.center.queues.values()) > 100
    assert models.pops.pops and models.legs.legs and models.agent_day.figures and models.wall.day.queues
    assert any(a.state.value == "on_call" for a in models.book.agents.values())


def _corrupt(body: dict, path: tuple, value: object) -> dict:
    spoilt = json.loads(json.dumps(body))
    target = spoilt
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return spoilt


BODY = _through_json(Models().fold(ENTRIES[:500]), 500)
assert isinstance(BODY, dict)


@pytest.mark.parametrize(
    "spoilt",
    [
        _corrupt(BODY, ("version",), checkpoint.VERSION + 1),
        _corrupt(BODY, ("seq",), "500"),
        _corrupt(BODY, ("seq",), len(ENTRIES) + 1),  # beyond the journal
        _corrupt(BODY, ("seq",), 499),  # of another journal: not the entry it was taken after
        _corrupt(BODY, ("mark",), None),
        _corrupt(BODY, ("models", "legs"), {}),
        _corrupt(BODY, ("models", "center", "resyncs"), "one"),
        _corrupt(BODY, ("models", "center", "calls"), {"$d": {"x": {"$c": "Call", "v": [1]}}}),
        _corrupt(BODY, ("models", "center", "calls"), {"$d": {"x": {"$c": "os.system", "v": []}}}),
        _corrupt(BODY, ("models", "book", "agents"), {"$d": {"1": {"$c": "Agent", "v": [1] * 6}}}),
        _corrupt(BODY, ("models", "pops", "_swept_at"), {"$f": "1e999x"}),
        _corrupt(BODY, ("models", "ledger", "_calls"), {"$m": [[[1], 2]]}),
        _corrupt(BODY, ("models", "ledger", "_calls"), {"c": [1.0, [["q", "joined", "2"]]]}),
        _corrupt(BODY, ("models", "ledger", "_calls"), {"c": ["1.0", []]}),
        _corrupt(BODY, ("models", "ledger"), {"calls": {}}),
        _corrupt(BODY, ("models", "wallboard", "changed"), {"$x": 1}),
        [],
    ],
)
def test_a_checkpoint_that_does_not_fit_is_refused_whole(spoilt):
    models = Models().fold(ENTRIES[:10])
    before = models.states()
    with pytest.raises(checkpoint.BadState):
        checkpoint.restore(models.models, spoilt, len(ENTRIES), _mark)
    assert models.states() == before


def test_the_config_wins_over_a_checkpoint_for_service_levels_and_seats():
    models = Models().fold(ENTRIES[:500])
    body = _through_json(models, 500)
    again = Models()
    again.center.queues["support"].service_level_s = 30.0
    again.book.agents["99999"] = dataclasses.replace(again.book.agents["10000"], number="99999")
    checkpoint.restore(again.models, body, 500, _mark)
    assert again.center.queues["support"].service_level_s == 30.0
    assert "99999" in again.book.agents and again.book.agents["10001"] == models.book.agents["10001"]


def test_two_state_classes_of_one_name_are_refused():
    @dataclasses.dataclass
    class Call:  # not the core's
        id: str

    with pytest.raises(ValueError, match="two state classes"):
        checkpoint.register(Call)
