"""acd.yaml's `desk` section: what an agent's page offers at wrap-up (dispositions) and where
the knowledge base is seeded from. Pause and escalation reasons stay in `features`: the page
and the phone offer the same ones."""

from __future__ import annotations

from pydantic import Field, model_validator

from acd.config_types import Name, _Section
from acd.core.agent_book import WRAPUP

__all__ = ["WRAPUP", "Desk", "Disposition"]  # WRAPUP: the wrap-up hold's reason, never an agent's


class Disposition(_Section):
    """One outcome an agent codes a call with; `resolved` is the form's default for it."""

    code: Name
    label: str = Field(min_length=1, max_length=60, pattern=r"^[^\r\n<>]+$")
    resolved: bool = False


DEFAULT_DISPOSITIONS = (
    Disposition(code="answered", label="Question answered", resolved=True),
    Disposition(code="order_placed", label="Order placed", resolved=True),
    Disposition(code="order_tracked", label="Order status given", resolved=True),
    Disposition(code="fault_fixed", label="Fault fixed on the call", resolved=True),
    Disposition(code="fault_ticket", label="Fault ticket opened"),
    Disposition(code="complaint_logged", label="Complaint logged"),
    Disposition(code="callback_promised", label="Callback promised"),
    Disposition(code="wrong_number", label="Wrong number or silent call", resolved=True),
)


class Desk(_Section):
    dispositions: tuple[Disposition, ...] = Field(DEFAULT_DISPOSITIONS, min_length=1, max_length=50)
    knowledge: str = "config/knowledge"  # Markdown seeds of the knowledge base; relative to the repo
    note_max: int = Field(2000, ge=100, le=20000)  # characters of a wrap-up or escalation note

    @model_validator(mode="after")
    def _unique_codes(self) -> Desk:
        seen: set[str] = set()
        for i, item in enumerate(self.dispositions):
            if item.code in seen:
                raise ValueError(f"dispositions[{i}].code: {item.code!r} appears twice")
            seen.add(item.code)
        return self

    def disposition(self, code: str) -> Disposition | None:
        return next((d for d in self.dispositions if d.code == code), None)
