"""Live state in redis: who is logged in where, who is paused and why; pending callbacks.

Asterisk forgets dynamic members when it restarts, and the daemon forgets everything when
it does; redis remembers, so either can be brought back to what the agents last chose. One
hash, one field per agent (JSON), written on every change. Guesses (PINs, identity answers) are
one key each, which redis expires once the backoff forgets them.
"""

from __future__ import annotations

import json

import redis.asyncio as redis
from twisted.logger import Logger

from acd.config import Redis
from acd.core.agents import Agent
from acd.core.callbacks import Callback
from acd.core.people import Session
from acd.core.throttle import Change, Record

log = Logger()

GUESS_TRIES = 20  # updates of the same keys in between before one gives up (and counts as "cannot say")


class LiveState:
    def __init__(self, config: Redis) -> None:
        self.key = f"{config.prefix}:agents"
        self.callbacks_key = f"{config.prefix}:callbacks"
        self.guesses_key = f"{config.prefix}:guesses"
        self.sessions_key = f"{config.prefix}:session"
        self.old_guesses_gone = False  # the hash guesses were kept in before their own keys
        self.client = redis.Redis.from_pool(_pool(config))

    async def save(self, agent: Agent) -> None:
        try:
            await self.client.hset(self.key, agent.number, json.dumps(agent.as_dict()))
        except (redis.RedisError, OSError) as exc:
            log.error("agent {agent} not saved to redis: {why}", agent=agent.number, why=exc)

    async def load(self) -> dict[str, Agent]:
        """Every saved agent; empty (and logged) when redis is unreachable."""
        if not self.old_guesses_gone:
            await self._drop_old_guesses()
        try:
            saved = await self.client.hgetall(self.key)
        except (redis.RedisError, OSError) as exc:
            log.error("agent state not read from redis: {why}", why=exc)
            return {}
        agents = {}
        for blob in saved.values():
            try:
                agent = Agent.from_dict(json.loads(blob))
            except (ValueError, KeyError, TypeError, RecursionError) as exc:  # nested past the stack too
                log.warn("ignored a bad agent record in redis: {why}", why=exc)
                continue
            agents[agent.number] = agent
        return agents

    async def _drop_old_guesses(self) -> None:
        """Remove the hash guesses were kept in before each had a key (nothing expired it),
        once: at the first load that redis answers."""
        try:
            if await self.client.type(self.guesses_key) in (b"hash", "hash"):
                async with self.client.pipeline(transaction=True) as pipe:
                    pipe.hlen(self.guesses_key)
                    pipe.delete(self.guesses_key)
                    dropped, _ = await pipe.execute()
                log.info(
                    "removed {key} from redis: {n} guess records of the old layout",
                    key=self.guesses_key,
                    n=dropped,
                )
        except (redis.RedisError, OSError) as exc:
            log.error("the old guess hash not removed from redis: {why}", why=exc)
            return
        self.old_guesses_gone = True

    async def save_callback(self, callback: Callback) -> None:
        """The callback's record; a finished one's is removed, since nothing waits on it (else
        every callback ever booked stayed in redis, and each restore read them all)."""
        try:
            if callback.finished:
                await self.client.hdel(self.callbacks_key, callback.id)
            else:
                await self.client.hset(self.callbacks_key, callback.id, json.dumps(callback.as_dict()))
        except (redis.RedisError, OSError) as exc:
            log.error("callback {id} not saved to redis: {why}", id=callback.id, why=exc)

    async def load_callbacks(self) -> list[Callback]:
        """The callbacks still to do, each under its own id. Finished ones left from before
        are removed on the way, and so are unreadable ones once logged: else every restore
        read them again and logged them again."""
        try:
            saved = await self.client.hgetall(self.callbacks_key)
        except (redis.RedisError, OSError) as exc:
            log.error("callbacks not read from redis: {why}", why=exc)
            return []
        found: list[Callback] = []
        finished: list[bytes | str] = []  # their fields in the hash
        for field, blob in saved.items():
            callback = _callback_record(field, blob)
            if callback is None:
                await self.drop_callback(field)
            elif callback.finished:
                finished.append(field)
            else:
                found.append(callback)
        await self._forget_callbacks(finished)
        return found

    async def drop_callback(self, field: bytes | str) -> None:
        """Remove a record restore cannot use (logged by whoever refused it)."""
        try:
            await self.client.hdel(self.callbacks_key, field)
        except (redis.RedisError, OSError) as exc:
            log.error("callback record {field!r} not removed from redis: {why}", field=_shown(field), why=exc)

    async def _forget_callbacks(self, fields: list[bytes | str]) -> None:
        if not fields:
            return
        try:
            await self.client.hdel(self.callbacks_key, *fields)
        except (redis.RedisError, OSError) as exc:
            log.error("finished callbacks not removed from redis: {why}", why=exc)
        else:
            log.info("removed {n} finished callback records from redis", n=len(fields))

    async def count_callback(self, key: str) -> int | None:
        """Count one more callback booking under `key` (a number and a day); the count so
        far, or None when redis cannot say (then the caller is not called back)."""
        name = f"{self.callbacks_key}:count:{key}"
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, 2 * 86400)
                count, _ = await pipe.execute()
        except (redis.RedisError, OSError) as exc:
            log.error("callback count not kept in redis: {why}", why=exc)
            return None
        return int(count)

    def _guess_names(self, keys: tuple[str, ...]) -> list[str]:
        return [f"{self.guesses_key}:{key}" for key in keys]

    async def load_guesses(self, keys: tuple[str, ...]) -> dict[str, Record] | None:
        """The guess records of `keys` (missing ones: none yet); None when redis cannot say."""
        if not keys:
            return {}
        try:
            blobs = await self.client.mget(self._guess_names(keys))
        except (redis.RedisError, OSError) as exc:
            log.error("guess limits not read from redis: {why}", why=exc)
            return None
        return _guess_records(keys, blobs)

    async def update_guesses(
        self, keys: tuple[str, ...], change: Change, ttl: int
    ) -> dict[str, Record] | None:
        """One record per key, each expiring once the rules forget it. Optimistic: redis
        refuses the write if another update touched the keys since the read, and it is tried
        again on what is there now."""
        if not keys:
            return {}
        names = dict(zip(keys, self._guess_names(keys)))
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                for _ in range(GUESS_TRIES):
                    try:
                        await pipe.watch(*names.values())
                        seen = _guess_records(keys, await pipe.mget(list(names.values())))
                        pipe.multi()
                        for key, record in change(seen).items():
                            if record.failures:
                                pipe.set(names[key], json.dumps(record.as_dict()), ex=ttl)
                            else:
                                pipe.delete(names[key])
                        await pipe.execute()
                        return seen
                    except redis.WatchError:
                        continue
        except (redis.RedisError, OSError) as exc:
            log.error("guess limits not updated in redis: {why}", why=exc)
            return None
        log.error("guess limits not updated in redis: {n} updates came between", n=GUESS_TRIES)
        return None

    async def save_session(self, session: Session, ttl: int) -> None:
        """A web session's record (never its cookie: the key is the cookie's hash), for `ttl` s."""
        try:
            await self.client.set(f"{self.sessions_key}:{session.key}", json.dumps(session.as_dict()), ex=ttl)
        except (redis.RedisError, OSError) as exc:
            log.error("web session not saved to redis: {why}", why=exc)

    async def drop_session(self, key: str) -> None:
        try:
            await self.client.delete(f"{self.sessions_key}:{key}")
        except (redis.RedisError, OSError) as exc:
            log.error("web session not removed from redis: {why}", why=exc)

    async def load_sessions(self) -> list[Session]:
        """Every web session redis still keeps; none (and logged) when it cannot say."""
        found = []
        try:
            async for name in self.client.scan_iter(match=f"{self.sessions_key}:*", count=500):
                blob = await self.client.get(name)
                if blob is None:
                    continue
                try:
                    found.append(Session.from_dict(json.loads(blob)))
                except (ValueError, TypeError) as exc:
                    log.warn("ignored a bad web session in redis: {why}", why=exc)
        except (redis.RedisError, OSError) as exc:
            log.error("web sessions not read from redis: {why}", why=exc)
        return found

    async def close(self) -> None:
        await self.client.aclose()


