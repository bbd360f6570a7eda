"""The recordings folder: where MixMonitor writes each take, and how a finished file is known.

Layout: `YYYY/MM/DD/<linkedid>_<agent>_<uniqueid>.wav` for takes the daemon named, and
`unindexed/<linkedid>_<line>_<phone>_<uniqueid>.wav` for those the dialplan made alone
while the daemon was down. A WAV is finished when Asterisk has closed it: its header then
counts every byte of the file (format_wav writes the sizes on close).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from acd.core.recording import retention_cutoff
from acd.store import quality

UNINDEXED = "unindexed"
_SAFE = re.compile(r"[^A-Za-z0-9.-]")
_WAV_HEADER = 44
_BYTES_PER_SECOND = 16000  # 8 kHz, 16-bit mono: what MixMonitor's .wav writes


@dataclass(frozen=True)
class Finished:
    duration_s: float
    size: int
    sha256: str


@dataclass(frozen=True)
class Orphan:
    """A take the dialplan recorded without the daemon."""

    path: str  # relative to the folder
    linkedid: str
    line: str
    phone: str
    uniqueid: str


def safe(part: str) -> str:
    return _SAFE.sub("-", part)[:64]


def take_path(linkedid: str, agent: str, uniqueid: str, at: float) -> str:
    day = dt.datetime.fromtimestamp(at, dt.UTC)
    return f"{day:%Y/%m/%d}/{safe(linkedid)}_{safe(agent)}_{safe(uniqueid)}.wav"


def inside(root: Path, relative: str) -> Path:
    """The file's absolute path; refuses a relative path that leaves the folder."""
    path = (root / relative).resolve()
    if root.resolve() not in path.parents:
        raise ValueError(f"not a recordings path: {relative!r}")
    return path


def finished(path: Path, closed: bool = True) -> Finished | None:
    """Duration, size and checksum once Asterisk has closed the file; None before, or when
    there is no file. `closed=False` measures a file Asterisk never closed (it died)."""
    try:
        with open(path, "rb") as wav:
            header = wav.read(_WAV_HEADER)
            size = path.stat().st_size
            if len(header) < _WAV_HEADER or header[:4] != b"RIFF":
                return None
            riff, data = struct.unpack("<I", header[4:8])[0], struct.unpack("<I", header[40:44])[0]
            if closed and (riff != size - 8 or data != size - _WAV_HEADER):
                return None
            wav.seek(0)
            digest = hashlib.sha256()
            for block in iter(lambda: wav.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return Finished(round((size - _WAV_HEADER) / _BYTES_PER_SECOND, 2), size, digest.hexdigest())


def orphans(root: Path) -> list[Orphan]:
    """Takes in unindexed/, read back from their names (see dialplan acd-record)."""
    found = []
    for path in sorted((root / UNINDEXED).glob("*.wav")):
        parts = path.stem.split("_")
        if len(parts) < 4:
            continue
        found.append(
            Orphan(f"{UNINDEXED}/{path.name}", parts[0], "_".join(parts[1:-2]), parts[-2], parts[-1])
        )
    return found


def make_folder(root: Path, relative: str) -> Path:
    """The folder of take `relative`, each new level setgid and group-writable whatever the
    umask: the daemon makes it, Asterisk (another user in the engine's group) writes into it."""
    path = root
    for part in Path(relative).parent.parts:
        path = path / part
        if not path.is_dir():
            path.mkdir(exist_ok=True)
            os.chmod(path, 0o2770)
    return path


def remove(root: Path, relative: str) -> bool:
    """Delete one file; False when it was already gone."""
    try:
        inside(root, relative).unlink()
    except FileNotFoundError:
        return False
    return True


def purge(session: Session, root: Path, now: float, retention_days: int) -> int:
    """Delete the recordings past their retention: each file, then the rows."""
    old = quality.expired_recordings(session, retention_cutoff(now, retention_days))
    for row in old:
        remove(root, row["path"])
    quality.delete_recordings(session, [r["id"] for r in old])
    return len(old)
