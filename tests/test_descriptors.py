"""The daemon's open-file limit against what its caps may hold open: every FastAGI session and
HTTP connection (streams and walls are among the latter) is a descriptor, plus a margin for
redis, AMI, SQL, journal and log files. Below that, the caps cannot be reached: accept() fails
with EMFILE first, and then also redis and the journal do."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from acd import config as config_module
from acd import descriptors

INF = resource.RLIM_INFINITY
ROOT = Path(__file__).resolve().parents[1]


def test_the_caps_plus_the_margin_are_what_is_needed():
    raw = yaml.safe_load(config_module.DEFAULT_PATH.read_text())
    raw["fastagi"]["max_connections"] = 500
    raw.setdefault("http", {})["max_connections"] = 200
    assert descriptors.needed(config_module.parse(raw)) == 500 + 200 + descriptors.MARGIN


@pytest.mark.parametrize(
    "soft, hard, need, raised",
    [
        (1024, 4096, 428, None),  # enough already: left alone
        (INF, INF, 428, None),
        (256, 4096, 428, 428),  # raised to what is needed, no further
        (256, INF, 428, 428),
        (256, 300, 428, 300),  # as far as the hard limit allows, and warned of
        (300, 300, 428, None),  # nothing to raise: only the warning
    ],
)
def test_the_soft_limit_is_raised_as_far_as_needed_and_allowed(soft, hard, need, raised):
    assert descriptors.raised(soft, hard, need) == raised


def test_enough_counts_an_unlimited_limit():
    assert (
        descriptors.enough(INF, 10**9) and descriptors.enough(428, 428) and not descriptors.enough(427, 428)
    )


CHILD = """
import json, resource, sys
from twisted.logger import globalLogPublisher, formatEvent
from acd import config as config_module, descriptors
lines = []
globalLogPublisher.addObserver(lambda e: lines.append(formatEvent(e)))
descriptors.ensure(config_module.load(write_secrets=False))
print(json.dumps({"limit": resource.getrlimit(resource.RLIMIT_NOFILE), "lines": lines}))
"""


def child(soft: int, hard: int) -> dict:
    """`ensure` in a process of its own started at these limits: its limits after, its log."""

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        preexec_fn=limited,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_low_soft_limit_is_raised_in_the_process():
    need = descriptors.needed(config_module.load(write_secrets=False))
    out = child(128, need + 10)
    assert out["limit"] == [need, need + 10]
    assert any(f"raised from 128 to {need}" in line for line in out["lines"]), out["lines"]


def test_a_hard_limit_too_low_is_warned_of():
    need = descriptors.needed(config_module.load(write_secrets=False))
    out = child(100, 200)
    assert out["limit"] == [200, 200]
    [line] = [line for line in out["lines"] if "RLIMIT_NOFILE" in line]
    assert f"need {need} open files" in line and "is 200 (hard limit 200)" in line
