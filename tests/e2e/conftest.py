"""Fixtures for tests on the real PBX: Asterisk 22 in its rootfs, sipp phones, `acd run`.

They never skip in CI (CI=true): a missing piece there is a failure. Elsewhere they skip
with the reason when the host cannot run them (not root, no sipp).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import yaml

from acd import config as config_module
from acd.core import tiers
from acd.lab import sipp
from acd.lab.daemon_proc import DaemonProcess
from acd.lab.redis_proc import RedisServer
from acd.pbx.control import Pbx
from tests.e2e.browser_fixtures import pytest_runtest_makereport, sync_browser, sync_page  # noqa: F401
from tests.e2e.lab_helpers import MEASURED, call_by_caller, heard, queued_calls, tone, wait_until  # noqa: F401
from tests.lab import baresip, sipp_phones

T = TypeVar("T")

# Ports apart from the demo's, so a demo and the tests can run side by side.
SIP_PORT, AMI_PORT, AGI_PORT, HTTP_PORT, TRUNK_PORT, REDIS_PORT = 5160, 5139, 4673, 8580, 5180, 6479
CALLBACK_TRUNK_PORT = 5181  # a second carrier line: callers on it are dialled back on it
PHONES = {"1001": 6101, "1002": 6102, "1003": 6103}  # fixed seats' softphones
LOGIN_PHONES = {"1005": 6105, "1006": 6106}  # free softphones agents log in from
SUPERVISOR_PHONES = {"9001": 6109, "9002": 6110}  # role supervisor
OVERFLOW_AFTER, RING_TIMEOUT, ANNOUNCE_EVERY = 8, 6, 4  # seconds, short for the tests
SALES_WRAPUP = 4  # seconds after each sales call


class LabSecrets:
    """The lab's generated PINs and passwords, read at run time (never written into a test)."""

    config: config_module.Config | None = None

    def _config(self) -> config_module.Config:
        assert self.config is not None, "the lab_config fixture has not run"
        return self.config

    def pin(self, number: str) -> str:
        found = self._config().agent(number) or self._config().person(number)
        assert found is not None and found.pin, number
        return found.pin

    def web(self, number: str) -> tuple[str, str]:
        """(number, web password) for call_api."""
        person = self._config().person(number)
        assert person is not None and person.password, number
        return number, person.password

    def login(self, agent: str, pin: str | None = None) -> list[tuple[int, str]]:
        """The keys an agent presses after the login code: number, then PIN."""
        return [(1500, f"{agent}#"), (1500, f"{pin or self.pin(agent)}#")]


SECRETS = LabSecrets()


def _unusable() -> str | None:
    if os.geteuid() != 0:
        return "the PBX runs chrooted: needs root"
    if shutil.which("sipp") is None:
        return "sipp (Debian sip-tester) is not installed"
    if shutil.which("baresip") is None:
        return "baresip (Debian baresip-core) is not installed"
    return None


