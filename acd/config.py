"""The daemon's configuration: `config/acd.yaml`, read once into frozen, typed objects.

An unknown key or a bad value stops start-up with a message naming the key's path
(``queues[0].ring_timeout: ...``), so a typo never silently falls back to a default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
import yaml
from pydantic import Field, field_validator, model_validator

from acd import credentials
from acd.config_cases import Cases, check_cases
from acd.config_desk import WRAPUP, Desk
from acd.config_journal import Journal, TimeZone
from acd.config_metrics import Metrics
from acd.config_people import Agent, Staff, check_staff
from acd.config_phone import Callback, Features
from acd.config_planning import Planning
from acd.config_pop import Pop
from acd.config_push import Push
from acd.config_survey import Survey
from acd.config_types import Digits, Listen, Name, Port, Secret, Share, _Section, unique
from acd.config_wall import Wallboard
from acd.config_web import Hashing, Http
from acd.core import pops, recording, tiers

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "config" / "acd.yaml"
DEFAULT_SECRETS = "var/secrets/acd.secrets.yaml"


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and why."""


class Ami(Listen):
    port: Port = 5039
    username: Name = "acd"
    secret: Secret  # from the secrets file, never from acd.yaml
    watch_username: Name = "acd-watch"  # a read-only login for observers (tests, monitoring)
    watch_secret: Secret
    reconnect_min: float = Field(0.5, gt=0)
    reconnect_max: float = Field(30.0, gt=0)


class FastAgi(Listen):
    port: Port = 4573
    token: Secret  # the dialplan's proof on every session (secrets file)
    header_timeout: float = Field(5.0, gt=0)
    route_timeout: float = Field(300.0, gt=0)  # seconds a session (IVR included) may last
    max_connections: int = Field(300, ge=1, le=10000)  # sessions open at once; more are closed unread
    # of those, not yet past the token: the oldest is dropped for a newcomer (Asterisk's come
    # with their headers at once; a crowd that sends nothing cannot keep a call out)
    max_unauthenticated: int = Field(32, ge=1, le=10000)

    @model_validator(mode="after")
    def _unauthenticated_within(self) -> FastAgi:
        if self.max_unauthenticated > self.max_connections:
            raise ValueError("max_unauthenticated: must not exceed max_connections")
        return self


class Pbx(_Section):
    """Where and how the chrooted Asterisk runs (ignored when Asterisk runs in Docker)."""

    rootfs: str = "/var/cache/acd/rootfs"
    state_dir: str = "var/pbx"
    sip: Listen = Listen(port=5060)
    rtp_ports: tuple[Port, Port] = (20000, 29999)
    sounds_language: str = "en"


class Store(_Section):
    """The customer store: a SQLite file (relative to the repo) or a PostgreSQL URL."""

    url: str = Field("sqlite:///var/store/acd.sqlite3", pattern=r"^(sqlite|postgresql)(\+\w+)?://")


class Numbers(_Section):
    """How caller IDs are read: national numbers get this country code."""

    country_code: str = Field("49", pattern=r"^[1-9][0-9]{0,2}$")
    national_prefix: str = Field("0", pattern=r"^[0-9]{0,2}$")
    international_prefix: str = Field("00", pattern=r"^[0-9]{1,4}$")


class Greeting(_Section):
    """What a known caller hears first; {name} is the customer's name."""

    enabled: bool = True
    text: dict[str, str] = {
        "en": "Hello {name}, welcome back.",
        "de": "Guten Tag {name}, schön, dass Sie wieder anrufen.",
    }
    default_language: str = "en"
    name: Literal["full", "first", "none"] = "full"  # how much of the name the caller ID earns
    text_without_name: dict[str, str] = {
        "en": "Hello, welcome back.",
        "de": "Guten Tag, schön, dass Sie wieder anrufen.",
    }


