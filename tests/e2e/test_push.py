"""An SSE client cut off for ten seconds while calls flow on the real PBX gets every event it
missed on reconnect, in order, none twice (issue 10, item 5)."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.e2e.conftest import HTTP_PORT, SECRETS, wait_until
from tests.e2e.sse import Reader

pytestmark = pytest.mark.e2e


def test_a_client_cut_off_for_ten_seconds_while_calls_flow_misses_nothing(pbx, daemon, phones, call):
    daemon.start()
    phones(talk_ms=1500)
    first = Reader(HTTP_PORT, SECRETS.web("9901"))
    first.start()
    assert first.connected.wait(10) and first.status == 200
    numbers = [f"555870{i}" for i in range(8)]
    call(numbers, dialled="100", rate=0.5, patience_ms=30000)  # one caller every 2 s, for 16 s
    wait_until(
        lambda: first.ids[-1] if any(k == "CallAnswered" for _, k, _ in first.messages) else None,
        30,
        "a call answered, seen live",
    )
    first.cut()
    seen_before, cut_at = first.ids[-1], time.time()
    time.sleep(10)  # calls keep flowing: callers join, agents answer and hang up
    back_at = time.time()

    again = Reader(HTTP_PORT, SECRETS.web("9901"), last_id=seen_before)
    again.start()
    assert again.connected.wait(10) and again.status == 200
    ended = ("CallCompleted", "CallerAbandoned", "QueueExited")
    try:
        wait_until(
            lambda: sum(k in ended for _, k, _ in first.messages + again.messages) >= len(numbers) or None,
            60,
            "every call ended, seen on the stream",
        )
    finally:
        print(Counter(k for _, k, _ in first.messages + again.messages))
    again.cut()

    assert first.ids == list(range(first.ids[0], seen_before + 1))
    assert again.ids[0] == seen_before + 1
    assert again.ids == list(range(seen_before + 1, again.ids[-1] + 1))  # in order, none twice, none missed
    assert "reset" not in [k for _, k, _ in again.messages]
    while_away = [d["event"]["type"] for _, _, d in again.messages if cut_at < d["event"]["at"] < back_at]
    assert "CallerJoined" in while_away and "CallAnswered" in while_away  # from the ring, on reconnect
