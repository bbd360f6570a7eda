"""Helpers of the tests on the real PBX that are not fixtures: waiting for a fact, the PBX's
queue_log as calls, tones played and heard (imported from tests/e2e/conftest.py as before)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from acd.asterisk import queue_log
from acd.pbx.control import Pbx
from tests.lab import tones

T = TypeVar("T")


def tone(folder: Path, hz: float) -> Path:
    """A two-minute sine (0 Hz: silence) for a softphone's microphone."""
    path = folder / f"tone-{hz:g}.wav"
    return path if path.exists() else tones.write_tone(path, hz)


def wait_until(probe: Callable[[], T | None], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def queued_calls(pbx: Pbx) -> dict[str, queue_log.QueuedCall]:
    return queue_log.calls(queue_log.read(pbx.queue_log))


def call_by_caller(pbx: Pbx, caller_id: str, outcome: str) -> queue_log.QueuedCall | None:
    """The queue_log story of the call from `caller_id`, once it reached `outcome`."""
    for found in queued_calls(pbx).values():
        if found.caller_id == caller_id and found.outcome == outcome:
            return found
    return None


MEASURED: list[tuple[str, str, dict]] = []  # (test, party, {Hz: Level}) for the summary


def heard(test: str, party: str, audio: Path, frequencies: list[float]) -> dict[float, tones.Level]:
    """The tones in `audio` (what a phone heard, or a recording), remembered for the run's
    summary of levels."""
    found = tones.levels(audio, frequencies)
    MEASURED.append((test, party, found))
    return found
