"""Staff sign-in for the web API: Basic credentials, one answer for every wrong try, guessing
slowed per number and address without locking the real user out, who sees whose recordings."""

from __future__ import annotations

import base64
import statistics
import time

import pytest

from acd import config, security_log
from acd.core.throttle import Backoff
from acd.web.auth import WRONG, Forbidden, StaffLogin, Throttled, Unauthorized


def basic(user: str, password: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{user}:{password}".encode())


LOADED = config.load(write_secrets=False)


def web(number: str) -> str:
    """The staff member's generated web password."""
    return LOADED.person(number).password


@pytest.fixture
def login() -> StaffLogin:
    now = [1000.0]
    made = StaffLogin(LOADED, clock=lambda: now[0])
    made.now = now
    return made


@pytest.fixture
def security_file(tmp_path):
    security_log.open_file(tmp_path / "security.log")
    yield tmp_path / "security.log"
    security_log.close_file()


def test_staff_sign_in_with_their_password(login):
    signed = login.sign_in(basic("9001", web("9001")), "127.0.0.1")
    assert signed.person.name == "Sofia Brenner" and signed.device_cookie


@pytest.mark.parametrize(
    "header",
    [
        None,
        b"",
        b"Bearer x",
        b"Basic !!!",
        basic("9001", "nope"),
        basic("1001", LOADED.agent("1001").pin),  # an agent: no web login
        basic("9999", "whatever-pw"),
        b"Basic " + base64.b64encode(b"nocolon"),
        basic("\u0661\u0662", "x"),
        b"Basic " + b"A" * 5000,
    ],
)
def test_everyone_else_is_refused(login, header):
    with pytest.raises(Unauthorized):
        login.person(header)


def test_unknown_number_and_wrong_password_get_one_answer(login, security_file):
    """Same exception, same message, same steps (compared against a dummy), similar time."""
    answers = []
    for header in (basic("9999", "guess-guess"), basic("9001", "guess-guess")):
        with pytest.raises(Unauthorized) as caught:
            login.sign_in(header, "10.0.0.1")
        answers.append((type(caught.value), str(caught.value)))
    assert answers[0] == answers[1] == (Unauthorized, WRONG)

    def timed(number: str) -> float:
        fresh = StaffLogin(LOADED)
        started = time.perf_counter()
        for i in range(3):  # within the free tries
            with pytest.raises(Unauthorized):
                fresh.sign_in(basic(number, f"guess-{i}"), "10.0.0.2")
        return time.perf_counter() - started

    unknown = statistics.median(timed("9999") for _ in range(30))
    wrong = statistics.median(timed("9001") for _ in range(30))
    assert abs(unknown - wrong) < max(unknown, wrong) * 0.5 + 0.0005, (unknown, wrong)
    lines = security_file.read_text().splitlines()
    assert any('SecurityEvent="InvalidAccountID"' in line and 'AccountID="9999"' in line for line in lines)
    assert any(
        'SecurityEvent="InvalidPassword"' in line and 'RemoteAddress="10.0.0.1"' in line for line in lines
    )


def test_guessing_is_slowed_not_locked_out(login):
    """A stranger's wrong tries earn waits (429, not evaluated); the real user, with the
    device cookie from an earlier sign-in, signs in all along; after the wait anyone may try."""
    cookie = login.sign_in(basic("9001", web("9001")), "127.0.0.1").device_cookie
    for i in range(5):
        with pytest.raises(Unauthorized):
            login.sign_in(basic("9001", f"guess-{i}"), "127.0.0.1")
    with pytest.raises(Unauthorized):
        login.sign_in(basic("9001", "guess-5"), "127.0.0.1")
    with pytest.raises(Throttled) as caught:
        login.sign_in(basic("9001", web("9001")), "127.0.0.1")  # even right: not evaluated now
    assert caught.value.retry_after >= 1
    with pytest.raises(Throttled):
        login.sign_in(basic("9001", web("9001")), "10.9.9.9")  # the number owes a wait too
    assert login.sign_in(basic("9001", web("9001")), "127.0.0.1", cookie).person.number == "9001"
    login.now[0] += caught.value.retry_after
    assert login.sign_in(basic("9001", web("9001")), "127.0.0.1").person.number == "9001"


def test_waits_grow_to_a_cap_and_are_forgotten(login):
    waits = []
    for i in range(12):
        try:
            login.sign_in(basic("9002", f"guess-{i}"), "10.1.1.1")
        except Throttled as slow:
            waits.append(slow.retry_after)
            login.now[0] += slow.retry_after
        except Unauthorized:
            pass
    assert waits == sorted(waits) and waits[0] == 1 and len(waits) >= 3
    login.now[0] += 3600
    assert login.sign_in(basic("9002", web("9002")), "10.1.1.1").person.number == "9002"


def test_a_device_cookie_only_works_for_its_number_and_until_it_expires(login):
    cookie = login.sign_in(basic("9001", web("9001")), "127.0.0.1").device_cookie
    assert login._device(cookie, "9001", login.now[0])
    assert login._device(cookie, "9002", login.now[0]) is None
    forged = cookie[:-1] + (b"1" if cookie.endswith(b"0") else b"0")
    assert login._device(forged, "9001", login.now[0]) is None
    assert login._device(b"9001.x.99999999999.ff", "9001", login.now[0]) is None
    assert login._device(cookie, "9001", login.now[0] + 31 * 86400) is None


def test_strangers_cannot_grow_the_throttle_table_without_bound():
    login = StaffLogin(LOADED, rules=Backoff(free=100, base=1.0, cap=2.0, forget=10.0))
    for i in range(10_500):
        with pytest.raises(Unauthorized):
            login.sign_in(basic(str(10**9 + i), "guess-guess"), f"10.{i // 256 % 256}.{i % 256}.1")
    assert len(login.throttle.records) <= 10_001


def test_who_hears_whose_recordings(login):
    sofia, tomas, quinn = (login.person(basic(n, web(n))) for n in ("9001", "9002", "9101"))
    assert login.team_agents(sofia) == {"1001", "1002", "1003", "1004", "2003"}  # front and sales
    assert login.team_agents(tomas) == {"2001", "2002"}
    assert login.team_agents(quinn) is None  # quality: all


def test_a_role_without_recordings_is_forbidden(login):
    admin = login.person(basic("9901", web("9901")))
    assert admin.role == "admin"
    with pytest.raises(Forbidden):
        login.team_agents(admin)
