"""Call recording: the policy's decision as each call connects, on-demand recording and
pausing by the agent's in-call codes, and the index of every file in SQL.

MixMonitor records the agent's leg (both directions, while bridged). The dialplan asks
`record` on the agent's channel as the call connects (Queue()'s gosub); the agent's `*1`
starts a recording and `*2` mutes or unmutes it (MixMonitorMute: the file keeps silence
there, so card numbers read out are not in it). An on-demand MixMonitor is started from the
agent channel's own AGI session (EXEC), not by AMI: AMI's MixMonitor needs the `system`
class, which the daemon's AMI user does not hold. When the agent's channel hangs up the file
is closed by Asterisk, then measured and checksummed into its row. `sweep` (periodic)
closes rows a restarted daemon left open, indexes what the dialplan recorded alone, and
deletes recordings past their retention.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from twisted.logger import Logger

from acd import recordings
from acd.asterisk import actions
from acd.asterisk import channel_vars as var
from acd.asterisk.fastagi import AgiChannel, AgiError, Route
from acd.asterisk.ivr_player import say
from acd.asterisk.live_channel import agent_leg
from acd.background import background
from acd.config import Config, recording_policy
from acd.core import events as ev
from acd.core.legs import AgentLegs
from acd.core.recording import Take, choose
from acd.speech import SpeechCache
from acd.store import quality
from acd.store.directory import Directory

log = Logger()
RECORDER_EVENTS = frozenset({ev.ChannelHungUp})  # what on_event reads: a recorded leg's end
PROMPTS = {
    "recording": "Recording.",
    "already": "This call is already recorded.",
    "paused": "Recording paused.",
    "resumed": "Recording resumed.",
    "not_recorded": "This call is not recorded.",
    "failed": "Not possible now.",
}
_ENDPOINT = re.compile(r"PJSIP/([0-9]{1,20})-[0-9a-f]+")
_FILE = re.compile(r"/[A-Za-z0-9/._-]{1,400}\.wav")  # nothing MixMonitor's arguments parse
LEG_WAIT_S = 1.0  # Queue()'s gosub may run before its AgentCalled event reaches us
FINISH_WAIT_S = 10.0  # how long a hung-up take may take to be closed by Asterisk
QUIET_S = 60.0  # an unclosed file untouched this long: the PBX died while recording


class Recorder:
    def __init__(
        self,
        config: Config,
        ami,
        directory: Directory,
        speech: SpeechCache,
        agent_at: Callable[[str], str | None],
        legs: AgentLegs,
        clock: Callable[[], float] = time.time,
        draw: Callable[[], float] = random.random,
    ) -> None:
        self.config, self.ami, self.directory, self.speech = config, ami, directory, speech
        self.agent_at = agent_at  # PJSIP/1001 -> the agent logged in there
        self.legs = legs  # agents' live legs, as AMI reported them
        self.clock, self.draw = clock, draw
        self.policy = recording_policy(config)
        self.root = config.recordings_path()
        self.takes: dict[str, Take] = {}  # by the agent channel's uniqueid
        self._sweeping = False

    def table(self) -> dict[str, Route]:
        return {
            "acd/record": self.record,
            "acd/record_demand": self.record_demand,
            "acd/record_pause": self.record_pause,
        }

    # -- routes ------------------------------------------------------------------------------

    async def record(self, channel: AgiChannel) -> None:
        """The call connects to an agent: record it if the policy says so."""
        # no take for a channel the PBX never rang: Refused, and the dialplan's fallback decides
        await agent_leg(channel, self.legs, "acd/record", answered=False, wait=LEG_WAIT_S)
        agent = self._agent(channel)
        line, linkedid = await _line_and_call(channel)
        configured = self.config.agent(agent)
        now = self.clock()
        today = dt.datetime.fromtimestamp(now, dt.UTC).date()
        choice = choose(
            self.policy, line, agent, configured.hired if configured else None, today, self.draw()
        )
        if not choice.record:
            await channel.set_variable(var.RECORD_FILE, "")
            return
        take = self._take(channel, agent, line, linkedid, choice.why)
        await channel.set_variable(var.RECORD_FILE, take.path)  # the dialplan adds the folder

    async def record_demand(self, channel: AgiChannel) -> None:
        """The agent's record code during a call."""
        await agent_leg(channel, self.legs, "acd/record_demand")
        if channel.headers.get("agi_uniqueid", "") in self.takes:
            await say(channel, self.speech, [("en", PROMPTS["already"])])
            return
        line, linkedid = await _line_and_call(channel)
        agent, uniqueid = self._agent(channel), channel.headers.get("agi_uniqueid", "")
        path = recordings.take_path(linkedid or uniqueid, agent, uniqueid, self.clock())
        recordings.make_folder(self.root, path)
        if not await _mixmonitor(channel, self.root / path):
            await say(channel, self.speech, [("en", PROMPTS["failed"])])
            return
        self._take(channel, agent, line, linkedid, "on demand", path)
        await say(channel, self.speech, [("en", PROMPTS["recording"])])

    async def record_pause(self, channel: AgiChannel) -> None:
        """The agent's pause code: mute the recording (again: unmute)."""
        await agent_leg(channel, self.legs, "acd/record_pause")
        uniqueid = channel.headers.get("agi_uniqueid", "")
        take = self.takes.get(uniqueid)
        if take is None:
            await say(channel, self.speech, [("en", PROMPTS["not_recorded"])])
            return
        now = self.clock()
        pausing = not take.paused
        if not await self._act(lambda: actions.mixmonitor_mute(take.channel, pausing)):
            await say(channel, self.speech, [("en", PROMPTS["failed"])])
            return
        self.takes[uniqueid] = take.pause(now) if pausing else take.resume(now)
        await self._act(
            lambda: actions.user_event(
                "AcdRecording",
                {  # for observers and tests
                    "Take": take.id,
                    "State": "paused" if pausing else "recording",
                },
            )
        )
        log.info(
            "recording {take} {state} by agent {agent}",
            take=take.id,
            state="paused" if pausing else "resumed",
            agent=take.agent,
        )
        await say(channel, self.speech, [("en", PROMPTS["paused" if pausing else "resumed"])])

    def _agent(self, channel: AgiChannel) -> str:
        found = _ENDPOINT.fullmatch(channel.headers.get("agi_channel", ""))
        phone = found.group(1) if found else "unknown"
        return self.agent_at(f"PJSIP/{phone}") or f"phone-{phone}"[:20]

    async def _act(self, build: Callable[[], actions.Action]) -> bool:
        """Send an AMI action; False (and logged) when it could not be built, the PBX
        refused it or is unreachable."""
        try:
            action = build()
            answer = await self.ami.action(action)
        except (TimeoutError, actions.UnsafeAction, ConnectionError) as exc:
            log.warn("AMI action not sent: {why}", why=exc)
            return False
        if isinstance(answer, dict) and answer.get("Response") == "Error":
            log.warn("{action} refused: {why}", action=action.name, why=answer.get("Message"))
            return False
        return True

    def _take(
        self, channel: AgiChannel, agent: str, line: str, linkedid: str, why: str, path: str | None = None
    ) -> Take:
        uniqueid = channel.headers.get("agi_uniqueid", "")
        linkedid = linkedid or uniqueid
        now = self.clock()
        take = Take(
            uuid.uuid4().hex,
            linkedid,
            agent,
            channel.headers.get("agi_channel", ""),
            path or recordings.take_path(linkedid, agent, uniqueid, now),
            now,
            why,
        )
        recordings.make_folder(self.root, take.path)
        self.takes[uniqueid] = take
        background(
            self.directory.write(quality.open_recording, take.id, linkedid, agent, line, take.path, why, now),
            "indexing a recording",
        )
        log.info("recording call {call} at agent {agent} ({why})", call=linkedid, agent=agent, why=why)
        return take

    # -- the end of a take -------------------------------------------------------------------

    def on_event(self, event: ev.Event) -> None:
        """The bus hands it RECORDER_EVENTS only: keep that set in step with this."""
        if isinstance(event, ev.ChannelHungUp) and event.channel_id in self.takes:
            take = self.takes.pop(event.channel_id)
            background(self._close(take, event.at), "closing a recording")

    async def _close(self, take: Take, ended_at: float) -> None:
        path = self.root / take.path
        deadline = self.clock() + FINISH_WAIT_S
        facts = await asyncio.to_thread(recordings.finished, path)
        while facts is None and self.clock() < deadline:
            await asyncio.sleep(0.1)
            facts = await asyncio.to_thread(recordings.finished, path)
        if facts is None:
            log.warn("recording {path} not finished by Asterisk; indexed as missing", path=take.path)
        await self.directory.write(
            quality.close_recording, take.id, ended_at, *_facts(facts, take.paused_until(ended_at))
        )

    # -- the periodic sweep ------------------------------------------------------------------

    async def sweep(self) -> None:
        if self._sweeping:  # a slow store: the last sweep is still at work
            return
        self._sweeping = True
        try:
            now = self.clock()
            await self._close_left_open(now)
            await self._index_orphans(now)
            await self.purge(now)
        finally:
            self._sweeping = False

    async def _close_left_open(self, now: float) -> None:
        """Rows a stopped daemon left 'recording': closed from their files once Asterisk has."""
        live = {t.id for t in self.takes.values()}
        for row in await self.directory.read(quality.unfinished_recordings, now):
            if row["take"] in live:
                continue
            facts = await self._measure(recordings.inside(self.root, row["path"]), now)
            if facts is not False:
                await self.directory.write(
                    quality.close_recording,
                    row["take"],
                    _mtime(self.root / row["path"], now),
                    *_facts(facts, row["paused_s"]),
                )

    async def _index_orphans(self, now: float) -> None:
        """What the dialplan recorded while the daemon was down: indexed, not lost."""
        found = recordings.orphans(self.root)
        known = await self.directory.read(quality.indexed_paths, [o.path for o in found])
        for orphan in found:
            facts = None if orphan.path in known else await self._measure(self.root / orphan.path, now)
            if facts is None or facts is False:
                continue
            seat = next(
                (a.number for a in self.config.agents if a.phone == orphan.phone), f"phone-{orphan.phone}"
            )
            ended = _mtime(self.root / orphan.path, now)
            await self.directory.write(
                quality.open_recording,
                orphan.uniqueid,
                orphan.linkedid,
                seat,
                orphan.line,
                orphan.path,
                "fallback",
                ended - facts.duration_s,
            )
            await self.directory.write(quality.close_recording, orphan.uniqueid, ended, *_facts(facts, 0.0))
            log.info("indexed {path}, recorded while the daemon was down", path=orphan.path)

    async def _measure(self, path: Path, now: float) -> recordings.Finished | Literal[False] | None:
        """The file's facts once closed; also once it has been left unclosed for QUIET_S (the
        PBX died); None when it is gone for good; False while it may still grow."""
        facts = await asyncio.to_thread(recordings.finished, path)
        if facts is not None:
            return facts
        if _mtime(path, 0.0) > now - QUIET_S:
            return False
        return await asyncio.to_thread(recordings.finished, path, False)

    async def purge(self, now: float) -> int:
        """Delete recordings past the retention time: the file, then its row."""
        count = await self.directory.write(recordings.purge, self.root, now, self.policy.retention_days)
        if count:
            log.info("deleted {n} recordings past {days} days", n=count, days=self.policy.retention_days)
        return count


