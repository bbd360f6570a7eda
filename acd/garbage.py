"""The cyclic garbage collector, kept to pauses of a few milliseconds while the daemon holds a
day of calls.

CPython's collector walks every tracked object of the generations it collects, about a
microsecond each; its full collections walk the whole heap, and the heap is the day's calls,
figures and pops. At 10,000 events/s (bench/push_fanout.py) they stopped every thread for
100-390 ms, longer as the day grew, and were most of the push's lag. So:

- what start-up built lives as long as the daemon: it is frozen (gc.freeze) and never walked;
- an object that outlives a collection of the middle generation is the day's state, and is
  frozen there too; the middle generation is collected every third young collection rather
  than every tenth, so no collection walks more than a few thousand objects;
- refcounting still frees whatever dies. Only a reference cycle that dies after it was frozen
  waits: once a day, at night (local time), `sweep` thaws and collects the whole heap. Such
  cycles are rare here: about 2,300 objects after 400,000 events with live streams.

A checkpoint's capture or a restart's fold makes hundreds of thousands of short-lived objects,
none of them cyclic garbage: `gc_paused` holds the collector off meanwhile.
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from twisted.logger import Logger

from acd.config_journal import Days

log = Logger()
THRESHOLDS = (700, 3, 10)  # CPython's are (700, 10, 10): a middle generation a third the size
SWEEP_AT = dt.time(3, 30)  # local: the quietest hour of most centers' day (journal.sweep_at)


@contextmanager
def gc_paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def settle() -> None:
    """After start-up (the collector off meanwhile, acd/__main__.py): freeze what it built,
    uncollected (a collection here walked 300,000 objects, 165 ms of the restart, to free
    2,000: they wait for the night's sweep); from now on freeze each middle collection's
    survivors."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    gc.enable()
    if _freeze_survivors not in gc.callbacks:
        gc.callbacks.append(_freeze_survivors)


def unsettle() -> None:
    """CPython's own policy again (for tests, and a process that embeds the daemon and goes on)."""
    if _freeze_survivors in gc.callbacks:
        gc.callbacks.remove(_freeze_survivors)
    gc.set_threshold(700, 10, 10)
    gc.unfreeze()


def _freeze_survivors(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info["generation"] >= 1:
        gc.freeze()


def sweep() -> int:
    """Thaw and collect everything (one long pause, at night): the cycles that died frozen."""
    started = time.perf_counter()
    frozen = gc.get_freeze_count()
    gc.unfreeze()
    found = gc.collect()
    gc.freeze()
    log.info(
        "garbage: {found} unreachable of {frozen} frozen objects collected in {ms:.0f} ms",
        found=found,
        frozen=frozen,
        ms=(time.perf_counter() - started) * 1000,
    )
    return found


def next_sweep(days: Days, now: float, when: dt.time = SWEEP_AT) -> float:
    """When the next nightly sweep falls: today's `when` if still ahead, else tomorrow's."""
    today = days.date(now)
    for day in (today, today + dt.timedelta(days=1)):
        at = days.wall(day, when.hour * 3600 + when.minute * 60)  # the wall's, on a DST day too
        if at > now:
            return at
    return now + 86400.0  # not reached: tomorrow's is always ahead
