"""Every AMI action the daemon sends is built here, and nowhere else.

AMI is a line protocol: a CR or LF inside a header value ends that header, and an empty line
ends the action, so a value with a line break in it (a pause reason read back from redis,
say) would add headers or whole actions of its choosing, an Originate among them. A NUL
truncates the value inside Asterisk. So every header name and value is checked here, and
an action that does not pass is never built: UnsafeAction names the header.

Originate goes only into the daemon's own dialplan contexts (Context/Exten/Priority); no
builder takes an Application, so nothing the daemon sends can run AGI() or System().
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Value = str | tuple[str, ...]
MAX_VALUE = 1000  # Asterisk reads a manager line into a 1 KiB buffer
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_VARIABLE = re.compile(r"(__?)?[A-Za-z][A-Za-z0-9_]{0,63}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MULTI = frozenset({"Variable"})  # the one header an action may carry several times

# The dialplan contexts (dialplan/extensions.conf) the daemon may originate into.
SPY, CALLBACK_DIAL, ANNOUNCE_WHISPER = "acd-spy", "acd-callback-dial", "acd-announce-whisper"
ORIGINATE_CONTEXTS = frozenset({SPY, CALLBACK_DIAL, ANNOUNCE_WHISPER})
REDIRECT_CONTEXTS = frozenset({"acd-escalated"})


class UnsafeAction(ValueError):
    """A header that could end the action early, add one, or is not text at all."""


@dataclass(frozen=True)
class Action:
    """A checked AMI action: its name and headers, in order."""

    name: str
    headers: tuple[tuple[str, Value], ...] = ()

    def as_dict(self) -> dict[str, str | list[str]]:
        """What panoramisk sends (a list value becomes one header line per item)."""
        out: dict[str, str | list[str]] = {"Action": self.name}
        for key, value in self.headers:
            out[key] = list(value) if isinstance(value, tuple) else value
        return out

    def get(self, key: str, default: str = "") -> Value:
        return next((v for k, v in self.headers if k == key), default)


def _value(header: str, value: object) -> str:
    if not isinstance(value, str):
        raise UnsafeAction(f"{header}: not text ({type(value).__name__})")
    if _CONTROL.search(value):
        raise UnsafeAction(f"{header}: a control character (CR, LF, NUL, ...) in {value[:40]!r}")
    if len(value) > MAX_VALUE:
        raise UnsafeAction(f"{header}: {len(value)} characters, more than {MAX_VALUE}")
    return value


def build(name: str, headers: Mapping[str, object] | Iterable[tuple[str, object]] = ()) -> Action:
    """The one constructor: refuses a bad name, value, or an 'Action' header in disguise."""
    if not _NAME.fullmatch(_value("Action", name)):
        raise UnsafeAction(f"bad action name {name!r}"[:80])
    checked: list[tuple[str, Value]] = []
    items = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in items:
        if not isinstance(key, str) or not _NAME.fullmatch(key):
            raise UnsafeAction(f"bad header name {key!r}"[:80])
        if key.lower() in ("action", "actionid"):
            raise UnsafeAction(f"{key}: set by the link, not by an action")
        if key in MULTI and isinstance(value, (list, tuple)):
            checked.append((key, tuple(_value(key, v) for v in value)))
        else:
            checked.append((key, _value(key, value)))
    return Action(name, tuple(checked))


def _variables(values: Mapping[str, str]) -> tuple[str, ...]:
    """Originate's Variable headers: Asterisk splits each on commas, so none may hold one."""
    out = []
    for key, value in values.items():
        if not isinstance(key, str) or not _VARIABLE.fullmatch(key):
            raise UnsafeAction(f"bad variable name {key!r}"[:80])
        if not isinstance(value, str) or "," in value:
            raise UnsafeAction(f"variable {key}: a comma or not text")
        out.append(f"{key}={_value(key, value)}")
    return tuple(out)


def _bool(value: bool) -> str:
    if not isinstance(value, bool):
        raise UnsafeAction(f"not a boolean: {value!r}"[:80])
    return "true" if value else "false"


def _int(header: str, value: int) -> str:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 10**9:
        raise UnsafeAction(f"{header}: not a small whole number: {value!r}"[:80])
    return str(value)


# -- the link ------------------------------------------------------------------------------


def login(username: str, secret: str) -> Action:
    return build("Login", {"Username": username, "Secret": secret, "Events": "on"})


def challenge() -> Action:
    """Asks for a challenge, so the secret need not cross the wire (login_md5)."""
    return build("Challenge", {"AuthType": "MD5"})


