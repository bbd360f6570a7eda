"""The demo's simulated agent at the desk (acd/lab/desk_session.py) against the real daemon's
site on loopback: one sign-in by the form for many dispositions (one argon2 check, not one a
request), the session's CSRF token on every POST, a new sign-in when the session has ended,
and a wrong password said as such."""

from __future__ import annotations

import asyncio

import pytest

from acd.lab.demo_wrapup import file_disposition
from acd.lab.desk_session import DeskSession, SignInFailed
from tests.web.conftest import on_asyncio
from tests.web.test_desk import live  # noqa: F401  (a fixture)
from tests.web.test_pops import AGENT_PASSWORD, agents_sign_in  # noqa: F401  (a fixture)


def counted(made) -> list[str]:
    """The numbers whose password was checked (each an argon2 hash), in order."""
    checked: list[str] = []
    real = made.people.check_password

    async def check(number: str, password: str):
        checked.append(number)
        return await real(number, password)

    made.people.check_password = check
    return checked


@on_asyncio
async def test_one_sign_in_serves_every_disposition_and_an_ended_session_signs_in_again(live):  # noqa: F811
    checked = counted(live)
    desk = DeskSession(f"http://127.0.0.1:{live.config.http.port}", "1004", AGENT_PASSWORD)
    for code in ("answered", "order_placed", "answered"):
        status, body = await asyncio.to_thread(file_disposition, desk, "c-sales", code, True, "demo")
        assert status == 200, body
    assert checked == ["1004"] and desk.sign_ins == 1 and desk.cookie and desk.csrf
    assert desk.cookie.startswith("acd_session=") and (desk.device or "").startswith("acd_device=")

    assert live.login.sessions.end_for("1004") == 1  # idle, a restart without redis, a new password
    status, _ = await asyncio.to_thread(file_disposition, desk, "c-sales", "answered", True, "demo")
    assert status == 200 and checked == ["1004", "1004"] and desk.sign_ins == 2

    refused, _ = await asyncio.to_thread(file_disposition, desk, "c-other", "answered", True, "demo")
    assert refused == 403  # another agent's call: the session is fine, the call is not theirs


@on_asyncio
async def test_the_token_is_the_session_s_and_a_wrong_password_is_said(live):  # noqa: F811
    desk = DeskSession(f"http://127.0.0.1:{live.config.http.port}", "1004", AGENT_PASSWORD)
    await asyncio.to_thread(desk.sign_in)
    desk.csrf = "0" * 64
    status, body = await asyncio.to_thread(file_disposition, desk, "c-sales", "answered", True, "demo")
    assert status == 403 and "CSRF" in body["error"]  # type: ignore[index]
    stranger = DeskSession(f"http://127.0.0.1:{live.config.http.port}", "1004", "not-the-password")
    with pytest.raises(SignInFailed) as no:
        await asyncio.to_thread(stranger.post_json, "/api/wrapup/c-sales", {"disposition": "answered"})
    assert no.value.status == 401
