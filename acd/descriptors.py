"""The open-file limit the daemon's caps need, checked (and raised if it may be) at start.

Every FastAGI session and every HTTP connection holds a descriptor (live streams and walls
are HTTP connections, capped below http.max_connections). A soft limit under the caps means
they are never reached: accept() fails with EMFILE first, and redis, AMI, SQL and the journal
fail with it. Distributions often start daemons at a soft 1024 under a far higher hard limit.
"""

from __future__ import annotations

import resource

from twisted.logger import Logger

from acd.config import Config

log = Logger()

MARGIN = 64  # redis (redis.max_connections <= 32) and AMI, SQL, the journal, logs, the listeners


def needed(config: Config) -> int:
    """The descriptors the caps may hold open at once, plus the margin."""
    return config.fastagi.max_connections + config.http.max_connections + MARGIN


def enough(limit: int, need: int) -> bool:
    return limit == resource.RLIM_INFINITY or limit >= need


def raised(soft: int, hard: int, need: int) -> int | None:
    """The soft limit to set: what is needed, as far as the hard limit allows; None to leave
    it. Only what is needed: a higher one costs nothing here but says nothing either."""
    if enough(soft, need):
        return None
    target = need if enough(hard, need) else hard
    return target if target > soft else None


def ensure(config: Config) -> None:
    """Raise RLIMIT_NOFILE's soft limit if the caps need it; warn if the hard one is too low."""
    need = needed(config)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = raised(soft, hard, need)
    if target is not None:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as exc:
            log.warn("open-file limit not raised from {soft}: {why}", soft=soft, why=exc)
        else:
            log.info("open-file limit raised from {soft} to {target}", soft=soft, target=target)
            soft = target
    if not enough(soft, need):
        log.warn(
            "RLIMIT_NOFILE is {soft} (hard limit {hard}) but the caps (fastagi.max_connections + "
            "http.max_connections + {margin}) need {need} open files: connections will fail with "
            "EMFILE before the caps refuse them; raise the hard limit (systemd LimitNOFILE=, "
            "ulimit -Hn) or lower the caps",
            margin=MARGIN,
            need=need,
            hard=hard,
            soft=soft,
        )
