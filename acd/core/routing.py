"""Where a new call goes. Grows into tiers and skills; for now, by dialled number, and a repeat
caller's last agent first."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from acd.core import tiers


def queue_for(dialled: str, numbers: Mapping[str, str], default: str) -> str:
    return numbers.get(dialled, default)


def last_agent_queue(agent: str | None, ready: Callable[[str], bool]) -> str | None:
    """A repeat caller's first stop: the own queue of the agent who served them last, only if
    that agent is ready now (a busy or absent agent would only delay the caller's line queue)."""
    if agent and ready(agent):
        return tiers.personal_queue(agent)
    return None
