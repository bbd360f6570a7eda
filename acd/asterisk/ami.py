"""The daemon's AMI link: panoramisk on the reactor's asyncio loop, as a Twisted service.

It reconnects with exponential backoff, and after every (re)connect it asks the PBX for
every queue's members and callers (QueueStatus), so the core's state is rebuilt from the
truth rather than from whatever was believed before the outage.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any, Callable

from panoramisk import Manager
from twisted.application import service
from twisted.internet import defer
from twisted.logger import Logger

from acd.asterisk import ami_events
from acd.config import Ami
from acd.core import events as ev

log = Logger()

Sink = Callable[[ev.Event], None]


class _BackoffManager(Manager):
    """panoramisk's Manager waits a fixed delay between reconnects; this one doubles it."""

    def __init__(self, backoff: tuple[float, float], **config: Any) -> None:
        self._backoff = backoff
        self._next_delay = backoff[0]
        self.stopping = False
        super().__init__(reconnect_timeout=backoff[0], **config)

    def connect(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        if self.stopping:
            return None
        # the delay before the next attempt, should this one fail or later drop
        self.reconnect_timeout = self._next_delay
        self._next_delay = min(self._backoff[1], self._next_delay * 2)
        return super().connect(*args, **kwargs)

    def reset_backoff(self) -> None:
        self._next_delay = self.reconnect_timeout = self._backoff[0]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.stopping:
            super().connection_lost(exc)


class AmiService(service.Service):
    name = "ami"

    def __init__(self, config: Ami, sink: Sink, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.sink = sink
        self.clock = clock
        self.connected = False
        self.logins = 0
        self.manager: _BackoffManager | None = None

    def startService(self) -> None:
        super().startService()
        self.manager = _BackoffManager(
            (self.config.reconnect_min, self.config.reconnect_max),
            loop=asyncio.get_event_loop(), host=self.config.host, port=self.config.port,
            username=self.config.username, secret=self.config.secret, ping_delay=5,
            ping_interval=5, on_login=self._logged_in, on_disconnect=self._disconnected)
        self.manager.register_event("*", self._received)
        self.manager.connect()

    def stopService(self) -> None:
        super().stopService()
        if self.manager is not None:
            self.manager.stopping = True
            self.manager.close()

    def send(self, action: dict[str, str]) -> defer.Deferred:
        """Send one AMI action; the Deferred fires with panoramisk's answer."""
        if self.manager is None or not self.connected:
            return defer.fail(ConnectionError("AMI is not connected"))
        return defer.Deferred.fromFuture(asyncio.ensure_future(self.manager.send_action(action)))

    async def action(self, action: dict[str, str]) -> Any:
        """Send one single-answer AMI action from asyncio code; panoramisk's answer.

        as_list=False: panoramisk takes QueueAdd's "Added interface to queue" for the start
        of a list and would wait for ever for the rest.
        """
        if self.manager is None or not self.connected:
            raise ConnectionError("AMI is not connected")
        return await asyncio.wait_for(self.manager.send_action(action, as_list=False), 10)

    def _logged_in(self, manager: Manager) -> None:
        self.connected = True
        self.logins += 1
        self.manager.reset_backoff()
        log.info("AMI logged in to {host}:{port}", host=self.config.host, port=self.config.port)

    def _disconnected(self, manager: Manager, exc: Exception | None) -> None:
        self.connected = False
        log.warn("AMI connection lost ({exc}); reconnecting", exc=exc)

    def _received(self, manager: Manager, message: Any) -> None:
        if message.get("Event") == "FullyBooted":
            # Sent on every login once the PBX is up, and again after a PBX restart.
            asyncio.ensure_future(self.resync())
            return
        self._deliver(message)

    def _deliver(self, message: Any) -> None:
        try:
            event = ami_events.translate(message, self.clock())
        except ami_events.BadEvent as exc:
            log.warn("dropped AMI {name}: {why}", name=message.get("Event"), why=exc)
            return
        if event is None:
            return
        try:
            self.sink(event)
        except Exception:
            log.failure("the core failed on {event!r}", event=event)

    async def resync(self) -> None:
        """Rebuild the queues' members and waiting callers from a QueueStatus answer."""
        try:
            answer = await self.manager.send_action({"Action": "QueueStatus"}, as_list=True)
        except Exception:
            log.failure("QueueStatus failed; state not resynced")
            return
        messages = answer if isinstance(answer, list) else [answer]
        queues = tuple(m["Queue"] for m in messages if m.get("Event") == "QueueParams")
        self.sink(ev.ResyncStarted(self.clock()))
        for message in messages:
            self._deliver(message)
        self.sink(ev.ResyncFinished(self.clock(), queues))
        log.info("resynced {n} queues from the PBX", n=len(queues))
