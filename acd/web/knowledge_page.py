"""`GET /knowledge`: the back office's knowledge base, for supervisors and admins. The page is
a frame: its script (static/knowledge.js) lists the agents' open questions with an answer form
each (the answer becomes an entry) and the entries by category with an edit form each, all
through /api/kb; nothing of a question or an entry is in the HTML.
"""

from __future__ import annotations

from acd.web.knowledge import EDITORS
from acd.web.pages import Frame


class KnowledgePage(Frame):
    roles = EDITORS
    template = "knowledge.html"
