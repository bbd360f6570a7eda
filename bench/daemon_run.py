"""`acd run` as a benchmark's process: the default config on scratch paths and fixed ports, no
PBX (its AMI port is one nothing listens on, so the link just keeps retrying), the greeting
off (the benchmarks measure lookups, not text-to-speech). Shared by agi_lookup.py and
http_slow_clients.py."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml

from acd import config as config_module


def start_daemon(
    url: str, scratch: Path, agi_port: int, http_port: int, dead_ami_port: int
) -> subprocess.Popen:
    """The daemon on store `url`, once its FastAGI port answers and its prompts are rendered."""
    raw = yaml.safe_load(config_module.DEFAULT_PATH.read_text())
    raw["ami"]["port"] = dead_ami_port
    raw["fastagi"]["port"] = agi_port
    raw["http"]["port"] = http_port
    raw["store"] = {"url": url}
    raw["greeting"] = {"enabled": False}
    raw["pbx"]["state_dir"] = str(scratch / "pbx")
    raw["secrets_file"] = str(scratch / "acd.secrets.yaml")
    path = scratch / "acd.yaml"
    path.write_text(yaml.safe_dump(raw))
    with open(scratch / "daemon.log", "wb") as log:  # the child keeps its own copy
        daemon = subprocess.Popen(
            [sys.executable, "-m", "acd", "-c", str(path), "run"], stdout=log, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        # the IVR's prompts are rendered once at start-up: measure after, not during
        if b"IVR prompts ready" in (scratch / "daemon.log").read_bytes():
            socket.create_connection(("127.0.0.1", agi_port), timeout=0.2).close()
            return daemon
        time.sleep(0.1)
    daemon.kill()
    raise RuntimeError(f"the daemon did not listen; see {scratch / 'daemon.log'}")