def _pool(config: Redis) -> redis.BlockingConnectionPool:
    """At most `max_connections`, so a burst or a stuck redis cannot pile up descriptors: a
    caller past the cap waits `timeout` for one, then gets a ConnectionError (a RedisError,
    logged by the method like any other)."""
    return redis.BlockingConnectionPool.from_url(
        config.url,
        password=config.password,
        max_connections=config.max_connections,
        timeout=config.timeout,
        socket_timeout=config.timeout,
        socket_connect_timeout=config.timeout,
    )


def _guess_records(keys: tuple[str, ...], blobs: list[bytes | str | None]) -> dict[str, Record]:
    found = {}
    for key, blob in zip(keys, blobs):
        try:
            found[key] = Record.from_dict(json.loads(blob)) if blob else Record()
        except (ValueError, TypeError, RecursionError) as exc:
            log.warn("ignored a bad guess record in redis: {why}", why=exc)
            found[key] = Record()
    return found


def _name(field: bytes | str) -> str:
    return field.decode(errors="replace") if isinstance(field, bytes) else field


def _shown(field: bytes | str) -> str:
    """A hash field as a log line may quote it: cut short."""
    return _name(field)[:40]


def _callback_record(field: bytes | str, blob: bytes | str) -> Callback | None:
    """The callback stored under `field`; None (and logged) when it cannot be read or says
    another id, since saving it again would leave the record under `field` behind."""
    try:
        callback = Callback.from_dict(json.loads(blob))
    except (ValueError, KeyError, TypeError, RecursionError) as exc:  # nested past the stack too
        why = f"unreadable ({exc})"
        log.warn("dropped callback record {field!r} from redis: {why}", field=_shown(field), why=why)
        return None
    if callback.id != _name(field):
        log.warn("dropped callback record {field!r} from redis: it holds another id", field=_shown(field))
        return None
    return callback
