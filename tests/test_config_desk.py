"""acd.yaml's desk section: dispositions checked at start-up, naming the key; the wrap-up
hold's reason is no agent's pause reason."""

from __future__ import annotations

import pytest
import yaml

from acd import config


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(config.DEFAULT_PATH.read_text())


def error_for(raw: dict) -> str:
    with pytest.raises(config.ConfigError) as caught:
        config.parse(raw)
    return str(caught.value)


def test_the_shipped_dispositions_and_seeds():
    loaded = config.load(write_secrets=False)
    assert loaded.desk.disposition("answered").resolved is True
    assert loaded.desk.disposition("fault_ticket").resolved is False
    assert loaded.desk.disposition("nope") is None
    assert loaded.knowledge_path().is_dir()


def test_a_disposition_twice_is_named(raw):
    raw["desk"]["dispositions"].append({"code": "answered", "label": "again"})
    assert "desk: dispositions[8].code: 'answered' appears twice" in error_for(raw)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"code": "Bad Code", "label": "x"}, "desk.dispositions[0].code"),
        ({"code": "ok", "label": "<b>x</b>"}, "desk.dispositions[0].label"),
        ({"code": "ok", "label": ""}, "desk.dispositions[0].label"),
        ({"code": "ok", "label": "x", "colour": "red"}, "desk.dispositions[0].colour: unknown key"),
    ],
)
def test_a_bad_disposition_names_its_key(raw, item, expected):
    raw["desk"]["dispositions"] = [item]
    assert expected in error_for(raw)


def test_no_dispositions_at_all_is_refused(raw):
    raw["desk"]["dispositions"] = []
    assert "desk.dispositions" in error_for(raw)


def test_wrapup_is_not_an_agent_s_pause_reason(raw):
    raw["features"]["pause_reasons"]["5"] = "wrapup"
    assert "features.pause_reasons: 'wrapup' is the wrap-up hold's own reason" in error_for(raw)
