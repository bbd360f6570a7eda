"""`GET /knowledge`: the back office's knowledge base, for supervisors and admins. The page is
a frame: its script (static/knowledge.js) lists the agents' open questions with an answer form
each (the answer becomes an entry) and the entries by category with an edit form each, all
through /api/kb; nothing of a question or an entry is in the HTML.
"""

from __future__ import annotations

from acd.core.people import Person
from acd.web.base import HttpError
from acd.web.knowledge import EDITORS
from acd.web.pages import Page


class KnowledgePage(Page):
    roles = EDITORS

    async def get(self, request, person: Person | None) -> bytes:
        if request.postpath not in ([], [b""]):
            raise HttpError(404, "not found")
        return self.pages.render(request, "knowledge.html", person)
