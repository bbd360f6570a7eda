"""The wallboard's settings: colour bands that point the wrong way are refused with their key."""

from __future__ import annotations

import datetime as dt

import pytest

from acd import config
from acd.config_journal import Days


@pytest.fixture
def raw() -> dict:
    return config.read_yaml(config.DEFAULT_PATH)


def test_the_defaults_are_the_documented_ones(raw):
    wall = config.parse(raw).wallboard
    assert (wall.short_abandon, wall.interval, wall.updates_per_second) == (5.0, 15, 4.0)
    assert (wall.service_level.warn, wall.service_level.alarm) == (0.8, 0.6)
    assert (wall.max_viewers, wall.max_per_kiosk, wall.max_per_person) == (16, 4, 4)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"service_level": {"warn": 0.6, "alarm": 0.8}}, "wallboard.service_level"),
        ({"service_level": {"warn": 1.5, "alarm": 0.8}}, "wallboard.service_level"),
        ({"abandon_rate": {"warn": 0.2, "alarm": 0.1}}, "wallboard.abandon_rate"),
        ({"longest_wait": {"warn": 60, "alarm": 60}}, "wallboard.longest_wait"),
        ({"interval": 20}, "wallboard.interval"),
        ({"short_abandon": -1}, "wallboard.short_abandon"),
        ({"colour": "red"}, "wallboard.colour"),
        ({"max_viewers": 64}, "wallboard.max_viewers"),
        ({"max_per_kiosk": 0}, "wallboard.max_per_kiosk"),
        ({"max_per_person": 0}, "wallboard.max_per_person"),
    ],
)
def test_a_bad_setting_is_refused_naming_its_key(raw, change, key):
    with pytest.raises(config.ConfigError, match=key.replace(".", r"\.")):
        config.parse({**raw, "wallboard": {**raw["wallboard"], **change}})


def test_the_wall_clock_of_a_moment_is_local_even_when_the_clocks_change():
    berlin = Days("Europe/Berlin")
    autumn = berlin.midnight(dt.date(2026, 10, 25))
    assert berlin.clock(autumn + 2.5 * 3600) == berlin.clock(autumn + 3.5 * 3600) == 2.5 * 3600
    assert berlin.clock(autumn + 13 * 3600) == 12 * 3600
