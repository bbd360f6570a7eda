"""The value types and the strict, frozen section base that acd.yaml's models share
(acd/config.py and its siblings), kept apart so the siblings need not import config.py."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

Port = Annotated[int, Field(ge=1, le=65535)]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")]
Digits = Annotated[str, Field(pattern=r"^[0-9]{1,20}$")]
Secret = Annotated[str, Field(min_length=8, max_length=128, pattern=r"^[A-Za-z0-9._~+-]+$")]
Pin = Annotated[str, Field(pattern=r"^[0-9]{4,8}$")]
PersonName = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[^\r\n;,|]+$")]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
DialCode = Annotated[str, Field(pattern=r"^\*[0-9]{2,3}$")]  # dialled from a phone
CallCode = Annotated[str, Field(pattern=r"^\*[0-9]{1,3}$")]  # pressed during a call


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Listen(_Section):
    host: str = "127.0.0.1"
    port: Port

    @field_validator("host")
    @classmethod
    def _an_address(cls, value: str) -> str:
        ipaddress.ip_address(value)
        return value


def unique(section: str, names: list[str]) -> None:
    seen = set()
    for i, name in enumerate(names):
        if name in seen:
            raise ValueError(f"{section}[{i}]: {name!r} appears twice")
        seen.add(name)
