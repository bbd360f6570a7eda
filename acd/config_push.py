"""The live push's settings (`push:` in config/acd.yaml): `GET /api/events`."""

from __future__ import annotations

from pydantic import Field

from acd.config_types import _Section


class Push(_Section):
    """Each stream holds one of http.max_connections for as long as it lasts: keep
    `max_streams` well below it, so the rest of the API still answers; `max_per_person` keeps
    one person's tabs (or a script) from taking every stream from the others."""

    max_streams: int = Field(32, ge=1, le=5000)  # open at once; more get 503
    max_per_person: int = Field(4, ge=1, le=5000)  # one person's at once (tabs); more get 429
    heartbeat: float = Field(15.0, gt=0, le=300)  # seconds between comment lines on a quiet stream
    ring: int = Field(10000, ge=16, le=1_000_000)  # recent events kept in memory for reconnects
    client_buffer: int = Field(262144, ge=4096, le=16_777_216)  # bytes queued for a slow client
    replay_page: int = Field(500, ge=1, le=10000)  # events read from the journal at a time
