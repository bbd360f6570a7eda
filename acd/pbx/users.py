"""Who the PBX runs as: a system user of its own, with the same uid inside the rootfs as on
the host, and the engine's group shared with root and the daemon.

Debian's package gives the rootfs's `asterisk` user whatever uid was free there (101 in
ours), which on the host may well be somebody else's (postgres, here): a PBX running as
that uid could signal or read what that user owns. So the host gets a system user of the
PBX's own (`acd-pbx`), and the rootfs's `asterisk` is given its uid and the engine's group.
"""

from __future__ import annotations

import grp
import pwd
import subprocess
from dataclasses import dataclass
from pathlib import Path

from acd.credentials import ENGINE_GROUP

HOST_USER = "acd-pbx"  # the PBX's own system user on the host
ROOTFS_USER = "asterisk"  # Debian's package's user inside the rootfs (asterisk.conf runuser)


@dataclass(frozen=True)
class Ids:
    uid: int
    gid: int


def host_ids() -> Ids:
    """The host's PBX user and engine group, made as system accounts if missing."""
    try:
        gid = grp.getgrnam(ENGINE_GROUP).gr_gid
    except KeyError:
        subprocess.run(["groupadd", "--system", ENGINE_GROUP], check=True)
        gid = grp.getgrnam(ENGINE_GROUP).gr_gid
    try:
        uid = pwd.getpwnam(HOST_USER).pw_uid
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--gid",
                ENGINE_GROUP,
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                "--comment",
                "acd PBX (Asterisk)",
                HOST_USER,
            ],
            check=True,
        )
        uid = pwd.getpwnam(HOST_USER).pw_uid
    return Ids(uid, gid)


def align_rootfs(rootfs: Path, ids: Ids) -> None:
    """Give the rootfs's asterisk user the host's uid and the engine's group (idempotent)."""
    users = _table(rootfs / "etc/passwd")
    groups = _table(rootfs / "etc/group")
    if groups.get(ENGINE_GROUP, {}).get(2) != str(ids.gid):
        taken = next((name for name, row in groups.items() if row.get(2) == str(ids.gid)), None)
        if taken not in (None, ENGINE_GROUP):
            raise RuntimeError(
                f"gid {ids.gid} is {taken!r} inside {rootfs}; cannot give it to {ENGINE_GROUP}"
            )
        verb = "groupmod" if ENGINE_GROUP in groups else "groupadd"
        _chroot(rootfs, verb, "--gid", str(ids.gid), ENGINE_GROUP)
    row = users.get(ROOTFS_USER)
    if row is None:
        raise RuntimeError(f"no {ROOTFS_USER} user inside {rootfs}: is Debian's asterisk installed?")
    if row.get(2) != str(ids.uid) or row.get(3) != str(ids.gid):
        taken = next((name for name, r in users.items() if r.get(2) == str(ids.uid)), None)
        if taken not in (None, ROOTFS_USER):
            raise RuntimeError(f"uid {ids.uid} is {taken!r} inside {rootfs}; cannot give it to {ROOTFS_USER}")
        _chroot(rootfs, "usermod", "--uid", str(ids.uid), "--gid", ENGINE_GROUP, ROOTFS_USER)


def _table(path: Path) -> dict[str, dict[int, str]]:
    """/etc/passwd or /etc/group as name -> {field index: value}."""
    rows = {}
    for line in path.read_text().splitlines():
        fields = line.split(":")
        if len(fields) > 3:
            rows[fields[0]] = dict(enumerate(fields))
    return rows


def _chroot(rootfs: Path, *command: str) -> None:
    subprocess.run(["chroot", str(rootfs), *command], check=True, capture_output=True)
