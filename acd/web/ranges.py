"""A recording served with bounded Range handling.

twisted.web's File answers every range a client lists, overlapping or not, as one part each:
3,000 copies of "0-" in a 9 KB request made a 300 MB answer. Here at most MAX_RANGES ranges
are honoured, overlapping and adjacent ones merged first, so an answer is never larger than
the file (plus part headers); more ranges than that, or a malformed header, get the whole
file once (a Range header may always be ignored, RFC 9110 14.2).
"""

from __future__ import annotations

from twisted.web import static

MAX_RANGES = 4


class BoundedRangeFile(static.File):
    def _parseRangeHeader(self, range: bytes) -> list[tuple[int | None, int | None]]:
        if len(range) > 1024:
            raise ValueError("Range header too long")
        wanted = super()._parseRangeHeader(range)
        if not wanted:  # "bytes=" or "bytes=,": File would answer an empty multipart body
            raise ValueError("no ranges")
        if len(wanted) > MAX_RANGES:
            raise ValueError("too many ranges")
        spans = sorted(
            (max(0, offset), offset + size)
            for offset, size in (self._rangeToOffsetAndSize(start, end) for start, end in wanted)
            if size > 0
        )
        merged: list[list[int]] = []
        for start, stop in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], stop)
            else:
                merged.append([start, stop])
        if not merged:
            return wanted[:1]  # none satisfiable: File answers 416
        return [(start, stop - 1) for start, stop in merged]
