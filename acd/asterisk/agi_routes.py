"""FastAGI routes, one `async def` per route, named like the route (acd/enter -> enter)."""
from __future__ import annotations

import re
import time
from typing import Callable

from twisted.logger import Logger

from acd.asterisk import channel_vars
from acd.asterisk.fastagi import AgiChannel, Route
from acd.config import Config
from acd.core import events as ev
from acd.core import routing

log = Logger()

Sink = Callable[[ev.Event], None]
_UNIQUEID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class Routes:
    def __init__(self, config: Config, sink: Sink, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.sink = sink
        self.clock = clock

    def table(self) -> dict[str, Route]:
        return {"acd/enter": self.enter}

    async def enter(self, channel: AgiChannel) -> None:
        """A new inbound call: choose its queue and tell the dialplan."""
        headers = channel.headers
        call_id = headers.get("agi_uniqueid", "")
        if not _UNIQUEID.fullmatch(call_id):
            log.warn("acd/enter without a usable uniqueid; the dialplan default applies")
            return
        raw_caller = headers.get("agi_callerid", "")
        caller = routing.clean_caller_id(raw_caller)
        if raw_caller and not caller and raw_caller.lower() not in ("unknown", "anonymous"):
            log.warn("call {call}: unusable caller ID {raw!r} treated as withheld",
                     call=call_id, raw=raw_caller[:80])
        dialled = headers.get("agi_extension", "")[:32]
        rules = self.config.routing
        queue = self.config.queue(routing.queue_for(dialled, rules.numbers, rules.default_queue))
        await channel.set_variable(channel_vars.QUEUE, queue.name)
        await channel.set_variable(channel_vars.MAX_WAIT, str(queue.max_wait))
        await channel.set_variable(channel_vars.ROUTED, "1")
        self.sink(ev.CallRouted(self.clock(), call_id, caller, dialled, queue.name))