def login_md5(username: str, key: str) -> Action:
    return build("Login", {"AuthType": "MD5", "Username": username, "Key": key, "Events": "on"})


def ping() -> Action:
    return build("Ping")


# -- queues --------------------------------------------------------------------------------


def queue_add(queue: str, interface: str, penalty: int, paused: bool, member_name: str) -> Action:
    return build(
        "QueueAdd",
        {
            "Queue": queue,
            "Interface": interface,
            "Penalty": _int("Penalty", penalty),
            "Paused": _bool(paused),
            "MemberName": member_name,
            "StateInterface": interface,
        },
    )


def queue_remove(queue: str, interface: str) -> Action:
    return build("QueueRemove", {"Queue": queue, "Interface": interface})


def queue_pause(interface: str, paused: bool, reason: str = "") -> Action:
    headers = {"Interface": interface, "Paused": _bool(paused)}
    return build("QueuePause", {**headers, "Reason": reason} if paused and reason else headers)


def queue_status(queue: str | None = None) -> Action:
    return build("QueueStatus", {"Queue": queue} if queue else {})


# -- channels ------------------------------------------------------------------------------


def originate(
    channel: str,
    context: str,
    variables: Mapping[str, str] | None = None,
    exten: str = "s",
    priority: int = 1,
    timeout_ms: int | None = None,
    caller_id: str | None = None,
    channel_id: str | None = None,
) -> Action:
    """A call into one of the daemon's own contexts; never an application."""
    if not isinstance(context, str) or context not in ORIGINATE_CONTEXTS:
        raise UnsafeAction(f"Originate into {context!r}: not one of the daemon's contexts"[:120])
    headers: dict[str, object] = {
        "Channel": channel,
        "Context": context,
        "Exten": exten,
        "Priority": _int("Priority", priority),
        "Async": "true",
    }
    if timeout_ms is not None:
        headers["Timeout"] = _int("Timeout", timeout_ms)
    if caller_id is not None:
        headers["CallerID"] = caller_id
    if channel_id is not None:
        headers["ChannelId"] = channel_id
    if variables:
        headers["Variable"] = _variables(variables)
    return build("Originate", headers)


def redirect(channel: str, context: str, exten: str = "s", priority: int = 1) -> Action:
    if not isinstance(context, str) or context not in REDIRECT_CONTEXTS:
        raise UnsafeAction(f"Redirect into {context!r}: not one of the daemon's contexts"[:120])
    return build(
        "Redirect",
        {"Channel": channel, "Context": context, "Exten": exten, "Priority": _int("Priority", priority)},
    )


def setvar(channel: str, variable: str, value: str) -> Action:
    if not isinstance(variable, str) or not _VARIABLE.fullmatch(variable):
        raise UnsafeAction(f"bad variable name {variable!r}"[:80])  # no FUNC(...) writes
    return build("Setvar", {"Channel": channel, "Variable": variable, "Value": value})


def status(channel: str | None = None) -> Action:
    return build("Status", {"Channel": channel} if channel else {})


def core_show_channels() -> Action:
    return build("CoreShowChannels")


def mixmonitor_mute(channel: str, muted: bool, direction: str = "both") -> Action:
    if not isinstance(direction, str) or direction not in ("read", "write", "both"):
        raise UnsafeAction(f"MixMonitorMute direction {direction!r}"[:80])
    return build(
        "MixMonitorMute",
        {"Channel": channel, "Direction": direction, "State": "1" if _bool(muted) == "true" else "0"},
    )


def user_event(name: str, headers: Mapping[str, str]) -> Action:
    return build("UserEvent", {"UserEvent": name, **headers})


_VERB = re.compile(r"ACD[A-Z]{1,16}")


def queue_log(queue: str, call_id: str, agent: str, verb: str, fields: Iterable[str]) -> Action:
    """A line of our own in Asterisk's queue_log (time|callid|queue|agent|verb|data...), so
    tools that read it see the engine's facts beside app_queue's. Our verbs start with ACD;
    a field never holds the separator."""
    if not _VERB.fullmatch(verb):
        raise UnsafeAction(f"Event: {verb[:40]!r} is not one of our verbs (ACD and capitals)")
    message = "|".join(field.replace("|", "/") for field in fields)
    return build(
        "QueueLog",
        {
            "Queue": queue,
            "Event": verb,
            "Uniqueid": call_id or "NONE",
            "Interface": agent or "NONE",
            "Message": message,
        },
    )