async def _mixmonitor(channel: AgiChannel, file: Path) -> bool:
    """Start MixMonitor on the session's own channel (the agent's leg, both directions)."""
    if not _FILE.fullmatch(str(file)) or ".." in str(file):
        log.warn("not a recordings file: {file!r}", file=str(file)[:200])
        return False
    try:
        result = await channel.command(f'EXEC MixMonitor "{file},b"')
    except AgiError as exc:
        log.warn("MixMonitor not started: {why}", why=exc)
        return False
    if result.get("result", ("",))[0] != "0":
        log.warn("MixMonitor not started: {result}", result=result.get("result"))
        return False
    return True


async def _line_and_call(channel: AgiChannel) -> tuple[str, str]:
    """The call's line (queue) and journey (linkedid) in one round trip; neither has a '|'."""
    line, _, linkedid = (await channel.evaluate(f"${{{var.LINE}}}|${{CHANNEL(linkedid)}}")).partition("|")
    return line, linkedid


def _facts(facts: recordings.Finished | None, paused_s: float) -> tuple:
    """close_recording's duration, paused, size and checksum arguments."""
    if facts is None:
        return None, paused_s, None, None
    return facts.duration_s, paused_s, facts.size, facts.sha256


def _mtime(path: Path, default: float) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return default
