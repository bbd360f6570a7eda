"""Mount bookkeeping for the chrooted PBX: every step may find a mount left by an earlier run."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path


def mounted_points() -> list[Path]:
    points = []
    for line in Path("/proc/self/mounts").read_text().splitlines():
        fields = line.split()
        if len(fields) > 1:
            points.append(Path(fields[1].replace("\\040", " ")))
    return points


def is_mounted(point: Path) -> bool:
    return point.resolve() in mounted_points()


# The PBX's /proc shows its own processes only, and nothing else of the host's (no /proc/sys,
# no other users' processes): a process inside cannot reach another's root or cwd through it.
PBX_PROC = "hidepid=invisible,subset=pid"


def mount_proc(rootfs: Path, options: str = "") -> None:
    target = rootfs / "proc"
    if not is_mounted(target):
        target.mkdir(exist_ok=True)
        subprocess.run(
            ["mount", "-t", "proc", *(["-o", options] if options else []), "proc", str(target)], check=True
        )
    elif options and not set(options.split(",")) <= mount_options(target):
        subprocess.run(["mount", "-o", f"remount,{options}", str(target)], check=True)


def mount_options(point: Path) -> set[str]:
    for line in Path("/proc/self/mounts").read_text().splitlines():
        fields = line.split()
        if len(fields) > 3 and Path(fields[1].replace("\\040", " ")) == point.resolve():
            return set(fields[3].split(","))
    return set()


def bind(source: Path, rootfs: Path, read_only: bool = False) -> Path:
    """Bind-mount `source` at the same absolute path inside `rootfs`; returns the mount point."""
    target = rootfs / str(source.resolve()).lstrip("/")
    if not is_mounted(target):
        mount_point(target)
        subprocess.run(["mount", "--bind", str(source), str(target)], check=True)
    if read_only and "ro" not in mount_options(target):
        subprocess.run(["mount", "-o", "remount,bind,ro", str(target)], check=True)
    return target


def mount_point(target: Path) -> None:
    """Make `target` and its missing parents, each 0755 whatever the umask: they only lead to
    the bound folder (which keeps its own modes), and the PBX's user must pass through them
    (the engine's umask 027 made /work, say, root-only inside the rootfs: Asterisk could not
    reach its state folder)."""
    missing = [p for p in (target, *target.parents) if not p.exists()]
    for part in reversed(missing):
        part.mkdir()
        os.chmod(part, 0o755)


def unmount(point: Path) -> None:
    if is_mounted(point):
        subprocess.run(["umount", str(point)], check=False)
        if is_mounted(point):
            subprocess.run(["umount", "-l", str(point)], check=True)


def unmount_all_under(root: Path) -> None:
    """Unmount everything under `root`, deepest first."""
    root = root.resolve()
    inside = [p for p in mounted_points() if p == root or root in p.parents]
    for point in sorted(inside, key=lambda p: len(p.parts), reverse=True):
        unmount(point)


@contextlib.contextmanager
def proc_mounted(rootfs: Path) -> Iterator[None]:
    was_mounted = is_mounted(rootfs / "proc")
    mount_proc(rootfs)
    try:
        yield
    finally:
        if not was_mounted:
            unmount(rootfs / "proc")
