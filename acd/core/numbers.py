"""Phone numbers into one form (E.164, "+4930123456"), so a caller ID finds its customer.

Caller ID is set by whoever places the call. Anything that is not plainly a number
(letters, control characters, non-ASCII digits, SQL, kilobytes of text) is treated as
withheld: None. Never raises on any string.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[ \-./()]")
_DIGITS = re.compile(r"\+?[0-9]+")
E164_MAX_DIGITS = 15
MIN_DIGITS = 5
WITHHELD = frozenset({"", "anonymous", "unknown", "unavailable", "private", "restricted", "withheld"})


def normalize(
    raw: str, country_code: str, national_prefix: str = "0", international_prefix: str = "00"
) -> str | None:
    """E.164 for national ("030 1234567"), international ("+49 30 ...", "0049 30 ...") and
    bare subscriber forms; None for withheld or anything that is not a phone number."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    text = raw.strip()
    if text.lower() in WITHHELD:
        return None
    text = _SEPARATORS.sub("", text)
    if not _DIGITS.fullmatch(text) or not text.isascii():
        return None
    if text.startswith("+"):
        digits = text[1:]
    elif international_prefix and text.startswith(international_prefix):
        digits = text[len(international_prefix) :]
    elif national_prefix and text.startswith(national_prefix):
        digits = country_code + text[len(national_prefix) :]
    else:
        digits = country_code + text
    if digits.startswith("0") or not MIN_DIGITS <= len(digits) <= E164_MAX_DIGITS:
        return None
    return "+" + digits
