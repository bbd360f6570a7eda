"""A redis-server of the lab's own (Debian's package), on loopback, with the engine's password.

If a redis already answers on the port with that password (an earlier run's), it is used as
it is; one that answers without it (somebody else's) is an error, never silently shared.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse


def _answer(host: str, port: int, password: str) -> bytes | None:
    """What a redis on the port says to AUTH with our password (None: nobody listens)."""
    try:
        with socket.create_connection((host, port), timeout=0.3) as sock:
            sock.sendall(f"AUTH {password}\r\n".encode())
            return sock.recv(64)
    except OSError:
        return None


class RedisServer:
    def __init__(self, url: str, workdir: Path, password: str) -> None:
        parsed = urlparse(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 6379
        self.workdir, self.password = workdir, password
        self.popen: subprocess.Popen | None = None

    def _ours(self) -> bool:
        answer = _answer(self.host, self.port, self.password)
        if answer is not None and not answer.startswith(b"+OK"):
            raise RuntimeError(
                f"a redis on {self.host}:{self.port} refuses the engine's password; "
                f"stop it or give redis.url another port"
            )
        return answer is not None

    def start(self, timeout: float = 10) -> None:
        if self._ours():
            return
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (Debian package redis-server)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.workdir / "redis.log", "wb") as log:  # the child keeps its own copy
            self.popen = subprocess.Popen(
                [binary, "-"],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        # the password goes in on stdin, never on a command line other users can read
        assert self.popen.stdin is not None
        self.popen.stdin.write(self._conf().encode())
        self.popen.stdin.close()
        deadline = time.monotonic() + timeout
        while not self._ours():
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start; see {self.workdir / 'redis.log'}")
            time.sleep(0.05)

    def _conf(self) -> str:
        return "\n".join(
            [
                f"bind {self.host}",
                f"port {self.port}",
                "protected-mode yes",
                'save ""',
                "appendonly no",
                f"dir {self.workdir}",
                f"requirepass {self.password}",
                "",
            ]
        )

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            self.popen.wait(timeout=10)
