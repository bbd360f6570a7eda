"""config/ivr.yaml loading: the shipped menu is valid; mistakes name their YAML path."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import yaml
from pydantic import ValidationError

from acd.config import ConfigError
from ivr import hours, menu

RAW = yaml.safe_load(menu.DEFAULT_PATH.read_text())


def broken(change) -> str:
    raw = copy.deepcopy(RAW)
    change(raw)
    with pytest.raises(ConfigError) as failure:
        menu.parse(raw, "ivr.yaml", queues=["support", "support-3", "sales"])
    return str(failure.value)


def test_shipped_menu_has_five_or_six_categories_and_all_prompts():
    loaded = menu.load(queues=["support", "support-3", "sales"])
    assert 5 <= len(loaded.categories) <= 6
    assert set(loaded.prompts) == {"en", "de"}


def test_unknown_key_names_its_path():
    assert "categories[1].colour: unknown key" in broken(lambda r: r["categories"][1].update(colour="red"))


def test_missing_prompt_names_language_and_key():
    assert "prompts.de.closed: Field required" in broken(lambda r: r["prompts"]["de"].pop("closed"))


def test_category_to_an_unknown_queue():
    message = broken(lambda r: r["categories"][2].update(queue="billing"))
    assert "categories[2].queue: no queue named 'billing'" in message


def test_same_digit_twice():
    assert "categories[1].digit: 1 is used twice" in broken(lambda r: r["categories"][1].update(digit="1"))


def test_label_missing_for_a_spoken_language():
    assert "categories[0].label: no label in ['de']" in broken(
        lambda r: r["categories"][0]["label"].pop("de")
    )


def test_wrong_types_and_values():
    assert "attempts: Input should be a valid integer" in broken(lambda r: r.update(attempts="three"))
    assert "identity.questions[0]" in broken(lambda r: r["identity"].update(questions=["shoe_size"]))
    assert "hours.timezone: unknown time zone 'Mars/Olympus'" in broken(
        lambda r: r["hours"].update(timezone="Mars/Olympus")
    )
    assert "hours.open: mon: opening 18:00 is not before closing 08:00" in broken(
        lambda r: r["hours"]["open"].update(mon=["18:00", "08:00"])
    )
    assert "languages.3: no prompts for 'fr'" in broken(lambda r: r["languages"].update({"3": "fr"}))


def test_bad_yaml_and_non_mapping(tmp_path):
    path = tmp_path / "ivr.yaml"
    path.write_text("languages: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        menu.load(path)
    path.write_text("- a list\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        menu.load(path)


def office(**extra) -> menu.Hours:
    return menu.Hours(timezone="Europe/Berlin", open={"mon": ("08:00", "18:00")}, **extra)


def at(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


def test_opening_hours_in_the_lines_own_zone():
    assert hours.is_open(office(), at("2026-11-23T08:00:00+01:00"))  # Monday, Berlin
    assert not hours.is_open(office(), at("2026-11-23T07:59:00+01:00"))
    assert not hours.is_open(office(), at("2026-11-23T18:00:00+01:00"))
    assert hours.is_open(office(), at("2026-11-23T16:30:00+00:00"))  # 17:30 in Berlin
    assert not hours.is_open(office(), at("2026-11-24T10:00:00+01:00"))  # Tuesday: not listed


def test_a_line_open_until_24_00_is_open_in_the_day_s_last_minute():
    """The shipped menu's line never closes: at 23:59:33 in Berlin (a CI run's call, 22:59:33
    UTC) it said "closed", because its days ended at "23:59", the closing minute excluded."""
    whole_day = menu.Hours(timezone="Europe/Berlin", open={"mon": ("00:00", "24:00")})
    assert hours.is_open(whole_day, at("2026-11-23T23:59:33+01:00"))
    assert hours.is_open(whole_day, at("2026-11-23T00:00:00+01:00"))
    assert not hours.is_open(whole_day, at("2026-11-24T00:00:00+01:00"))  # Tuesday: not listed
    shipped = menu.load()
    for day in range(23, 30):  # Monday to Sunday
        assert hours.is_open(shipped.hours, at(f"2026-11-{day}T23:59:33+01:00")), day


def test_24_00_only_closes():
    with pytest.raises(ValidationError, match="opening 24:00 is not before closing 24:00"):
        menu.Hours(open={"mon": ("24:00", "24:00")})
    with pytest.raises(ValidationError):
        menu.Hours(open={"mon": ("08:00", "24:30")})


def test_holiday_is_closed_all_day():
    closed = office(holidays=(dt.date(2026, 11, 23),))
    assert not hours.is_open(closed, at("2026-11-23T10:00:00+01:00"))


def test_holidays_from_yaml_dates_or_strings():
    raw = copy.deepcopy(RAW)
    raw["hours"]["holidays"] = [dt.date(2026, 12, 25), "2026-12-26"]
    loaded = menu.parse(raw, queues=["support", "support-3", "sales"])
    assert loaded.hours.holidays == (dt.date(2026, 12, 25), dt.date(2026, 12, 26))
    raw["hours"]["holidays"] = ["2026-13-01"]
    with pytest.raises(ConfigError, match=r"hours.holidays\[0\]"):
        menu.parse(raw)


def test_a_span_past_midnight_is_refused_saying_how_to_write_it():
    with pytest.raises(
        ValidationError, match="no span runs past midnight: close at 24:00, open at 00:00 the next day"
    ):
        menu.Hours(open={"mon": ("22:00", "06:00")})
