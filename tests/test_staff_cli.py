"""`acd staff` on a SQLite store in tmp_path, through main(argv) as a shell runs it: a person
added signs in by the web form, passwd changes their password, disable refuses their sign-in
and, once the daemon has read the table (its roster tick), the next request of a session they
had open; list shows no hash; secrets never from argv; clear errors and exit codes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from acd import config as config_module
from acd.cli import main
from acd.store.roster import Roster
from tests.asterisk.test_fastagi import on_asyncio
from tests.people import CHEAP
from tests.web.conftest import LOADED, build
from tests.web.test_pages import Browser

PASSWORD, NEW_PASSWORD = "dana-first-pass-1", "dana-second-pass-2"


@pytest.fixture
def made(tmp_path: Path) -> tuple[Path, str]:
    """A config whose store is a fresh SQLite file (and cheap hashes); its path and store URL."""
    raw = yaml.safe_load(config_module.DEFAULT_PATH.read_text())
    raw["secrets_file"] = str(tmp_path / "secrets" / "acd.secrets.yaml")
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    raw["store"] = {**raw["store"], "url": url}
    raw["hashing"] = {"time_cost": CHEAP.time_cost, "memory_kib": CHEAP.memory_kib, "parallelism": 1}
    path = tmp_path / "acd.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path, url


def staff(made, monkeypatch, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["-c", str(made[0]), "staff", *argv])


ADD = ("add", "4001", "--name", "Dana Test", "--role", "agent", "--team", "front", "--password-stdin")


@on_asyncio
async def test_added_signs_in_passwd_changes_it_disable_ends_the_open_session(tmp_path, made, monkeypatch):
    assert staff(made, monkeypatch, *ADD, stdin=PASSWORD + "\n") == 0
    roster = Roster(made[1], CHEAP)  # the daemon's view of the same table
    roster.load()
    web = build(tmp_path, roster=roster)
    try:
        dana = Browser(web)
        signed = await dana.sign_in("4001", PASSWORD)
        assert (signed.status, signed.headers["location"]) == (303, "/desk")
        assert (await web.request("GET", "/api/state", dana.headers())).status == 403  # known: an agent

        assert staff(made, monkeypatch, "passwd", "4001", "--password-stdin", stdin=NEW_PASSWORD + "\n") == 0
        await roster.refresh()  # the daemon's roster tick (every few seconds)
        assert (await web.request("GET", "/api/state", dana.headers())).status == 401  # session ended
        assert (await Browser(web).sign_in("4001", PASSWORD)).status == 401
        dana = Browser(web)
        assert (await dana.sign_in("4001", NEW_PASSWORD)).status == 303
        assert (await web.request("GET", "/api/state", dana.headers())).status == 403

        assert staff(made, monkeypatch, "disable", "4001") == 0
        await roster.refresh()
        after = await dana.get("/admin/staff")
        assert (after.status, after.headers["location"]) == (303, "/signin?next=/admin/staff")
        assert (await web.request("GET", "/api/state", dana.headers())).status == 401
        assert (await Browser(web).sign_in("4001", NEW_PASSWORD)).status == 401

        assert staff(made, monkeypatch, "enable", "4001") == 0
        await roster.refresh()
        assert (await Browser(web).sign_in("4001", NEW_PASSWORD)).status == 303
    finally:
        web.listening.stopListening()
        roster.close()


def test_list_shows_people_and_whether_secrets_are_set_never_a_hash(made, monkeypatch, capsys):
    assert staff(made, monkeypatch, *ADD, "--pin-stdin", stdin=f"{PASSWORD}\n4321\n") == 0
    capsys.readouterr()
    assert staff(made, monkeypatch, "list") == 0
    shown = capsys.readouterr().out
    header, *rows = shown.splitlines()
    assert header.split()[:3] == ["NUMBER", "NAME", "ROLE"] and header.split()[-3:] == [
        "STATE",
        "PASSWORD",
        "PIN",
    ]
    listed = {row.split()[0]: row.split() for row in rows}
    assert listed["4001"] == ["4001", "Dana", "Test", "agent", "front", "-", "-", "-", "active", "set", "set"]
    assert set(listed) == {"4001"} | {a.number for a in LOADED.agents} | {s.number for s in LOADED.staff}
    assert listed["9001"][-3:] == ["active", "set", "set"]  # acd.yaml's people, seeded as the daemon does
    assert "argon2" not in shown and PASSWORD not in shown and "4321" not in shown


def test_a_terminal_is_asked_twice_and_a_pipe_needs_password_stdin(made, monkeypatch, capsys):
    asked: list[str] = []
    answers = iter([PASSWORD, PASSWORD + "x", PASSWORD, PASSWORD])

    def prompt(text: str) -> str:
        asked.append(text)
        return next(answers)

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("getpass.getpass", prompt)
    add = ADD[:-1]
    monkeypatch.setattr("sys.stdin", Tty())
    assert main(["-c", str(made[0]), "staff", *add]) == 1  # the two differ
    assert "differ" in capsys.readouterr().err
    assert main(["-c", str(made[0]), "staff", *add]) == 0
    assert asked == ["password: ", "password again: "] * 2
    assert staff(made, monkeypatch, "passwd", "4001") == 2  # stdin is no terminal
    assert "use --password-stdin" in capsys.readouterr().err


def test_unknown_taken_and_bad_values_are_refused_clearly(made, monkeypatch, capsys):
    assert staff(made, monkeypatch, *ADD, stdin=PASSWORD + "\n") == 0
    capsys.readouterr()
    refusals = [
        (("add", *ADD[1:]), PASSWORD, "number: 4001 is taken"),
        (("passwd", "4999", "--password-stdin"), PASSWORD, "nobody has number 4999"),
        (("disable", "4999"), "", "nobody has number 4999"),
        (("add", "4002", "--name", "Eve", "--role", "agent", "--password-stdin"), "short", "password: 10 to"),
        (("add", "4002", "--name", "Eve", "--role", "agent", "--team", "Front!"), "", "teams: lower-case"),
        (("add", "40x2", "--name", "Eve", "--role", "agent"), "", "number: 1 to 20 digits"),
        (("passwd", "4001", "--pin-stdin"), "12", "PIN: 4 to 8 digits"),
    ]
    for argv, given, said in refusals:
        assert staff(made, monkeypatch, *argv, stdin=given + "\n") == 1, argv
        assert said in capsys.readouterr().err, argv
    with pytest.raises(SystemExit) as bad_role:
        staff(made, monkeypatch, "add", "4002", "--name", "Eve", "--role", "boss", "--password-stdin")
    assert bad_role.value.code == 2 and "invalid choice: 'boss'" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # a password on argv is no option at all
        staff(made, monkeypatch, "passwd", "4001", "--password", PASSWORD)


def test_manager_sets_whom_late_cases_go_to_and_refuses_nobody_or_oneself(made, monkeypatch, capsys):
    assert staff(made, monkeypatch, *ADD, "--manager", "9001", stdin=PASSWORD + "\n") == 0
    roster = Roster(made[1], CHEAP)
    try:
        roster.load()
        assert roster.people["4001"].manager == "9001"
        assert staff(made, monkeypatch, "manager", "4001", "9002") == 0
        assert staff(made, monkeypatch, "manager", "4001", "4242") != 0  # nobody has that number
        assert staff(made, monkeypatch, "manager", "4001", "4001") != 0  # not oneself
        assert staff(made, monkeypatch, "manager", "4001", "") == 0  # none: the team's supervisor
        roster.load()
        assert roster.people["4001"].manager == ""
        assert staff(made, monkeypatch, "manager", "4001", "9002") == 0
        roster.load()
        assert roster.people["4001"].manager == "9002"
    finally:
        roster.close()
    capsys.readouterr()
    assert staff(made, monkeypatch, "list") == 0
    listed = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[1:]}
    assert listed["4001"][7] == "9002"  # after the two-word name, team, phone and queues
