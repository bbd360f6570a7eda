"""The Docker stack's first step on every `up`: secrets, Asterisk's and redis's configuration,
and who owns what in the shared volumes. Runs as root in the daemon's image, then exits.

The other services do not depend on it in the compose file (podman would then start it with
each of them, and refuse to restart one whose dependency has exited, which defeats their
restart policies); they wait for what it writes last instead: Asterisk and the daemon for
`.setup-done` in the rendered etc folder, redis for its configuration. It may run again on
a later `up`: what is already as it should be is left untouched, so a running Asterisk never
sees its configuration half rewritten.

The secrets are generated into the secrets volume on the first start only (acd/credentials.py,
as for the chrooted PBX) and kept after that; they are never in an image. Asterisk, redis
and the daemon then run as their own users (ids from the compose file's build arguments,
kept in the daemon image's environment), each reading only what it needs: Asterisk the
rendered config, redis its own file with its password, the daemon the secrets file.
"""
from __future__ import annotations

import grp
import os
import sys
from pathlib import Path
from urllib.parse import urlparse

from acd import config as config_module
from acd.credentials import ENGINE_GROUP
from acd.pbx import render
from acd.pbx.control import state_dir
from acd.pbx.users import Ids
from acd.store.db import sqlite_path

REDIS_CONF = Path("/srv/acd/redis/redis.conf")
DONE = ".setup-done"   # in the rendered etc folder, written last: Asterisk and the daemon wait for it


def main(argv: list[str]) -> int:
    os.umask(0o027)
    path = Path(argv[0]) if argv else config_module.DEFAULT_PATH
    try:
        config = config_module.load(path)   # generates the missing secrets, keeps the others
    except config_module.ConfigError as exc:
        print(f"acd setup: configuration error: {exc}", file=sys.stderr)
        return 2
    gid = grp.getgrnam(ENGINE_GROUP).gr_gid
    daemon = int(os.environ["ACD_DAEMON_UID"])
    state = state_dir(config)
    etc = state / "etc"
    if not _rendered(config, state):
        (etc / DONE).unlink(missing_ok=True)
        render.write(config, state, Ids(int(os.environ["ACD_PBX_UID"]), gid))
    # The daemon renders the prompts Asterisk plays, writes the store the fallback AGI reads,
    # and its security log.
    _own(state / "sounds", daemon, gid)
    _own(config.security_log_path().parent, daemon, gid)
    database = sqlite_path(config.store.url)
    if database is not None:
        _own(database.parent, daemon, gid)
    _write_redis_conf(config, REDIS_CONF, int(os.environ["ACD_REDIS_UID"]), gid)
    if not (etc / DONE).exists():
        os.close(os.open(etc / DONE, os.O_WRONLY | os.O_CREAT, 0o640))
        os.chown(etc / DONE, 0, gid)
    print(f"acd setup: secrets in {config.secrets_path()}, Asterisk's configuration in {etc}, "
          f"redis's in {REDIS_CONF}")
    return 0


def _rendered(config: config_module.Config, state: Path) -> bool:
    """Whether Asterisk's configuration and fallback script are already what `render` makes."""
    etc, agi = state / "etc", state / "agi"
    try:
        have = {path.name: path.read_text() for path in etc.glob("*.conf")}
        script = (agi / "acd_fallback.py").read_text()
    except OSError:
        return False
    return have == render.render(config, state) and script == (
        render.REPO / "agi_scripts" / "acd_fallback.py").read_text()


def _own(top: Path, uid: int, gid: int) -> None:
    """`top` and everything in it the daemon's, in the engine's group (links left alone)."""
    top.mkdir(parents=True, exist_ok=True)
    for folder, dirs, files in os.walk(top):
        for name in [".", *dirs, *files]:
            path = Path(folder) / name
            found = path.lstat()
            if not path.is_symlink() and (found.st_uid, found.st_gid) != (uid, gid):
                os.chown(path, uid, gid)


def _write_redis_conf(config: config_module.Config, path: Path, uid: int, gid: int) -> None:
    """Loopback only, the engine's password, nothing written to disk."""
    url = urlparse(config.redis.url)
    text = "\n".join([f"bind {url.hostname or '127.0.0.1'}", f"port {url.port or 6379}",
                      "protected-mode yes", 'save ""', "appendonly no", "dir /tmp",
                      f"requirepass {config.redis.password}", ""])
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if path.read_text() == text:
            return
    except OSError:
        pass
    part = path.with_name(f".{path.name}.part")
    descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(text)
    os.chown(part, uid, gid)
    os.chmod(part, 0o400)
    os.replace(part, path)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
