"""`acd staffing`: the table from calls on the command line or a CSV, the planning section's
defaults, the lines against their limit, and bad input as a clear error with exit 2."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from acd import cli
from acd import config as config_module
from acd.config_planning import Planning


@pytest.fixture(scope="module")
def config():
    return config_module.load(write_secrets=False)


def staffing(config, *argv: str) -> tuple[int, str]:
    args = cli._parser().parse_args(["staffing", *argv])
    out = io.StringIO()
    return args.func(config, args, out), out.getvalue()


def rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines() if line.startswith("│")]


def test_the_table_has_one_row_per_interval(config):
    code, text = staffing(config, "--aht", "180", "--start", "09:00", "100", "50")
    assert code == 0
    first, second = rows(text)
    assert first[:6] == ["09:00", "100", "180", "10.00", "14", "20"]  # the published example
    assert first[6:9] == ["88.8%", "7.8", "71.4%"] and first[9] == "-"
    assert second[0] == "09:30" and "Erlang C" in text and "peak: 20 seats (14 on the phones)" in text
    assert "no trunk limit given" in text


def test_a_csv_with_its_own_aht_and_erlang_a(config, tmp_path: Path):
    path = tmp_path / "day.csv"
    path.write_text("interval,calls,aht\n08:00,100,180\n08:30,200,\n")
    code, text = staffing(config, "--csv", str(path), "--aht", "240", "--patience", "120")
    assert code == 0
    first, second = rows(text)
    assert first[0] == "08:00" and first[2] == "180" and second[2] == "240"
    assert first[9].endswith("%") and "Erlang A, patience 120 s" in text


def test_lines_over_the_limit_are_said(config):
    code, text = staffing(config, "--aht", "180", "--trunk-limit", "20", "--ivr-seconds", "45", "100")
    assert code == 0 and "OVER THE LIMIT" in text and rows(text)[0][-1].endswith("OVER")


def test_the_planning_section_gives_the_defaults(config):
    mine = config.model_copy(update={"planning": Planning(interval=60, shrinkage=0.5, trunk_channels=500)})
    code, text = staffing(mine, "--aht", "180", "200")
    assert code == 0 and rows(text)[0][4:6] == ["14", "28"] and "within the trunks' 500" in text


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--aht", "180"], "give the calls"),
        (["100"], "--aht is needed"),
        (["--aht", "180", "--target", "1.5", "100"], "service level"),
        (["--aht", "180", "--shrinkage", "1", "100"], "shrinkage"),
        (["--aht", "0", "100"], "AHT > 0"),
        (["--aht", "180", "--start", "25:00", "100"], "HH:MM"),
        (["--aht", "180", "--trunk-headroom", "0.5", "100"], "headroom"),
        (["--aht", "180", "--csv", "/nonexistent/day.csv"], "No such file"),
        (["--aht", "180", "--shifts", "100"], "shorter than the shortest shift"),
    ],
)
def test_bad_input_is_a_clear_error_and_exit_2(config, capsys, argv, says):
    code, _ = staffing(config, *argv)
    assert code == 2 and says in capsys.readouterr().err


def test_a_bad_csv_names_its_line(config, capsys, tmp_path: Path):
    path = tmp_path / "day.csv"
    path.write_text("08:00,100\n08:30,many\n")
    assert staffing(config, "--aht", "180", "--csv", str(path))[0] == 2
    assert f"{path}:2: calls and aht must be numbers" in capsys.readouterr().err


def test_argparse_refuses_a_non_number(config):
    with pytest.raises(SystemExit) as exit_:
        staffing(config, "--aht", "180", "lots")
    assert exit_.value.code == 2


SEEDS = Path(__file__).resolve().parents[2] / "docs" / "planning-seeds-day.csv"


def test_the_seeds_day_with_its_shift_plan_and_chart(config, tmp_path: Path):
    """docs/planning.md's run: 2000 calls, 08:00-20:30, AHT 612 s, 80/20."""
    out = tmp_path / "plan.svg"
    code, text = staffing(config, "--csv", str(SEEDS), "--aht", "612", "--shifts", "--chart", str(out))
    assert code == 0 and len(rows(text)) > 25  # the intervals, then the shifts
    table = rows(text)[:25]
    assert sum(float(r[1]) for r in table) == 2000
    assert max(int(r[4]) for r in table) == 43 and "shift plan" in text and "agent-hours for a need" in text
    svg = out.read_text()
    assert all(f'id="{gid}' in svg for gid in ("agents", "seats", "scheduled"))


def test_a_chart_needs_png_or_svg(config, capsys, tmp_path: Path):
    assert staffing(config, "--aht", "180", "--chart", str(tmp_path / "x.gif"), "100")[0] == 2
    assert "--chart needs" in capsys.readouterr().err
