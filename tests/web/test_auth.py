"""Signing in with a number and a password (Basic, or the form): checked against the staff
table's argon2id hashes, one answer for every wrong try, guessing slowed per number and address
without locking the real user out, Basic pairs remembered without outliving a change, and who
sees whose recordings."""

from __future__ import annotations

import asyncio
import base64
import statistics
import time

import pytest

from acd import security_log
from acd.core.throttle import Backoff
from acd.web import auth
from acd.web.auth import WRONG, Forbidden, StaffLogin, Throttled, Unauthorized
from tests.asterisk.test_fastagi import on_asyncio
from tests.people import seeded_roster
from tests.web.conftest import LOADED


def basic(user: str, password: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{user}:{password}".encode())


def web(number: str) -> str:
    """The generated web password of a staff member or an agent."""
    person = LOADED.person(number) or LOADED.agent(number)
    return person.password


@pytest.fixture
def login(roster) -> StaffLogin:
    now = [1000.0]
    made = StaffLogin(LOADED, roster, clock=lambda: now[0])
    made.now = now
    return made


@pytest.fixture
def security_file(tmp_path):
    security_log.open_file(tmp_path / "security.log")
    yield tmp_path / "security.log"
    security_log.close_file()


@on_asyncio
async def test_staff_and_agents_sign_in_with_their_passwords(login):
    signed = await login.sign_in("9001", web("9001"), "127.0.0.1")
    assert signed.person.name == "Sofia Brenner" and signed.device_cookie
    assert (await login.basic(basic("1001", web("1001")))).person.role == "agent"


@pytest.mark.parametrize(
    "header",
    [
        None,
        b"",
        b"Bearer x",
        b"Basic !!!",
        basic("9001", "nope"),
        basic("1001", LOADED.agent("1001").pin),  # the phone PIN is not the web password
        basic("9999", "whatever-pw"),
        b"Basic " + base64.b64encode(b"nocolon"),
        basic("\u0661\u0662", "x"),
        b"Basic " + b"A" * 5000,
    ],
)
@on_asyncio
async def test_everyone_else_is_refused(login, header):
    with pytest.raises(Unauthorized):
        await login.basic(header)


@on_asyncio
async def test_unknown_number_and_wrong_password_get_one_answer(login, security_file, roster):
    """Same exception, same message, same steps (argon2 against a dummy), similar time."""
    answers = []
    for number in ("9999", "9001"):
        with pytest.raises(Unauthorized) as caught:
            await login.sign_in(number, "guess-guess", "10.0.0.1")
        answers.append((type(caught.value), str(caught.value)))
    assert answers[0] == answers[1] == (Unauthorized, WRONG)

    async def timed(number: str) -> float:
        fresh = StaffLogin(LOADED, roster)
        started = time.perf_counter()
        for i in range(3):  # within the free tries
            with pytest.raises(Unauthorized):
                await fresh.sign_in(number, f"guess-{i}", "10.0.0.2")
        return time.perf_counter() - started

    unknown = statistics.median([await timed("9999") for _ in range(15)])
    wrong = statistics.median([await timed("9001") for _ in range(15)])
    assert abs(unknown - wrong) < max(unknown, wrong) * 0.5 + 0.002, (unknown, wrong)
    lines = security_file.read_text().splitlines()
    assert any('SecurityEvent="InvalidAccountID"' in line and 'AccountID="9999"' in line for line in lines)
    assert any(
        'SecurityEvent="InvalidPassword"' in line and 'RemoteAddress="10.0.0.1"' in line for line in lines
    )


@on_asyncio
async def test_guessing_is_slowed_not_locked_out(login):
    """A stranger's wrong tries earn waits (429, not evaluated); the real user, with the
    device cookie from an earlier sign-in, signs in all along; after the wait anyone may try."""
    cookie = (await login.sign_in("9001", web("9001"), "127.0.0.1")).device_cookie
    for i in range(6):
        with pytest.raises(Unauthorized):
            await login.sign_in("9001", f"guess-{i}", "127.0.0.1")
    with pytest.raises(Throttled) as caught:
        await login.sign_in("9001", web("9001"), "127.0.0.1")  # even right: not evaluated now
    assert caught.value.retry_after >= 1
    with pytest.raises(Throttled):
        await login.sign_in("9001", web("9001"), "10.9.9.9")  # the number owes a wait too
    assert (await login.sign_in("9001", web("9001"), "127.0.0.1", cookie)).person.number == "9001"
    login.now[0] += caught.value.retry_after
    assert (await login.sign_in("9001", web("9001"), "127.0.0.1")).person.number == "9001"


@on_asyncio
async def test_waits_grow_to_a_cap_and_are_forgotten(login):
    waits = []
    for i in range(12):
        try:
            await login.sign_in("9002", f"guess-{i}", "10.1.1.1")
        except Throttled as slow:
            waits.append(slow.retry_after)
            login.now[0] += slow.retry_after
        except Unauthorized:
            pass
    assert waits == sorted(waits) and waits[0] == 1 and len(waits) >= 3
    login.now[0] += 3600
    assert (await login.sign_in("9002", web("9002"), "10.1.1.1")).person.number == "9002"


@on_asyncio
async def test_a_device_cookie_only_works_for_its_number_and_until_it_expires(login):
    cookie = (await login.sign_in("9001", web("9001"), "127.0.0.1")).device_cookie
    assert login._device(cookie, "9001", login.now[0])
    assert login._device(cookie, "9002", login.now[0]) is None
    forged = cookie[:-1] + (b"1" if cookie.endswith(b"0") else b"0")
    assert login._device(forged, "9001", login.now[0]) is None
    assert login._device(b"9001.x.99999999999.ff", "9001", login.now[0]) is None
    assert login._device(cookie, "9001", login.now[0] + 31 * 86400) is None


@on_asyncio
async def test_strangers_cannot_grow_the_throttle_table_without_bound(roster, monkeypatch):
    monkeypatch.setattr(auth, "MAX_KEYS", 300)
    login = StaffLogin(LOADED, roster, rules=Backoff(free=100, base=1.0, cap=2.0, forget=10.0))
    for i in range(400):
        with pytest.raises(Unauthorized):
            await login.sign_in(str(10**9 + i), "guess-guess", f"10.{i // 256 % 256}.{i % 256}.1")
    assert len(login.throttle.records) <= 301


@on_asyncio
async def test_a_basic_pair_is_checked_once_and_forgotten_when_the_record_changes(roster, tmp_path):
    own = seeded_roster(tmp_path, LOADED)
    try:
        login = StaffLogin(LOADED, own)
        checks = []
        real = own.check_password

        async def counted(number, password):
            checks.append(number)
            return await real(number, password)

        own.check_password = counted
        for _ in range(5):
            assert (await login.basic(basic("9002", web("9002")))).person.number == "9002"
        assert checks == ["9002"]
        await own.set_disabled("9002", True)
        with pytest.raises(Unauthorized):
            await login.basic(basic("9002", web("9002")))
        await own.set_disabled("9002", False)
        assert (await login.basic(basic("9002", web("9002")))).person.number == "9002"
        assert len(checks) == 3
    finally:
        own.close()


@on_asyncio
async def test_checks_run_beside_the_reactor_never_on_it(login):
    """argon2 works on the roster's threads: the loop keeps turning during a check."""
    turns = 0

    async def ticker():
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    spinning = asyncio.ensure_future(ticker())
    try:
        await login.sign_in("9001", web("9001"), "10.3.3.3")
    finally:
        spinning.cancel()
    assert turns > 0


@on_asyncio
async def test_who_hears_whose_recordings(login):
    sofia, tomas, quinn = [(await login.basic(basic(n, web(n)))).person for n in ("9001", "9002", "9101")]
    assert login.team_agents(sofia) == {"1001", "1002", "1003", "1004", "2003"}  # front and sales
    assert login.team_agents(tomas) == {"2001", "2002"}
    assert login.team_agents(quinn) is None  # quality: all


@on_asyncio
async def test_a_role_without_recordings_is_forbidden(login):
    admin = (await login.basic(basic("9901", web("9901")))).person
    assert admin.role == "admin"
    with pytest.raises(Forbidden):
        login.team_agents(admin)
