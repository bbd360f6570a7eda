"""`acd run`: the daemon on Twisted's asyncio reactor.

The reactor must be installed on a loop that is also asyncio's current loop, before anything
imports twisted.internet.reactor; otherwise futures made before reactor.run() land on another
loop and the program hangs silently.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import time

from twisted.internet import asyncioreactor

_loop = asyncio.new_event_loop()
asyncio.set_event_loop(_loop)
asyncioreactor.install(_loop)

from sqlalchemy.exc import SQLAlchemyError
from twisted.internet import reactor
from twisted.logger import Logger, globalLogBeginner, textFileLogObserver

from acd import descriptors, garbage, security_log
from acd.config import Config
from acd.config_journal import Days
from acd.service import Daemon
from acd.store.db import migrate
from acd.store.knowledge import seed_folder
from ivr.menu import Menu

log = Logger()


def sweep_nightly(days: Days, when: dt.time) -> None:
    """The collector's nightly full sweep (acd/garbage.py), then the next night's."""
    due = garbage.next_sweep(days, time.time(), when)
    reactor.callLater(max(0.0, due - time.time()), _sweep, days, when)


def _sweep(days: Days, when: dt.time) -> None:
    garbage.sweep()
    sweep_nightly(days, when)


def run(config: Config, menu: Menu) -> int:
    globalLogBeginner.beginLoggingTo([textFileLogObserver(sys.stdout)], redirectStandardIO=False)
    descriptors.ensure(config)  # before anything opens: the caps must be reachable
    try:
        migrate(config.store.url)  # idempotent: the embedded SQLite store needs no separate step
        added, problem = seed_folder(config.store.url, config.knowledge_path(), time.time())
    except SQLAlchemyError as exc:
        log.critical("the customer store is unusable: {why}", why=exc)
        return 1
    if problem:
        log.warn("knowledge base: {why}", why=problem)
    if added:
        log.info("knowledge base: {n} entries added from {folder}", n=added, folder=config.desk.knowledge)
    security_log.open_file(config.security_log_path())
    daemon = Daemon(config, menu)
    try:
        made = daemon.people.seed(config)  # acd.yaml's people missing from the staff table
    except SQLAlchemyError as exc:
        log.critical("the staff table is unusable: {why}", why=exc)
        return 1
    if made:
        log.info("staff records made from acd.yaml: {numbers}", numbers=", ".join(made))
    outcome = {"code": 0}

    def failed(failure) -> None:
        log.failure("start-up failed", failure)
        outcome["code"] = 1
        reactor.stop()

    def start() -> None:
        daemon.startService()
        garbage.settle()  # a caller's route never waits on a sweep over the day's heap
        sweep_nightly(daemon.days, config.journal.sweep_time())
        daemon.fastagi.listen().addErrback(failed)

    reactor.callWhenRunning(start)
    reactor.addSystemEventTrigger("before", "shutdown", daemon.stopService)
    reactor.run()
    return outcome["code"]
