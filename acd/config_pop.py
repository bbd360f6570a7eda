"""The screen pop's settings (`pop:` in config/acd.yaml): how much history, which offers."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from acd.config_types import Name, _Section
from acd.core.offers import Rule

Language = Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]
OfferText = Annotated[str, Field(min_length=1, max_length=300, pattern=r"^[^\r\n]+$")]


class Offer(_Section):
    """A prompt shown to the agent when the caller's record fits (acd/core/offers.py)."""

    name: Name
    text: OfferText
    segments: tuple[Name, ...] = ()  # any segment when empty
    vip: bool | None = None  # either when unset
    categories: tuple[Name, ...] = ()  # the IVR's category on this call; any when empty
    languages: tuple[Language, ...] = ()
    min_accounts: int = Field(0, ge=0, le=100)
    max_accounts: int | None = Field(None, ge=0, le=100)

    def rule(self) -> Rule:
        return Rule(
            self.name,
            self.text,
            self.segments,
            self.vip,
            self.categories,
            self.languages,
            self.min_accounts,
            self.max_accounts,
        )


class Pop(_Section):
    last_contacts: int = Field(5, ge=0, le=50)  # the customer's latest interactions shown
    offers: tuple[Offer, ...] = ()

    def rules(self) -> tuple[Rule, ...]:
        return tuple(offer.rule() for offer in self.offers)
