"""Asterisk's configuration, made from the repo's templates and config/acd.yaml.

Static files live in config/asterisk/ and dialplan/ with @TOKENS@ for the values acd.yaml
owns (ports, secrets, paths); trunks, phones and queues are generated whole. Nothing is
edited by hand inside the rootfs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from acd.asterisk import channel_vars
from acd.config import Config, recording_policy
from acd.core import recording, tiers
from acd.credentials import ENGINE_GROUP
from acd.pbx import permissions
from acd.pbx.users import ROOTFS_USER, Ids
from acd.store.db import sqlite_path

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = (REPO / "config" / "asterisk", REPO / "dialplan")
_TOKEN = re.compile(r"@([A-Z_]+)@")
SPY_CODES = ("monitor", "whisper", "barge")
AGENT_FEATURES = ("acd_escalate", "acd_record", "acd_record_pause")  # features.conf's applicationmap


def tokens(config: Config, state_dir: Path) -> dict[str, str]:
    default = config.queue(config.routing.default_queue)
    return {
        "STATE": str(state_dir),
        "RUN_USER": ROOTFS_USER,
        "RUN_GROUP": ENGINE_GROUP,
        "AMI_HOST": config.ami.host,
        "AMI_PORT": str(config.ami.port),
        "AMI_USER": config.ami.username,
        "AMI_SECRET": config.ami.secret,
        "AMI_WATCH_USER": config.ami.watch_username,
        "AMI_WATCH_SECRET": config.ami.watch_secret,
        "SIP_HOST": config.pbx.sip.host,
        "SIP_PORT": str(config.pbx.sip.port),
        "RTP_START": str(config.pbx.rtp_ports[0]),
        "RTP_END": str(config.pbx.rtp_ports[1]),
        "AGI_URL": agi_url(config),
        "DEFAULT_QUEUE": default.name,
        "DEFAULT_MAX_WAIT": str(default.max_wait),
        "LAST_AGENT_RING": str(config.routing.last_agent_ring),
        "CODE_LOGIN": config.features.login,
        "CODE_PAUSE": config.features.pause,
        "CODE_RESUME": config.features.resume,
        "CODE_LOGOUT": config.features.logout,
        "CODE_ESCALATE": config.features.escalate,
        "CODE_RECORD": config.features.record,
        "CODE_RECORD_PAUSE": config.features.record_pause,
        "AGENT_FEATURES": "#".join(AGENT_FEATURES),
        **{f"CODE_{mode.upper()}": getattr(config.features, mode) for mode in SPY_CODES},
        **{f"LEN_{mode.upper()}": str(len(getattr(config.features, mode))) for mode in SPY_CODES},
        "RECORDINGS": str(config.recordings_path()),
        "RECORD_QUEUES": ",".join(
            recording.always_recorded(recording_policy(config), [q.name for q in config.queues])
        ),
        "CALLBACK_KEY": config.callback.key if config.callback else "none",
        "CALLBACK_TRUNK": f"trunk-{config.callback.trunk}" if config.callback else "none",
        "CALLBACK_RING": str(config.callback.ring) if config.callback else "30",
        "SURVEY_TIMEOUT": str(config.survey.timeout),
        **{f"VAR_{constant}": name for constant, name in channel_vars.NAMES.items()},
    }


def agi_url(config: Config) -> str:
    """The daemon's FastAGI address with its token as the first path element: every session
    the dialplan opens proves it comes from this PBX (acd/asterisk/fastagi.py checks it)."""
    return f"agi://{config.fastagi.host}:{config.fastagi.port}/{config.fastagi.token}"


def fill(text: str, values: dict[str, str], name: str = "template") -> str:
    def one(match: re.Match[str]) -> str:
        try:
            return values[match.group(1)]
        except KeyError:
            raise KeyError(f"{name}: no value for @{match.group(1)}@") from None

    return _TOKEN.sub(one, text)


def render(config: Config, state_dir: Path) -> dict[str, str]:
    """Every file of the PBX's etc folder: name -> text."""
    values = tokens(config, state_dir)
    files = {
        path.name: fill(path.read_text(), values, path.name)
        for folder in TEMPLATES
        for path in sorted(folder.glob("*.conf"))
    }
    files["pjsip_acd.conf"] = pjsip_acd(config)
    files["queues.conf"] = queues_conf(config)
    files["queuerules.conf"] = queuerules_conf(config)
    return files


