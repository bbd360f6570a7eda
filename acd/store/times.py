"""Times as the store keeps them: aware UTC datetimes in, epoch seconds out.

SQLite hands timestamps back naive (they were written as UTC), PostgreSQL aware; both read
back as the same epoch.
"""

from __future__ import annotations

import datetime as dt


def utc(at: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(at, dt.UTC)


def epoch(at: dt.datetime | None) -> float | None:
    if at is None:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).timestamp()