class Trunk(_Section):
    name: Name
    match: str  # address[:port] the carrier sends from

    @field_validator("match")
    @classmethod
    def _address_and_port(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9.]+(/[0-9]+)?(:[0-9]{1,5})?", value):
            raise ValueError("expected an IPv4 address, optionally /prefix and :port")
        return value


class Queue(_Section):
    name: Name
    strategy: Literal["ringall", "leastrecent", "fewestcalls", "random", "rrmemory", "linear"] = "rrmemory"
    ring_timeout: int = Field(15, ge=1, le=300)
    retry: int = Field(1, ge=0, le=60)
    wrapup: int = Field(0, ge=0, le=3600)
    max_wait: int = Field(600, ge=5, le=86400)
    service_level: int = Field(20, ge=1, le=3600)  # seconds: answered within it counts as in service
    line: int = Field(1, ge=1, le=3)  # first, second or third line
    overflow_to: Name | None = None  # the next line: its agents also take this queue's
    overflow_after: int = Field(30, ge=1, le=3600)  # callers once they waited this long
    announce_every: int = Field(0, ge=0, le=3600)  # tell waiting callers position and EWT (0: never)
    ring_in_use: bool = False  # ring members already on a call (load tests, shared trunks)


class Phone(_Section):
    """A SIP softphone account an agent or supervisor logs in from."""

    name: Digits
    password: Secret
    role: Literal["agent", "supervisor"] = "agent"  # only supervisor phones may listen in


class Recording(_Section):
    """Which calls MixMonitor records (shares of calls, 0 to 1), where, and for how long."""

    folder: str = "var/recordings"  # relative to the repo; the PBX writes there
    share: Share = 0.0  # of every call...
    lines: dict[Annotated[int, Field(ge=1, le=3)], Share] = {}  # ...unless the line has its own...
    queues: dict[Name, Share] = {}  # ...or the queue...
    agents: dict[Digits, Share] = {}  # ...or the agent
    new_agents: Share = 0.0  # at least this share for agents hired recently
    new_agent_days: int = Field(90, ge=1, le=3650)
    retention_days: int = Field(90, ge=1, le=3650)


class Redis(_Section):
    """Live agent state survives a daemon restart here."""

    url: str = Field("redis://127.0.0.1:6390/0", pattern=r"^redis://[^@]*$")  # no password in it
    prefix: str = Field("acd", pattern=r"^[a-z][a-z0-9_-]{0,20}$")
    password: Secret  # from the secrets file
    # connections at most (more callers wait for one); within descriptors.MARGIN's 64
    max_connections: int = Field(16, ge=1, le=32)
    timeout: float = Field(2.0, gt=0, le=30)  # seconds to connect, to answer, and to wait for a connection


class Routing(_Section):
    default_queue: Name
    numbers: dict[Digits, Name] = {}  # dialled number (DID) -> queue, straight in
    ivr: tuple[Digits, ...] = ()  # dialled numbers whose callers go through the IVR first
    ivr_menu: str = "config/ivr.yaml"  # relative to the repo
    last_agent_window: int = Field(86400, ge=0)  # a repeat caller within this many seconds...
    last_agent_ring: int = Field(8, ge=1, le=60)  # ...rings their last agent this long first


