"""The demo's configuration: the operator's acd.yaml (the embedded defaults) plus what the
simulated day needs, written beside the demo's logs and loaded like any other.

Added: a carrier port per scripted caller (a trunk is known by its source port, and each sipp
process binds its own), a line the callback customer answers on, and fixed seats for the
second-line agent and for the agent who escalates (free softphones in the defaults).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from acd import config as config_module

# scripted callers' carrier ports (127.0.0.1): one trunk each
TRUNKS = {"demo-ivr-1": 5082, "demo-ivr-2": 5083, "demo-ivr-3": 5084, "demo-vip": 5085, "demo-rush": 5086}
CALLBACK_TRUNK, CALLBACK_PORT = "demo-callback", 5081
SECOND_LINE_SEAT = ("2001", "1005")  # (agent, phone): Emil, support-2
ESCALATING_SEAT = ("2003", "1006")  # Gero, support: the agent whose calls go to the second line


def derive(config_path: Path, work: Path) -> Path:
    """Write the demo's acd.yaml into `work` and return its path."""
    raw = config_module.read_yaml(config_path)
    if not isinstance(raw, dict):
        raise config_module.ConfigError(f"{config_path}: expected a mapping at the top level")
    trunks = list(raw.get("trunks") or [])
    names = {t.get("name") for t in trunks if isinstance(t, dict)}
    for name, port in [*TRUNKS.items(), (CALLBACK_TRUNK, CALLBACK_PORT)]:
        if name not in names:
            trunks.append({"name": name, "match": f"127.0.0.1:{port}"})
    raw["trunks"] = trunks
    callback = raw.setdefault("callback", {})
    callback.update(trunk=CALLBACK_TRUNK, ring=20)
    seated = {str(a.get("phone")) for a in raw.get("agents", []) if a.get("phone")}
    for agent, phone in (SECOND_LINE_SEAT, ESCALATING_SEAT):
        for item in raw.get("agents", []):
            if str(item.get("number")) == agent and not item.get("phone") and phone not in seated:
                item["phone"] = phone
    path = work / "acd-demo.yaml"
    path.write_text(
        f"# acd demo: {config_path} with the simulated day's trunks and seats (acd/lab/demo_config.py)\n"
        + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    )
    return path


def trunk_port(config: config_module.Config, name: str | None = None) -> int:
    """The carrier port of the named trunk (the first trunk: the everyday callers)."""
    trunk = next(t for t in config.trunks if name is None or t.name == name)
    return int(trunk.match.rpartition(":")[2])
