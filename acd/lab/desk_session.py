"""One agent's desk as a browser holds it, for the demo's simulated agents: signed in once by
the form at /signin (one argon2 check), the session cookie and the page's CSRF token kept and
sent with every JSON POST, and a new sign-in when the daemon answers 401 (the session ended:
idle, a restart without redis, a new password).

Plain http.client, one connection a request: the demo's agents post a few times a minute.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.parse

SESSION = re.compile(r"((?:__Host-)?acd_session)=([^;\s]+)")
DEVICE = re.compile(r"(acd_device)=([^;\s]+)")
CSRF = re.compile(rb'<meta name="csrf-token" content="([0-9a-f]+)">')


class SignInFailed(Exception):
    """The form refused the agent (wrong password, throttled, ...): status and what it said."""

    def __init__(self, status: int, why: str) -> None:
        super().__init__(f"sign-in answered {status}: {why}")
        self.status = status


class DeskSession:
    def __init__(self, base: str, number: str, password: str, timeout: float = 10.0) -> None:
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.number, self.password, self.timeout = number, password, timeout
        self.cookie: str | None = None  # "acd_session=..."
        self.device: str | None = None  # "acd_device=...": this client's, so others' guessing never slows it
        self.csrf = ""
        self.sign_ins = 0

    def post_json(self, path: str, body: object) -> tuple[int, object]:
        """POST `body` as this agent's browser would; signed in first, again after a 401."""
        if self.cookie is None:
            self.sign_in()
        status, answer = self._post(path, body)
        if status == 401:
            self.sign_in()
            status, answer = self._post(path, body)
        return status, answer

    def sign_in(self) -> None:
        """The form's POST, then the desk page for its CSRF token (SignInFailed if refused)."""
        self.cookie = None
        form = urllib.parse.urlencode({"number": self.number, "password": self.password}).encode()
        kind = {"Content-Type": "application/x-www-form-urlencoded"}
        status, headers, raw = self._request("POST", "/signin", form, kind)
        self.sign_ins += 1
        cookies = " ".join(v for k, v in headers if k.lower() == "set-cookie")
        session, device = SESSION.search(cookies), DEVICE.search(cookies)
        if status != 303 or session is None:
            raise SignInFailed(status, raw[:200].decode("utf-8", "replace"))
        if device is not None:
            self.device = f"{device.group(1)}={device.group(2)}"
        self.cookie = f"{session.group(1)}={session.group(2)}"
        status, _, page = self._request("GET", "/desk")
        token = CSRF.search(page)
        if status != 200 or token is None:
            self.cookie = None
            raise SignInFailed(status, "the desk page carried no CSRF token")
        self.csrf = token.group(1).decode()

    def _post(self, path: str, body: object) -> tuple[int, object]:
        headers = {"Content-Type": "application/json", "X-CSRF-Token": self.csrf}
        status, _, raw = self._request("POST", path, json.dumps(body).encode(), headers)
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, {"error": raw[:200].decode("utf-8", "replace")}

    def _request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        cookies = "; ".join(c for c in (self.cookie, self.device) if c)
        sent = {"Origin": self.origin, **({"Cookie": cookies} if cookies else {}), **(headers or {})}
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            return answer.status, answer.getheaders(), answer.read()
        finally:
            connection.close()
