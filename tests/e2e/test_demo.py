"""`acd demo --seconds N` on the real PBX, as an operator runs it (its own process, the demo's
ports, scratch paths): its summary agrees with queue_log, and every scripted moment of the
simulated day reached the daemon (its journal), not only the sipp scripts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text

from acd import config as config_module
from acd.asterisk import queue_log
from tests.e2e.conftest import _unusable

pytestmark = pytest.mark.e2e
SECONDS = 45  # one round of scripted moments (demo_day.ROUND_S), then the last calls end


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path, Path]:
    why = _unusable()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"end-to-end tests cannot run in CI: {why}")
        pytest.skip(why)
    folder = tmp_path_factory.mktemp("demo")
    raw = yaml.safe_load(config_module.DEFAULT_PATH.read_text())
    raw["pbx"]["state_dir"] = str(folder / "pbx")
    raw["pbx"]["rootfs"] = os.environ.get("ACD_ROOTFS", raw["pbx"]["rootfs"])
    raw["store"] = {"url": f"sqlite:///{folder / 'store' / 'acd.sqlite3'}"}
    raw["secrets_file"] = str(folder / "secrets" / "acd.secrets.yaml")
    raw["security_log"] = str(folder / "log" / "acd-security.log")
    raw["recording"]["folder"] = str(folder / "recordings")
    path = folder / "acd.yaml"
    path.write_text(yaml.safe_dump(raw))
    run = subprocess.run(
        [sys.executable, "-m", "acd", "-c", str(path), "demo", "--seconds", str(SECONDS)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return run, folder, path


def journal(folder: Path) -> list[dict]:
    engine = create_engine(f"sqlite:///{folder / 'store' / 'acd.sqlite3'}")
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT body FROM journal ORDER BY seq")).scalars().all()
    finally:
        engine.dispose()
    return [json.loads(body) for body in rows]


def logged(folder: Path) -> dict[str, tuple[int, int]]:
    """queue_log's answered and abandoned per queue, counted here, not by the demo."""
    counts: dict[str, list[int]] = {}
    for entry in queue_log.read(folder / "pbx" / "log" / "queue_log"):
        if entry.verb in ("CONNECT", "ABANDON"):
            counts.setdefault(entry.queue, [0, 0])[entry.verb == "ABANDON"] += 1
    return {queue: (a, b) for queue, (a, b) in counts.items()}


@pytest.mark.timeout(400)
def test_the_demo_summary_agrees_with_queue_log(demo_run):
    run, folder, _ = demo_run
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    summary = run.stdout[run.stdout.index("Summary of the day") :]
    rows = {}
    for line in summary.splitlines():
        found = re.match(r"\s*(support-?\d?|sales)\s+(\d+).*\s(\d+)/(\d+)\s+(\d+)/(\d+) ok\s*$", line)
        if found:
            rows[found[1]] = ((int(found[3]), int(found[4])), (int(found[5]), int(found[6])))
    assert set(rows) >= {"support", "support-2", "sales"}, summary
    counted = logged(folder)
    for queue, (daemon, printed_log) in rows.items():
        assert daemon == printed_log == counted.get(queue, (0, 0)), (queue, summary)
    assert counted["support"][0] >= 10 and counted["sales"][0] >= 3  # a day, not a trickle


def test_every_scripted_moment_reached_the_daemon(demo_run):
    run, folder, _ = demo_run
    events = journal(folder)
    routed = {e["caller_id"]: e for e in events if e["type"] == "CallRouted"}
    order, fault, new = routed["+49301170001"], routed["+49301170002"], routed["+49301170903"]
    assert (order["dialled"], order["category"], order["queue"]) == ("800", "order_status", "support")
    assert order["account"] == "11700010"
    assert (fault["category"], fault["verification"]) == ("technical", "verified")  # by date of birth
    assert (new["language"], new["category"], new["queue"]) == ("en", "product", "sales")
    assert routed["+49301170004"]["priority"] >= 10  # the VIP
    [escalated] = [e for e in events if e["type"] == "CallEscalated"]
    assert (escalated["agent"], escalated["from_queue"], escalated["to_queue"]) == (
        "2003",
        "support",
        "support-2",
    )
    entries = queue_log.read(folder / "pbx" / "log" / "queue_log")
    story = [(e.queue, e.agent, e.verb) for e in entries if e.call_id == escalated["call_id"]]
    assert ("support", "2003", "CONNECT") in story and ("support-2", "NONE", "ENTERQUEUE") in story, story
    assert [e["status"] for e in events if e["type"] == "CallbackDialled"] == ["ANSWER"]
    assert [e.data[0] for e in entries if e.verb == "CALLBACKDIAL"] == ["ANSWER"]
    [spied] = [e for e in events if e["type"] == "SpyStarted"]
    assert spied["spyer"].startswith("acd-spy-")  # rung from the web API, not dialled by code
    assert "callback" in run.stdout and "supervision" in run.stdout


def test_the_agents_code_their_calls_once_they_can_sign_in(demo_run):
    """Each simulated agent codes their completed calls on POST /api/wrapup/<call>; without
    agents' web passwords (a build before the staff store), the demo says so."""
    run, folder, path = demo_run
    config = config_module.load(path)
    events = journal(folder)
    wrapped = [e for e in events if e["type"] == "CallWrappedUp"]
    if getattr(config.agent("1001"), "password", None) is None:
        assert "agents have no web password in this build" in run.stdout
        assert wrapped == []
        return
    completed = {(e["call_id"], e["agent"]) for e in events if e["type"] == "CallCompleted"}
    coded = {(e["call_id"], e["agent"]) for e in wrapped}
    assert coded <= completed and len(coded) >= 0.9 * len(completed) > 10, (len(coded), len(completed))
    assert "dispositions" in run.stdout
    codes = {d.code for d in config.desk.dispositions}
    assert {e["disposition"] for e in wrapped} <= codes


def test_the_demo_says_where_to_look_and_prints_no_secret(demo_run):
    run, folder, _ = demo_run
    assert "http://127.0.0.1:8480/wall" in run.stdout and "http://127.0.0.1:8480/desk" in run.stdout
    assert "/signin as agent 1001" in run.stdout
    secrets = yaml.safe_load((folder / "secrets" / "acd.secrets.yaml").read_text())

    def values(node) -> list[str]:
        if isinstance(node, dict):
            return [v for sub in node.values() for v in values(sub)]
        return [str(node)] if node is not None else []

    printed = run.stdout + run.stderr
    tokens = [v for v in values(secrets) if len(v) >= 16]
    pins = [v for v in values(secrets) if v.isdigit()]
    assert len(tokens) > 10 and len(pins) > 5
    assert [v for v in tokens if v in printed] == []
    assert [v for v in pins if re.search(rf"(?<!\d){v}(?!\d)", printed)] == []
