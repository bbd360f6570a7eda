"""Where a new call goes. Grows into tiers and skills; for now, by dialled number."""

from __future__ import annotations

from collections.abc import Mapping


def queue_for(dialled: str, numbers: Mapping[str, str], default: str) -> str:
    return numbers.get(dialled, default)
