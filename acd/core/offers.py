"""Cross-sell and upsell prompts: rules from the config matched against the customer's record.

A rule names what must hold (segments, VIP or not, the IVR's category, how many accounts, the
customer's language); an empty list or None asks nothing of that field. The pop shows the text
of every rule that matches, in the config's order: the config is the sales team's wording.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    text: str
    segments: tuple[str, ...] = ()
    vip: bool | None = None
    categories: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    min_accounts: int = 0
    max_accounts: int | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """The customer's record as a rule sees it, with what the IVR learned on this call."""

    segment: str
    vip: bool
    accounts: int
    language: str = ""
    category: str = ""


def matches(rule: Rule, record: Record) -> bool:
    return (
        (not rule.segments or record.segment in rule.segments)
        and (rule.vip is None or rule.vip == record.vip)
        and (not rule.categories or record.category in rule.categories)
        and (not rule.languages or record.language in rule.languages)
        and record.accounts >= rule.min_accounts
        and (rule.max_accounts is None or record.accounts <= rule.max_accounts)
    )


def matching(rules: Iterable[Rule], record: Record) -> list[Rule]:
    return [rule for rule in rules if matches(rule, record)]
