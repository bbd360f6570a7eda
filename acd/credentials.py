"""The engine's secrets: generated on first use into a file of their own, never shipped.

The AMI secrets, the FastAGI token, the redis password, the HTTP signing key, every phone's
SIP password and every agent's and staff member's PIN and web password live in one YAML
file outside the tracked tree (`secrets_file`, default var/secrets/acd.secrets.yaml), made
on first use with values from the `secrets` module and readable only by root and the
engine's group. acd.yaml names people and phones; it never holds their secrets: a secret
key there is refused naming the key, with a word more when it is a sample value that once
shipped. A value changed by hand in the secrets file is kept (and checked).
"""

from __future__ import annotations

import grp
import os
import re
import secrets
import string
from pathlib import Path
from typing import Any

import yaml

ENGINE_GROUP = "acd"  # root and the engine's users (the daemon, Asterisk) share this group
HEADER = (
    "# acd's secrets: generated on first use, never tracked. Readable only by root and the\n"
    "# engine's group. Change a value here to choose it yourself, then `acd pbx render`.\n"
)
# Values that shipped in earlier sample configurations: refused wherever they appear.
SAMPLES = re.compile(r"acd-demo-secret|phone-[0-9]+-pw|[a-z]+-web-pw|changeme|secret|password", re.IGNORECASE)
OLD_SAMPLE_PINS = frozenset({"4711", "4712", "4713", "4714", "2468", "1357", "9753", "8642", "8643"})
_TOKEN = re.compile(r"[A-Za-z0-9]{16,128}")
_PIN = re.compile(r"[0-9]{4,8}")
_ALPHABET = string.ascii_letters + string.digits
# Where acd.yaml would have held a secret: (section, key) for sections, key for list items.
SECTION_KEYS = (("ami", "secret"), ("redis", "password"), ("fastagi", "token"), ("http", "signing_key"))
ITEM_KEYS = {"phones": ("password",), "agents": ("pin", "password"), "staff": ("pin", "password")}


class SecretsError(ValueError):
    """The secrets file, or a secret in acd.yaml, cannot be used; the message names the key."""


