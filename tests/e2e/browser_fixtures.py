"""Chromium for the end-to-end tests (tests/lab/browser.py's sync page: the daemon runs in its
own process), and the desk's sign-in and session as the page holds them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from tests.lab.browser import (  # noqa: F401
    pytest_runtest_makereport,
    sync_browser,
    sync_page,
)

LIVE_MS = 15_000  # the badge goes live: the first connect, or EventSource's retry after a restart


def sign_in(page: Any, base: str, number: str, password: str, to: str = "/desk") -> None:
    """Through the page's own form, as a person does; back on `to` with its stream live."""
    page.goto(f"{base}/signin?next={to}")
    page.fill('input[name="number"]', number)
    page.fill('input[name="password"]', password)
    page.click("#sign-in")
    page.wait_for_url(f"**{to}")
    page.wait_for_selector('#connection[data-state="live"]', timeout=LIVE_MS)


def session_post(page: Any, base: str, path: str, body: object, csrf: bool = True) -> tuple[int, object]:
    """A POST from a Python client holding the page's session cookie, with the page's CSRF
    token in X-CSRF-Token (or without it, to see it refused)."""
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    headers = {"Cookie": cookies, "Content-Type": "application/json", "Accept": "application/json"}
    if csrf:
        headers["X-CSRF-Token"] = page.get_attribute('meta[name="csrf-token"]', "content")
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), method="POST", headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read()[:200]
