"""`acd simulate`: the seeds' day or given calls, a staffing plan with changes at a clock time,
a table per interval with the day's figures and their 95 % intervals."""

from __future__ import annotations

import io

import pytest

from acd import cli, sim_cli
from acd.store import db
from tests.store.test_figures import CONFIG, day_of_calls, journaled


def simulate(*argv: str, config=CONFIG) -> tuple[int, str]:
    args = cli._parser().parse_args(["simulate", *argv])
    out = io.StringIO()
    return args.func(config, args, out), out.getvalue()


def test_the_seeds_day_prints_every_interval_and_the_day():
    code, text = simulate("--agents", "38", "--at", "14:00=45", "--replications", "3", "--patience", "300")
    assert code == 0
    assert "08:00" in text and "20:15" in text and "day" in text and "±" in text
    assert "3 replications, seed 1" in text


def test_given_calls_and_agents_per_interval():
    code, text = simulate("--calls", "100,100", "--agents", "20,30", "--aht", "180", "--replications", "2")
    assert code == 0 and "08:15" in text and "08:30" not in text


def test_a_plan_change_at_a_clock_time_applies_from_that_interval_on():
    args = cli._parser().parse_args(["simulate", "--agents", "38", "--at", "09:00=45", "--at", "10:00=40"])
    knobs = sim_cli.knobs_from(CONFIG, args)
    assert knobs.agents[:4] == (38,) * 4 and knobs.agents[4:8] == (45,) * 4 and knobs.agents[8:] == (40,) * 42
    assert len(knobs.calls) == 50 and abs(sum(knobs.calls) - 2000) < 1


def test_bad_numbers_are_refused():
    with pytest.raises(SystemExit):
        cli._parser().parse_args(["simulate", "--agents", "lots"])


def test_a_journal_day_is_replayed_with_its_own_talk_time(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    db.migrate(url)
    journaled(url, day_of_calls()).close()
    config = CONFIG.model_copy(update={"store": CONFIG.store.model_copy(update={"url": url})})
    args = cli._parser().parse_args(["simulate", "--journal-day", "2026-11-20", "--start", "09:00"])
    knobs = sim_cli.knobs_from(config, args, sim_cli.journal_day(config, args))
    assert [at for at, _ in knobs.recorded] == [n * 700.0 for n in range(6)]
    assert knobs.calls == (2.0, 1.0, 1.0, 2.0) and knobs.aht == 288.0  # the completed calls' talk
    code, text = simulate("--journal-day", "2026-11-20", "--start", "09:00", "--agents", "1", config=config)
    assert code == 0 and "09:00" in text and "09:45" in text and "10:00" not in text


def test_the_configured_center_with_plans_per_skill_set():
    code, text = simulate(
        *("--configured", "--calls-for", "support=40,40", "--calls-for", "sales=10,10", "--aht", "300"),
        *("--group", "support=12", "--group", "support-2=3", "--callback-after", "60", "--replications", "2"),
    )
    assert code == 0 and "08:15" in text and "day support" in text and "day sales" in text


def test_a_configured_plan_for_a_queue_that_does_not_exist_is_an_error(capsys):
    code, _ = simulate("--configured", "--group", "nope=3", "--replications", "1")
    assert code == 2 and "no queue named nope" in capsys.readouterr().err


def test_agents_from_the_planning_calculators():
    args = cli._parser().parse_args(["simulate", "--plan-sl", "0.8", "--aht", "600"])
    knobs = sim_cli.knobs_from(CONFIG, args)
    assert set(knobs.agents) == {22, 32, 34, 45}  # Erlang C at 80/20 for the seeds' four levels
    assert knobs.agents[4] == 45 and knobs.agents[0] == 32


def test_csv_has_every_figure_with_its_interval():
    code, text = simulate(
        "--calls", "100,100", "--agents", "20", "--aht", "180", "--replications", "3", "--csv"
    )
    lines = text.splitlines()
    assert code == 0 and lines[0].startswith("start,offered,offered_ci95,answered")
    assert [line.split(",")[0] for line in lines[1:]] == ["08:00", "08:15", "day"]
    assert "service_level_ci95" in lines[0] and "occupancy" in lines[0]


def test_repeat_callers_ring_their_last_agent_for_the_configured_time():
    args = cli._parser().parse_args(["simulate", "--repeat-share", "0.3"])
    knobs = sim_cli.knobs_from(CONFIG, args)
    assert knobs.repeat_share == 0.3 and knobs.last_agent_ring == CONFIG.routing.last_agent_ring
    code, text = simulate("--calls", "60", "--agents", "12", "--aht", "180", "--repeat-share", "0.5", "--csv")
    header, *rows = text.splitlines()
    names = header.split(",")
    day = dict(zip(names, rows[-1].split(",")))
    assert (
        code == 0
        and float(day["repeat"]) > 0
        and 0 < float(day["last_agent_answered"]) <= float(day["repeat"])
    )
    code, text = simulate("--calls", "60", "--agents", "12", "--repeat-share", "0.5", "--replications", "2")
    assert code == 0 and "last_agent_answered" in text
    assert "last_agent" not in simulate("--calls", "60", "--agents", "12", "--replications", "2")[1]
