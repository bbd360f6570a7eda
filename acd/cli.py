"""`acd`: run the daemon, check the config, drive the lab PBX, play the demo."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from acd import config as config_module
from acd import report_cli, sim_cli, staff_cli, staffing_cli
from acd.web import tls
from ivr import menu

EXIT_CONFIG = 2


def main(argv: list[str] | None = None) -> int:
    os.umask(0o027)  # nothing the engine writes (store, prompts, logs) is readable by other users
    args = _parser().parse_args(argv)
    if args.func is not _run:
        gc.enable()  # off from the first import (acd/__main__.py); `acd run` settles it when up
    try:
        config = config_module.load(args.config, write_secrets=args.func is not _check)
        args.menu = menu.load(config.ivr_path(), queues=[q.name for q in config.queues])
        tls.configured(config)  # a missing or bad certificate is said here, not as a traceback later
    except config_module.ConfigError as exc:
        print(f"acd: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return args.func(config, args) or 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="acd", description=__doc__)
    parser.add_argument(
        "-c",
        "--config",
        type=Path,
        default=config_module.DEFAULT_PATH,
        help="the YAML configuration (default: %(default)s)",
    )
    verbs = parser.add_subparsers(required=True, metavar="COMMAND")
    verbs.add_parser("run", help="run the daemon").set_defaults(func=_run)
    verbs.add_parser("check-config", help="validate the configuration").set_defaults(func=_check)
    secrets = verbs.add_parser("secrets", help="the generated secrets (phone passwords, PINs, ...)")
    secrets.add_argument("action", choices=["show", "path"])
    secrets.set_defaults(func=_secrets)
    pbx = verbs.add_parser("pbx", help="the chrooted Asterisk: build, up, status, down, cli, render")
    pbx.add_argument("action", choices=["build", "up", "status", "down", "cli", "render"])
    pbx.add_argument("command", nargs="*", help="for `cli`: an Asterisk CLI command")
    pbx.add_argument(
        "--state-dir",
        type=Path,
        help="for `render`: where Asterisk's files go (default: pbx.state_dir); used by the Docker image",
    )
    pbx.set_defaults(func=_pbx)
    db = verbs.add_parser("db", help="the customer store's schema")
    db.add_argument("action", choices=["migrate"])
    db.set_defaults(func=_db)
    customers = verbs.add_parser("customers", help="import or generate customers")
    customers_verbs = customers.add_subparsers(required=True, metavar="ACTION")
    generate = customers_verbs.add_parser("generate", help="synthetic customers for demos/benchmarks")
    generate.add_argument("--count", type=int, required=True)
    generate.add_argument("--seed", type=int, default=1)
    generate.set_defaults(func=_generate)
    importing = customers_verbs.add_parser(
        "import", help="customers from a CSV file (bad rows named and dropped)"
    )
    importing.add_argument("file", type=Path)
    importing.set_defaults(func=_import)
    recordings = verbs.add_parser("recordings", help="call recordings: delete those past retention")
    recordings.add_argument("action", choices=["purge"])
    recordings.add_argument(
        "--days",
        type=int,
        help="keep this many days instead of "
        "recording.retention_days (0 deletes every finished call's recording)",
    )
    recordings.set_defaults(func=_recordings)
    staff_cli.add_parser(verbs, _staff)
    report_cli.add_parser(verbs, report_cli.run)
    staffing_cli.add_parser(verbs, staffing_cli.run)
    sim_cli.add_parser(verbs, sim_cli.run)
    demo = verbs.add_parser("demo", help="a simulated day: PBX, daemon, agents and callers, live view")
    demo.add_argument(
        "--seconds", type=float, default=None, help="end the day after this long (default: at Ctrl-C)"
    )
    demo.set_defaults(func=_demo)
    return parser


def _run(config: config_module.Config, args: argparse.Namespace) -> int:
    from acd import daemon  # installs the asyncio reactor: only for this verb

    return daemon.run(config, args.menu)


def _check(config: config_module.Config, args: argparse.Namespace) -> int:
    print(f"{args.config}: ok ({len(config.queues)} queues, {len(config.agents)} agents)")
    print(
        f"{config.ivr_path()}: ok ({len(args.menu.categories)} categories, "
        f"languages {', '.join(args.menu.prompts)}) for dialled {', '.join(config.routing.ivr) or 'none'}"
    )
    return 0


def _secrets(config: config_module.Config, args: argparse.Namespace) -> int:
    """Print the secrets file (made on first use), or where it is."""
    path = config.secrets_path()
    print(path if args.action == "path" else path.read_text(), end="\n" if args.action == "path" else "")
    return 0


def _pbx(config: config_module.Config, args: argparse.Namespace) -> int:
    from acd.pbx.control import Pbx

    pbx = Pbx(config)
    if args.action == "build":
        from acd.pbx import rootfs

        rootfs.build(pbx.rootfs)
    elif args.action == "up":
        pbx.up()
    elif args.action == "down":
        pbx.down()
    elif args.action == "render":
        from acd.pbx import render

        etc = render.write(config, (args.state_dir or pbx.state_dir).resolve())
        print(f"Asterisk configuration written to {etc}")
    elif args.action == "cli":
        print(pbx.cli(" ".join(args.command)), end="")
    else:
        status = pbx.status()
        print(f"rootfs   {pbx.rootfs}: {'ready' if status.rootfs_ready else 'missing'}")
        print(f"state    {pbx.state_dir}: {'mounted' if status.mounted else 'not mounted'}")
        print(
            f"asterisk {'pid ' + str(status.pid) if status.running else 'not running'}"
            + (f", {status.uptime}" if status.uptime else "")
        )
        return 0 if status.answering else 3
    return 0


def _db(config: config_module.Config, args: argparse.Namespace) -> int:
    from acd.store import db

    db.migrate(config.store.url)
    print(f"schema up to date: {db.resolve_url(config.store.url)}")
    return 0


def _generate(config: config_module.Config, args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from acd.store import db, synthetic

    if args.count < 1:
        print("acd: --count must be at least 1", file=sys.stderr)
        return EXIT_CONFIG
    db.migrate(config.store.url)
    with Progress() as progress:
        task = progress.add_task("generating customers", total=args.count)
        done = synthetic.generate(
            db.engine(config.store.url), args.count, args.seed, lambda n: progress.advance(task, n)
        )
    print(f"{done} customers added to {db.resolve_url(config.store.url)}")
    return 0


def _import(config: config_module.Config, args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from acd.store import db, importer

    db.migrate(config.store.url)
    try:
        with Progress() as progress:
            task = progress.add_task(f"checking {args.file.name}", total=None)
            done = importer.import_csv(
                db.engine(config.store.url), args.file, config.numbers, lambda n: progress.advance(task, n)
            )
    except importer.ImportFailed as failed:
        for line, reason in failed.problems:
            print(f"{args.file}:{line}: {reason}", file=sys.stderr)
        print(f"acd: {failed}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"acd: cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    for line, reason in done.problems:
        print(f"{args.file}:{line}: {reason}", file=sys.stderr)
    print(
        f"{done.written} customers imported into {db.resolve_url(config.store.url)}"
        + (f"; {len(done.problems)} bad rows dropped (listed above)" if done.problems else "")
    )
    return 1 if done.problems else 0


def _recordings(config: config_module.Config, args: argparse.Namespace) -> int:
    import time

    from acd import recordings
    from acd.store import db

    days = config.recording.retention_days if args.days is None else args.days
    if days < 0:
        print("acd: --days must not be negative", file=sys.stderr)
        return EXIT_CONFIG
    db.migrate(config.store.url)
    with db.sessions(db.engine(config.store.url)).begin() as session:
        count = recordings.purge(session, config.recordings_path(), time.time(), days)
    print(f"{count} recordings older than {days} days deleted (files and rows)")
    return 0


def _staff(config: config_module.Config, args: argparse.Namespace) -> int:
    return staff_cli.run(config, args)


def _demo(config: config_module.Config, args: argparse.Namespace) -> int:
    from acd.lab import demo

    return demo.run(config, args.config, args.seconds)
