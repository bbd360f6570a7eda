"""How a value becomes part of one AGI command: the daemon's and the fallback script's rule.

Standard library only: `acd pbx up` copies this file beside agi_scripts/acd_fallback.py,
which runs on the PBX's own python3, so both sides quote with the same code.
"""

from __future__ import annotations

import re

# res_agi reads a command into a fixed buffer and runs what does not fit as further commands:
# measured on Asterisk 22.10 at 8 KiB (tests/e2e/test_agi_limits.py); older releases used
# AGI_BUF_LEN, 2048 bytes. No line of ours is longer than the smaller one.
MAX_COMMAND = 2046  # bytes of one command, without its newline
_BREAKS = re.compile("[\x00\r\n]")


class AgiValueError(ValueError):
    """A command that will not be sent: a NUL, CR or LF in it, or longer than res_agi reads
    as one line. The route fails (and the dialplan falls back) rather than send it."""


def quoted(value: str) -> str:
    """One AGI argument's text, for use between double quotes: quotes and backslashes
    escaped. A line break would end the command early (and start another) and a NUL ends it
    for Asterisk's C strings: both refused."""
    if _BREAKS.search(value):
        raise AgiValueError("a NUL, CR or LF in an AGI value")
    return value.replace("\\", "\\\\").replace('"', '\\"')


def command_line(line: str) -> bytes:
    """`line` as one command on the wire, newline included."""
    if _BREAKS.search(line):
        raise AgiValueError(f"a NUL, CR or LF in AGI {line.split(' ', 1)[0][:20]!r}")
    data = line.encode("utf-8")
    if len(data) > MAX_COMMAND:
        raise AgiValueError(
            f"AGI {line.split(' ', 1)[0][:20]!r} of {len(data)} bytes (res_agi reads {MAX_COMMAND})"
        )
    return data + b"\n"
