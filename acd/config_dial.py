"""acd.yaml's `callback.dial_policy`: which caller IDs the engine may dial back.

Kept beside acd/config.py (embedded through acd/config_phone.py) so it stays small; the rules
themselves are the core's (acd/core/dialling.py).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from acd.core import dialling

E164Prefix = Annotated[str, Field(pattern=r"^\+[1-9][0-9]{0,14}$")]
ShortNumber = Annotated[str, Field(pattern=r"^[0-9]{2,8}$")]
# Germany (the default country): 11x service and directory, 137/138 mass-calling, 18x/19x
# service and premium, 700 personal, 800 service, 900 premium-rate.
# Numbers abroad are refused anyway unless `international` or `allow`.
GERMAN_PREMIUM = ("+4911", "+49137", "+49138", "+4918", "+4919", "+49700", "+49800", "+49900")


class DialPolicy(BaseModel):
    """Emergency and short numbers are always refused; deny wins over allow."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    international: bool = False  # dial numbers outside the home country
    allow: tuple[E164Prefix, ...] = ()  # if given: only these prefixes
    deny: tuple[E164Prefix, ...] = GERMAN_PREMIUM  # premium and service ranges
    emergency: tuple[ShortNumber, ...] = dialling.Policy.emergency
    min_national_digits: int = Field(6, ge=3, le=12)

    def core(self) -> dialling.Policy:
        return dialling.Policy(
            self.international, self.allow, self.deny, self.emergency, self.min_national_digits
        )
