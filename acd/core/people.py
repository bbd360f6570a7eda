"""Who works here, as every screen and desk sees them: a person's number, name and role, and
what each role may reach.

Roles: an agent sees only their own pops, history and events; a supervisor their teams'
agents and the queues those serve; a quality reviewer every recording; an admin everything,
and the staff records themselves.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ROLES = ("agent", "supervisor", "quality", "admin")
STAFF_ROLES = ROLES[1:]
HOME = {"agent": "/desk", "supervisor": "/wall", "admin": "/wall", "quality": "/"}


@dataclass(frozen=True)
class Person:
    """One record of the staff table, without its secrets. `version` changes whenever the
    person's credentials or standing change (a new password, disabled): sessions made under
    an older version end."""

    number: str
    name: str
    role: str
    teams: tuple[str, ...] = ()
    phone: str | None = None
    queues: tuple[str, ...] = ()  # agents: the queues they serve
    disabled: bool = False
    version: int = 1
    manager: str = ""  # whom their complaint cases go to past a deadline ("" : acd/core/cases.py)

    @property
    def team(self) -> str | None:
        """An agent's team (agents belong to one)."""
        return self.teams[0] if self.teams else None


def home(person: Person) -> str:
    """Where a person lands after signing in: their role's screen."""
    return HOME.get(person.role, "/")


def may_sign_in(person: Person | None) -> bool:
    return person is not None and not person.disabled and person.role in ROLES


@dataclass(frozen=True)
class Session:
    """A signed-in browser, as the server keeps it (acd/web/sessions.py): never its cookie."""

    key: str  # sha256 of the cookie's id, hex
    number: str
    version: int  # the person's record version at sign-in
    created: float
    seen: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> Session:
        """A record read back from redis: anything odd is refused (ValueError)."""
        if not isinstance(data, dict):
            raise ValueError("a session record is an object")  # noqa: TRY004  bad data, as for every field
        key, number, version = data.get("key"), data.get("number"), data.get("version")
        created, seen = data.get("created"), data.get("seen")
        if not (isinstance(key, str) and len(key) == 64 and isinstance(number, str) and number.isdigit()):
            raise ValueError("bad session key or number")
        if not isinstance(version, int) or isinstance(version, bool):
            raise ValueError("bad session version")  # noqa: TRY004  bad data
        if not all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in (created, seen)):
            raise ValueError("bad session times")
        return cls(key, number, version, float(created), float(seen))  # type: ignore[arg-type]
