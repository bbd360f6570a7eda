"""`GET /desk`: the agent's desk. The page is a frame: its script (static/desk.js) opens the live
stream and draws the pop from /api/pops as the phone rings; nothing of a call is in the HTML.
"""

from __future__ import annotations

from acd.core.people import Person
from acd.web.pages import Page


class DeskPage(Page):
    roles = ("agent",)

    async def get(self, request, person: Person | None) -> bytes:
        return self.pages.render(request, "desk.html", person)
