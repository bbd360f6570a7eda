"""The configuration loader: typed, frozen, and loud about every mistake, naming the key."""

from __future__ import annotations

import copy
from pathlib import Path

import pydantic
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


def test_shipped_config_loads():
    """config/acd.yaml is valid and describes the demo's queues, phones and agents."""
    loaded = config.load(write_secrets=False)
    assert [q.name for q in loaded.queues] == ["support", "support-2", "support-3", "sales"]
    assert [q.line for q in loaded.queues] == [1, 2, 3, 1]
    assert loaded.routing.numbers == {"100": "support", "200": "sales"}
    assert loaded.queue("sales").service_level == 30


def test_overflow_and_feature_code_mistakes_are_named(raw):
    raw["queues"][0]["overflow_to"] = "billing"
    assert "queues[0].overflow_to: no queue named 'billing'" in error_for(raw)
    raw["queues"][0]["overflow_to"] = "support"
    assert "queues[0].overflow_to: a queue cannot overflow into itself" in error_for(raw)
    del raw["queues"][0]["overflow_to"]
    raw["features"]["pause"] = "*70"
    assert "features.pause: '*70' is also login" in error_for(raw)
    raw["features"]["pause"] = "*71"
    raw["features"]["record_pause"] = "*12"  # in a call, *1 would fire before the 2 came
    assert "features.record_pause: '*12' begins with record's '*1'" in error_for(raw)
    raw["features"]["pause"] = "71"
    assert "features.pause: String should match pattern" in error_for(raw)


def test_config_is_frozen(raw):
    """Loaded once, never changed behind anyone's back."""
    loaded = config.parse(raw)
    with pytest.raises(pydantic.ValidationError):
        loaded.ami.port = 1


def test_invalid_yaml_names_the_file(tmp_path: Path):
    """A YAML syntax error stops loading with the file's name."""
    bad = tmp_path / "acd.yaml"
    bad.write_text("ami: [unclosed\n")
    with pytest.raises(config.ConfigError, match="acd.yaml: not valid YAML"):
        config.load(bad)


def test_missing_file_is_a_config_error(tmp_path: Path):
    with pytest.raises(config.ConfigError, match="cannot read"):
        config.load(tmp_path / "nope.yaml")


def test_top_level_must_be_a_mapping():
    assert "expected a mapping" in error_for(["ami"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda r: r.update(colour="blue"), "colour: unknown key"),
        (lambda r: r["queues"][0].update(colour="blue"), "queues[0].colour: unknown key"),
        (lambda r: r["ami"].update(port="abc"), "ami.port"),
        (lambda r: r["ami"].update(port=70000), "ami.port"),
        (lambda r: r["queues"][0].update(ring_timeout=-1), "queues[0].ring_timeout"),
        (lambda r: r["ami"].update(host="localhost"), "ami.host"),
        (
            lambda r: r["routing"]["numbers"].update({"300": "billing"}),
            "routing.numbers.300: no queue named 'billing'",
        ),
        (lambda r: r["agents"][0].update(phone="9999"), "agents[0].phone: no phone named '9999'"),
        (lambda r: r["agents"][1].update(queues=["nope"]), "agents[1].queues: no queue named 'nope'"),
        (lambda r: r["queues"].append(dict(r["queues"][0])), "queues[4]: 'support' appears twice"),
        (lambda r: r["trunks"][0].update(match="carrier.example:5060"), "trunks[0].match"),
        (lambda r: r["queues"][0].update(name="Bad Name"), "queues[0].name"),
        (
            lambda r: r["staff"][0].update(phone="1001"),
            "staff[0].phone: '1001' is not a phone with role supervisor",
        ),
        (lambda r: r["staff"][1].update(teams=["nope"]), "staff[1].teams: no agent is in team 'nope'"),
        (lambda r: r["staff"][2].update(number="1001"), "staff[2].number: '1001' is also an agent's number"),
        (lambda r: r["staff"][2].update(role="boss"), "staff[2].role"),
        (lambda r: r["phones"][0].update(role="boss"), "phones[0].role"),
        (lambda r: r["agents"][0].update(hired="last year"), "agents[0].hired"),
        (
            lambda r: r["recording"].update(share=1.5),
            "recording.share: Input should be less than or equal to 1",
        ),
        (
            lambda r: r["recording"]["queues"].update(billing=0.5),
            "recording.queues.billing: no queue named 'billing'",
        ),
        (lambda r: r["recording"]["agents"].update({"7777": 1.0}), "recording.agents.7777: no agent '7777'"),
        (lambda r: r["features"].update(monitor="*7"), "features.monitor: String should match pattern"),
        (lambda r: r["journal"].update(sweep_at="25:00"), "journal.sweep_at: String should match pattern"),
        (lambda r: r["redis"].update(max_connections=0), "redis.max_connections"),
        (lambda r: r["redis"].update(max_connections=33), "redis.max_connections"),  # past the fd margin
        (lambda r: r["redis"].update(timeout=0), "redis.timeout"),
        (lambda r: r["journal"].update(sweep_at=210), "journal.sweep_at: Input should be a valid string"),
        (
            lambda r: r["recording"]["lines"].update({4: 1.0}),
            "recording.lines[4].[key]: Input should be less than or equal to 3",
        ),
    ],
)
def test_bad_value_names_the_key(raw, mutate, expected):
    """Every kind of mistake is reported with the path of the key at fault."""
    broken = copy.deepcopy(raw)
    mutate(broken)
    assert expected in error_for(broken)


def test_any_valid_address_is_accepted(raw):
    """Binding elsewhere than loopback is a deliberate choice the loader allows."""
    raw["http"]["host"] = "192.0.2.10"
    assert config.parse(raw).http.host == "192.0.2.10"


def test_check_config_command_reports_errors(tmp_path: Path, raw, capsys):
    """`acd check-config` exits 2 with the message on a broken file."""
    from acd.cli import main

    raw["ami"]["prot"] = 1
    path = tmp_path / "acd.yaml"
    path.write_text(yaml.safe_dump(raw))
    assert main(["-c", str(path), "check-config"]) == 2
    assert "ami.prot: unknown key" in capsys.readouterr().err


def test_supervision_and_recording_in_the_shipped_config():
    loaded = config.load(write_secrets=False)
    assert [p.name for p in loaded.phones if p.role == "supervisor"] == ["9001", "9002"]
    assert loaded.person("9001").teams == ("front", "sales") and loaded.person("9101").role == "quality"
    assert (loaded.features.monitor, loaded.features.whisper, loaded.features.barge) == ("*22", "*23", "*24")
    assert loaded.recording.lines == {3: 1.0}
    assert loaded.recordings_path().name == "recordings"
