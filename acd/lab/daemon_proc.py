"""The daemon as a separate process, as an operator runs it: for the demo and the e2e tests."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from acd.config import Config


class DaemonProcess:
    def __init__(self, config: Config, config_path: Path, log_path: Path) -> None:
        self.base = f"http://{config.http.host}:{config.http.port}"
        self.authorization = _admin_authorization(config)
        self.config_path = config_path
        self.log_path = log_path
        self.popen: subprocess.Popen | None = None

    def start(self, timeout: float = 20.0) -> None:
        """Start `acd run` and wait until it has resynced from the PBX."""
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "acd", "-c", str(self.config_path), "run"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(os.environ, PYTHONUNBUFFERED="1"),
                start_new_session=True,
            )
        self.wait_for(
            lambda s: s["links"]["ami_connected"] and s["resyncs"] >= 1 and s["links"]["prompts_ready"],
            timeout,
            "the daemon to connect and resync",
        )

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)
        self.popen = None

    def state(self) -> dict:
        """The live state, read as the config's admin (the state is never public)."""
        request = urllib.request.Request(
            self.base + "/api/state", headers={"Authorization": self.authorization}
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            return json.load(answer)

    def call(
        self,
        method: str,
        path: str,
        auth: tuple[str, str],
        body: object = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, object]:
        """One API request as `auth` (number, password): the status and the decoded JSON."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {**(headers or {}), "Authorization": _basic(*auth)}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, _json(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, _json(error.read())

    def wait_for(self, ready: Callable[[dict], bool], timeout: float, what: str) -> dict:
        deadline = time.monotonic() + timeout
        last: dict | Exception = {}
        while time.monotonic() < deadline:
            if self.popen is not None and self.popen.poll() is not None:
                raise RuntimeError(f"the daemon exited ({self.popen.returncode}); see {self.log_path}")
            try:
                last = self.state()
                if ready(last):
                    return last
            except (OSError, urllib.error.URLError, KeyError) as exc:
                last = exc
            time.sleep(0.1)
        raise TimeoutError(f"timed out waiting for {what}; last state: {str(last)[:500]}")


def _admin_authorization(config: Config) -> str:
    admin = next((s for s in config.staff if s.role == "admin" and s.password), None)
    if admin is None or admin.password is None:
        raise ValueError("the lab reads the daemon's state as staff with role admin: none configured")
    return _basic(admin.number, admin.password)


def _basic(number: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{number}:{password}".encode()).decode()


def _json(raw: bytes) -> object:
    try:
        return json.loads(raw)
    except ValueError:
        return {"error": raw[:200].decode("utf-8", "replace")}
