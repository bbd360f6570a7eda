"""The simulated agents' wrap-up: after each call, its agent codes it on the desk's API, as a
browser would (sign in at /signin, the session's CSRF token from the page, then
POST /api/wrapup/<call>). The one place the demo files a disposition: `file_disposition`.

Agents sign in with their web password from the secrets file (the demo's own, generated per
machine); a build where agents cannot sign in yet says so once and files nothing.
"""

from __future__ import annotations

import http.cookiejar
import json
import random
import re
import urllib.error
import urllib.parse
import urllib.request

from acd.config import Config

_CSRF = re.compile(rb'<meta name="csrf-token" content="([^"]{16,200})"')
CALL_TYPES = {  # the disposition an agent picks, by the call's queue (else any)
    "sales": ("order_placed", "answered"),
    "support": ("answered", "order_tracked", "fault_fixed", "fault_ticket"),
}


class AgentBrowser:
    """One agent's browser: a cookie session and its CSRF token."""

    def __init__(self, base: str, number: str, password: str) -> None:
        self.base, self.number, self.password = base, number, password
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.csrf: str | None = None

    def sign_in(self) -> int:
        """The sign-in form; the page it leads to carries the session's CSRF token."""
        form = urllib.parse.urlencode({"number": self.number, "password": self.password}).encode()
        status, page = self._send(urllib.request.Request(self.base + "/signin", data=form, method="POST"))
        found = _CSRF.search(page) if status == 200 else None
        self.csrf = found[1].decode() if found else None
        return status if found else (status if status != 200 else 403)

    def post(self, path: str, body: dict) -> tuple[int, bytes]:
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "X-CSRF-Token": self.csrf or ""},
        )
        return self._send(request)

    def _send(self, request: urllib.request.Request) -> tuple[int, bytes]:
        try:
            with self.opener.open(request, timeout=10) as answer:
                return answer.status, answer.read(200_000)
        except urllib.error.HTTPError as error:
            return error.code, error.read(2000)


def file_disposition(browser: AgentBrowser, call: str, code: str, resolved: bool, notes: str) -> int:
    """The agent codes `call` (its linked id): the HTTP status of POST /api/wrapup/<call>."""
    body = {"disposition": code, "notes": notes, "resolved": resolved, "follow_up": not resolved}
    status, _ = browser.post(f"/api/wrapup/{urllib.parse.quote(call, safe='')}", body)
    return status


class WrapUps:
    """Every simulated agent's wrap-up after their calls (seeded: the same day each time)."""

    def __init__(self, config: Config, base: str, agents: set[str]) -> None:
        self.config, self.base, self.agents = config, base, agents
        self.browsers: dict[str, AgentBrowser | None] = {}
        self.rng = random.Random(11)
        self.filed = 0
        self.refused: list[str] = []  # what went wrong, once per kind, for the terminal
        self.kinds: set[str] = set()

    def after_call(self, agent: str, call: str, queue: str) -> None:
        if agent not in self.agents:
            return
        browser = self._browser(agent)
        if browser is None:
            return
        codes = {d.code: d for d in self.config.desk.dispositions}
        wanted = [c for c in CALL_TYPES.get(queue.split("-")[0], ()) if c in codes] or list(codes)
        disposition = codes[self.rng.choice(wanted)]
        status = file_disposition(
            browser, call, disposition.code, disposition.resolved, f"demo: {disposition.label.lower()}"
        )
        if status == 200:
            self.filed += 1
        else:
            self._refused(
                f"post {status}", f"dispositions: POST /api/wrapup answered {status} (agent {agent})"
            )

    def _browser(self, agent: str) -> AgentBrowser | None:
        if agent not in self.browsers:
            found = self.config.agent(agent)
            password = getattr(found, "password", None)
            browser = AgentBrowser(self.base, agent, password) if password else None
            status = browser.sign_in() if browser is not None else 0
            if browser is None or status != 200:
                why = "no web password in this build" if browser is None else f"answered {status}"
                self._refused(
                    "sign-in", f"dispositions: agents cannot sign in at /signin ({why}); none filed"
                )
                browser = None
            self.browsers[agent] = browser
        return self.browsers[agent]

    def _refused(self, kind: str, why: str) -> None:
        if kind not in self.kinds:
            self.kinds.add(kind)
            self.refused.append(why)
