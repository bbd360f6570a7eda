"""Flood lines are per source address: the first of each address in a window at once, the rest
of it as one line with its count at the window's end. Before, one tally per kind named only the
last address, so fail2ban saw one line per 10 s for a whole flood and could not tell sources
apart. Addresses are tracked up to a bound; the excess is one count, so a spoofed spread
cannot grow memory or the log."""

from __future__ import annotations

from acd.core.floods import OTHERS, Line, Sources


def test_the_first_of_each_address_is_at_once_the_rest_at_the_window_s_end():
    """Each line names its address and counts that address's refusals only."""
    sources = Sources(most=8)
    assert sources.note("10.0.0.1", {"Route": "a"}) == Line("10.0.0.1", 1, {"Route": "a"})
    assert sources.note("10.0.0.2", {}) == Line("10.0.0.2", 1, {})
    assert sources.note("10.0.0.1", {"Route": "b"}) is None
    assert sources.note("10.0.0.1", {"Route": "c"}) is None
    assert sources.window_ended() == [Line("10.0.0.1", 2, {"Route": "c"})]  # the last one's fields


def test_a_busy_address_waits_for_the_next_window_a_quiet_one_starts_afresh():
    """Per address, at most one line a window: after its count was written, the next
    refusal waits; an address quiet through a window is at once again."""
    sources = Sources(most=8)
    sources.note("10.0.0.1", {})
    sources.note("10.0.0.1", {})
    sources.note("10.0.0.2", {})
    assert sources.window_ended() == [Line("10.0.0.1", 1, {})]
    assert sources.note("10.0.0.1", {}) is None
    assert sources.note("10.0.0.2", {}) == Line("10.0.0.2", 1, {})
    assert sources.window_ended() == [Line("10.0.0.1", 1, {})]
    assert sources.window_ended() == [] and sources.quiet()
    assert sources.note("10.0.0.1", {}) == Line("10.0.0.1", 1, {})


def test_past_the_bound_new_addresses_fold_into_one_count():
    """A spread of 100 addresses tracks 3 of them; the other 97 are one line at the end."""
    sources = Sources(most=3)
    at_once = [sources.note(f"10.0.0.{i}", {"Route": str(i)}) for i in range(100)]
    assert [line.address for line in at_once if line] == ["10.0.0.0", "10.0.0.1", "10.0.0.2"]
    assert sources.tracked() == 3
    assert sources.note("10.0.0.1", {}) is None  # a tracked address still counts as itself
    assert sources.window_ended() == [Line("10.0.0.1", 1, {}), Line(OTHERS, 97, {"Route": "99"})]
    assert sources.tracked() <= 3


def test_the_others_count_starts_again_each_window():
    sources = Sources(most=1)
    sources.note("10.0.0.1", {})
    sources.note("10.0.0.2", {})
    sources.note("10.0.0.1", {})  # keeps 10.0.0.1 tracked into the next window
    assert sources.window_ended() == [Line("10.0.0.1", 1, {}), Line(OTHERS, 1, {})]
    assert sources.note("10.0.0.3", {}) is None
    assert sources.window_ended() == [Line(OTHERS, 1, {})]  # 10.0.0.1 was quiet: it goes
    assert sources.window_ended() == [] and sources.quiet()
