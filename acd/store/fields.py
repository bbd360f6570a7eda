"""Stored fields that reach the PBX (AGI values, channel variables), checked as they are read.

The store is written by imports and by anyone who can reach its file or server, so a field is
data to validate, not a value to pass on: a language must look like one (and be one the IVR
speaks, where the caller knows the list), a segment a short lower-case code. A field that
fails is read as absent, never cut into something that passes.
"""

from __future__ import annotations

import re
from collections.abc import Collection

LANGUAGE = re.compile(r"[a-z]{2,3}")  # ISO 639-1/-2 codes, as the IVR's prompts are named
SEGMENT = re.compile(r"[a-z0-9_]{1,32}")  # what the dialplan's acd-clean keeps, bounded
DEFAULT_SEGMENT = "standard"


def language(value: object, allowed: Collection[str] | None = None) -> str | None:
    """The stored language if it is a language code (and among `allowed`), else None."""
    if not isinstance(value, str) or not LANGUAGE.fullmatch(value):
        return None
    return value if allowed is None or value in allowed else None


def segment(value: object, allowed: Collection[str] | None = None) -> str:
    """The stored segment if it is a short code (and among `allowed`), else the default."""
    if not isinstance(value, str) or not SEGMENT.fullmatch(value):
        return DEFAULT_SEGMENT
    return value if allowed is None or value in allowed else DEFAULT_SEGMENT