@pytest.fixture(scope="session")
def lab_config(tmp_path_factory: pytest.TempPathFactory) -> tuple[config_module.Config, Path]:
    why = _unusable()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"end-to-end tests cannot run in CI: {why}")
        pytest.skip(why)
    state = tmp_path_factory.mktemp("pbx")
    raw = yaml.safe_load(config_module.DEFAULT_PATH.read_text())
    raw["ami"]["port"] = AMI_PORT
    raw["fastagi"]["port"] = AGI_PORT
    raw["http"]["port"] = HTTP_PORT
    raw["pbx"].update(
        state_dir=str(state),
        sip={"host": "127.0.0.1", "port": SIP_PORT},
        rtp_ports=[31000, 31999],
        rootfs=os.environ.get("ACD_ROOTFS", raw["pbx"]["rootfs"]),
    )
    raw["trunks"] = [
        {"name": "carrier", "match": f"127.0.0.1:{TRUNK_PORT}"},
        {"name": "carrier-b", "match": f"127.0.0.1:{CALLBACK_TRUNK_PORT}"},
    ]
    raw["callback"].update(trunk="carrier-b", ring=10, retry_after=5)
    # nobody rated after their call (tests/e2e/test_survey.py starts a daemon that asks everyone)
    raw["survey"].update(share=0.0, ivr_opt_in=False)
    # a checkpoint every 6 s if anything is new: each daemon here forks its checkpoints' child
    # as a busy day's does (tests/e2e/test_restart_counts.py restarts from one)
    raw["journal"] = {**raw.get("journal", {}), "checkpoint_minutes": 0.1}
    raw["store"] = {"url": f"sqlite:///{state.parent / (state.name + '-store') / 'acd.sqlite3'}"}
    raw["redis"] = {"url": f"redis://127.0.0.1:{REDIS_PORT}/0", "prefix": "acdtest"}
    raw["secrets_file"] = str(state.parent / f"{state.name}-secrets" / "acd.secrets.yaml")
    raw["security_log"] = str(state.parent / f"{state.name}-log" / "acd-security.log")
    # the same argon2id, at a cost a shared two-core machine seeds the staff table with quickly
    raw["hashing"] = {"time_cost": 1, "memory_kib": 8192, "parallelism": 1}
    # every first-line call is recorded (also by the dialplan alone when the daemon is down);
    # nothing else unless an agent asks
    raw["recording"] = {
        "folder": str(state.parent / f"{state.name}-recordings"),
        "share": 0.0,
        "queues": {"support": 1.0},
        "new_agents": 0.0,
    }
    for queue in raw["queues"]:
        queue["ring_timeout"] = RING_TIMEOUT
        if "overflow_to" in queue:
            queue["overflow_after"] = OVERFLOW_AFTER
        if queue.get("announce_every"):
            queue["announce_every"] = ANNOUNCE_EVERY
        if queue["name"] == "sales":
            queue["wrapup"] = SALES_WRAPUP
    path = state.parent / f"{state.name}-acd.yaml"
    path.write_text(yaml.safe_dump(raw))
    SECRETS.config = config_module.load(path)
    return SECRETS.config, path


@pytest.fixture(scope="session")
def redis_server(lab_config, tmp_path_factory) -> Iterator[RedisServer]:
    config, _ = lab_config
    server = RedisServer(config.redis.url, tmp_path_factory.mktemp("redis"), config.redis.password)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pbx(lab_config, redis_server) -> Iterator[Pbx]:
    config, _ = lab_config
    pbx = Pbx(config)
    pbx.up(say=lambda line: None)
    yield pbx
    pbx.down(say=lambda line: None)


@pytest.fixture(autouse=True)
def fresh_agents(request) -> Iterator[None]:
    """Each test starts with the agents as configured: nobody logged in from a free phone,
    no fixed seat paused, nothing remembered in redis or in the day's journal."""
    yield
    if "pbx" not in request.fixturenames:
        return
    pbx, (config, _) = request.getfixturevalue("pbx"), request.getfixturevalue("lab_config")
    queues = [q.name for q in config.queues] + [tiers.personal_queue(a.number) for a in config.agents]
    for phone in LOGIN_PHONES:
        for queue in queues:
            pbx.cli(f"queue remove member PJSIP/{phone} from {queue}")
    for phone in PHONES:
        pbx.cli(f"queue unpause member PJSIP/{phone}")
    import redis

    client = redis.Redis.from_url(config.redis.url, password=config.redis.password)
    client.delete(f"{config.redis.prefix}:agents")
    client.close()
    forget_the_day(config.store.url, pbx.queue_log)