STATE_FOLDERS = ("etc", "lib", "agi", "spool", "run", "log", "cache", "sounds")


def write(config: Config, state_dir: Path, ids: Ids | None = None) -> Path:
    """Write the etc folder (and the other folders asterisk.conf names) under `state_dir`,
    owned and moded for the PBX's user `ids` (acd/pbx/permissions.py)."""
    for sub in STATE_FOLDERS:
        (state_dir / sub).mkdir(parents=True, exist_ok=True)
    etc = state_dir / "etc"
    for stale in etc.glob("*.conf"):
        stale.unlink()
    for name, text in render(config, state_dir).items():
        _write_private(etc / name, text)  # manager.conf, pjsip_acd.conf, ... hold secrets
    install_fallback(config, state_dir / "agi")
    permissions.secure_state(state_dir, ids)
    permissions.secure_recordings(config.recordings_path(), ids)  # MixMonitor writes here
    database = sqlite_path(config.store.url)
    if database is not None:
        permissions.secure_store(database, ids)
    return etc


def _write_private(path: Path, text: str) -> None:
    """Written without ever being readable by others, whatever the umask."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(text)


def install_fallback(config: Config, agi_dir: Path) -> None:
    """The classic AGI the dialplan runs when the daemon is down, with what it imports.

    It runs on the PBX's own python3, so everything it needs is copied beside it: pyst2 and
    six (pure Python), the core's number normaliser and its AGI quoting (standard library only).
    """
    import asterisk.agi
    import six

    from acd.core import agi_quote, numbers

    pylib = agi_dir / "pylib"
    shutil.rmtree(pylib, ignore_errors=True)
    shutil.copytree(
        Path(asterisk.agi.__file__).parent, pylib / "asterisk", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(six.__file__, pylib / "six.py")
    shutil.copy(numbers.__file__, pylib / "acd_numbers.py")
    shutil.copy(agi_quote.__file__, pylib / "acd_agi_quote.py")  # quoted as the daemon quotes
    shutil.copy(channel_vars.__file__, pylib / "acd_channel_vars.py")  # the same names
    script = agi_dir / "acd_fallback.py"
    shutil.copy(REPO / "agi_scripts" / "acd_fallback.py", script)
    script.chmod(0o755)
    database = sqlite_path(config.store.url)
    settings = {"sqlite": str(database) if database else None, "numbers": config.numbers.model_dump()}
    (agi_dir / "acd_fallback.json").write_text(json.dumps(settings, indent=1))


def pjsip_acd(config: Config) -> str:
    out = ["; Generated from config/acd.yaml: trunks and phones.", ""]
    for trunk in config.trunks:
        out += _section(
            f"trunk-{trunk.name}",
            type="endpoint",
            transport="transport-udp",
            context="from-trunk",
            disallow="all",
            allow="ulaw,alaw",
            direct_media="no",
            dtmf_mode="rfc4733",
            aors=f"trunk-{trunk.name}",
        )
        address, _, port = trunk.match.partition(":")
        out += _section(
            f"trunk-{trunk.name}",
            type="aor",  # where callbacks are dialled
            contact=f"sip:{address.split('/')[0]}:{port or '5060'}",
        )
        out += _section(
            f"trunk-{trunk.name}-identify", type="identify", endpoint=f"trunk-{trunk.name}", match=trunk.match
        )
    for phone in config.phones:
        context = "supervisors" if phone.role == "supervisor" else "phones"
        out += _section(
            phone.name,
            type="endpoint",
            transport="transport-udp",
            context=context,
            disallow="all",
            allow="ulaw,alaw",
            direct_media="no",
            auth=f"{phone.name}-auth",
            aors=phone.name,
            dtmf_mode="rfc4733",
        )
        out += _section(
            f"{phone.name}-auth",
            type="auth",
            auth_type="userpass",
            username=phone.name,
            password=phone.password,
        )
        out += _section(
            phone.name, type="aor", max_contacts="1", remove_existing="yes", qualify_frequency="0"
        )
    return "\n".join(out)


# An agent whose phone rings out is paused in every queue by Asterisk itself, as the daemon
# does (agent_desk, "ring-no-answer"): so also while the daemon is down, the next caller is
# not offered to an empty desk again and again. Busy or unreachable phones are not paused.
AUTOPAUSE = {"autopause": "all", "autopausedelay": "0", "autopausebusy": "no", "autopauseunavail": "no"}


def queues_conf(config: Config) -> str:
    """Queues, with the fixed seats as members; agents who log in are added by the daemon.

    No `wrapuptime`: Asterisk's own wrap-up cannot be ended early, and an agent who submits
    their wrap-up is ready at once. The daemon holds them instead: their member is paused
    (reason "wrapup") from the answer of a call whose queue has wrap-up until they submit or
    the queue's wrap-up time runs out (acd/asterisk/agent_desk.py)."""
    out = ["; Generated from config/acd.yaml.", ""]
    out += _section("general", persistentmembers="no", log_membername_as_agent="yes", shared_lastcall="yes")
    lines = config.lines()
    seats = [(a, tiers.memberships(a.queues, lines)) for a in config.agents if a.phone]
    for queue in config.queues:
        rule = {"defaultrule": f"acd-overflow-{queue.name}"} if queue.overflow_to else {}
        if config.callback is not None and config.callback.enabled:
            rule["context"] = "acd-queue-keys"  # a waiting caller's key press (callback)
        out += _section(
            queue.name,
            strategy=queue.strategy,
            timeout=str(queue.ring_timeout),
            retry=str(queue.retry),
            wrapuptime="0",  # the daemon holds wrap-up (a pause it lifts on submit): see agent_desk
            servicelevel=str(queue.service_level),
            musicclass="default",
            ringinuse="yes" if queue.ring_in_use else "no",
            joinempty="yes",
            leavewhenempty="no",
            autofill="yes",
            setinterfacevar="yes",  # MEMBERNAME on the caller: who a surveyed caller rates
            **AUTOPAUSE,
            **rule,
        )[:-1]
        # interface, penalty, member name (the agent number queue_log shows), state interface
        out += [
            f"member => PJSIP/{a.phone},{penalties[queue.name]},{a.number},PJSIP/{a.phone}"
            for a, penalties in seats
            if queue.name in penalties
        ] + [""]
    for agent in config.agents:  # a repeat caller is offered to their last agent here first
        out += _section(
            tiers.personal_queue(agent.number),
            strategy="ringall",
            timeout=str(config.routing.last_agent_ring),
            retry="0",
            musicclass="default",
            ringinuse="no",
            leavewhenempty="yes",
            joinempty="paused,unavailable,invalid,inuse,ringing,wrapup",
            setinterfacevar="yes",
            **AUTOPAUSE,
        )[:-1]
        if agent.phone:
            out.append(f"member => PJSIP/{agent.phone},0,{agent.number},PJSIP/{agent.phone}")
        out.append("")
    return "\n".join(out)


def queuerules_conf(config: Config) -> str:
    """Overflow between lines: a caller's max penalty rises after the queue's overflow time."""
    out = ["; Generated from config/acd.yaml (queues[].overflow_to, overflow_after).", "[general]", ""]
    for line in config.lines():
        out += tiers.penalty_rule(line)
    return "\n".join(out)


def _section(name: str, **options: str) -> list[str]:
    lines = [f"[{name}]"]
    lines += [f"{key} = {value}" for key, value in options.items()]
    return lines + [""]
