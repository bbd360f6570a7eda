"""Mount points inside the PBX's rootfs: the folders leading to a bound folder are passable."""

from __future__ import annotations

import os
import stat

from acd.pbx.mounts import mount_point


def test_missing_parents_are_passable_whatever_the_umask(tmp_path):
    rootfs = tmp_path / "rootfs"
    rootfs.mkdir(mode=0o700)
    old = os.umask(0o027)  # the engine's own (acd/cli.py)
    try:
        mount_point(rootfs / "work" / "wt" / "demo" / "var" / "pbx")
    finally:
        os.umask(old)
    made = [rootfs / "work", rootfs / "work" / "wt", rootfs / "work" / "wt" / "demo" / "var" / "pbx"]
    assert [stat.S_IMODE(p.stat().st_mode) for p in made] == [0o755] * 3
    assert stat.S_IMODE(rootfs.stat().st_mode) == 0o700  # what was there keeps its mode


def test_an_existing_mount_point_is_left_as_it_is(tmp_path):
    point = tmp_path / "point"
    point.mkdir(mode=0o750)
    mount_point(point)
    assert stat.S_IMODE(point.stat().st_mode) == 0o750
