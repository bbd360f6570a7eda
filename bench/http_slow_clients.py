"""FastAGI latency while slow HTTP clients hold the daemon's web port (same process).

    python bench/http_slow_clients.py [--clients 300] [--rate 50] [--seconds 10]

Starts `acd run` (no PBX: its AMI link keeps retrying), measures FastAGI sessions of the
`acd/enter` route alone, then again while `--clients` HTTP clients each (a) trickle a request
header byte every second and never finish (slowloris), and (b) POST an unauthenticated body
announced as 300 MB, sending it as fast as the daemon reads. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import agi_load
from daemon_run import start_daemon

from acd import config as config_module

AGI_PORT, HTTP_PORT, DEAD_AMI_PORT = 4873, 8880, 5997
CHUNK = b"x" * 65536


async def slowloris(stop: asyncio.Event, held: list[int]) -> None:
    """A request whose headers never end: one byte a second."""
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", HTTP_PORT)
    except OSError:
        return
    held.append(1)
    try:
        writer.write(b"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        while not stop.is_set():
            writer.write(b"X")
            await writer.drain()
            await asyncio.sleep(1.0)
    except OSError:
        pass
    finally:
        held.pop()
        writer.close()


async def big_body(stop: asyncio.Event, sent: list[int]) -> None:
    """An unauthenticated 300 MB POST, sent as fast as the daemon takes it."""
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", HTTP_PORT)
        writer.write(
            b"POST /api/supervise HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 300000000\r\n\r\n"
        )
        while not stop.is_set():
            writer.write(CHUNK)
            await writer.drain()
            sent[0] += len(CHUNK)
    except OSError:
        return
    finally:
        writer.close()


def spooled(pid: int) -> int:
    """Bodies twisted spools to disk show up as deleted temporary files the daemon holds."""
    fds = Path(f"/proc/{pid}/fd")
    return sum(1 for fd in fds.iterdir() if "(deleted)" in _target(fd)) if fds.exists() else -1


def _target(fd: Path) -> str:
    try:
        return str(fd.readlink())
    except FileNotFoundError:  # closed while we looked
        return ""


async def latency(token: str, rate: float, seconds: float) -> agi_load.Result:
    enter = f"{token}/acd/enter"
    return await agi_load.run_load(
        lambda i: agi_load.fastagi_session(
            "127.0.0.1", AGI_PORT, enter, f"0301234{i % 1000:04d}", f"b-{time.time()}-{i}"
        ),
        rate,
        seconds,
    )


async def measure(args: argparse.Namespace, scratch: Path) -> None:
    daemon = start_daemon(
        f"sqlite:///{scratch / 'store.sqlite3'}", scratch, AGI_PORT, HTTP_PORT, DEAD_AMI_PORT
    )
    token = config_module.load(scratch / "acd.yaml").fastagi.token
    try:
        await latency(token, 20, 1)  # warm up
        print((await latency(token, args.rate, args.seconds)).line("FastAGI alone"))
        for name, client in (("slowloris", slowloris), ("300 MB bodies", big_body)):
            stop, counter = asyncio.Event(), [0] if client is big_body else []
            tasks = [asyncio.ensure_future(client(stop, counter)) for _ in range(args.clients)]
            await asyncio.sleep(2)
            held = f"{len(counter)} held" if client is slowloris else f"{counter[0] / 1e6:.0f} MB sent so far"
            result = await latency(token, args.rate, args.seconds)
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            extra = f"{counter[0] / 1e6:.0f} MB sent" if client is big_body else held
            print(result.line(f"FastAGI with {args.clients} {name} clients ({extra})"))
            print(f"  daemon's open temporary files: {spooled(daemon.pid)}")
    finally:
        daemon.terminate()
        daemon.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="acd-bench-http-") as scratch:
        asyncio.run(measure(args, Path(scratch)))


if __name__ == "__main__":
    main()
