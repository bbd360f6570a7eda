"""Work that runs beside a call (journey rows, redis saves, AMI follow-ups): kept referenced
until it is done, so the loop cannot drop it, and its failure logged, never lost silently."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from twisted.logger import Logger

log = Logger()
_running: set[asyncio.Future] = set()


def background(work: Awaitable[object], what: str) -> asyncio.Future:
    task = asyncio.ensure_future(work)
    _running.add(task)
    task.add_done_callback(lambda done: _finished(done, what))
    return task


def _finished(task: asyncio.Future, what: str) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("{what} failed: {why!r}", what=what, why=task.exception())
