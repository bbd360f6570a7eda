"""Which numbers the engine may dial back, and how many times a day (toll fraud, abuse).

A callback dials whatever the caller ID said, through the carrier, at the company's cost: a
forged caller ID could make it ring an emergency line, a premium-rate or international
number, or one victim over and over. So the number is first normalised to E.164 (the
configured country and prefixes, acd/core/numbers.py), then checked against a policy:
emergency and short numbers always refused, configured premium/service prefixes refused,
numbers abroad refused unless allowed; what passes is dialled in the carrier's national form.
Pure: no I/O, never raises on any string.
"""

from __future__ import annotations

from dataclasses import dataclass

from acd.core import numbers


@dataclass(frozen=True)
class Rules:
    """The caller-ID rules (acd.yaml `numbers`)."""

    country_code: str = "49"
    national_prefix: str = "0"
    international_prefix: str = "00"


@dataclass(frozen=True)
class Policy:
    """acd.yaml `callback.dial_policy`: prefixes are E.164 ("+49900")."""

    international: bool = False  # numbers outside the home country
    allow: tuple[str, ...] = ()  # if given: only numbers beginning with one of these
    deny: tuple[str, ...] = ()  # premium, mass-call, service ranges (deny wins)
    emergency: tuple[str, ...] = (
        "110",
        "112",
        "911",
        "999",
        "000",
        "118",
        "119",
        "100",
        "101",
        "102",
        "103",
        "108",
        "115",
        "116",
        "117",
        "1122",
    )
    min_national_digits: int = 6  # shorter: a short/service number, refused


@dataclass(frozen=True)
class Verdict:
    number: str | None  # E.164 when allowed
    reason: str  # "ok" or why not: withheld, invalid, emergency, short, denied, international,
    # not_allowed

    @property
    def allowed(self) -> bool:
        return self.reason == "ok"


def check(raw: str, rules: Rules, policy: Policy) -> Verdict:
    """May the engine dial `raw` (a caller ID as the carrier sent it) back?"""
    digits = raw.strip().lstrip("+") if isinstance(raw, str) and len(raw) <= 40 else ""
    if digits in policy.emergency:
        return Verdict(None, "emergency")
    e164 = numbers.normalize(raw, rules.country_code, rules.national_prefix, rules.international_prefix)
    if e164 is None:
        return Verdict(None, "withheld")
    home = "+" + rules.country_code
    national = e164[len(home) :] if e164.startswith(home) else None
    if national is not None:
        if national.startswith("0"):  # "+49 0 0 1 900...": dialled nationally it would go abroad
            return Verdict(None, "invalid")
        if national in policy.emergency or national.lstrip("0") in policy.emergency:
            return Verdict(None, "emergency")
        if len(national) < policy.min_national_digits:
            return Verdict(None, "short")
    if any(e164.startswith(prefix) for prefix in policy.deny):
        return Verdict(None, "denied")
    allowed = any(e164.startswith(prefix) for prefix in policy.allow)
    if policy.allow and not allowed:
        return Verdict(None, "not_allowed")
    if national is None and not (policy.international or allowed):
        return Verdict(None, "international")
    return Verdict(e164, "ok")


def dial_string(e164: str, rules: Rules) -> str:
    """What the carrier is sent: the national form at home ("030..."), else the
    international prefix and the E.164 digits ("0043...")."""
    home = "+" + rules.country_code
    if e164.startswith(home):
        return rules.national_prefix + e164[len(home) :]
    return rules.international_prefix + e164[1:]


def day_key(e164: str, day: str) -> str:
    """The counter one number's callbacks on one day are counted under."""
    return f"{e164}:{day}"
