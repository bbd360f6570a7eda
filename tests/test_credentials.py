"""No secret ships: acd.yaml holding one is refused naming the key; the secrets file is made
on first use, kept private, kept stable, and checked when read back."""

from __future__ import annotations

import copy
import stat
from pathlib import Path

import pytest
import yaml

from acd import config, credentials

SAMPLES = [  # what the sample configuration shipped before
    (lambda r: r["ami"].update(secret="acd-demo-secret"), "ami.secret: 'acd-demo-secret' is a sample value"),
    (
        lambda r: r["phones"][0].update(password="phone-1001-pw"),
        "phones[0].password: 'phone-1001-pw' is a sample",
    ),
    (lambda r: r["agents"][6].update(pin="9753"), "agents[6].pin: '9753' is a sample value"),
    (
        lambda r: r["staff"][0].update(password="sofia-web-pw"),
        "staff[0].password: 'sofia-web-pw' is a sample",
    ),
    (lambda r: r["staff"][1].update(pin="8643"), "staff[1].pin: '8643' is a sample value"),
]
OTHERS = [  # any other secret: not in acd.yaml either
    (lambda r: r["ami"].update(secret="Vq3kz8T1mPp0wX2y"), "ami.secret: secrets are not kept in acd.yaml"),
    (lambda r: r["redis"].update(password="x" * 20), "redis.password: secrets are not kept in acd.yaml"),
    (lambda r: r["fastagi"].update(token="t" * 32), "fastagi.token: secrets are not kept in acd.yaml"),
    (lambda r: r["agents"][0].update(pin="123456"), "agents[0].pin: secrets are not kept in acd.yaml"),
]


@pytest.fixture
def raw(tmp_path: Path) -> dict:
    data = yaml.safe_load(config.DEFAULT_PATH.read_text())
    data["secrets_file"] = str(tmp_path / "secrets" / "acd.secrets.yaml")
    return data


def write(tmp_path: Path, raw: dict) -> Path:
    path = tmp_path / "acd.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_the_shipped_config_holds_no_secret():
    text = config.DEFAULT_PATH.read_text()
    for needle in ("secret:", "password:", "pin:", "token:", "-pw", "acd-demo"):
        assert needle not in text, needle


@pytest.mark.parametrize("mutate, expected", SAMPLES + OTHERS)
def test_a_secret_in_acd_yaml_is_refused_naming_the_key(tmp_path, raw, mutate, expected):
    broken = copy.deepcopy(raw)
    mutate(broken)
    with pytest.raises(config.ConfigError) as caught:
        config.load(write(tmp_path, broken))
    assert expected in str(caught.value)
    assert "acd.secrets.yaml" in str(caught.value)  # ...and says where secrets live
    assert not Path(raw["secrets_file"]).exists()  # nothing generated from a refused file


def test_first_use_generates_every_secret_privately_and_later_uses_keep_them(tmp_path, raw):
    first = config.load(write(tmp_path, raw))
    secrets_file = Path(raw["secrets_file"])
    mode = secrets_file.stat().st_mode
    assert stat.S_IMODE(mode) & 0o007 == 0 and stat.S_IMODE(secrets_file.parent.stat().st_mode) & 0o007 == 0
    again = config.load(write(tmp_path, raw))
    assert again.ami.secret == first.ami.secret and again.fastagi.token == first.fastagi.token
    assert [p.password for p in again.phones] == [p.password for p in first.phones]
    assert len({p.password for p in first.phones}) == len(first.phones)  # none shared
    assert all(a.pin.isdigit() and len(a.pin) == 6 for a in first.agents)
    assert first.person("9001").pin and first.person("9001").password and first.person("9101").pin is None
    assert first.redis.password and first.http.signing_key and first.ami.watch_secret != first.ami.secret


def test_a_new_phone_gets_a_password_and_the_old_ones_stay(tmp_path, raw):
    first = config.load(write(tmp_path, raw))
    raw["phones"].append({"name": "1007"})
    second = config.load(write(tmp_path, raw))
    assert second.phone("1007").password and second.phone("1001").password == first.phone("1001").password


@pytest.mark.parametrize(
    "edit, expected",
    [
        (lambda s: s["ami"].update(secret="acd-demo-secret"), "ami.secret: expected 16 to 128 letters"),
        (lambda s: s["ami"].update(secret="Password"), "ami.secret: expected 16 to 128 letters"),
        (lambda s: s["agents"]["1001"].update(pin="12ab"), "agents.1001.pin: expected 4 to 8 digits"),
        (lambda s: s["agents"]["1001"].update(pin="4711"), "agents.1001.pin: '4711' is a sample value"),
        (lambda s: s["phones"].update({"1001": "x\r\nAction: Originate"}), "phones.1001: expected"),
    ],
)
def test_a_bad_value_in_the_secrets_file_is_refused_naming_it(tmp_path, raw, edit, expected):
    config.load(write(tmp_path, raw))
    secrets_file = Path(raw["secrets_file"])
    values = yaml.safe_load(secrets_file.read_text())
    edit(values)
    secrets_file.write_text(yaml.safe_dump(values))
    with pytest.raises(config.ConfigError) as caught:
        config.load(write(tmp_path, raw))
    assert expected in str(caught.value)


def test_a_value_chosen_by_hand_is_kept(tmp_path, raw):
    config.load(write(tmp_path, raw))
    secrets_file = Path(raw["secrets_file"])
    values = yaml.safe_load(secrets_file.read_text())
    values["phones"]["1001"] = "MyOwnChosenSipPassword42"
    secrets_file.write_text(yaml.safe_dump(values))
    assert config.load(write(tmp_path, raw)).phone("1001").password == "MyOwnChosenSipPassword42"


def test_check_config_generates_nothing(tmp_path, raw):
    from acd.cli import main

    assert main(["-c", str(write(tmp_path, raw)), "check-config"]) == 0
    assert not Path(raw["secrets_file"]).exists()


def test_secrets_show_prints_them(tmp_path, raw, capsys):
    from acd.cli import main

    path = write(tmp_path, raw)
    assert main(["-c", str(path), "secrets", "show"]) == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    assert shown["phones"]["1001"] == config.load(path).phone("1001").password


def test_secrets_are_random_not_derived():
    """Two machines never share a secret: nothing is derived from names or numbers."""
    raw = yaml.safe_load(config.DEFAULT_PATH.read_text())
    one, two = credentials.generated(raw), credentials.generated(raw)
    assert one["ami"]["secret"] != two["ami"]["secret"]
    assert one["phones"]["1001"] != two["phones"]["1001"] and "1001" not in one["phones"]["1001"]
