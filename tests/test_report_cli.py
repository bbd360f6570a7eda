"""`acd report` on a journal of scripted calls: the table, CSV with every figure, a range's
totals, and the charts as real PNG and SVG files; bad ranges are a clear error."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from acd import cli
from acd.store import db
from tests.store.test_figures import CONFIG, day_of_calls, journaled


@pytest.fixture
def config(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    db.migrate(url)
    journaled(url, day_of_calls()).close()
    return CONFIG.model_copy(update={"store": CONFIG.store.model_copy(update={"url": url})})


def report(config, *argv: str) -> tuple[int, str]:
    args = cli._parser().parse_args(["report", *argv])
    out = io.StringIO()
    return args.func(config, args, out), out.getvalue()


def test_the_table_shows_the_days_hours(config):
    code, text = report(config, "--day", "2026-11-20", "--by", "queue", "--interval", "60")
    assert code == 0
    assert code == 0 and "09:00" in text and "support" in text
    assert "66.7%" in text  # 4 answered in T over 5 answered + 1 abandoned after T


def test_csv_has_every_figure_per_interval(config):
    code, text = report(config, "--day", "2026-11-20", "--interval", "15", "--csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert code == 0 and len(rows) == 5  # calls 700 s apart from 09:00: five 15-minute intervals
    assert {r["key"] for r in rows} == {"support"}
    assert sum(int(r["offered"]) for r in rows) == 6
    assert "sl2" in rows[0] and "conversion_rate" in rows[0]


def test_totals_of_a_range_add_the_days_up(config):
    code, text = report(config, "--from", "2026-11-19", "--to", "2026-11-21", "--totals", "--csv")
    (row,) = [r for r in csv.DictReader(io.StringIO(text)) if r["key"] == "support"]
    assert code == 0 and (row["offered"], row["answered"], row["abandoned"]) == ("6", "5", "1")


@pytest.mark.parametrize("chart", ["volume", "service_level", "answered_abandoned", "handle_time"])
def test_charts_are_real_png_and_svg_files(config, tmp_path, chart):
    png, svg = tmp_path / f"{chart}.png", tmp_path / f"{chart}.svg"
    day = ("--day", "2026-11-20")
    assert report(config, *day, "--interval", "15", "--chart", chart, "--out", str(png))[0] == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    assert report(config, "--day", "2026-11-20", "--chart", chart, "--out", str(svg))[0] == 0
    tree = ET.parse(svg)
    ids = {e.get("id") for e in tree.iter() if e.get("id")}
    assert any(i.startswith("support") for i in ids)  # the series is drawn, named by its key


def test_bad_requests_are_refused_with_a_reason(config, capsys):
    assert report(config, "--from", "2026-01-01", "--to", "2026-12-01")[0] == 2
    assert "1 to 62 days" in capsys.readouterr().err
    assert report(config, "--chart", "volume", "--out", "x.txt")[0] == 2


def test_a_queue_log_is_reported_by_the_same_definitions(config):
    golden = Path(__file__).parent / "fixtures" / "queue_log" / "golden.log"
    day = dt.datetime.fromtimestamp(int(golden.read_text().split("|")[0]), dt.UTC).date().isoformat()
    utc = config.model_copy(update={"timezone": "UTC"})
    code, text = report(utc, "--day", day, "--queue-log", str(golden), "--interval", "60", "--csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert code == 0 and sum(int(r["offered"]) for r in rows if r["key"] == "support") == 11
