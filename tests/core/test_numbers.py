"""Caller IDs into E.164, and caller IDs as the untrusted input they are."""

from __future__ import annotations

import pytest

from acd.core.accounts import check_digit, valid_account
from acd.core.numbers import normalize


@pytest.mark.parametrize(
    "raw, e164",
    [
        ("030 1234567", "+49301234567"),  # national
        ("+49 30 1234567", "+49301234567"),  # international with +
        ("0049-30-123 45 67", "+49301234567"),  # international with 00 and separators
        ("(030) 123.45.67", "+49301234567"),
        ("1234567", "+491234567"),  # bare subscriber number
        ("+1 212 555 0100", "+12125550100"),
        ("  0301110001 ", "+49301110001"),
    ],
)
def test_number_forms_meet_in_e164(raw, e164):
    assert normalize(raw, "49") == e164


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "anonymous",
        "Anonymous",
        "unknown",
        "withheld",
        "private",
        "1' OR '1'='1",
        "1'OR'1'='1",
        "5551; DROP TABLE customers",
        "555\r\n1234",
        "\x00",
        "５５５１２３４",
        "ünknown",
        "1" * 1000,
        "+" + "1" * 16,
        "++4930",
        "+0301234",
        "0",
        "12",
        "030 1234x67",
    ],
)
def test_anything_else_is_withheld(raw):
    """Letters, control characters, non-ASCII digits, SQL and absurd lengths are withheld."""
    assert normalize(raw, "49") is None


def test_never_raises_on_non_strings():
    assert normalize(None, "49") is None  # type: ignore[arg-type]


def test_luhn_check_digit():
    """A single mistyped digit or a swap of neighbours is caught."""
    account = "1234567" + check_digit("1234567")
    assert valid_account(account)
    assert not valid_account(account[:-1] + str((int(account[-1]) + 1) % 10))
    assert not valid_account("2134567" + account[-1])
    assert not valid_account("１２３４５６７８") and not valid_account("1234") and not valid_account("")
