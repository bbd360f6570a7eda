"""Owners and modes of what the PBX and the daemon share: theirs, and nobody else's.

Asterisk runs as its own user in the engine's group; the daemon (root, or a user in that
group) writes prompts it plays and reads recordings it makes. Everything is group `acd`,
folders are setgid so new files stay in the group, and nothing is readable by other users:
customer names (prompts), recordings, the store and the rendered secrets included.
"""

from __future__ import annotations

import os
from pathlib import Path

from acd.pbx.users import Ids

ROOT = 0
PBX_WRITES = ("lib", "spool", "run", "log", "cache")  # Asterisk's own folders
PBX_READS = ("etc", "agi")  # rendered for it, root's
SETGID = 0o2000


def secure_state(state_dir: Path, ids: Ids | None) -> None:
    """The PBX state folder: root's config (secrets inside) readable by the group, Asterisk's
    working folders its own, the prompts folder the daemon's and readable by the group."""
    _set(state_dir, ROOT, ids, 0o750)
    for name in PBX_READS:
        for path in _tree(state_dir / name):
            _set(path, ROOT, ids, _mode(path, 0o750, 0o640))
    for name in PBX_WRITES:
        for path in _tree(state_dir / name):
            _set(path, ids.uid if ids else None, ids, _mode(path, SETGID | 0o750, 0o640))
    for path in _tree(state_dir / "sounds"):
        _set(path, ROOT, ids, _mode(path, SETGID | 0o750, 0o640))


def secure_rootfs(rootfs: Path, ids: Ids | None) -> None:
    """The rootfs is the PBX's "/": other host users may not even look in (its /tmp is
    world-writable inside, and a program planted there must not be reachable)."""
    _set(rootfs, ROOT, ids, 0o750)


def secure_recordings(folder: Path, ids: Ids | None) -> None:
    """Asterisk writes recordings, the daemon makes their dated folders and deletes old ones:
    both may write in the folders (setgid, group-writable); the files are read-only to the group."""
    for path in (folder, folder / "unindexed"):
        path.mkdir(parents=True, exist_ok=True)
        _set(path, ids.uid if ids else None, ids, SETGID | 0o770)


def secure_store(database: Path, ids: Ids | None) -> None:
    """The SQLite store, which Asterisk's fallback script reads while the daemon is down."""
    database.parent.mkdir(parents=True, exist_ok=True)
    _set(database.parent, ROOT, ids, SETGID | 0o750)
    for path in database.parent.glob(database.name + "*"):
        _set(path, None, ids, 0o640)


def _tree(top: Path) -> list[Path]:
    top.mkdir(parents=True, exist_ok=True)
    found = [top]
    for folder, dirs, files in os.walk(top):
        found += [Path(folder) / name for name in dirs + files]
    return found


def _mode(path: Path, folder: int, file: int) -> int:
    if path.is_dir():
        return folder
    executable = path.stat().st_mode & 0o100
    return file | (0o110 if executable else 0)


def _set(path: Path, uid: int | None, ids: Ids | None, mode: int) -> None:
    if path.is_symlink():
        return  # never follow a link somebody planted in a shared folder
    if ids is not None and os.geteuid() == 0:
        os.chown(path, -1 if uid is None else uid, ids.gid)
    os.chmod(path, mode)
