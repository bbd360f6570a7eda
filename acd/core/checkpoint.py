"""Checkpoints: the read model's state as plain JSON, so a restart folds only the journal's tail.

Each folded model (a `Checkpointed`) names the attributes that are its state; the rest (the
config it was built with, the models it reads, its handler tables) comes from the composition
root as before. `capture` takes every model's state at one sequence number; `restore` puts it
back, all or nothing: a body that does not fit (another version, an unknown class or field, a
value of the wrong type, a sequence beyond the journal's last) raises BadState and leaves the
models untouched, so the caller folds the whole journal instead and nothing is lost.

The encoding is JSON with tags for what JSON has no word for, so the body round-trips exactly
(insertion order included: the models evict their oldest entries first): {"$d": {...}} a dict
of text keys, {"$m": [[k, v], ...]} any other dict, {"$o": ...} an OrderedDict, {"$t": [...]}
a tuple, {"$s": [...]} a set, {"$q": [...], "n": maxlen} a deque, {"$f": "inf"} a float JSON
cannot hold, {"$e": class, "v": value} an enum, {"$c": class, "v": [fields...]} a dataclass.
Only classes a model registered are ever built. Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from acd.core.journal import Entry

VERSION = 2  # bump when a model's state changes shape: older checkpoints are then ignored


class BadState(ValueError):
    """The checkpoint does not fit the models: fold the journal instead."""


_CLASSES: dict[str, type] = {}
_CHECKS: dict[type, tuple[tuple[str, Callable[[object], bool]], ...]] = {}
_NAMES: dict[type, tuple[str, ...]] = {}  # a registered dataclass's fields, in order


def register(*classes: type) -> None:
    """The dataclasses and enums a model's state holds: the only classes `decode` builds."""
    for cls in classes:
        known = _CLASSES.setdefault(cls.__name__, cls)
        if known is not cls:
            raise ValueError(f"two state classes named {cls.__name__}")
        if dataclasses.is_dataclass(cls):
            _CHECKS[cls] = tuple((f.name, _check(str(f.type))) for f in dataclasses.fields(cls))
            _NAMES[cls] = tuple(name for name, _ in _CHECKS[cls])


