"""`acd run`: the daemon on Twisted's asyncio reactor.

The reactor must be installed on a loop that is also asyncio's current loop, before anything
imports twisted.internet.reactor; otherwise futures made before reactor.run() land on another
loop and the program hangs silently.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time

from twisted.internet import asyncioreactor

_loop = asyncio.new_event_loop()
asyncio.set_event_loop(_loop)
asyncioreactor.install(_loop)

from sqlalchemy.exc import SQLAlchemyError
from twisted.internet import reactor
from twisted.logger import Logger, globalLogBeginner, textFileLogObserver

from acd import security_log
from acd.config import Config
from acd.service import Daemon
from acd.store.db import migrate
from acd.store.knowledge import seed_folder
from ivr.menu import Menu

log = Logger()


def settle_garbage_collector() -> None:
    """What start-up built lives as long as the daemon: keep it out of every later collection
    (gc.freeze), so a full collection walks only what calls made, and a caller's route never
    waits tens of milliseconds for a sweep over the whole heap."""
    gc.collect()
    gc.freeze()


def run(config: Config, menu: Menu) -> int:
    globalLogBeginner.beginLoggingTo([textFileLogObserver(sys.stdout)], redirectStandardIO=False)
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
        settle_garbage_collector()
        daemon.fastagi.listen().addErrback(failed)

    reactor.callWhenRunning(start)
    reactor.addSystemEventTrigger("before", "shutdown", daemon.stopService)
    reactor.run()
    return outcome["code"]
