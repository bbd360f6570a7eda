"""docs/metrics.md's counters computed from Asterisk's queue_log alone, not from our events.

The reference the journal's figures are checked against (the golden tests: a queue_log the
real PBX wrote), and the history a new installation imports. Only what queue_log records can
be counted here: offers, answers (with their waits), abandons (with theirs), timeouts and
completed talk; wrap-ups, FCR and surveys are the engine's own facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from acd.asterisk.queue_log import COMPLETIONS, Entry
from acd.core.figures import SLOT
from acd.core.figures_counts import Tally
from acd.core.text import ascii_digits
from acd.core.wallboard import LocalDays

LEFT = ("EXITWITHTIMEOUT", "EXITEMPTY")  # the queue's own rules sent the caller on
COUNTED = frozenset(("ENTERQUEUE", "CONNECT", "ABANDON", *LEFT, *COMPLETIONS))


def interval_tallies(
    entries: Iterable[Entry],
    days: LocalDays,
    service_levels: Mapping[str, float],
    short_abandon: float,
) -> dict[str, dict[int, Tally]]:
    """queue -> 15-minute interval (by the local wall clock) -> counters, each fact in the
    interval of its line's time."""
    found: dict[str, dict[int, Tally]] = {}
    for entry in entries:
        if entry.call_id in ("", "NONE") or entry.verb not in COUNTED:
            continue  # a member's line (ADDMEMBER, PAUSE...) is no call: no interval of its own
        data = (*entry.data, "", "", "")
        tally = found.setdefault(entry.queue, {}).setdefault(int(days.clock(entry.time) // SLOT), Tally())
        threshold = service_levels.get(entry.queue, 20.0)
        if entry.verb == "ENTERQUEUE":
            tally.offered += 1
        elif entry.verb == "CONNECT" and ascii_digits(data[0]):
            wait = int(data[0])
            tally.answered += 1
            tally.answered_in_sl += wait <= threshold
            tally.answer_wait += wait
            tally.longest_wait = max(tally.longest_wait, wait)
        elif entry.verb == "ABANDON" and ascii_digits(data[2]):
            _abandoned(tally, int(data[2]), threshold, short_abandon)
        elif entry.verb in LEFT:
            tally.timed_out += 1
        elif entry.verb in COMPLETIONS and ascii_digits(data[1]):
            tally.completed += 1
            tally.talk += int(data[1])
    return found


def _abandoned(tally: Tally, wait: int, threshold: float, short_abandon: float) -> None:
    if wait < short_abandon:
        tally.short_abandoned += 1
    else:
        tally.abandoned += 1
        tally.abandoned_after_sl += wait > threshold
        tally.longest_wait = max(tally.longest_wait, wait)
    tally.abandoned_in_sl += wait <= threshold


def day_tally(tallies: Mapping[int, Tally]) -> Tally:
    total = Tally()
    for tally in tallies.values():
        total.add(tally)
    return total