def _is_num(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_SIMPLE: dict[str, Callable[[object], bool]] = {
    "str": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": _is_num,
    "bool": lambda v: isinstance(v, bool),
}


def _check(annotation: str) -> Callable[[object], bool]:
    """A cheap type check for a field's annotation (simple ones; the rest by their tags)."""
    if annotation in _SIMPLE:
        return _SIMPLE[annotation]
    base = annotation.removesuffix(" | None")
    if base != annotation and base in _SIMPLE:
        simple = _SIMPLE[base]
        return lambda v: v is None or simple(v)
    return lambda v: True


# -- encoding ---------------------------------------------------------------------------------


def encode(value: object) -> Any:
    """`value` as plain JSON (dicts, lists, text, numbers, booleans, null). The commonest
    kinds are tried first, by exact type: a day's checkpoint is a few hundred thousand values."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return value if math.isfinite(value) else {"$f": repr(value)}  # type: ignore[arg-type]
    names = _NAMES.get(kind)
    if names is not None:  # a registered dataclass
        return {"$c": kind.__name__, "v": [encode(getattr(value, name)) for name in names]}
    if kind is dict:
        if all(type(k) is str for k in value):  # type: ignore[attr-defined]
            return {"$d": {k: encode(v) for k, v in value.items()}}  # type: ignore[attr-defined]
        return {"$m": _pairs(value)}  # type: ignore[arg-type]
    if kind is tuple or kind is list:
        items = [encode(v) for v in value]  # type: ignore[attr-defined]
        return items if kind is list else {"$t": items}
    return _encode_rare(value)


def _encode_rare(value: object) -> Any:
    kind = type(value)
    if isinstance(value, enum.Enum) and _CLASSES.get(kind.__name__) is kind:
        return {"$e": kind.__name__, "v": value.value}
    if isinstance(value, OrderedDict):
        return {"$o": _pairs(value)}
    if isinstance(value, set | frozenset):
        return {"$s": [encode(v) for v in value]}
    if isinstance(value, deque):
        return {"$q": [encode(v) for v in value], "n": value.maxlen}
    raise TypeError(f"no state encoding for {kind.__name__} (not registered?)")


def _pairs(value: Mapping[Any, Any]) -> list[list[Any]]:
    return [[encode(k), encode(v)] for k, v in value.items()]


# -- decoding ---------------------------------------------------------------------------------


def decode(data: object) -> Any:
    """The value `encode` gave `data` for, or BadState saying why not."""
    kind = type(data)
    if kind is str or kind is int or kind is bool or kind is float or data is None:
        return data
    if kind is list:
        return [decode(v) for v in data]  # type: ignore[attr-defined]
    if kind is not dict or not data:
        raise BadState(f"not a state value: {kind.__name__}")
    tag = next(iter(data))  # type: ignore[call-overload]
    reader = _READERS.get(tag)
    if reader is None:
        raise BadState(f"unknown tag {str(tag)[:20]!r}")
    return reader(data)  # type: ignore[arg-type]


def _items(data: Mapping[str, Any], tag: str) -> list[Any]:
    found = data[tag]
    if type(found) is not list:
        raise BadState(f"{tag}: not a list")
    return found


def _text_dict(data: Mapping[str, Any]) -> dict[str, Any]:
    found = data["$d"]
    if type(found) is not dict:
        raise BadState("$d: not an object")
    return {k: decode(v) for k, v in found.items()}


def _pair_list(data: Mapping[str, Any], tag: str) -> list[tuple[Any, Any]]:
    pairs = []
    for pair in _items(data, tag):
        if type(pair) is not list or len(pair) != 2:
            raise BadState(f"{tag}: not a pair")
        pairs.append((_key(decode(pair[0])), decode(pair[1])))
    return pairs


def _key(value: object) -> object:
    try:
        hash(value)
    except TypeError:
        raise BadState("a key that cannot be a key") from None
    return value


def _float(data: Mapping[str, Any]) -> float:
    if data["$f"] not in ("inf", "-inf", "nan"):
        raise BadState("$f: not a float")
    return float(data["$f"])


def _enum(data: Mapping[str, Any]) -> enum.Enum:
    cls = _CLASSES.get(data["$e"]) if isinstance(data["$e"], str) else None
    if cls is None or not issubclass(cls, enum.Enum):
        raise BadState(f"unknown enum {str(data['$e'])[:40]!r}")
    try:
        return cls(data.get("v"))
    except ValueError:
        raise BadState(f"{cls.__name__}: unknown value") from None


def _dataclass(data: Mapping[str, Any]) -> object:
    cls = _CLASSES.get(data["$c"]) if isinstance(data["$c"], str) else None
    if cls is None or cls not in _CHECKS:
        raise BadState(f"unknown class {str(data['$c'])[:40]!r}")
    values = _items(data, "v")
    checks = _CHECKS[cls]
    if len(values) != len(checks):
        raise BadState(f"{cls.__name__}: {len(values)} fields, not {len(checks)}")
    made: object = object.__new__(cls)
    for (name, check), raw in zip(checks, values, strict=True):
        value = decode(raw)
        if not check(value):
            raise BadState(f"{cls.__name__}.{name}: wrong type")
        object.__setattr__(made, name, value)  # frozen ones too
    return made


def _deque(data: Mapping[str, Any]) -> deque[Any]:
    size = data.get("n")
    if size is not None and (type(size) is not int or size < 0):
        raise BadState("$q: bad maxlen")
    return deque((decode(v) for v in _items(data, "$q")), size)


_READERS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "$d": _text_dict,
    "$m": lambda d: dict(_pair_list(d, "$m")),
    "$o": lambda d: OrderedDict(_pair_list(d, "$o")),
    "$t": lambda d: tuple(decode(v) for v in _items(d, "$t")),
    "$s": lambda d: {_key(decode(v)) for v in _items(d, "$s")},
    "$q": _deque,
    "$f": _float,
    "$e": _enum,
    "$c": _dataclass,
}


# -- the models -------------------------------------------------------------------------------


class Checkpointed:
    """A folded model whose `STATE` attributes are its whole state (the rest is config)."""

    STATE: ClassVar[tuple[str, ...]] = ()

    def to_state(self) -> dict[str, Any]:
        """The model's state as plain JSON."""
        return {name: encode(getattr(self, name)) for name in self.STATE}

    def from_state(self, state: Mapping[str, Any]) -> None:
        """Rebuild the state from `to_state`'s output (BadState, untouched, if it does not fit)."""
        self.adopt(self.decode_state(state))

    def decode_state(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """Decode and check without changing the model (restore checks every model first)."""
        if not isinstance(state, Mapping) or set(state) != set(self.STATE):
            raise BadState(f"{type(self).__name__}: not its fields")
        values = {name: decode(state[name]) for name in self.STATE}
        for name, value in values.items():
            now = getattr(self, name)
            mismatch = value is not None and now is not None and type(value) is not type(now)
            if mismatch and not (_is_num(value) and _is_num(now)):
                raise BadState(f"{type(self).__name__}.{name}: wrong type")
        return values

    def adopt(self, values: Mapping[str, Any]) -> None:
        """Take decoded state (models whose config must win over a checkpoint override this)."""
        for name, value in values.items():
            setattr(self, name, value)


Mark = list[Any] | None  # what the journal holds at a checkpoint's seq: [at, event type]


def mark_of(entry: Entry | None) -> Mark:
    """The entry a checkpoint is taken after, as the journal can be asked for it again: a
    checkpoint of another journal (reset, restored from a backup) has the seq, not the entry."""
    return None if entry is None else [entry.event.at, type(entry.event).__name__]


def capture(models: Mapping[str, Checkpointed], seq: int, mark: Mark = None) -> dict[str, Any]:
    """Every model's state after entry `seq` (whose mark_of is `mark`): a checkpoint's body."""
    states = {name: m.to_state() for name, m in models.items()}
    return {"version": VERSION, "seq": seq, "mark": mark, "models": states}


def restore(
    models: Mapping[str, Checkpointed], body: object, last_seq: int, mark: Callable[[int], Mark]
) -> int:
    """Put a checkpoint back into `models`, all or nothing; returns its sequence number, after
    which the journal's tail is folded. `last_seq`: the journal's last (a checkpoint beyond it
    is of another journal, or of entries lost in a crash: refused); `mark(seq)`: the journal's
    entry there (one that is not the checkpoint's: another journal, refused)."""
    seq = check_body(body, models, last_seq)
    assert isinstance(body, Mapping)
    if body.get("mark") != mark(seq):
        raise BadState(f"the journal's entry {seq} is not the one this checkpoint was taken after")
    decoded = {name: model.decode_state(body["models"][name]) for name, model in models.items()}
    for name, model in models.items():
        model.adopt(decoded[name])
    return seq


def check_body(body: object, models: Iterable[str], last_seq: int) -> int:
    if not isinstance(body, Mapping):
        raise BadState("not an object")
    if body.get("version") != VERSION:
        raise BadState(f"version {str(body.get('version'))[:20]}, not {VERSION}")
    seq = body.get("seq")
    if type(seq) is not int or seq < 0:
        raise BadState("no sequence number")
    if seq > last_seq:
        raise BadState(f"sequence {seq} is beyond the journal's last, {last_seq}")
    held = body.get("models")
    if not isinstance(held, Mapping) or set(held) != set(models):
        raise BadState("not the same models")
    return seq
