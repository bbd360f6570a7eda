"""A FastAGI route that fails makes the real dialplan take its fallback path (issue 9, finding 4).

Asterisk's AGISTATUS is SUCCESS whenever the FastAGI socket closes, also after a route gave
up half-way; before ACD_AGI_OK, such a call skipped the fallback lookup and queued as an
unknown caller ("Via: daemon", no customer).
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
import yaml

from acd.lab.daemon_proc import DaemonProcess

pytestmark = pytest.mark.e2e


def routed_event(ami, caller: str, timeout: float = 20):
    return ami.wait(
        lambda e: e.get("UserEvent") == "AcdRouted" and e.get("CallerIDNum") == caller,
        timeout,
        f"AcdRouted for {caller}",
    )


class HalfWayRoute:
    """Answers on the daemon's port with the PBX's token: sets one variable, then drops the
    session, as the daemon did when a route raised after its first command."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.token, self.seen = token, []
        self.sock = socket.create_server((host, port))
        self.sock.settimeout(0.2)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                peer, _ = self.sock.accept()
            except TimeoutError:
                continue
            with peer, peer.makefile("rwb") as wire:
                headers = {}
                while line := wire.readline().decode().rstrip("\n"):
                    key, _, value = line.partition(": ")
                    headers[key] = value
                self.seen.append(headers.get("agi_network_script", ""))
                if headers.get("agi_network_script", "").startswith(self.token + "/"):
                    wire.write(b'SET VARIABLE ACD_ROUTED "daemon"\n')
                    wire.flush()
                    wire.readline()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=2)
        self.sock.close()


def test_a_route_that_drops_half_way_gets_the_fallback_lookup(pbx, lab_config, customers, call, ami):
    """A session that set a value and then ended without ACD_AGI_OK (a route that raised):
    the dialplan runs the fallback script, which knows the caller from the store."""
    config, _ = lab_config
    erin = customers("Erin Falk", ["+49301119001"], language="en", segment="business")
    route = HalfWayRoute(config.fastagi.host, config.fastagi.port, config.fastagi.token)
    try:
        call(["+49301119001"], dialled="100", patience_ms=5000)
        event = routed_event(ami, "+49301119001")
    finally:
        route.close()
    assert route.seen and route.seen[0].endswith("/acd/enter")
    assert (event["Via"], event["Customer"], event["Segment"]) == ("fallback", str(erin), "business")


def test_a_route_cut_by_its_timeout_gets_the_fallback_lookup(
    pbx, lab_config, customers, call, ami, tmp_path: Path
):
    """The real daemon with a 2 s route timeout; a caller on the IVR line who presses nothing
    outlasts it: the daemon drops the session, and the dialplan looks the caller up itself."""
    config, path = lab_config
    raw = yaml.safe_load(path.read_text())
    raw["fastagi"]["route_timeout"] = 2
    short = tmp_path / "acd-short-route.yaml"
    short.write_text(yaml.safe_dump(raw))
    fynn = customers("Fynn Gruber", ["+49301119002"], language="en", segment="premium")
    daemon = DaemonProcess(config, short, tmp_path / "daemon.log")
    daemon.start()
    try:
        call(["+49301119002"], dialled="800", patience_ms=45000)
        event = routed_event(ami, "+49301119002", timeout=45)  # Asterisk ends the Read it is in first
    finally:
        daemon.stop()
    assert (event["Via"], event["Customer"], event["Segment"]) == ("fallback", str(fynn), "premium")
    assert "timed out" in (tmp_path / "daemon.log").read_text()
