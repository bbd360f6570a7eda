"""Where a new call goes. Grows into tiers and skills; for now, by dialled number."""
from __future__ import annotations

import re
from typing import Mapping

_DIALLABLE = re.compile(r"\+?[0-9]{1,32}")


def queue_for(dialled: str, numbers: Mapping[str, str], default: str) -> str:
    return numbers.get(dialled, default)


def clean_caller_id(raw: str) -> str:
    """The caller's number if it looks like one; "" (withheld) for anything else.

    Caller ID is set by whoever places the call: it may hold SQL, control characters or
    kilobytes of text. Only digits with an optional leading + survive.
    """
    raw = raw.strip()
    return raw if _DIALLABLE.fullmatch(raw) else ""
