"""Mount bookkeeping for the chrooted PBX: every step may find a mount left by an earlier run."""
from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path
from typing import Iterator


def mounted_points() -> list[Path]:
    points = []
    for line in Path("/proc/self/mounts").read_text().splitlines():
        fields = line.split()
        if len(fields) > 1:
            points.append(Path(fields[1].replace("\\040", " ")))
    return points


def is_mounted(point: Path) -> bool:
    return point.resolve() in mounted_points()


def mount_proc(rootfs: Path) -> None:
    target = rootfs / "proc"
    if not is_mounted(target):
        target.mkdir(exist_ok=True)
        subprocess.run(["mount", "-t", "proc", "proc", str(target)], check=True)


def bind(source: Path, rootfs: Path) -> Path:
    """Bind-mount `source` at the same absolute path inside `rootfs`; returns the mount point."""
    target = rootfs / str(source.resolve()).lstrip("/")
    if not is_mounted(target):
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "--bind", str(source), str(target)], check=True)
    return target


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
