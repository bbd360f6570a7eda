"""The knowledge base over HTTP: searched from every desk, written by supervisors and admins;
an agent's unanswered question goes to the back office's list, whose answer becomes an entry.

GET  /api/kb?q=&category=              entries with every word of q (any signed-in person)
GET  /api/kb/categories                the categories that hold entries (any signed-in person)
POST /api/kb {category, title, body}   a new entry (supervisor, admin)
PUT  /api/kb/<id> {category, title, body}   the entry edited (supervisor, admin)
POST /api/kb/questions {question, call?, category?}   an agent's question, with the call
GET  /api/kb/questions[?all=1]         the back office's list (supervisor, admin)
POST /api/kb/questions/<id>/answer {title, body, category?}   the answer, now an entry
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from acd.store import knowledge
from acd.store.directory import Directory
from acd.web.auth import Forbidden, StaffLogin
from acd.web.base import AsyncJson, HttpError
from acd.web.desk import agent_of, body_of, text_field

EDITORS = ("supervisor", "admin")
_ID = re.compile(rb"[1-9][0-9]{0,17}")
_CATEGORY = re.compile(r"[a-z][a-z0-9_-]{0,39}")
_CALL = re.compile(r"[A-Za-z0-9._-]{1,64}")
REQUEST_MOST = 6 * knowledge.ENTRY_MOST + 8192  # bytes: the text JSON-escaped (\u00e9), and the rest


def editor(person: Any) -> str:
    if person.role not in EDITORS:
        raise Forbidden("only supervisors and admins edit the knowledge base")
    return str(person.number)


def category_field(body: dict[str, Any], required: bool) -> str | None:
    value = body.get("category")
    if value is None and not required:
        return None
    if not isinstance(value, str) or not _CATEGORY.fullmatch(value):
        raise HttpError(400, "category: lower-case letters, digits, _ or - (an IVR category)")
    return value


class KnowledgeApi(AsyncJson):
    def __init__(
        self, login: StaffLogin, directory: Directory, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(login)
        self.directory, self.clock = directory, clock

    def render_PUT(self, request) -> object:
        return self._run(request, self.put)

    async def get(self, request) -> object:
        person = self.person(request)
        path = [p for p in request.postpath if p]
        if path == [b"questions"]:
            editor(person)
            everything = request.args.get(b"all", [b""])[0] == b"1"
            return {"questions": await self.directory.read(knowledge.questions, not everything)}
        if path == [b"categories"]:
            return {"categories": await self.directory.read(knowledge.categories)}
        if path:
            raise HttpError(404, "not found")
        q = request.args.get(b"q", [b""])[0].decode("utf-8", "replace")
        if len(q) > 200:
            raise HttpError(400, "q: at most 200 characters")
        raw = request.args.get(b"category", [b""])[0].decode("utf-8", "replace")
        category = category_field({"category": raw}, True) if raw else None
        return {"entries": await self.directory.read(knowledge.search, q, category)}

    async def post(self, request) -> object:
        person = self.person(request)
        path = [p for p in request.postpath if p]
        body = body_of(request, REQUEST_MOST)
        if path == [b"questions"]:
            return 201, await self._ask(agent_of(person), body)
        if len(path) == 3 and path[0] == b"questions" and path[2] == b"answer" and _ID.fullmatch(path[1]):
            return 201, await self._answer(editor(person), int(path[1]), body)
        if path:
            raise HttpError(404, "not found")
        by = editor(person)
        category, title, text = self._entry(body)
        entry = await self.directory.write(knowledge.add_entry, category, title, text, by, self.clock())
        return 201, {"entry": entry}

    async def put(self, request) -> object:
        person = self.person(request)
        by = editor(person)
        path = [p for p in request.postpath if p]
        if len(path) != 1 or not _ID.fullmatch(path[0]):
            raise HttpError(404, "not found")
        category, title, text = self._entry(body_of(request, REQUEST_MOST))
        entry = await self.directory.write(
            knowledge.update_entry, int(path[0]), category, title, text, by, self.clock()
        )
        if entry is None:
            raise HttpError(404, "no such entry")
        return {"entry": entry}

    def _entry(self, body: dict[str, Any]) -> tuple[str, str, str]:
        category = category_field(body, True)
        assert category is not None
        return (
            category,
            text_field(body, "title", 200, True),
            text_field(body, "body", knowledge.ENTRY_MOST, True),
        )

    async def _ask(self, agent: str, body: dict[str, Any]) -> dict[str, int]:
        question = text_field(body, "question", 2000, True)
        call = body.get("call")
        if call is not None and (not isinstance(call, str) or not _CALL.fullmatch(call)):
            raise HttpError(400, "call: a linked id")
        category = category_field(body, False)
        found = await self.directory.write(knowledge.ask, question, agent, call, category, self.clock())
        return {"id": found}

    async def _answer(self, by: str, question: int, body: dict[str, Any]) -> dict[str, Any]:
        title, text = (
            text_field(body, "title", 200, True),
            text_field(body, "body", knowledge.ENTRY_MOST, True),
        )
        category = category_field(body, False)
        entry = await self.directory.write(
            knowledge.answer, question, title, text, category, by, self.clock()
        )
        if entry is None:
            raise HttpError(404, "no open question with that id")
        return {"entry": entry}
