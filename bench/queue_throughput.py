"""Queued calls per second with the engine attached, against bare Asterisk, in one run.

    python bench/queue_throughput.py [--rates 20 40] [--seconds 20]

One chrooted PBX (its own ports), one queue `benchq` with 50 members that all ring one sipp
agent (ringinuse on, as asterisk-lab.md's capacity baseline), callers from sipp at a fixed
rate. "bare": the carrier's call goes Answer -> Queue, nothing else (a dialplan extension
added for the bench only). "engine": the production path: FastAGI route in the daemon
(lookup in a SQLite store of 100,000 customers), UserEvents, Queue, the daemon on AMI.
Calls are counted from queue_log CONNECTs, CPU from /proc. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

from acd import config as config_module
from acd.asterisk import queue_log
from acd.lab import sipp
from acd.lab.daemon_proc import DaemonProcess
from acd.lab.redis_proc import RedisServer
from acd.pbx.control import Pbx

SIP, AMI, AGI, HTTP, TRUNK, AGENT, REDIS = 5260, 5239, 4873, 8880, 5280, 6300, 6579
MEMBERS = 50
BARE = """
[from-trunk]
exten => 7777,1,Answer()
 same => n,Queue(benchq,,,,60)
 same => n,Hangup()
"""


def bench_config(scratch: Path) -> tuple[config_module.Config, Path]:
    raw = yaml.safe_load(config_module.DEFAULT_PATH.read_text())
    raw["ami"]["port"], raw["fastagi"]["port"], raw["http"]["port"] = AMI, AGI, HTTP
    raw["pbx"].update(
        state_dir=str(scratch / "pbx"), sip={"host": "127.0.0.1", "port": SIP}, rtp_ports=[32000, 32999]
    )
    raw["trunks"] = [{"name": "carrier", "match": f"127.0.0.1:{TRUNK}"}]
    raw["callback"]["enabled"] = False
    raw["queues"].append({"name": "benchq", "ring_timeout": 10, "ring_in_use": True})
    raw["routing"]["numbers"]["7778"] = "benchq"
    raw["greeting"] = {"enabled": False}
    raw["store"] = {"url": f"sqlite:///{scratch / 'store.sqlite3'}"}
    raw["redis"] = {"url": f"redis://127.0.0.1:{REDIS}/0", "prefix": "bench"}
    path = scratch / "acd.yaml"
    path.write_text(yaml.safe_dump(raw))
    return config_module.load(path), path


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_load(pbx: Pbx, work: Path, dialled: str, rate: float, seconds: float, tag: str) -> dict:
    before = len(queue_log.read(pbx.queue_log))
    cpu0, t0 = cpu_seconds(pbx.pid()), time.monotonic()
    count = int(rate * seconds)
    callers = sipp.callers(
        sipp.Pbx(port=SIP),
        work,
        [(f"49301{i:06d}", dialled) for i in range(count)],
        trunk_port=TRUNK,
        media_port=46000,
        rate=rate,
        patience_ms=15000,
        name=f"load-{tag}",
        limit=int(rate * 15),
    )
    callers.wait(seconds + 120)
    wall, cpu = time.monotonic() - t0, cpu_seconds(pbx.pid()) - cpu0
    entries = queue_log.read(pbx.queue_log)[before:]
    connects = [e for e in entries if e.verb == "CONNECT"]
    holds = [int(e.data[0]) for e in connects if e.data and e.data[0].isdigit()]
    pbx.cli("channel request hangup all")
    time.sleep(2)
    return {
        "offered": count,
        "connected": len(connects),
        "per_s": len(connects) / seconds,
        "hold": sum(holds) / len(holds) if holds else 0.0,
        "cpu": 100 * cpu / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", type=float, nargs="+", default=[20.0, 40.0])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="acd-qbench-") as name:
        scratch = Path(name)
        config, path = bench_config(scratch)
        from acd.store import db, synthetic

        db.migrate(config.store.url)
        synthetic.generate(db.engine(config.store.url), 100_000)
        redis = RedisServer(config.redis.url, scratch / "redis")
        redis.start()
        pbx = Pbx(config)
        pbx.up(say=lambda line: None)
        (pbx.state_dir / "etc" / "extensions.conf").open("a").write(BARE)
        pbx.cli("dialplan reload")
        for i in range(MEMBERS):
            pbx.cli(
                f"queue add member PJSIP/trunk-carrier/sip:la{i:03d}@127.0.0.1:{AGENT} to benchq "
                f"penalty 0 as la{i:03d} state_interface PJSIP/trunk-carrier"
            )
        agent = sipp.Process(
            [
                "sipp",
                "-sf",
                str(sipp.SCENARIOS / "agent.xml"),
                "-i",
                "127.0.0.1",
                "-p",
                str(AGENT),
                "-mi",
                "127.0.0.1",
                "-mp",
                "47000",
                "-d",
                "3000",
                "-nostdin",
            ],
            scratch,
            "agent",
        )
        daemon = DaemonProcess(config, path, scratch / "daemon.log")
        try:
            print(f"{MEMBERS} members on one sipp agent (3 s talk), {args.seconds:.0f} s per run")
            for rate in args.rates:
                bare = run_load(pbx, scratch, "7777", rate, args.seconds, f"bare{rate:g}")
                daemon.start(timeout=60)
                engine = run_load(pbx, scratch, "7778", rate, args.seconds, f"engine{rate:g}")
                daemon.stop()
                for label, r in (("bare Asterisk", bare), ("with the engine", engine)):
                    print(
                        f"{rate:>5g} cps offered, {label:<16}: {r['connected']}/{r['offered']} connected, "
                        f"{r['per_s']:.1f} connects/s, mean hold {r['hold']:.2f} s,"
                        f" Asterisk CPU {r['cpu']:.0f}%"
                    )
                ratio = engine["per_s"] / bare["per_s"] if bare["per_s"] else float("nan")
                print(f"{rate:>5g} cps: engine/bare connects ratio {ratio:.3f}")
        finally:
            daemon.stop()
            agent.stop()
            pbx.cli("channel request hangup all")
            pbx.down(say=lambda line: None)
            redis.stop()


if __name__ == "__main__":
    sys.exit(main())
