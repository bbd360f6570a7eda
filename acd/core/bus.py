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

    def wants(self, kind: type[ev.Event]) -> bool:
        return self.types is None or kind in self.types


class Bus:
    def __init__(self, on_error: OnError) -> None:
        self._subscribers: list[Subscriber] = []
        self._by_type: dict[type[ev.Event], tuple[Subscriber, ...]] = {}
        self._on_error = on_error

    def subscribe(
        self,
        name: str,
        handler: Handler,
        types: Iterable[type[ev.Event]] | None = None,
        *,
        model: bool = False,
    ) -> None:
        """`handler(event)` for each event of `types` (all when None). `model`: the handler is
        pure state (no I/O), so a restart replays the journal through it (see `replay`)."""
        self._add(Subscriber(name, handler, _types(types), takes_entry=False, model=model))

    def subscribe_entries(
        self, name: str, handler: EntryHandler, types: Iterable[type[ev.Event]] | None = None
    ) -> None:
        """`handler(entry)`: for those that need the sequence number (journal, live push)."""
        self._add(Subscriber(name, handler, _types(types), takes_entry=True))

    def _add(self, subscriber: Subscriber) -> None:
        if any(s.name == subscriber.name for s in self._subscribers):
            raise ValueError(f"subscriber {subscriber.name!r} is registered already")
        self._subscribers.append(subscriber)
        self._by_type.clear()

    @property
    def names(self) -> list[str]:
        return [s.name for s in self._subscribers]

    def publish(self, entry: Entry) -> None:
        self._deliver(entry, self._chosen(type(entry.event)))

    def replay(self, entry: Entry) -> None:
        """A journaled event, again, to the read model only: no call is acted on twice."""
        self._deliver(entry, tuple(s for s in self._chosen(type(entry.event)) if s.model))

    def _chosen(self, kind: type[ev.Event]) -> tuple[Subscriber, ...]:
        chosen = self._by_type.get(kind)
        if chosen is None:
            chosen = self._by_type[kind] = tuple(s for s in self._subscribers if s.wants(kind))
        return chosen

    def _deliver(self, entry: Entry, chosen: tuple[Subscriber, ...]) -> None:
        for subscriber in chosen:
            try:
                subscriber.handler(entry if subscriber.takes_entry else entry.event)
            except Exception as exc:  # noqa: BLE001  one broken subscriber must not stop the rest
                self._on_error(subscriber.name, entry, exc)


def live_only(handler: Handler) -> EntryHandler:
    """For subscribe_entries: the handler gets live events only. Adapters that act on calls
    (ring, pause, record, dial back) take no reconstructed entry: those happened while the
    daemon was down, and are history to count, not news to act on."""

    def take(entry: Entry) -> None:
        if not entry.reconstructed:
            handler(entry.event)

    return take


def _types(types: Iterable[type[ev.Event]] | None) -> frozenset[type[ev.Event]] | None:
    return None if types is None else frozenset(types)
