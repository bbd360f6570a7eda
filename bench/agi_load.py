"""An open-loop AGI load generator: plays Asterisk's side of AGI sessions at a fixed rate.

Each session sends the agi_* headers, answers every command with `200 result=1`, and ends
when the server closes (FastAGI) or the script exits (classic AGI). Latency is from the
session's start to its end. Sessions start on schedule whether or not earlier ones have
finished, so a slow server shows up as latency, not as a lower rate.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0
    wall_s: float = 0.0

    def line(self, label: str) -> str:
        if not self.latencies_ms:
            return f"{label}: no session succeeded ({self.failures} failed)"
        data = sorted(self.latencies_ms)
        pick = lambda q: data[min(len(data) - 1, int(q * len(data)))]
        rate = len(data) / self.wall_s if self.wall_s else 0.0
        return (
            f"{label}: {len(data)} sessions at {rate:.0f}/s, p50 {pick(0.5):.2f} ms, "
            f"p99 {pick(0.99):.2f} ms, p99.9 {pick(0.999):.2f} ms, "
            f"mean {statistics.fmean(data):.2f} ms, failed {self.failures}"
        )


def headers(script: str, caller: str, uniqueid: str, extension: str = "300") -> bytes:
    lines = [
        f"agi_network_script: {script}",
        "agi_request: agi://127.0.0.1/" + script,
        "agi_channel: PJSIP/trunk-carrier-00000001",
        "agi_language: en",
        f"agi_uniqueid: {uniqueid}",
        "agi_version: 22.10.1",
        f"agi_callerid: {caller}",
        "agi_calleridname: Caller",
        "agi_context: from-trunk",
        f"agi_extension: {extension}",
        "agi_priority: 5",
        "agi_enhanced: 0.0",
        "agi_accountcode: ",
        "agi_threadid: 1",
    ]
    return ("\n".join(lines) + "\n\n").encode()


class Pipelined(Exception):
    """The server sent a command before the last one's answer: real res_agi would stall."""


async def converse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int:
    """Answer commands until the other side closes; returns how many it sent."""
    commands = 0
    while True:
        line = await reader.readline()
        if not line:
            return commands
        if reader._buffer:  # res_agi reads through stdio: a second line sent ahead stays unread
            raise Pipelined(line)
        commands += 1
        writer.write(b"200 result=1\n")
        await writer.drain()


async def fastagi_session(host: str, port: int, script: str, caller: str, uid: str) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(headers(script, caller, uid))
    await writer.drain()
    await converse(reader, writer)
    writer.close()


async def process_session(argv: Sequence[str], script: str, caller: str, uid: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    process.stdin.write(headers(script, caller, uid))
    await process.stdin.drain()
    await converse(process.stdout, process.stdin)
    if await process.wait() != 0:
        raise RuntimeError(f"script exited {process.returncode}")


async def run_load(session: Callable[[int], Awaitable[None]], rate: float, seconds: float) -> Result:
    result = Result()
    total = int(rate * seconds)
    # the generator's own garbage collections would pass for the server's latency
    gc.collect()
    gc.disable()
    try:
        return await _run(session, rate, total, result)
    finally:
        gc.enable()


async def _run(session: Callable[[int], Awaitable[None]], rate: float, total: int, result: Result) -> Result:
    started = time.perf_counter()

    async def one(i: int) -> None:
        begin = time.perf_counter()
        try:
            await asyncio.wait_for(session(i), 30)
        except Exception:
            result.failures += 1
            return
        result.latencies_ms.append((time.perf_counter() - begin) * 1000)

    tasks = []
    for i in range(total):
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(i)))
    await asyncio.gather(*tasks)
    result.wall_s = time.perf_counter() - started
    return result
