"""`/admin/staff`: the staff records for admins: list, add, disable or enable, set a password.

Every change is a form post with the session's CSRF token (acd/web/base.py) and ends the
person's sessions at once (their record's version moves too, so a daemon that missed this
one still ends them). An admin cannot disable themselves: the last admin would lock everyone out.
"""

from __future__ import annotations

from urllib.parse import quote

from acd.core.people import ROLES, Person
from acd.store.staff import StaffError
from acd.web.base import HttpError, form
from acd.web.pages import Page, Redirect
from acd.web.signin import FieldError, field


def _names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.replace(" ", ",").split(",") if n.strip())


class AdminStaff(Page):
    roles = ("admin",)

    async def get(self, request, person: Person | None) -> bytes | Redirect:
        if request.postpath not in ([], [b""]):
            raise HttpError(404, "not found")
        done = request.args.get(b"done", [b""])[0][:80].decode("utf-8", "replace")
        return self.listing(request, person, notice=done)

    def listing(self, request, person: Person | None, status: int = 200, notice: str = "", error: str = ""):
        people = sorted(self.login.people.people.values(), key=lambda p: (p.role, p.number))
        return self.pages.render(
            request,
            "admin_staff.html",
            person,
            status,
            people=people,
            roles=ROLES,
            notice=notice,
            error=error,
        )

    async def post(self, request, person: Person | None) -> bytes | Redirect:
        assert person is not None  # admins only: who() checked
        action = request.postpath[0].decode("ascii", "replace") if request.postpath else ""
        try:
            number = field(request, b"number", 20)
            if action == "add":
                done = await self._add(request)
            elif action in ("disable", "enable"):
                if number == person.number:
                    raise StaffError("you cannot disable yourself")
                await self.login.people.set_disabled(number, action == "disable")
                done = f"{number} {action}d"
            elif action == "password":
                await self.login.people.set_password(number, field(request, b"password", 200))
                done = f"new password for {number}"
            else:
                raise HttpError(404, "not found")
        except (StaffError, FieldError) as no:
            return self.listing(request, person, 400, error=str(no))
        if action != "add":
            self.login.sessions.end_for(number)
        return Redirect("/admin/staff?done=" + quote(done))

    async def _add(self, request) -> str:
        fields = form(request)
        made = Person(
            field(request, b"number", 20),
            field(request, b"name", 60).strip(),
            field(request, b"role", 20),
            _names(field(request, b"teams", 400)),
            field(request, b"phone", 20) or None,
            _names(field(request, b"queues", 400)),
        )
        password = field(request, b"password", 200)
        pin = field(request, b"pin", 8) if fields.get(b"pin") and fields[b"pin"][0] else None
        added = await self.login.people.add(made, password or None, pin)
        return f"added {added.number}"
