"""The daemon's AMI link: panoramisk on the reactor's asyncio loop, as a Twisted service.

It reconnects with exponential backoff, and after every (re)connect it asks the PBX for
every queue's members and callers (QueueStatus), so the core's state is rebuilt from the
truth rather than from whatever was believed before the outage.

It logs in by MD5 challenge (the secret never crosses the wire), sends only actions built
by acd/asterisk/actions.py, and survives whatever the PBX sends: a message that trips
panoramisk, a translator or a subscriber is logged and dropped, never the link (an
exception inside data_received made asyncio close the socket, losing the valid events
after it in the same read).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import re
import time
from collections.abc import Callable
from typing import Any, Protocol

from panoramisk import Manager
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message
from twisted.application import service
from twisted.internet import defer
from twisted.logger import Logger

from acd.asterisk import actions, ami_events, ami_frames
from acd.background import background
from acd.config import Ami
from acd.core import events as ev

log = Logger()

Sink = Callable[[ev.Event], object]  # the daemon's apply; its entry is not ours to use
WhoseCall = Callable[[str, str], str | None]  # (agent, queue) -> the call they talk on there


class Reconciling(Protocol):
    """What the link asks of acd/asterisk/reconciler.py: enter what happened while away, and
    tell a live event that repeats a fact entered so."""

    async def run(self) -> int: ...
    def duplicate(self, event: ev.Event) -> bool: ...


_CHALLENGE = re.compile(r"[0-9A-Za-z]{1,64}")


class _SafeProtocol(AMIProtocol):
    """One message that trips panoramisk is dropped; the rest of the read goes on.

    Events are read by acd/asterisk/ami_frames.py into plain header dicts; responses and the
    events that answer an action still become panoramisk's Messages, matched to the action.
    """

    version: str | None  # panoramisk's: the PBX's greeting says it

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self.framer = ami_frames.Framer()

    def data_received(self, data: bytes) -> None:
        for frame in self.framer.feed(data):
            frame = frame.strip()  # noqa: PLW2901  blank lines between frames
            if frame:
                self._frame(frame)

    def _frame(self, frame: str) -> None:
        try:
            headers = ami_frames.event_headers(frame)
            if headers is None:
                if self.version is None and frame.startswith("Asterisk Call Manager/"):
                    self.version = frame.partition("\n")[0].partition("/")[2].strip()  # the greeting
                message = Message.from_line(ami_frames.panoramisk_text(frame))
                if message is not None:
                    self.handle_message(message)
                return
            if headers.event.lower() == "shutdown":
                self.connection_lost(headers)
            self.factory.dispatch(headers)
        except Exception:  # noqa: BLE001
            log.failure("dropped an AMI message that could not be handled: {frame!r}", frame=frame[:300])

    def handle_message(self, message: Any) -> None:
        try:
            super().handle_message(message)
        except Exception:  # noqa: BLE001
            log.failure(
                "dropped an AMI message panoramisk could not handle: {message!r}", message=str(message)[:300]
            )


class _BackoffManager(Manager):
    """panoramisk's Manager waits a fixed delay between reconnects; this one doubles it."""

    def __init__(self, backoff: tuple[float, float], **config: Any) -> None:
        self._backoff = backoff
        self._next_delay = backoff[0]
        self.stopping = False
        super().__init__(reconnect_timeout=backoff[0], protocol_factory=_SafeProtocol, **config)

    def connect(self, *args: Any, **kwargs: Any):
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

    def dispatch(self, event: Any) -> list:
        try:
            return super().dispatch(event)
        except Exception:  # noqa: BLE001
            log.failure("an AMI event handler failed on {event!r}", event=str(event)[:300])
            return []


