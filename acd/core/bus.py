"""The subscription table: who takes which events, registered once, in order.

A subscriber that raises is reported (with the event) and the others still run: one broken
view must not stop the core, the agent states or the recorder from seeing a call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from acd.core import events as ev
from acd.core.journal import Entry

Handler = Callable[[ev.Event], None]
EntryHandler = Callable[[Entry], None]
OnError = Callable[[str, Entry, Exception], None]


@dataclass(frozen=True, slots=True)
class Subscriber:
    name: str
    handler: Callable[..., None]
    types: frozenset[type[ev.Event]] | None  # None: every event
    takes_entry: bool  # the handler wants the Entry (seq), not the event
    model: bool = False  # part of the read model (pure state): replayed on restart
    live: bool = False  # live events only: none reconstructed (see subscribe)

    def wants(self, kind: type[ev.Event]) -> bool:
        return self.types is None or kind in self.types

    @property
    def takes(self) -> int:
        return ENTRY if self.takes_entry else LIVE_EVENT if self.live else EVENT


EVENT, ENTRY, LIVE_EVENT = 0, 1, 2  # what a handler is given: the event, the entry, live events
Plan = tuple[tuple[str, Callable[..., None], int], ...]  # per event type: name, handler, takes


class Bus:
    """Each event type's subscribers, in order, are worked out once (its plan): an event
    costs a loop over its plan, no lookup of who wants it (bench/ami_ingest.py)."""

    def __init__(self, on_error: OnError) -> None:
        self._subscribers: list[Subscriber] = []
        self._by_type: dict[type[ev.Event], Plan] = {}
        self._models: dict[type[ev.Event], Plan] = {}  # replay's: the read model's only
        self._on_error = on_error

    def subscribe(
        self,
        name: str,
        handler: Handler,
        types: Iterable[type[ev.Event]] | None = None,
        *,
        model: bool = False,
        live: bool = False,
    ) -> None:
        """`handler(event)` for each event of `types` (all when None). `model`: the handler is
        pure state (no I/O), so a restart replays the journal through it (see `replay`).
        `live`: live events only. Adapters that act on calls (ring, pause, record, dial back)
        take no reconstructed event: those happened while the daemon was down, and are
        history to count, not news to act on."""
        if model and live:
            raise ValueError(f"subscriber {name!r}: the read model takes every event")
        self._add(Subscriber(name, handler, _types(types), takes_entry=False, model=model, live=live))

    def subscribe_entries(
        self, name: str, handler: EntryHandler, types: Iterable[type[ev.Event]] | None = None
    ) -> None:
        """`handler(entry)`: for those that need the sequence number (journal, live push)."""
        self._add(Subscriber(name, handler, _types(types), takes_entry=True))

    def _add(self, subscriber: Subscriber) -> None:
        if any(s.name == subscriber.name for s in self._subscribers):
            raise ValueError(f"subscriber {subscriber.name!r} is registered already")
        self._subscribers.append(subscriber)
        self.changed()

    def changed(self) -> None:
        """The table changed (a subscriber added, or wrapped by a bench): plans made anew."""
        self._by_type.clear()
        self._models.clear()

    @property
    def names(self) -> list[str]:
        return [s.name for s in self._subscribers]

    def publish(self, entry: Entry) -> None:
        kind = type(entry.event)
        plan = self._by_type.get(kind)
        if plan is None:
            plan = self._by_type[kind] = self._plan(kind, models_only=False)
        self._deliver(entry, plan)

    def replay(self, entry: Entry) -> None:
        """A journaled event, again, to the read model only: no call is acted on twice."""
        kind = type(entry.event)
        plan = self._models.get(kind)
        if plan is None:
            plan = self._models[kind] = self._plan(kind, models_only=True)
        self._deliver(entry, plan)

    def _plan(self, kind: type[ev.Event], models_only: bool) -> Plan:
        return tuple(
            (s.name, s.handler, s.takes)
            for s in self._subscribers
            if s.wants(kind) and (s.model or not models_only)
        )

    def _deliver(self, entry: Entry, plan: Plan) -> None:
        event, live = entry.event, not entry.reconstructed
        for name, handler, takes in plan:
            try:
                if takes == EVENT:
                    handler(event)
                elif takes == ENTRY:
                    handler(entry)
                elif live:
                    handler(event)
            except Exception as exc:  # noqa: BLE001  one broken subscriber must not stop the rest
                self._on_error(name, entry, exc)


def _types(types: Iterable[type[ev.Event]] | None) -> frozenset[type[ev.Event]] | None:
    return None if types is None else frozenset(types)