class Config(_Section):
    secrets_file: str = DEFAULT_SECRETS  # relative to the repo; made on first use
    security_log: str = "var/log/acd-security.log"  # relative to the repo; fail2ban reads it
    ami: Ami
    fastagi: FastAgi
    http: Http
    push: Push = Push()
    wallboard: Wallboard = Wallboard()
    pbx: Pbx = Pbx()
    trunks: tuple[Trunk, ...] = Field(min_length=1)
    queues: tuple[Queue, ...] = Field(min_length=1)
    phones: tuple[Phone, ...] = ()
    agents: tuple[Agent, ...] = ()
    staff: tuple[Staff, ...] = ()
    routing: Routing
    store: Store = Store()
    journal: Journal = Journal()
    timezone: TimeZone = ""  # where the day's counters restart at midnight; "" = the host's
    numbers: Numbers = Numbers()
    greeting: Greeting = Greeting()
    features: Features = Features()
    callback: Callback | None = None
    survey: Survey = Survey()
    planning: Planning = Planning()
    metrics: Metrics = Metrics()
    cases: Cases = Cases()
    recording: Recording = Recording()
    pop: Pop = Pop()
    desk: Desk = Desk()
    redis: Redis
    hashing: Hashing = Hashing()

    @model_validator(mode="after")
    def _references_exist(self) -> Config:
        queues = {q.name for q in self.queues}
        phones = {p.name for p in self.phones}
        wanted = [("routing.default_queue", self.routing.default_queue)]
        wanted += [(f"routing.numbers.{num}", q) for num, q in self.routing.numbers.items()]
        for num in self.routing.ivr:
            if num in self.routing.numbers:
                raise ValueError(f"routing.ivr: {num} is also in routing.numbers")
        wanted += [
            (f"queues[{i}].overflow_to", q.overflow_to) for i, q in enumerate(self.queues) if q.overflow_to
        ]
        for i, queue in enumerate(self.queues):
            if queue.overflow_to == queue.name:
                raise ValueError(f"queues[{i}].overflow_to: a queue cannot overflow into itself")
        for i, agent in enumerate(self.agents):
            wanted += [(f"agents[{i}].queues", q) for q in agent.queues]
            if agent.phone is not None and agent.phone not in phones:
                raise ValueError(f"agents[{i}].phone: no phone named {agent.phone!r}")
        wanted += [("metrics.sales_queues", q) for q in self.metrics.sales_queues]
        for where, name in wanted:
            if name not in queues:
                raise ValueError(f"{where}: no queue named {name!r}")
        unique("queues", [q.name for q in self.queues])
        unique("agents", [a.number for a in self.agents])
        unique("phones", [p.name for p in self.phones])
        if self.callback is not None and self.callback.trunk not in {t.name for t in self.trunks}:
            raise ValueError(f"callback.trunk: no trunk named {self.callback.trunk!r}")
        features = self.features.model_dump()
        _prefix_free("features", {k: features[k] for k in DIALLED_CODES})
        _prefix_free("features", {k: features[k] for k in CALL_CODES})
        if WRAPUP in self.features.pause_reasons.values():
            raise ValueError(f"features.pause_reasons: {WRAPUP!r} is the wrap-up hold's own reason")
        if self.push.max_streams >= self.http.max_connections:  # streams would hold every connection
            raise ValueError("push.max_streams: must be below http.max_connections")
        if self.wallboard.max_viewers >= self.http.max_connections:
            raise ValueError("wallboard.max_viewers: must be below http.max_connections")
        if unknown := set(self.metrics.sale_dispositions) - {d.code for d in self.desk.dispositions}:
            raise ValueError(f"metrics.sale_dispositions: no disposition {sorted(unknown)[0]!r}")
        check_staff(self, queues)
        check_cases(self)
        return self

    def queue(self, name: str) -> Queue:
        return next(q for q in self.queues if q.name == name)

    def lines(self) -> list[tiers.Line]:
        return [tiers.Line(q.name, q.line, q.overflow_to, float(q.overflow_after)) for q in self.queues]

    def agent(self, number: str) -> Agent | None:
        return next((a for a in self.agents if a.number == number), None)

    def person(self, number: str) -> Staff | None:
        return next((s for s in self.staff if s.number == number), None)

    def phone(self, name: str) -> Phone | None:
        return next((p for p in self.phones if p.name == name), None)

    def ivr_path(self) -> Path:
        return _in_repo(self.routing.ivr_menu)

    def recordings_path(self) -> Path:
        return _in_repo(self.recording.folder)

    def knowledge_path(self) -> Path:
        return _in_repo(self.desk.knowledge)

    def secrets_path(self) -> Path:
        return _in_repo(self.secrets_file)

    def security_log_path(self) -> Path:
        return _in_repo(self.security_log)

    def tls_paths(self) -> tuple[Path, Path] | None:
        """The web's certificate and key files, when HTTPS is configured."""
        if self.http.tls_cert is None or self.http.tls_key is None:
            return None
        return _in_repo(self.http.tls_cert), _in_repo(self.http.tls_key)