def token(length: int = 32) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def pin(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def refuse_secrets_in(raw: dict, secrets_path: Path) -> None:
    """acd.yaml holds no secret: the first one found is named, sample values called so."""
    for section, key in SECTION_KEYS:
        part = raw.get(section)
        if isinstance(part, dict) and key in part:
            _refuse(f"{section}.{key}", part[key], secrets_path)
    for section, keys in ITEM_KEYS.items():
        for i, item in enumerate(_items(raw, section)):
            for key in keys:
                if isinstance(item, dict) and key in item:
                    _refuse(f"{section}[{i}].{key}", item[key], secrets_path)


def _refuse(where: str, value: object, secrets_path: Path) -> None:
    text = str(value)
    sample = SAMPLES.fullmatch(text) or text in OLD_SAMPLE_PINS
    why = (
        f"{text!r} is a sample value that shipped with acd and is known to everyone"
        if sample
        else "secrets are not kept in acd.yaml"
    )
    raise SecretsError(
        f"{where}: {why}; remove it: secrets live in {secrets_path} "
        f"(generated on first use; `acd secrets show` prints them)"
    )


def wanted(raw: dict) -> dict[str, Any]:
    """Every secret the configuration needs, as the file's shape, values None."""

    def names(section: str, key: str) -> list[str]:
        return [str(item[key]) for item in _items(raw, section) if isinstance(item, dict) and key in item]

    staff = {}
    for item in _items(raw, "staff"):
        if isinstance(item, dict) and "number" in item:
            keys = ("pin", "password") if item.get("role") == "supervisor" else ("password",)
            staff[str(item["number"])] = {k: None for k in keys}
    return {
        "ami": {"secret": None, "watch_secret": None},
        "fastagi": {"token": None},
        "redis": {"password": None},
        "http": {"signing_key": None},
        "phones": {name: None for name in names("phones", "name")},
        "agents": {number: {"pin": None, "password": None} for number in names("agents", "number")},
        "staff": staff,
    }


def _generate(path: tuple[str, ...]) -> str:
    return pin() if path[-1] == "pin" else token()


def _merge(want: dict, have: object, path: tuple[str, ...] = ()) -> tuple[dict, bool]:
    """`want` filled from `have` where it has a value, generated where not; and whether
    anything had to be generated."""
    have = have if isinstance(have, dict) else {}
    out: dict[str, Any] = {}
    generated = False
    for key, sub in want.items():
        if isinstance(sub, dict):
            out[key], more = _merge(sub, have.get(key), path + (key,))
            generated = generated or more
        elif have.get(key) is not None:
            out[key] = have[key]
        else:
            out[key], generated = _generate(path + (key,)), True
    return out, generated


def check(values: dict, path: tuple[str, ...] = (), source: str = "secrets") -> None:
    """Every value the right shape, and none a sample."""
    for key, value in values.items():
        where = path + (str(key),)
        if isinstance(value, dict):
            check(value, where, source)
            continue
        text = value if isinstance(value, str) else ""
        shape = _PIN if where[-1] == "pin" else _TOKEN
        if not shape.fullmatch(text):
            raise SecretsError(
                f"{source}: {'.'.join(where)}: expected "
                f"{'4 to 8 digits' if shape is _PIN else '16 to 128 letters and digits'}"
            )
        if SAMPLES.fullmatch(text) or text in OLD_SAMPLE_PINS:
            raise SecretsError(f"{source}: {'.'.join(where)}: {text!r} is a sample value")


def generated(raw: dict) -> dict[str, Any]:
    """Fresh secrets for `raw`, in memory only (unit tests, a dry check)."""
    return _merge(wanted(raw), {})[0]


def load(path: Path, raw: dict, write: bool = True) -> dict[str, Any]:
    """The secrets `raw` (acd.yaml's data) needs: read from `path`, the missing ones generated
    and the file (re)written, readable only by root and the engine's group."""
    have: object = {}
    if path.exists():
        try:
            have = yaml.safe_load(path.read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise SecretsError(f"{path}: cannot read: {exc}") from None
        if not isinstance(have, dict):
            raise SecretsError(f"{path}: expected a mapping")
    values, generated = _merge(wanted(raw), have)
    check(values, source=str(path))
    if generated and write:
        _write(path, values)
    return values


def _write(path: Path, values: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    group = _engine_gid()
    os.chmod(path.parent, 0o750)
    if group is not None:
        os.chown(path.parent, -1, group)
    part = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(HEADER + yaml.safe_dump(values, sort_keys=True))
    if group is not None:
        os.chown(part, -1, group)
        os.chmod(part, 0o640)
    os.replace(part, path)


def _engine_gid() -> int | None:
    try:
        return grp.getgrnam(ENGINE_GROUP).gr_gid
    except KeyError:
        return None


def inject(raw: dict, values: dict) -> dict:
    """acd.yaml's data with the secrets where the configuration's models expect them."""
    out = dict(raw)
    out["ami"] = {
        **(raw.get("ami") or {}),
        "secret": values["ami"]["secret"],
        "watch_secret": values["ami"]["watch_secret"],
    }
    for section, key in SECTION_KEYS[1:]:
        out[section] = {**(raw.get(section) or {}), key: values[section][key]}
    out["phones"] = [
        _with(p, {"password": values["phones"].get(_key(p, "name"))}) for p in _items(raw, "phones")
    ]
    out["agents"] = [_with(a, values["agents"].get(_key(a, "number"), {})) for a in _items(raw, "agents")]
    out["staff"] = [_with(s, values["staff"].get(_key(s, "number"), {})) for s in _items(raw, "staff")]
    return out


def _items(raw: dict, section: str) -> list:
    items = raw.get(section)
    return list(items) if isinstance(items, (list, tuple)) else []


def _key(item: object, key: str) -> str:
    return str(item.get(key)) if isinstance(item, dict) else ""


def _with(item: object, values: dict) -> object:
    """The list item with its secrets; anything not a mapping is left for validation to name."""
    if not isinstance(item, dict):
        return item
    return {**item, **{k: v for k, v in values.items() if v is not None}}
