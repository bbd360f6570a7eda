"""The simulated agents' wrap-up: after each call, its agent codes it on the desk's JSON API
(POST /api/wrapup/<call>), signed in as themselves. The one place the demo files a
disposition: `file_disposition`.

Each agent signs in once by the form, as a person at the desk would (acd/lab/desk_session.py:
the session cookie and the page's CSRF token, reused for every disposition; a new sign-in on
a 401), with their web password from the secrets file (the demo's own, generated per
machine). A build where agents have no web password says so once and files nothing.
"""

from __future__ import annotations

import contextlib
import http.client
import queue
import random
import threading
import urllib.parse

from acd.config import Config
from acd.config_desk import Disposition
from acd.lab.daemon_proc import DaemonProcess
from acd.lab.desk_session import DeskSession, SignInFailed

CALL_TYPES = {  # the dispositions an agent picks from, by the call's queue (else any)
    "sales": ("order_placed", "answered"),
    "support": ("answered", "order_tracked", "fault_fixed", "fault_ticket"),
}


def file_disposition(
    desk: DeskSession, call: str, code: str, resolved: bool, notes: str
) -> tuple[int, object]:
    """The desk's agent codes `call` (its linked id): POST /api/wrapup/<call>."""
    body = {"disposition": code, "notes": notes, "resolved": resolved, "follow_up": not resolved}
    return desk.post_json(f"/api/wrapup/{urllib.parse.quote(call, safe='')}", body)


class WrapUps:
    """Every simulated agent's wrap-up after their calls, filed on a thread of its own (a
    sign-in is an argon2 check: the live view must not wait for it). Seeded: the same
    choices every day."""

    def __init__(self, config: Config, daemon: DaemonProcess, agents: set[str]) -> None:
        self.config, self.daemon, self.agents = config, daemon, agents
        self.rng = random.Random(11)
        self.filed = 0
        self.desks: dict[str, DeskSession] = {}  # one signed-in session per agent
        self.refused: list[str] = []  # what went wrong, once per kind, for the terminal
        self.kinds: set[str] = set()
        self.todo: queue.Queue[tuple[str, str, Disposition] | None] = queue.Queue(maxsize=1000)
        self.worker = threading.Thread(target=self._work, name="demo-wrapups", daemon=True)
        self.worker.start()

    def after_call(self, agent: str, call: str, queue_name: str) -> None:
        """Queue `call`'s coding by `agent` (one of the simulated agents)."""
        if agent not in self.agents or self.config.agent(agent) is None:
            return
        codes = {d.code: d for d in self.config.desk.dispositions}
        wanted = [c for c in CALL_TYPES.get(queue_name.split("-")[0], ()) if c in codes] or list(codes)
        with contextlib.suppress(queue.Full):  # a stalled daemon: the rest stay uncoded
            self.todo.put_nowait((agent, call, codes[self.rng.choice(wanted)]))

    def finish(self, timeout: float = 20.0) -> None:
        """File what is queued (at most `timeout` seconds more), then stop the thread."""
        with contextlib.suppress(queue.Full):
            self.todo.put(None, timeout=1)
        self.worker.join(timeout)

    def _work(self) -> None:
        while (job := self.todo.get()) is not None:
            agent, call, chosen = job
            self._file(agent, call, chosen)

    def _file(self, agent: str, call: str, chosen: Disposition) -> None:
        password = getattr(self.config.agent(agent), "password", None)
        if not password:
            self._refused("password", "dispositions: agents have no web password in this build; none filed")
            return
        desk = self.desks.setdefault(agent, DeskSession(self.daemon.base, agent, password))
        try:
            status, body = file_disposition(desk, call, chosen.code, chosen.resolved, f"demo: {chosen.label}")
        except SignInFailed as no:
            status, body = no.status, str(no)
        except (OSError, http.client.HTTPException) as exc:
            status, body = 0, str(exc)
        if status == 200:
            self.filed += 1
        else:
            self._refused(
                str(status), f"dispositions: POST /api/wrapup answered {status} {body} (agent {agent})"
            )

    def _refused(self, kind: str, why: str) -> None:
        if kind not in self.kinds:
            self.kinds.add(kind)
            self.refused.append(why)
