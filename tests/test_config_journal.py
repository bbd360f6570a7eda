"""The journal's settings and the center's day: a zone that does not exist is refused with
its key's name, and a day is 23 or 25 hours when the clocks change."""

from __future__ import annotations

import datetime as dt

import pytest

from acd import config
from acd.config_journal import Days


@pytest.fixture
def raw() -> dict:
    return config.read_yaml(config.DEFAULT_PATH)


def test_a_zone_that_does_not_exist_is_refused_with_its_key(raw):
    with pytest.raises(config.ConfigError, match="timezone"):
        config.parse({**raw, "timezone": "Europe/Atlantis"})
    with pytest.raises(config.ConfigError, match=r"journal\.retention_days"):
        config.parse({**raw, "journal": {"retention_days": 0}})
    assert config.parse({**raw, "timezone": "Europe/Berlin"}).timezone == "Europe/Berlin"


def test_checkpoints_every_20000_entries_or_5_minutes_the_last_3_kept_by_default(raw):
    journal = config.parse(raw).journal
    assert (journal.checkpoint_every, journal.checkpoint_minutes, journal.checkpoints_kept) == (
        20_000,
        5.0,
        3,
    )
    for key, bad in (("checkpoint_every", 10), ("checkpoint_minutes", 0), ("checkpoints_kept", 0)):
        with pytest.raises(config.ConfigError, match=rf"journal\.{key}"):
            config.parse({**raw, "journal": {key: bad}})
    assert config.parse({**raw, "journal": {"checkpoint_minutes": 1.5}}).journal.checkpoint_minutes == 1.5


def test_a_day_runs_from_local_midnight_to_the_next_even_when_the_clocks_change():
    berlin = Days("Europe/Berlin")
    spring = berlin.midnight(dt.date(2026, 3, 29))  # clocks go forward at 02:00
    assert berlin.end(spring + 3600) - spring == 23 * 3600
    autumn = berlin.midnight(dt.date(2026, 10, 25))
    assert berlin.end(autumn + 3600) - autumn == 25 * 3600
    assert berlin.start(autumn + 80_000) == autumn
    assert dt.datetime.fromtimestamp(autumn, dt.UTC).hour == 22  # 00:00 CEST is 22:00 UTC


def test_the_hosts_zone_by_default():
    host = Days()
    midnight = host.midnight(dt.date(2026, 12, 2))
    assert dt.datetime.fromtimestamp(midnight).timetuple()[3:6] == (0, 0, 0)
    assert host.start(midnight + 3600) == midnight and host.end(midnight) > midnight


def test_the_instant_a_days_wall_clock_reads_a_time_on_days_of_23_and_25_hours():
    berlin = Days("Europe/Berlin")
    for day in (dt.date(2026, 3, 29), dt.date(2026, 10, 25), dt.date(2026, 12, 2)):
        for hour in (1, 8, 23):
            local = dt.datetime.fromtimestamp(berlin.wall(day, hour * 3600 + 900), berlin.tz)
            assert (local.date(), local.hour, local.minute) == (day, hour, 15)
    autumn = dt.date(2026, 10, 25)  # 02:30 is read twice: the first
    assert berlin.wall(autumn, 9000) == berlin.midnight(autumn) + 9000
    host = Days()
    assert dt.datetime.fromtimestamp(host.wall(dt.date(2026, 12, 2), 30_600)).timetuple()[3:6] == (8, 30, 0)
