"""The wallboard's part of the daemon on a loopback port: the center, the agents book and the
wall on one bus in acd/service.py's order, the wall feed on the reactor, the real site.

`restart()` is the daemon's: the old site stops (its streams end), a new one folds the same
journal back into fresh models and listens on the same port."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

from acd import config as config_module
from acd.config_journal import Days
from acd.core import events as ev
from acd.core.agent_book import AGENT_BOOK_EVENTS, AgentBook, seats
from acd.core.bus import Bus
from acd.core.center import CENTER_EVENTS, CallCenter
from acd.core.journal import Entry, Sequencer
from acd.core.wallboard import WALLBOARD_EVENTS, Wallboard
from acd.web.auth import StaffLogin
from acd.web.kiosk import Kiosks
from acd.web.pages import Pages
from acd.web.quality import Listener, Supervise
from acd.web.status import make_site
from acd.web.wall import WallFeed, WallState
from acd.web.wall_api import WallApi
from acd.web.wall_page import KioskPage, WallPage
from tests.people import seeded_roster


def _raise(name: str, entry: Entry, exc: Exception) -> None:
    raise exc


async def _done(stopped) -> None:
    """Twisted's answer awaited from a coroutine on the reactor's asyncio loop."""
    if stopped is not None:
        await stopped.asFuture(asyncio.get_running_loop())


class WallSite:
    def __init__(
        self,
        config: config_module.Config,
        clock,
        port: int = 0,
        store_url: str | None = None,
        listener: Listener | None = None,
        folder: Path | None = None,
    ) -> None:
        self.config, self.clock, self.listener = config, clock, listener
        self.directory = None
        if store_url is not None:  # kiosk links need the store
            from acd.store import db
            from acd.store.directory import Directory

            db.migrate(store_url)
            self.directory = Directory(store_url)
        self.journal: list[Entry] = []
        self.sequence = Sequencer()
        self.port = port
        # the roster's store beside the kiosk store (the test's tmp_path), never left in /tmp
        if folder is None:
            folder = Path(store_url.removeprefix("sqlite:///")).parent if store_url else None
        if folder is None:
            raise ValueError("a WallSite without a store needs a folder for its staff records")
        self.people = seeded_roster(folder, config)
        # the sign-ins outlive a restart, as the daemon's do through redis (acd/web/sessions.py)
        self.login = StaffLogin(config, self.people)
        self._build()

    def _build(self) -> None:
        from twisted.internet import reactor

        config = self.config
        days = Days(config.timezone)
        self.center = CallCenter(
            {q.name: float(q.service_level) for q in config.queues},
            lines={q.name: q.line for q in config.queues},
            day_end=days.end,
        )
        self.book = AgentBook(
            seats((a.number, a.phone) for a in config.agents),
            {q.name: float(q.wrapup) for q in config.queues},
        )
        self.wall = Wallboard(self.center, self.book, days, config.wallboard.short_abandon)
        self.feed = WallFeed(
            WallState(config, self.wall, self.clock),
            lambda: self.sequence.last,
            config.wallboard.updates_per_second,
            config.push.client_buffer,
            config.wallboard.max_viewers,
            config.wallboard.max_per_kiosk,
            config.wallboard.max_per_person,
        )
        self.bus = Bus(_raise)
        self.bus.subscribe_entries("journal", self.journal.append)
        self.bus.subscribe("core", self.center.apply, CENTER_EVENTS, model=True)
        self.bus.subscribe("agents", self.book.apply, AGENT_BOOK_EVENTS, model=True)
        self.bus.subscribe("wallboard", self.wall.apply, WALLBOARD_EVENTS, model=True)
        self.bus.subscribe_entries("wallboard push", self.feed.changed, WALLBOARD_EVENTS)
        self.site = make_site(
            self.center,
            lambda: {},
            self.login,
            config.http,
            self.more(),
            clock=self.clock,
            book=self.book,
            top=self.pages(),
        )
        self.connections: list = []  # every connection's protocol: a restart cuts them all
        build = self.site.buildProtocol

        def tracked(address):
            protocol = build(address)
            self.connections.append(protocol)
            return protocol

        self.site.buildProtocol = tracked  # type: ignore[method-assign]
        self.listening = reactor.listenTCP(self.port, self.site, interface="127.0.0.1")
        self.port = self.listening.getHost().port
        self.site.rules = type(self.site.rules).of(config.http.model_copy(update={"port": self.port}))

    def kiosks(self) -> Kiosks | None:
        return (
            Kiosks(self.config, self.directory, self.feed, self.people)
            if self.directory is not None
            else None
        )

    def more(self) -> dict:
        more = {b"wall": WallApi(self.login, self.feed, self.kiosks())}
        if self.listener is not None:  # listen-in from the page (a stand-in for the PBX's)
            more[b"supervise"] = Supervise(self.login, self.listener)
        return more

    def pages(self) -> dict:
        """The daemon's wallboard pages (acd/service.py's `top`)."""
        pages = Pages(self.login)
        return {b"wall": WallPage(self.login, pages), b"kiosk": KioskPage(self.login, pages, self.kiosks())}

    def apply(self, *events: ev.Event) -> None:
        for event in events:
            self.bus.publish(self.sequence.next(event))

    async def restart(self) -> None:
        """Stop as the daemon stops (its process ends, and every connection with it: a
        browser's kept-alive connection must not reach the old site), then start again with
        the day folded back."""
        self.feed.stop()
        await _done(self.listening.stopListening())
        for protocol in self.connections:
            if protocol.transport is not None:
                protocol.transport.abortConnection()
        kept = list(self.journal)
        self.journal.clear()
        self.sequence = Sequencer(kept[-1].seq if kept else 0)
        self._build()
        for entry in kept:
            self.journal.append(entry)
            self.bus.replay(entry)

    async def stop(self) -> None:
        self.feed.stop()
        await _done(self.listening.stopListening())
        if self.directory is not None:
            self.directory.close()
        self.people.close()


def served(config: config_module.Config, folder: Path, **options) -> Iterator[WallSite]:
    """A fixture's body: the site on a fresh SQLite store in `folder`, closed after the test."""
    site = WallSite(config, time.time, store_url=f"sqlite:///{folder / 'store.sqlite3'}", **options)
    yield site
    site.feed.stop()
    site.listening.stopListening()
    site.directory.close()
