"""The daemon's security events, one line each, in the shape of Asterisk's own security log.

Failed sign-ins, wrong PINs, refused sessions and refused actions are written here (and to
the daemon's log) as `SecurityEvent="...",Service="...",RemoteAddress="...",...`, so one
fail2ban filter (SECURITY.md) reads both this file and Asterisk's security.log.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import IO

from twisted.logger import Logger

log = Logger(namespace="acd.security")
_UNSAFE = re.compile(r'[^A-Za-z0-9 ._:/@+*#-]')


class _Sink:
    """The one file events go to, once the daemon has opened it."""

    file: IO[str] | None = None


_sink = _Sink()


def open_file(path: Path) -> None:
    """Append events to `path` from now on (the daemon calls this at start)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    close_file()
    _sink.file = os.fdopen(descriptor, "a", buffering=1)


def close_file() -> None:
    """Write events to the daemon's log only (tests end with this)."""
    if _sink.file is not None:
        _sink.file.close()
        _sink.file = None


def event(kind: str, service: str, remote: str = "", **fields: object) -> str:
    """Record one security event; returns its line (tests read it back)."""
    parts: list[tuple[str, object]] = [("SecurityEvent", kind), ("Service", service)]
    parts.append(("RemoteAddress", remote or "-"))
    parts += [(name[:1].upper() + name[1:], value) for name, value in fields.items()]
    line = ",".join(f'{name}="{_clean(value)}"' for name, value in parts)
    log.warn("security: {line}", line=line)
    if _sink.file is not None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
        _sink.file.write(f"[{stamp}] acd[{os.getpid()}]: {line}\n")
    return line


def _clean(value: object) -> str:
    """Whatever a stranger typed, made one harmless token (no quote, comma or line break)."""
    return _UNSAFE.sub("?", str(value))[:80]
