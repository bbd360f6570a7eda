"""On every AMI login, before the resync: what queue_log says happened while the daemon (or
its AMI link) was away, entered once into the journal and the core, marked reconstructed.

The ledger (acd/core/reconcile.py) says what the journal holds; the restart's fold has
replayed the day into it before AMI starts. queue_log is read from the file, on the reactor:
once per login, the tail only (queue_log.TAIL), parsed on a thread.

One race is left to close: a fact Asterisk writes to queue_log between our login and the read
also comes over AMI a moment later. Such a live event is the fact entered already, so it is
dropped once (`duplicate`), for a short while after the read only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

from twisted.logger import Logger

from acd.asterisk import queue_log
from acd.core import events as ev
from acd.core.journal import Entry
from acd.core.reconcile import CallLedger, Key, key_of, missing

log = Logger()
LIVE_TWINS_S = 10.0  # seconds after a read in which a live event may be the twin of one entered

# what queue_log's facts become; a resync's CallerWaiting is no twin, it is where the caller is now
TWINS = frozenset({ev.CallerJoined, ev.CallAnswered, ev.CallCompleted, ev.CallerAbandoned, ev.QueueExited})
Apply = Callable[..., Entry]  # Daemon.apply(event, reconstructed=True)


def day_start(now: float) -> float:
    """Local midnight before `now`: the day the counters (and the journal's fold) cover."""
    return dt.datetime.combine(dt.datetime.fromtimestamp(now).date(), dt.time()).timestamp()


class Reconciler:
    def __init__(
        self,
        path: Path,
        ledger: CallLedger,
        apply: Apply,
        clock: Callable[[], float] = time.time,
        since: Callable[[float], float] = day_start,
    ) -> None:
        self.path, self.ledger, self.apply, self.clock, self.since = path, ledger, apply, clock, since
        self.entered = 0  # reconstructed events, since the daemon started
        self._twins: dict[Key, int] = {}
        self._twins_until = 0.0

    async def run(self) -> int:
        """Read queue_log on a thread (a busy day's tail takes a second to parse), then enter
        the day's facts the journal lacks, on the reactor; how many were entered."""
        lines = await asyncio.to_thread(queue_log.tail, self.path)
        return self.enter(lines)

    def enter(self, lines: list[queue_log.Entry]) -> int:
        """Compared with the ledger here, after the read: a live event applied meanwhile is held
        already, one still to come is a twin."""
        now = self.clock()
        found = missing(lines, self.ledger, self.since(now))
        twins: dict[Key, int] = {}
        for event in found:
            self.apply(event, reconstructed=True)
            key = key_of(event)
            if key is not None:
                twins[key] = twins.get(key, 0) + 1
        self._twins, self._twins_until = twins, now + LIVE_TWINS_S
        self.entered += len(found)
        if found:
            log.info("queue_log: {n} facts from while the daemon was away entered", n=len(found))
        return len(found)

    def duplicate(self, event: ev.Event) -> bool:
        """Whether a live AMI event states a fact just entered from queue_log (then drop it)."""
        if not self._twins or type(event) not in TWINS or self.clock() > self._twins_until:
            return False
        key = key_of(event)
        if key is None or not self._twins.get(key):
            return False
        self._twins[key] -= 1
        log.info("live {event!r} was entered from queue_log already: dropped", event=event)
        return True