class AmiService(service.Service):
    name = "ami"

    def __init__(
        self,
        config: Ami,
        sink: Sink,
        clock: Callable[[], float] = time.time,
        reconciler: Reconciling | None = None,
        whose_call: WhoseCall | None = None,
    ) -> None:
        self.config = config
        self.sink = sink
        self.clock = clock
        self.reconciler = reconciler
        self.whose_call = whose_call
        self.connected = False
        self.logins = 0
        self.manager: _BackoffManager | None = None

    def startService(self) -> None:
        super().startService()
        self.manager = _BackoffManager(
            (self.config.reconnect_min, self.config.reconnect_max),
            loop=asyncio.get_event_loop(),
            host=self.config.host,
            port=self.config.port,
            ping_delay=5,
            ping_interval=5,
            on_connect=self._socket_open,
            on_disconnect=self._disconnected,
        )
        self.manager.register_event("*", self._received)
        self.manager.connect()

    def stopService(self) -> None:
        super().stopService()
        if self.manager is not None:
            self.manager.stopping = True
            self.manager.close()

    def send(self, action: actions.Action) -> defer.Deferred:
        """Send one AMI action; the Deferred fires with panoramisk's answer."""
        _checked(action)
        if self.manager is None or not self.connected:
            return defer.fail(ConnectionError("AMI is not connected"))
        return defer.Deferred.fromFuture(asyncio.ensure_future(self.manager.send_action(action.as_dict())))

    async def action(self, action: actions.Action) -> Any:
        """Send one single-answer AMI action from asyncio code; panoramisk's answer.

        as_list=False: panoramisk takes QueueAdd's "Added interface to queue" for the start
        of a list and would wait for ever for the rest.
        """
        _checked(action)
        if self.manager is None or not self.connected:
            raise ConnectionError("AMI is not connected")
        return await asyncio.wait_for(self.manager.send_action(action.as_dict(), as_list=False), 10)

    def _socket_open(self, manager: Manager) -> None:
        background(self._login(manager), "the AMI login")

    async def _login(self, manager: Manager) -> None:
        """Challenge, then Login with md5(challenge + secret): no secret on the wire."""
        try:
            answer = await asyncio.wait_for(
                manager.send_action(actions.challenge().as_dict(), as_list=False), 10
            )
            challenge = answer.get("Challenge") if answer.get("Response") == "Success" else None
            if not isinstance(challenge, str) or not _CHALLENGE.fullmatch(challenge):
                raise ConnectionError(f"no MD5 challenge: {answer.get('Message')!r}")
            key = hashlib.md5((challenge + self.config.secret).encode()).hexdigest()
            answer = await asyncio.wait_for(
                manager.send_action(actions.login_md5(self.config.username, key).as_dict(), as_list=False), 10
            )
        except Exception as exc:  # noqa: BLE001
            log.error(
                "AMI login to {host}:{port} failed: {why}",
                host=self.config.host,
                port=self.config.port,
                why=exc,
            )
            if manager.protocol is not None:  # a PBX that never answers: drop it, try again later
                manager.protocol.connection_lost(exc)
            return
        if answer.get("Response") != "Success":
            log.error(
                "AMI login as {user} refused: {why}", user=self.config.username, why=answer.get("Message")
            )
            return
        manager.authenticated = True
        self._logged_in(manager)

    def _logged_in(self, manager: Manager) -> None:
        self.connected = True
        self.logins += 1
        if self.manager is not None:
            self.manager.reset_backoff()
        log.info("AMI logged in to {host}:{port}", host=self.config.host, port=self.config.port)

    def _disconnected(self, manager: Manager, exc: Exception | None) -> None:
        self.connected = False
        log.warn("AMI connection lost ({exc}); reconnecting", exc=exc)

    def _received(self, manager: Manager, message: Any) -> None:
        if message.get("Event") == "FullyBooted":
            # Sent on every login once the PBX is up, and again after a PBX restart.
            background(self.resync(), "the AMI resync")
            return
        self._deliver(message)

    def _deliver(self, message: Any) -> None:
        """Translate and hand on one message; whatever fails is logged with it and dropped."""
        try:
            event = ami_events.translate(message, self.clock())
        except Exception as exc:  # noqa: BLE001  BadEvent, or anything a translator let through
            log.warn(
                "dropped AMI {name}: {why} ({message})",
                name=str(message.get("Event"))[:40],
                why=exc,
                message=str(message)[:300],
            )
            return
        if isinstance(event, ev.CallCompleted) and not event.call_id:
            event = self._named(event)
        if event is None or (self.reconciler is not None and self.reconciler.duplicate(event)):
            return
        try:
            self.sink(event)
        except Exception:  # noqa: BLE001
            log.failure("the core failed on {event!r}", event=event)

    def _named(self, event: ev.CallCompleted) -> ev.CallCompleted | None:
        """A bare AgentComplete's call: the one its agent talks on in its queue (else dropped)."""
        call_id = self.whose_call(event.agent, event.queue) if self.whose_call is not None else None
        if not call_id:
            log.warn(
                "dropped AMI AgentComplete without channels: agent {agent} is on no call in {queue}",
                agent=event.agent,
                queue=event.queue,
            )
            return None
        return dataclasses.replace(event, call_id=call_id)

    async def resync(self) -> None:
        """Rebuild the queues' members and waiting callers from a QueueStatus answer, after
        entering what queue_log says happened while we were away (calls that ended meanwhile
        end before the PBX's census, which would otherwise just forget them)."""
        if self.manager is None:
            return  # stopped
        await self._reconcile()
        try:
            answer = await self.manager.send_action(actions.queue_status().as_dict(), as_list=True)
        except Exception:  # noqa: BLE001
            log.failure("QueueStatus failed; state not resynced")
            return
        messages = answer if isinstance(answer, list) else [answer]
        queues = tuple(
            m.get("Queue")
            for m in messages
            if m.get("Event") == "QueueParams" and isinstance(m.get("Queue"), str)
        )
        self.sink(ev.ResyncStarted(self.clock()))
        for message in messages:
            self._deliver(message)
        self.sink(ev.ResyncFinished(self.clock(), queues))
        log.info("resynced {n} queues from the PBX", n=len(queues))

    async def _reconcile(self) -> None:
        if self.reconciler is None:
            return
        try:
            await self.reconciler.run()
        except Exception:  # noqa: BLE001  a bad queue_log must not stop the resync
            log.failure("queue_log not reconciled")


def _checked(action: object) -> None:
    """Only actions.py builds actions: a plain dict here is a bug, refused before the wire."""
    if not isinstance(action, actions.Action):
        raise TypeError(f"AMI actions are built by acd.asterisk.actions, not {type(action).__name__}")
