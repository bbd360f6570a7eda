"""Callbacks dial only what the policy allows, a few times a day per number (finding 8):
a forged caller ID (emergency, short, premium, abroad) pressing the callback key is refused
and stays in the queue; one number's bookings are capped per day, also across a restart."""

from __future__ import annotations

import json
import time

import pytest

from tests.e2e.conftest import CALLBACK_TRUNK_PORT, wait_until

pytestmark = pytest.mark.e2e
FORGED = ["112", "0110", "+4990012345678", "004312345678", "911"]
VICTIM = "05557101"  # national form; E.164 +495557101


def saved_callbacks(config) -> list[dict]:
    import redis

    client = redis.Redis.from_url(config.redis.url, password=config.redis.password)
    try:
        return [json.loads(v) for v in client.hgetall(f"{config.redis.prefix}:callbacks").values()]
    finally:
        client.close()


def forget_callbacks(config) -> None:
    """Leave no pending callback for later tests' daemons to put back in the queue."""
    import redis

    client = redis.Redis.from_url(config.redis.url, password=config.redis.password)
    client.delete(f"{config.redis.prefix}:callbacks")
    client.close()


def waiting(pbx) -> int:
    """Callers from the callback trunk in the PBX's own support queue (placeholders are Local/)."""
    return sum(
        "trunk-carrier-b" in line or "Local/" in line for line in pbx.cli("queue show support").splitlines()
    )


def log_lines(daemon, word: str) -> list[str]:
    return [line for line in daemon.log_path.read_text(errors="replace").splitlines() if word in line]


def test_forged_numbers_are_not_called_back(pbx, daemon, call, lab_config):
    config, _ = lab_config
    daemon.start()
    try:
        call(
            FORGED,
            dialled="100",
            rate=2,
            keys=[(4000, config.callback.key)],
            patience_ms=30000,
            trunk_port=CALLBACK_TRUNK_PORT,
        )
        refused = wait_until(
            lambda: len(found := log_lines(daemon, "CallbackRefused")) >= len(FORGED) and found,
            30,
            "every forged number refused",
        )
        reasons = sorted(line.split('Reason="')[1].split('"')[0] for line in refused)
        assert reasons == ["denied", "emergency", "emergency", "emergency", "international"]
        wait_until(lambda: waiting(pbx) == len(FORGED), 15, "every forged caller back in the queue")
        time.sleep(1)
        assert waiting(pbx) == len(FORGED)  # none hung up, no placeholder for any
        assert saved_callbacks(config) == []
    finally:
        forget_callbacks(config)


def test_one_number_is_called_back_at_most_the_daily_cap(pbx, daemon, call, lab_config):
    config, _ = lab_config
    cap = config.callback.per_number_per_day
    daemon.start()
    try:
        first = call(
            [VICTIM] * (cap + 1),
            dialled="100",
            rate=0.25,
            keys=[(3000, config.callback.key)],
            patience_ms=12000,
            trunk_port=CALLBACK_TRUNK_PORT,
        )
        wait_until(lambda: log_lines(daemon, "CallbackCapped"), 40, "the booking over the cap refused")
        booked = [c for c in saved_callbacks(config) if c["number"] == "+495557101"]
        assert len(booked) == cap
        first.wait(60)  # the trunk's port is free again
        daemon.stop()  # a restart does not reset the count
        daemon.start()
        call(
            [VICTIM],
            dialled="100",
            keys=[(3000, config.callback.key)],
            patience_ms=8000,
            trunk_port=CALLBACK_TRUNK_PORT,
        )
        wait_until(lambda: len(log_lines(daemon, "CallbackCapped")) >= 2, 30, "refused after the restart")
        assert len([c for c in saved_callbacks(config) if c["number"] == "+495557101"]) == cap
    finally:
        forget_callbacks(config)