def forget_the_day(url: str, queue_log_path: Path | None = None) -> None:
    """The daemon's memory is the journal too: a restart folds the day back into the agents
    book, so a pause an earlier test's agent took would come back in the next test's daemon.
    And queue_log: a start enters the day's facts the journal lacks, an earlier test's calls
    too once their journal is gone. Asterisk appends to it, so it may be emptied under it."""
    if queue_log_path is not None and queue_log_path.exists():
        with open(queue_log_path, "r+") as handle:
            handle.truncate(0)
    import sqlalchemy

    from acd.store import db

    engine = db.engine(url)
    try:
        tables = sqlalchemy.inspect(engine).get_table_names()
        with engine.begin() as connection:
            for table in ("journal", "journal_snapshots", "complaint_cases"):  # checkpoints, open cases
                if table in tables:
                    connection.execute(sqlalchemy.text(f"DELETE FROM {table}"))
    finally:
        engine.dispose()


@pytest.fixture
def daemon(pbx: Pbx, lab_config, tmp_path: Path) -> Iterator[DaemonProcess]:
    config, path = lab_config
    process = DaemonProcess(config, path, tmp_path / "daemon.log")
    yield process
    process.stop()


@pytest.fixture
def phones(pbx: Pbx, lab_config, tmp_path: Path) -> Iterator[Callable[..., list[sipp.AgentPhone]]]:
    """Start agents' softphones: phones(talk_ms=..., names=[...])."""
    config, _ = lab_config
    target = sipp.Pbx(port=config.pbx.sip.port)
    passwords = {p.name: p.password for p in config.phones}
    started: list[sipp.AgentPhone] = []

    def start(
        talk_ms: int = 2000, names: tuple[str, ...] = tuple(PHONES), unanswered: bool = False
    ) -> list[sipp.Process]:
        ports = {**PHONES, **LOGIN_PHONES, **SUPERVISOR_PHONES}
        for name in names:
            media = 42000 + 20 * len(started)
            if unanswered:
                started.append(
                    sipp_phones.UnansweredPhone(target, tmp_path, name, passwords[name], ports[name], media)
                )
            else:
                started.append(
                    sipp.AgentPhone(
                        target, tmp_path, name, passwords[name], ports[name], talk_ms, media_port=media
                    )
                )
        return started

    yield start
    for phone in started:
        phone.stop()


@pytest.fixture
def softphone(pbx: Pbx, lab_config, tmp_path: Path) -> Iterator[Callable[..., sipp.Process]]:
    """A free softphone dials a feature code: softphone("1005", "*70", keys=[(1500, "2003#")])."""
    config, _ = lab_config
    passwords = {p.name: p.password for p in config.phones}
    started: list[sipp.Process] = []

    def dial(phone: str, dialled: str, keys=(), patience_ms: int = 15000) -> sipp.Process:
        process = sipp_phones.phone_call(
            sipp.Pbx(port=config.pbx.sip.port),
            tmp_path,
            phone,
            passwords[phone],
            dialled,
            keys=keys,
            patience_ms=patience_ms,
            media_port=44000 + 10 * len(started),
            name=f"dial{len(started)}",
        )
        started.append(process)
        return process

    yield dial
    for process in started:
        process.stop()


@pytest.fixture
def call(pbx: Pbx, lab_config, tmp_path: Path) -> Iterator[Callable[..., sipp.Process]]:
    """Place carrier calls: call(["5551001", ...], dialled="100", rate=1, patience_ms=...)."""
    config, _ = lab_config
    target = sipp.Pbx(port=config.pbx.sip.port)
    started: list[sipp.Process] = []

    def place(
        numbers: list[str], dialled: str = "100", trunk_port: int = TRUNK_PORT, **options
    ) -> sipp.Process:
        process = sipp.callers(
            target,
            tmp_path,
            [(n, dialled) for n in numbers],
            trunk_port=trunk_port,
            media_port=43000 + 100 * len(started),
            name=f"callers{len(started)}",
            **options,
        )
        started.append(process)
        return process

    yield place
    for process in started:
        process.stop()
    pbx.cli("channel request hangup all")  # sipp leaves orphans when it gives up (no RTP, no timers)


