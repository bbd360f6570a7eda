"""Where to look during the demo: the wallboard's and the agent desk's addresses, and who signs
in with what. Secrets are never printed: the demo says where its generated ones are."""

from __future__ import annotations

import urllib.error
import urllib.request

from rich.console import Console

from acd.config import Config

DESK_AGENT = "1001"  # a seat that takes calls all day


def print_addresses(console: Console, config: Config, base: str) -> None:
    secrets = config.secrets_path()
    supervisor = next((s for s in config.staff if s.role == "supervisor" and s.password), None)
    agent = config.agent(DESK_AGENT) or next(iter(config.agents), None)
    console.print(f"[bold]wallboard[/]   {base}/wall{_missing(base + '/wall')}")
    if supervisor is not None:
        console.print(
            f"            sign in at {base}/signin as supervisor {supervisor.number} ({supervisor.name})"
        )
    if agent is not None:
        console.print(f"[bold]agent desk[/]  {base}/desk{_missing(base + '/desk')}")
        console.print(f"            sign in at {base}/signin as agent {agent.number} ({agent.name})")
    console.print(
        f"            passwords: generated for this machine into {secrets} "
        f"(staff → number → password, agents → number → password; `acd secrets show`)"
    )
    console.print(f"status API  {base}/api/state (role admin), live events {base}/api/events")


def _missing(url: str) -> str:
    """A note when this build does not serve the page (yet)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="GET"), timeout=3):
            return ""
    except urllib.error.HTTPError as error:
        return "  [yellow](not served by this build)[/]" if error.code == 404 else ""
    except OSError:
        return "  [yellow](no answer)[/]"
