"""Bring the chrooted Asterisk up, report on it, and tear it down; every step is idempotent.

The PBX's state folder (generated config, logs, queue_log, ctl socket) is bind-mounted into
the rootfs at its own absolute path, so Asterisk inside and the tools outside use the same paths.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import time
from pathlib import Path

from acd.config import Config
from acd.pbx import mounts, permissions, render, rootfs, users
from acd.store.db import sqlite_path

REPO = render.REPO


@dataclasses.dataclass(frozen=True)
class Status:
    rootfs_ready: bool
    mounted: bool
    pid: int | None
    answering: bool
    version: str = ""
    uptime: str = ""

    @property
    def running(self) -> bool:
        return self.pid is not None


def state_dir(config: Config) -> Path:
    """The PBX's state folder (generated config, logs, sounds); relative paths are the repo's."""
    state = Path(config.pbx.state_dir)
    return (state if state.is_absolute() else REPO / state).resolve()


class Pbx:
    """One Asterisk instance: its rootfs, its state folder, its process."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.rootfs = Path(config.pbx.rootfs)
        self.state_dir = state_dir(config)
        self.conf = self.state_dir / "etc" / "asterisk.conf"

    def shared_folders(self) -> list[Path]:
        """Host folders the chrooted PBX sees at their own paths: its state, the recordings
        (MixMonitor writes them), and the SQLite store's folder for the fallback AGI when the
        daemon is down."""
        recordings = self.config.recordings_path()
        recordings.mkdir(parents=True, exist_ok=True)
        folders = [self.state_dir, recordings.resolve()]
        store = self._store_folder()
        if store is not None:
            store.mkdir(parents=True, exist_ok=True)
            folders.append(store)
        # parents before children: a folder bound over an already bound child would hide it
        return sorted(set(folders), key=lambda f: len(f.parts))

    def _store_folder(self) -> Path | None:
        database = sqlite_path(self.config.store.url)
        return database.parent.resolve() if database is not None else None

    @property
    def queue_log(self) -> Path:
        return self.state_dir / "log" / "queue_log"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "run" / "asterisk.pid"

    def up(self, say=print, timeout: float = 30.0) -> float:
        """Start Asterisk unless it already runs; returns the seconds to FullyBooted."""
        rootfs.build(self.rootfs, say)
        if self.pid() is not None:
            say(f"asterisk already running (pid {self.pid()})")
            return 0.0
        ids = users.host_ids()
        users.align_rootfs(self.rootfs, ids)
        permissions.secure_rootfs(self.rootfs, ids)
        render.write(self.config, self.state_dir, ids)
        self._clear_stale_run_files()
        mounts.mount_proc(self.rootfs, mounts.PBX_PROC)
        store = self._store_folder()
        for folder in self.shared_folders():
            mounts.bind(folder, self.rootfs, read_only=folder == store)  # the fallback only reads it
        started = time.monotonic()
        console_path = self.state_dir / "log" / "console.out"
        with os.fdopen(os.open(console_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640), "ab") as console:
            # asterisk.conf's runuser/rungroup: Asterisk drops root for its own user at once;
            # what it writes is nobody else's (umask 027)
            subprocess.Popen(
                self._asterisk("-f", "-n"),
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=console,
                start_new_session=True,
                umask=0o027,
            )
        self._wait_fully_booted(timeout)
        spent = time.monotonic() - started
        say(
            f"asterisk fully booted in {spent:.2f} s (AMI {self.config.ami.host}:{self.config.ami.port},"
            f" SIP {self.config.pbx.sip.host}:{self.config.pbx.sip.port})"
        )
        return spent

    def down(self, say=print, timeout: float = 10.0) -> None:
        pid = self.pid()
        if pid is not None:
            self.cli("core stop now", timeout=5)
            if not _wait_gone(pid, timeout):
                say(f"asterisk {pid} still stopping after {timeout:.0f} s; killing it")
                os.kill(pid, signal.SIGKILL)
                _wait_gone(pid, 5)
        for folder in reversed(self.shared_folders()):
            mounts.unmount(self.rootfs / str(folder).lstrip("/"))
        if not _processes_rooted_in(self.rootfs):
            mounts.unmount(self.rootfs / "proc")
        say("asterisk stopped, mounts released")

    def status(self) -> Status:
        pid = self.pid()
        answering, version, uptime = False, "", ""
        if pid is not None:
            try:
                version = self.cli("core show version", timeout=5).strip()
                uptime = self.cli("core show uptime", timeout=5).strip().splitlines()[0]
                answering = True
            except (subprocess.SubprocessError, IndexError):
                pass
        return Status(
            rootfs_ready=rootfs.is_ready(self.rootfs),
            mounted=mounts.is_mounted(self.rootfs / str(self.state_dir).lstrip("/")),
            pid=pid,
            answering=answering,
            version=version,
            uptime=uptime,
        )

    def cli(self, command: str, timeout: float = 10.0) -> str:
        """Run one Asterisk CLI command through the ctl socket."""
        result = subprocess.run(
            self._asterisk("-rx", command), capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise subprocess.CalledProcessError(result.returncode, command, result.stdout, result.stderr)
        return result.stdout

    def pid(self) -> int | None:
        """The running Asterisk of this state folder, if any (a stale pid file is ignored)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return None
        return pid if str(self.conf).encode() in cmdline else None

    def _asterisk(self, *args: str) -> list[str]:
        return ["chroot", str(self.rootfs), "/usr/sbin/asterisk", "-C", str(self.conf), *args]

    def _clear_stale_run_files(self) -> None:
        for name in ("asterisk.ctl", "asterisk.pid"):
            (self.state_dir / "run" / name).unlink(missing_ok=True)

    def _wait_fully_booted(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        ctl = self.state_dir / "run" / "asterisk.ctl"
        while not ctl.exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"asterisk did not start; see {self.state_dir}/log/console.out")
            time.sleep(0.02)
        self.cli("core waitfullybooted", timeout=max(1.0, deadline - time.monotonic()))


def _alive(pid: int) -> bool:
    """Whether `pid` still runs. When this process started Asterisk (tests, the demo) the
    exited PBX is our child: reap it, or it lingers as a zombie that looks alive."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass  # started by another process (`acd pbx up`): init reaps it
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _processes_rooted_in(root: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "root")) == root.resolve():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found