@pytest.fixture
def audio_phones(pbx: Pbx, lab_config, tmp_path: Path) -> Iterator[Callable[..., baresip.Softphone]]:
    """Softphones that play a tone and record what they hear (Debian's baresip):
    audio_phones("agent", 1000, phone="1001") registers a phone (answering at once unless
    answer=False); audio_phones("caller", 500, caller_id="5558001") is a carrier caller."""
    config, _ = lab_config
    passwords = {p.name: p.password for p in config.phones}
    pbx_address = f"127.0.0.1:{config.pbx.sip.port}"
    started: list[baresip.Softphone] = []

    def start(
        name: str, hz: float, phone: str | None = None, caller_id: str | None = None, answer: bool = True
    ) -> baresip.Softphone:
        n = len(started)
        source = tone(tmp_path, hz)
        if caller_id is not None:
            sip_port, account = TRUNK_PORT, baresip.trunk_account(caller_id, TRUNK_PORT)
        else:
            sip_port, account = (
                6201 + 10 * n,
                baresip.registered_account(phone, passwords[phone], pbx_address, answer),
            )
        softphone = baresip.Softphone(
            tmp_path, name, sip_port, 6305 + 10 * n, (46000 + 100 * n, 46099 + 100 * n), source, account
        )
        started.append(softphone)
        if caller_id is None:
            softphone.wait_registered()
        return softphone

    yield start
    for softphone in started:
        softphone.stop()


@pytest.fixture(scope="session")
def customers(lab_config) -> Callable[..., int]:
    """Add a customer to the lab's store: customers("Anna Schmidt", ["+4930111"], ...) -> id.
    The store lasts the session: a number another test's customer has is refused (a shared
    number is no match, and that test's pops and last agents would silently change)."""
    from acd.store import db
    from acd.store.models import Account, Customer, PhoneNumber

    config, _ = lab_config
    db.migrate(config.store.url)
    sessions = db.sessions(db.engine(config.store.url))
    owners: dict[str, str] = {}  # number -> the test that gave it to a customer

    def add(
        name: str,
        numbers: list[str],
        language: str | None = "en",
        vip: bool = False,
        segment: str = "standard",
        accounts: tuple[str, ...] = (),
        born: str | None = None,
        postcode: str | None = None,
    ) -> int:
        test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
        for number in numbers:
            taken = owners.setdefault(number, test)
            assert taken == test, f"{number} is already a customer's in {taken}: take a fresh number"
        with sessions.begin() as session:
            customer = Customer(
                name=name,
                language=language,
                vip=vip,
                segment=segment,
                postcode=postcode,
                date_of_birth=dt.date.fromisoformat(born) if born else None,
            )
            customer.numbers = [PhoneNumber(number=n) for n in numbers]
            customer.accounts = [Account(number=a, last_payment_euros=42) for a in accounts]
            session.add(customer)
            session.flush()
            return customer.id

    return add


@pytest.fixture
def ami(lab_config):
    """The PBX's own AMI events, read beside the daemon (see ami_watch.py)."""
    from tests.e2e.ami_watch import AmiWatch

    config, _ = lab_config
    watch = AmiWatch(config.ami.host, config.ami.port, config.ami.watch_username, config.ami.watch_secret)
    yield watch
    watch.close()


def pytest_terminal_summary(terminalreporter) -> None:
    if not MEASURED:
        return
    terminalreporter.section("tone levels: peak dBFS, and whether heard (sustained, narrow)")
    for test, party, found in MEASURED:
        cells = "  ".join(
            f"{hz:>4.0f} Hz {lvl.peak_dbfs:6.1f} {'heard' if lvl.heard else '-    '}"
            for hz, lvl in found.items()
        )
        terminalreporter.write_line(f"{test:<28} {party:<11} {cells}")
