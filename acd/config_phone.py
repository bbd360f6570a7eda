"""acd.yaml's `features` (feature codes, PINs) and `callback` sections: what a phone may dial
and what the engine may dial back. Kept beside acd/config.py, which embeds them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from acd.config_dial import DialPolicy
from acd.config_types import CallCode, DialCode, Name, _Section

Language = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
# one sentence; "{key}" is the callback key, and no other braces
OfferText = Annotated[str, Field(min_length=1, max_length=300, pattern=r"^[^\r\n{}]*(\{key\}[^\r\n{}]*)*$")]


class PinBackoff(_Section):
    """Wrong PINs slow the next try at that agent from that phone (and at that phone), never
    lock anyone out: past `free`, `base` seconds doubling up to `cap`, forgotten after `forget`."""

    free: int = Field(4, ge=0, le=20)
    base: int = Field(30, ge=1, le=3600)
    cap: int = Field(900, ge=1, le=86400)
    forget: int = Field(3600, ge=60, le=7 * 86400)


class Features(_Section):
    """Agents' feature codes, dialled from any registered softphone."""

    login: DialCode = "*70"
    pause: DialCode = "*71"
    resume: DialCode = "*72"
    logout: DialCode = "*73"
    monitor: DialCode = "*22"  # supervisors: then the agent number; listen unheard
    whisper: DialCode = "*23"  # ...speak to the agent only
    barge: DialCode = "*24"  # ...join the call
    escalate: CallCode = "*5"  # during a call: to the next line
    record: CallCode = "*1"  # during a call: record it (on demand)
    record_pause: CallCode = "*2"  # during a call: pause or resume the recording (card data)
    pin_attempts: int = Field(3, ge=1, le=5)  # wrong PINs per call before hanging up
    pin_backoff: PinBackoff = PinBackoff()  # wrong PINs typed on phones, across calls
    pause_reasons: dict[Annotated[str, Field(pattern=r"^[1-9]$")], Name] = {
        "1": "break",
        "2": "lunch",
        "3": "training",
        "4": "backoffice",
    }
    escalation_reasons: dict[Annotated[str, Field(pattern=r"^[1-9]$")], Name] = {
        "1": "technical",
        "2": "complaint",
        "3": "authority",
        "4": "other",
    }


class Callback(_Section):
    """Callers may press `key` while waiting to be called back instead; they keep their place."""

    enabled: bool = True
    key: str = Field("1", pattern=r"^[0-9]$")
    trunk: Name  # dial the customer through this trunk
    ring: int = Field(30, ge=5, le=120)  # seconds the customer's phone rings
    attempts: int = Field(3, ge=1, le=10)
    retry_after: int = Field(120, ge=5, le=86400)
    give_up_after: int = Field(7200, ge=60, le=604800)
    dial_policy: DialPolicy = DialPolicy()  # which caller IDs may be dialled (toll fraud)
    per_number_per_day: int = Field(3, ge=1, le=100)  # bookings per number and day (redis)
    offer: bool = True  # said with every position announcement, in the caller's language
    offer_text: dict[Language, OfferText] = {
        "en": "Press {key} to be called back, keeping your place.",
        "de": "Drücken Sie die {key}, dann rufen wir Sie zurück, und Sie behalten Ihren Platz.",
    }
