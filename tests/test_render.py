"""Asterisk's configuration rendered from the templates and config/acd.yaml."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from acd import config
from acd.pbx import render


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return render.render(config.load(), Path("/srv/x"))


def test_no_placeholder_left(files):
    """Every @NAME@ in every template has a value."""
    assert {"asterisk.conf", "manager.conf", "pjsip.conf", "extensions.conf", "modules.conf",
            "queues.conf", "pjsip_acd.conf"} <= set(files)
    for name, text in files.items():
        assert not re.search(r"@[A-Z_]+@", text), name


def test_paths_ports_and_secret_come_from_the_config(files):
    assert "astetcdir => /srv/x/etc" in files["asterisk.conf"]
    assert "astrundir => /srv/x/run" in files["asterisk.conf"]
    manager = files["manager.conf"]
    assert "bindaddr = 127.0.0.1" in manager and "port = 5039" in manager
    assert "[acd]" in manager and "secret = acd-demo-secret" in manager
    assert "bind = 127.0.0.1:5060" in files["pjsip.conf"]
    assert "ACD_AGI = agi://127.0.0.1:4573" in files["extensions.conf"]
    assert "ACD_DEFAULT_QUEUE = support" in files["extensions.conf"]


def test_queues_have_their_agents_as_members(files):
    support = files["queues.conf"].split("[support]")[1].split("[sales]")[0]
    assert "member => PJSIP/1001,0,1001,PJSIP/1001" in support
    assert "PJSIP/1004" not in support
    assert "strategy = rrmemory" in support and "servicelevel = 20" in support


def test_trunk_identified_by_address_and_port_and_phones_authenticate(files):
    pjsip = files["pjsip_acd.conf"]
    assert "match = 127.0.0.1:5080" in pjsip
    for phone in ("1001", "1002", "1003", "1004"):
        assert f"[{phone}-auth]" in pjsip and f"password = phone-{phone}-pw" in pjsip


def test_missing_token_is_named():
    with pytest.raises(KeyError, match="x.conf: no value for @NOPE@"):
        render.fill("a = @NOPE@", {}, "x.conf")


def test_write_creates_the_state_folders_and_hides_secrets(tmp_path: Path):
    etc = render.write(config.load(), tmp_path)
    assert {p.name for p in tmp_path.iterdir()} >= set(render.STATE_FOLDERS)
    assert (etc / "manager.conf").stat().st_mode & 0o077 == 0
