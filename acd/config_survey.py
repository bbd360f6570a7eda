"""The post-call survey's settings (`survey:` in config/acd.yaml): who is asked, what, and
in which words per language.

The daemon chooses the callers as it routes them (a share of calls, by a hash of the seed and
the call's id, so the same call is always chosen the same way, and the IVR's opt-in); the
dialplan asks them once the agent has hung up (acd/asterisk/survey.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from acd.config_types import Share, _Section

Language = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
Said = Annotated[str, Field(min_length=1, max_length=300, pattern=r"^[^\r\n{}]+$")]
Words = dict[Language, Said]  # one sentence per language


class Survey(_Section):
    enabled: bool = True
    share: Share = 0.0  # of all calls answered by an agent
    seed: str = Field("acd", min_length=1, max_length=40)  # another seed chooses other calls
    ivr_opt_in: bool = False  # the IVR asks "would you rate this call afterwards? press 1"
    timeout: int = Field(6, ge=1, le=30)  # seconds for the digit, once a question has played
    default_language: Language = "en"  # for a caller whose language has no words here
    intro: Words = {"en": "Please rate this call."}
    questions: tuple[Words, ...] = Field(
        ({"en": "How satisfied were you with the agent? Press 1 to 5, 5 is best."},),
        min_length=1,
        max_length=2,
    )
    thanks: Words = {"en": "Thank you for your rating. Goodbye."}
    opt_in: Words = {"en": "Would you rate this call afterwards? Then press 1."}

    @model_validator(mode="after")
    def _every_text_in_the_default_language(self) -> Survey:
        named = {"intro": self.intro, "thanks": self.thanks, "opt_in": self.opt_in}
        named |= {f"questions[{i}]": q for i, q in enumerate(self.questions)}
        for where, words in named.items():
            if self.default_language not in words:
                raise ValueError(f"survey.{where}: no text in {self.default_language!r}")
        return self

    def words(self, text: Words, language: str) -> tuple[str, str]:
        """(language, sentence): the caller's language where there are words for it."""
        chosen = language if language in text else self.default_language
        return chosen, text[chosen]
