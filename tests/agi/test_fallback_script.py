"""The classic pyst2 fallback, driven over pipes exactly as Asterisk drives an AGI script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from acd import config
from acd.pbx.render import install_fallback
from acd.store import db
from acd.store.models import Customer, PhoneNumber

HEADERS = "agi_request: acd_fallback.py\nagi_channel: PJSIP/trunk-1\nagi_uniqueid: acd-1.1\n"


@pytest.fixture
def agi_dir(tmp_path: Path) -> Path:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    db.migrate(url)
    with db.sessions(db.engine(url)).begin() as session:
        customer = Customer(name="Eve", language="de", segment="business", vip=True)
        customer.numbers = [PhoneNumber(number="+49301234567")]
        session.add(customer)
    loaded = config.load()
    install_fallback(
        loaded.model_copy(update={"store": loaded.store.model_copy(update={"url": url})}), tmp_path / "agi"
    )
    return tmp_path / "agi"


def run_script(agi_dir: Path, caller: str) -> list[str]:
    """Run the script with Asterisk's headers; answer every command with success."""
    commands = []
    process = subprocess.Popen(
        [sys.executable, str(agi_dir / "acd_fallback.py")],
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    process.stdin.write(HEADERS + f"agi_callerid: {caller}\n\n")
    process.stdin.flush()
    for line in process.stdout:
        commands.append(line.strip())
        process.stdin.write("200 result=1\n")
        process.stdin.flush()
    assert process.wait(timeout=10) == 0
    return commands


def test_known_caller_gets_customer_variables(agi_dir):
    """The national form of a stored number finds the customer; vars go on the channel."""
    commands = run_script(agi_dir, "030 1234567")
    assert 'SET VARIABLE ACD_ROUTED "fallback"' in commands
    assert 'SET VARIABLE ACD_CUSTOMER_ID "1"' in commands
    assert 'SET VARIABLE ACD_SEGMENT "business"' in commands
    assert 'SET VARIABLE ACD_VIP "1"' in commands


@pytest.mark.parametrize("caller", ["anonymous", "1' OR '1'='1", "4930999"])
def test_unknown_or_hostile_caller_sets_nothing_else(agi_dir, caller):
    assert run_script(agi_dir, caller) == ['SET VARIABLE ACD_ROUTED "fallback"']


def test_settings_name_the_store(agi_dir):
    settings = json.loads((agi_dir / "acd_fallback.json").read_text())
    assert settings["sqlite"].endswith("store.sqlite3") and settings["numbers"]["country_code"] == "49"


HOSTILE = [
    'x"\nEXEC System "touch /tmp/owned',
    'de" "1',
    "a\x00b",
    "premium\r\nHANGUP",
    "${SHELL(id)}",
    "z" * 5000,
    '\\"',
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_store_values_never_become_commands(tmp_path, value):
    """A stored segment or language holding a quote, a line break, a NUL, ${...} or 5,000
    characters: not set at all (pyst2 sent it unquoted: a second command); everything the
    script writes is one well-formed SET VARIABLE per line."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    db.migrate(url)
    with db.sessions(db.engine(url)).begin() as session:
        customer = Customer(name="Mallory", language="en", segment="standard")
        customer.numbers = [PhoneNumber(number="+49301234599")]
        session.add(customer)
    import sqlite3

    with sqlite3.connect(tmp_path / "store.sqlite3") as raw:  # as a stranger with the file would
        raw.execute("UPDATE customers SET segment = ?, language = ?", (value, value))
    loaded = config.load()
    install_fallback(
        loaded.model_copy(update={"store": loaded.store.model_copy(update={"url": url})}), tmp_path / "agi"
    )
    commands = run_script(tmp_path / "agi", '030 1234599"\nEXEC System x')
    commands += run_script(tmp_path / "agi", "0301234599")
    assert commands[-3:] == [
        'SET VARIABLE ACD_ROUTED "fallback"',
        'SET VARIABLE ACD_CUSTOMER_ID "1"',
        'SET VARIABLE ACD_VIP "0"',
    ]
    for line in commands:
        assert line.startswith("SET VARIABLE ACD_") and line.count('"') == 2, line
