"""The web port's settings (`http:` in config/acd.yaml) and how passwords and PINs are hashed
(`hashing:`), kept apart from config.py so the sections stay small."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from acd.config_types import Listen, Port, Secret, _Section


class Http(Listen):
    port: Port = 8480
    signing_key: Secret  # signs what the web hands out (secrets file)
    # Host names the API answers to, beside the loopback names and `host` (DNS rebinding)
    allowed_hosts: tuple[Annotated[str, Field(pattern=r"^[A-Za-z0-9.-]{1,253}$")], ...] = ()
    # bytes; refused before reading (a knowledge entry's request needs up to 128,192)
    max_body: int = Field(131072, ge=1024, le=1048576)
    max_connections: int = Field(64, ge=1, le=10000)  # open at once; more are closed at once
    request_timeout: float = Field(10.0, gt=0, le=300)  # seconds for a request's headers and body
    idle_timeout: float = Field(30.0, gt=0, le=3600)  # seconds a kept-alive connection may idle
    # HTTPS when both are given (PEM files; relative to the repo): then the port speaks TLS only
    tls_cert: str | None = None
    tls_key: str | None = None
    session_idle: int = Field(1800, ge=60, le=86400)  # seconds without a request: signed out
    session_max: int = Field(43200, ge=300, le=604800)  # seconds after sign-in: signed out anyway

    @model_validator(mode="after")
    def _both_or_neither(self) -> Http:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("tls_cert and tls_key: give both, or neither")
        if self.session_idle > self.session_max:
            raise ValueError("session_idle: must not exceed session_max")
        return self

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    def scheme(self) -> str:
        return "https" if self.tls else "http"


class Hashing(_Section):
    """argon2id's cost for web passwords and phone PINs: by default OWASP's (19 MiB, 2 passes,
    one lane; its Password Storage Cheat Sheet), 30 to 130 ms a hash on a busy two-core
    machine (RFC 9106's 64 MiB and 3 passes took 0.8 s there). Stored hashes carry their own
    cost; one made at another cost is remade at the next right sign-in."""

    time_cost: int = Field(2, ge=1, le=10)
    memory_kib: int = Field(19456, ge=1024, le=1048576)
    parallelism: int = Field(1, ge=1, le=16)
