"""Complaint cases' settings: every name they use exists, every manager is someone."""

from __future__ import annotations

import pytest

from acd import config


@pytest.fixture
def raw() -> dict:
    return config.read_yaml(config.DEFAULT_PATH)


def test_the_shipped_settings_and_the_seeded_managers(raw):
    loaded = config.parse(raw)
    cases = loaded.cases
    assert (cases.deadline, cases.levels, cases.unassigned) == (24 * 3600.0, 2, "9002")
    assert (cases.categories, cases.escalation_reasons, cases.dispositions) == (
        ("complaint",),
        ("complaint",),
        ("complaint_logged",),
    )
    assert {s.number: s.manager for s in loaded.staff if s.role == "supervisor"} == {
        "9001": "9901",
        "9002": "9901",
    }


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"escalation_reasons": ["nonsense"]}, "cases.escalation_reasons"),
        ({"dispositions": ["no_such_code"]}, "cases.dispositions"),
        ({"unassigned": "4242"}, "cases.unassigned"),
        ({"deadline_hours": 0}, "cases.deadline_hours"),
        ({"levels": 9}, "cases.levels"),
        ({"owner": "9001"}, "cases.owner"),
    ],
)
def test_a_bad_setting_is_refused_naming_its_key(raw, change, key):
    with pytest.raises(config.ConfigError, match=key.replace(".", r"\.")):
        config.parse({**raw, "cases": {**raw["cases"], **change}})


def test_a_manager_who_is_nobody_is_refused(raw):
    staff = [dict(s) for s in raw["staff"]]
    staff[0]["manager"] = "4242"
    with pytest.raises(config.ConfigError, match=r"staff\[0\]\.manager"):
        config.parse({**raw, "staff": staff})
