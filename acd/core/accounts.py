"""Account numbers end in a Luhn check digit, so a mistyped digit is caught at once."""

from __future__ import annotations


def check_digit(body: str) -> str:
    """The Luhn digit that completes `body` (digits only)."""
    total = 0
    for i, char in enumerate(reversed(body)):
        value = int(char) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def valid_account(number: str, length: int = 8) -> bool:
    """`length` ASCII digits whose last one is the Luhn check digit of the rest."""
    if len(number) != length or not number.isascii() or not number.isdigit():
        return False
    return check_digit(number[:-1]) == number[-1]
