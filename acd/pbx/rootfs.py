"""The PBX image as a folder: Debian sid + Debian's asterisk, made by debootstrap.

It is the same image the Dockerfile in asterisk-docker/ builds, for hosts with no Docker
engine. The build goes into a scratch folder that is renamed only when complete, so a
half-built rootfs is never mistaken for the cache.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from acd.pbx import mounts

PACKAGES_FILE = Path(__file__).resolve().parents[2] / "asterisk-docker" / "packages.txt"
STAMP = "etc/acd-rootfs.stamp"
# The sid mirror is a snapshot whose Release file has expired.
APT_CONF = 'Acquire::Check-Valid-Until "false";\nAPT::Install-Recommends "false";\n'

Say = Callable[[str], None]


def packages(path: Path = PACKAGES_FILE) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def stamp_for(pkgs: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(pkgs)).encode()).hexdigest()[:16]


def is_ready(rootfs: Path, pkgs: list[str] | None = None) -> bool:
    stamp = rootfs / STAMP
    if not stamp.is_file():
        return False
    return stamp.read_text().strip() == stamp_for(pkgs if pkgs is not None else packages())


def host_mirror(sources_dir: Path = Path("/etc/apt")) -> str:
    """The Debian mirror this host already uses (its own apt sources), minus security."""
    candidates: list[str] = []
    for path in sorted(sources_dir.glob("sources.list.d/*.sources")):
        for line in path.read_text().splitlines():
            if line.startswith("URIs:"):
                candidates += line.split()[1:]
    legacy = sources_dir / "sources.list"
    if legacy.is_file():
        for line in legacy.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "deb":
                candidates.append(next(p for p in parts[1:] if not p.startswith("[")))
    for uri in candidates:
        if "security" not in uri and uri.startswith(("http://", "https://", "file:/")):
            return uri
    raise RuntimeError("no Debian mirror found in the host's apt sources")


def build(rootfs: Path, say: Say = print, mirror: str | None = None) -> float:
    """Build the rootfs unless an up-to-date one is there; returns the seconds spent."""
    pkgs = packages()
    if is_ready(rootfs, pkgs):
        say(f"rootfs {rootfs} is ready (cached)")
        return 0.0
    started = time.monotonic()
    if rootfs.is_dir() and (rootfs / "usr/sbin/asterisk").exists():
        _install(rootfs, pkgs, say)  # the package list changed: top up in place
    else:
        _bootstrap(rootfs, pkgs, mirror or host_mirror(), say)
    spent = time.monotonic() - started
    say(f"rootfs {rootfs} built in {spent:.1f} s")
    return spent


def _bootstrap(rootfs: Path, pkgs: list[str], mirror: str, say: Say) -> None:
    scratch = rootfs.with_name(rootfs.name + ".building")
    remove(scratch)
    scratch.parent.mkdir(parents=True, exist_ok=True)
    say(f"debootstrap sid into {scratch} from the host's mirror")
    _run(["debootstrap", "--variant=minbase", "sid", str(scratch), mirror])
    _install(scratch, pkgs, say)
    remove(rootfs)
    scratch.rename(rootfs)


def _install(rootfs: Path, pkgs: list[str], say: Say) -> None:
    (rootfs / "etc/apt/apt.conf.d/99acd").write_text(APT_CONF)
    shutil.copy("/etc/resolv.conf", rootfs / "etc/resolv.conf")
    say("apt-get install " + " ".join(pkgs))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    with mounts.proc_mounted(rootfs):
        _run(["chroot", str(rootfs), "apt-get", "update", "-q"], env)
        _run(["chroot", str(rootfs), "apt-get", "install", "-y", "-q", *pkgs], env)
        _run(["chroot", str(rootfs), "apt-get", "clean"], env)
    # The package does not make it in a chroot; without it there is no ctl socket.
    (rootfs / "run/asterisk").mkdir(parents=True, exist_ok=True)
    (rootfs / STAMP).write_text(stamp_for(pkgs) + "\n")


def remove(rootfs: Path) -> None:
    """Delete a rootfs, never following a forgotten bind mount out of it."""
    if not rootfs.exists():
        return
    mounts.unmount_all_under(rootfs)
    _run(["rm", "-rf", "--one-file-system", str(rootfs)])


def _run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    result = subprocess.run(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
    )
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-20:])
        raise RuntimeError(f"{' '.join(cmd[:4])} ... failed ({result.returncode}):\n{tail}")