DIALLED_CODES = ("login", "pause", "resume", "logout", "monitor", "whisper", "barge")
CALL_CODES = ("escalate", "record", "record_pause")


def recording_policy(config: Config) -> recording.Policy:
    """The core's view of the recording section."""
    rec = config.recording
    return recording.Policy(
        rec.share,
        dict(rec.queues),
        dict(rec.lines),
        dict(rec.agents),
        rec.new_agents,
        rec.new_agent_days,
        rec.retention_days,
        {q.name: q.line for q in config.queues},
    )


def pop_seats(config: Config) -> pops.Seats:
    """What the pop needs of the config: lines, agents' own queues, hire dates, recording."""
    return pops.Seats(
        {q.name: q.line for q in config.queues},
        {a.number: frozenset(a.queues) for a in config.agents},
        {a.number: a.hired for a in config.agents},
        recording_policy(config),
    )


def _in_repo(name: str) -> Path:
    path = Path(name)
    return path if path.is_absolute() else DEFAULT_PATH.parents[1] / path


def _prefix_free(section: str, codes: dict[str, str]) -> None:
    """Asterisk waits for more digits while a typed code could still become another one."""
    keys = list(codes)
    for i, key in enumerate(keys):
        for other_key in keys[i + 1 :] + keys[:i]:
            code, other = codes[key], codes[other_key]
            if other == code and keys.index(other_key) > i:
                raise ValueError(f"{section}.{other_key}: {other!r} is also {key}")
            if other != code and other.startswith(code):
                raise ValueError(f"{section}.{other_key}: {other!r} begins with {key}'s {code!r}")


def read_yaml(path: Path) -> object:
    """The file's YAML, or a ConfigError that names the file and what is wrong."""
    try:
        return yaml.safe_load(path.read_text())
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None


def load(path: Path | str = DEFAULT_PATH, write_secrets: bool = True) -> Config:
    """acd.yaml, with its secrets from the secrets file (made or topped up on first use,
    unless `write_secrets` is False: then missing ones are made in memory only)."""
    path = Path(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    secrets_path = secrets_path_of(raw)
    try:
        credentials.refuse_secrets_in(raw, secrets_path)
        values = credentials.load(secrets_path, raw, write=write_secrets)
    except (credentials.SecretsError, OSError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return parse(raw, source=str(path), secrets=values)


def secrets_path_of(raw: dict) -> Path:
    name = raw.get("secrets_file", DEFAULT_SECRETS)
    return _in_repo(name if isinstance(name, str) else DEFAULT_SECRETS)


def parse(raw: object, source: str = "<config>", secrets: dict | None = None) -> Config:
    """acd.yaml's data as a Config; without `secrets` (unit tests) fresh ones are made in memory."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    try:
        credentials.refuse_secrets_in(raw, secrets_path_of(raw))
        complete = credentials.inject(raw, secrets if secrets is not None else credentials.generated(raw))
        return Config.model_validate(lists_to_tuples(complete))
    except credentials.SecretsError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    except pydantic.ValidationError as exc:
        raise ConfigError(f"{source}: " + "; ".join(describe_error(e) for e in exc.errors())) from None


def lists_to_tuples(value: object) -> object:
    """YAML gives lists; strict mode wants the tuples the frozen models hold."""
    if isinstance(value, list):
        return tuple(lists_to_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: lists_to_tuples(v) for k, v in value.items()}
    return value


def describe_error(error: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in error["loc"])
    where = re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", where)
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown key"
    message = error["msg"].removeprefix("Value error, ")
    if where:
        return f"{where}: {message}"
    return message
