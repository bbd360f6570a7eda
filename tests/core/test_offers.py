"""Cross-sell rules: a rule matches when every condition it names holds; unnamed ones ask nothing."""

from __future__ import annotations

import pytest

from acd.core.offers import Record, Rule, matches, matching

ADA = Record(segment="standard", vip=False, accounts=1, language="en", category="order_status")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (Rule("any", "t"), True),
        (Rule("seg", "t", segments=("standard", "gold")), True),
        (Rule("seg", "t", segments=("gold",)), False),
        (Rule("vip", "t", vip=True), False),
        (Rule("novip", "t", vip=False), True),
        (Rule("cat", "t", categories=("complaint",)), False),
        (Rule("lang", "t", languages=("de",)), False),
        (Rule("min", "t", min_accounts=2), False),
        (Rule("max", "t", max_accounts=1), True),
        (Rule("max0", "t", max_accounts=0), False),
    ],
)
def test_each_condition(rule, expected):
    assert matches(rule, ADA) is expected


def test_matching_keeps_the_config_s_order():
    rules = [Rule("b", "second"), Rule("x", "no", vip=True), Rule("a", "first")]
    assert [r.name for r in matching(rules, ADA)] == ["b", "a"]
