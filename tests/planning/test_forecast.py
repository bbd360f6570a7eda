"""The forecast from history: a weekday's mean calls and AHT per interval, its peaks, and the
busiest weekday; then `acd staffing --history` on a journal of scripted calls."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from acd import cli
from acd.planning.forecast import Observed, busiest_weekday, forecast
from acd.store import db
from tests.store.test_figures import CONFIG, day_of_calls, journaled

SEEDS = [
    61,
    76,
    107,
    107,
    92,
    87,
    87,
    81,
    76,
    76,
    81,
    87,
    107,
    107,
    92,
    87,
    81,
    81,
    76,
    71,
    66,
    61,
    56,
    51,
    46,
]
MONDAYS = [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)]


def seeds_history() -> list[Observed]:
    """Three Mondays of the seeds' day, the second 10 % busier, and a quiet Sunday."""
    made = []
    for week, day in enumerate(MONDAYS):
        for i, n in enumerate(SEEDS):
            calls = n * (1.1 if week == 1 else 1.0)
            made.append(Observed(day, 480 + 30 * i, calls, calls * 0.95, 600.0 + 30 * week))
    made.append(Observed(dt.date(2026, 11, 8), 600, 20, 20, 300.0))
    return made


def test_the_mean_of_the_weekday_and_its_peaks():
    made = forecast(seeds_history(), 0, 30)
    assert made.days == 3 and made.starts[0] == 480 and made.starts[-1] == 20 * 60
    assert made.calls == pytest.approx([n * 3.1 / 3 for n in SEEDS])
    # AHT weighted by the answered: (600 x 1 + 630 x 1.1 + 660 x 1) / 3.1
    assert made.aht[0] == pytest.approx((600 + 630 * 1.1 + 660) / 3.1)
    assert made.peaks == ((9 * 60, 10 * 60), (14 * 60, 15 * 60))


def test_quiet_intervals_inside_the_day_count_as_zero_and_unknown_aht():
    day = dt.date(2026, 11, 3)
    made = forecast([Observed(day, 540, 10, 0, None), Observed(day, 660, 30, 30, 200.0)], 1, 60)
    assert made.starts == (540, 600, 660) and made.calls == (10, 0, 30) and made.aht == (None, None, 200.0)


def test_the_busiest_weekday_is_per_day_seen():
    assert busiest_weekday(seeds_history()) == 0
    with pytest.raises(ValueError, match="no history"):
        busiest_weekday([])


def test_a_weekday_with_no_calls_is_refused():
    with pytest.raises(ValueError, match="no calls on a tue"):
        forecast(seeds_history(), 1, 30)
    with pytest.raises(ValueError, match="interval"):
        forecast([Observed(MONDAYS[0], 495, 1)], 0, 30)


@pytest.fixture
def config(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    db.migrate(url)
    journaled(url, day_of_calls()).close()
    return CONFIG.model_copy(update={"store": CONFIG.store.model_copy(update={"url": url})})


def staffing(config, *argv: str) -> tuple[int, str]:
    args = cli._parser().parse_args(["staffing", *argv])
    out = io.StringIO()
    return args.func(config, args, out), out.getvalue()


def test_staffing_from_the_journal(config):
    """The scripted Friday: six calls from 09:00 to 10:00, five answered."""
    code, text = staffing(config, "--history", "2026-11-20", "--interval-minutes", "60")
    assert code == 0, text
    assert "the mean of 1 fri(s) in 2026-11-20..2026-11-20 from the journal" in text
    row = [
        c.strip() for c in next(line for line in text.splitlines() if line.startswith("│ 09:00")).split("│")
    ]
    assert row[2] == "6" and float(row[3]) > 0  # the journal's own AHT, no --aht needed


def test_history_errors_are_exit_2(config, capsys):
    assert staffing(config, "--history", "2026-11-23", "--aht", "180")[0] == 2  # a Monday: no calls
    assert "no history" in capsys.readouterr().err
    assert staffing(config, "--history", "2026-11-20", "100")[0] == 2
    assert "give no calls" in capsys.readouterr().err
    assert staffing(config, "--weekday", "mon", "--aht", "180", "100")[0] == 2
    with pytest.raises(SystemExit):
        staffing(config, "--history", "2026-11-20..2026-11-01")


def test_staffing_from_an_imported_queue_log(config):
    """The golden queue_log (tests/fixtures): every queue's calls add up per interval."""
    golden = Path(__file__).resolve().parents[1] / "fixtures" / "queue_log" / "golden.log"
    day = dt.datetime.fromtimestamp(int(golden.read_text().split("|")[0]), dt.UTC).date().isoformat()
    utc = config.model_copy(update={"timezone": "UTC"})
    code, text = staffing(utc, "--history", day, "--queue-log", str(golden), "--interval-minutes", "60")
    assert code == 0, text
    assert "golden.log; peaks" in text
    calls = [float(line.split("│")[2]) for line in text.splitlines() if line.startswith("│")]
    assert sum(calls) >= 11  # support's 11 and any other queue's
