"""Staff sign-in for the web API: Basic credentials, lockout, who hears whose recordings."""
from __future__ import annotations

import base64

import pytest

from acd import config
from acd.web.auth import Forbidden, StaffLogin, Unauthorized


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


def test_staff_sign_in_with_their_password(login):
    assert login.person(basic("9001", web("9001"))).name == "Sofia Brenner"


@pytest.mark.parametrize("header", [None, b"", b"Bearer x", b"Basic !!!", basic("9001", "nope"),
                                    basic("1001", LOADED.agent("1001").pin),            # an agent: no web login
                                    basic("9999", "whatever-pw"), b"Basic " + base64.b64encode(b"nocolon")])
def test_everyone_else_is_refused(login, header):
    with pytest.raises(Unauthorized):
        login.person(header)


def test_wrong_passwords_lock_the_number_for_a_while(login):
    for _ in range(5):
        with pytest.raises(Unauthorized, match="wrong password"):
            login.person(basic("9001", "guess-guess"))
    with pytest.raises(Unauthorized, match="locked"):
        login.person(basic("9001", web("9001")))        # even the right one, for now
    login.now[0] += 901
    assert login.person(basic("9001", web("9001"))).number == "9001"


def test_who_hears_whose_recordings(login):
    sofia, tomas, quinn = (login.person(basic(n, web(n))) for n in ("9001", "9002", "9101"))
    assert login.team_agents(sofia) == {"1001", "1002", "1003", "1004", "2003"}   # front and sales
    assert login.team_agents(tomas) == {"2001", "2002"}
    assert login.team_agents(quinn) is None                                      # quality: all


def test_a_role_without_recordings_is_forbidden(login):
    odd = login.person(basic("9001", web("9001"))).model_copy(update={"role": "agent"})
    with pytest.raises(Forbidden):
        login.team_agents(odd)
