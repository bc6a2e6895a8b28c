"""This process's line to Redis: its identity and heartbeat, whether Redis answers, and its inbox — one pub/sub
channel per process on which other processes reach it (tunnelled sockets, requests and their replies).

Everything this process publishes goes out through one connection in the order it was sent (a frame's JSON before
its bytes), several messages to a round trip. Every message read is checked (records.split) before its handler sees
it. When Redis stops answering, `up` turns False and the listeners hear it; this process goes on serving what it
holds and tries again every RETRY seconds.
"""
import asyncio
import logging
import os
import secrets
from typing import Awaitable, Callable

import redis
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from . import records

log = logging.getLogger("nnplayground.cluster")

ALIVE = "nnp:alive:{}"          # a process's heartbeat (its OS pid): set while it runs, gone LEASE_SECONDS after
INBOX = "nnp:inbox:{}"          # a process's channel
LEASE_SECONDS = 3.0             # a process (or a session's owner) silent this long is taken for gone
BEAT = 0.5                      # seconds between heartbeats (and checks that Redis answers)
RETRY = 0.5
REQUEST_SECONDS = 2.0           # a request unanswered this long fails
MAX_QUEUED = 20_000             # messages waiting to go out; senders wait beyond


STORE_ERRORS = (RedisError, OSError)     # what a call to Redis raises when it does not answer


class StoreUnavailable(Exception):
    """Redis does not answer (at start: the CLI says so and exits)."""


class PeerGone(Exception):
    """The process a request went to stopped beating before it answered (it died)."""


Handler = Callable[[records.Envelope, bytes], Awaitable[None] | None]


def check_store(url: str) -> None:
    """At start, before any process is forked: StoreUnavailable unless Redis at `url` answers."""
    client = redis.Redis.from_url(url, socket_connect_timeout=2.0, socket_timeout=2.0)
    try:
        client.ping()
    except (RedisError, OSError, ValueError) as error:
        raise StoreUnavailable(f"Redis at {url} does not answer ({error})") from None
    finally:
        client.close()


class Link:
    def __init__(self, url: str):
        self.url = url
        self.redis = aioredis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=2.0)
        self.pid = secrets.token_hex(6)
        self.up = False
        self.listeners: list[Callable[[bool], None]] = []      # told when `up` changes
        self.handlers: dict[str, Handler] = {}                 # op → what to do with such a message
        self.tunnels: dict[str, Callable[[records.Envelope, bytes], None]] = {}   # tunnel id → its end here
        self._replies: dict[str, asyncio.Future] = {}
        self._outgoing: asyncio.Queue = asyncio.Queue(MAX_QUEUED)
        self._tasks: list[asyncio.Task] = []

    async def connect(self) -> None:
        """Check that Redis answers (StoreUnavailable with its reason if not), then beat, listen and send."""
        try:
            await self.redis.ping()
            await self.redis.set(ALIVE.format(self.pid), os.getpid(), px=int(LEASE_SECONDS * 1000))
        except (RedisError, OSError) as error:
            raise StoreUnavailable(f"Redis at {self.url} does not answer: {error}") from None
        self.up = True
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._beat(), name="nnp-beat"),
                       loop.create_task(self._listen(), name="nnp-inbox"),
                       loop.create_task(self._send(), name="nnp-outbox")]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            await asyncio.wait_for(self.redis.delete(ALIVE.format(self.pid)), 0.5)
        except Exception:
            pass
        await self.redis.aclose()

    def _set_up(self, up: bool) -> None:
        if up != self.up:
            self.up = up
            log.warning("Redis %s", "answers again" if up else f"at {self.url} stopped answering")
            for listener in self.listeners:
                listener(up)

    async def _beat(self) -> None:
        while True:
            try:
                await self.redis.set(ALIVE.format(self.pid), os.getpid(), px=int(LEASE_SECONDS * 1000))
                self._set_up(True)
            except (RedisError, OSError):
                self._set_up(False)
            await asyncio.sleep(BEAT)

    async def alive(self, pid: str) -> bool:
        return pid == self.pid or bool(await self.redis.exists(ALIVE.format(pid)))

    # ------------------------------------------------------------------ the inbox
    async def _listen(self) -> None:
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(INBOX.format(self.pid))
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None:
                        await self._dispatch(message["data"])
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError):
                self._set_up(False)
            finally:
                try:
                    await pubsub.aclose()
                except Exception:
                    pass
            await asyncio.sleep(RETRY)

    async def _dispatch(self, data: bytes) -> None:
        try:
            envelope, payload = records.split(data)
        except ValueError as error:
            log.warning("%s", error)
            return
        if envelope.op == "reply":
            future = self._replies.pop(envelope.rid or "", None)
            if future is not None and not future.done():
                future.set_result((envelope, payload))
            return
        if envelope.tid is not None and envelope.op != "open":
            end = self.tunnels.get(envelope.tid)
            if end is not None:
                end(envelope, payload)
            return
        handler = self.handlers.get(envelope.op)
        if handler is None:
            return
        try:
            result = handler(envelope, payload)
            if asyncio.iscoroutine(result):
                asyncio.get_running_loop().create_task(self._guarded(result))
        except Exception:
            log.exception("a %s message from another process failed", envelope.op)

    @staticmethod
    async def _guarded(work) -> None:
        try:
            await work
        except Exception:
            log.exception("a message from another process failed")

    # ------------------------------------------------------------------ sending
    async def send(self, pid: str, envelope: dict, payload: bytes = b"") -> None:
        """Queue a message for process `pid` (waits while MAX_QUEUED are waiting); sent in order."""
        await self._outgoing.put((INBOX.format(pid), records.join({**envelope, "sender": self.pid}, payload)))

    async def _send(self) -> None:
        while True:
            batch = [await self._outgoing.get()]
            while not self._outgoing.empty() and len(batch) < 256:
                batch.append(self._outgoing.get_nowait())
            while True:
                try:
                    async with self.redis.pipeline(transaction=False) as pipe:
                        for channel, data in batch:
                            pipe.publish(channel, data)
                        await pipe.execute()
                    break
                except (RedisError, OSError):
                    self._set_up(False)
                    await asyncio.sleep(RETRY)       # in order, once Redis is back (nothing dropped)

    async def request(self, pid: str, envelope: dict, payload: bytes = b"", timeout: float = REQUEST_SECONDS,
                      watch: bool = False) -> tuple[records.Envelope, bytes]:
        """Send a request and wait for its reply (asyncio.TimeoutError when none comes in `timeout` seconds).
        `watch`: meanwhile check every second that process `pid` still beats (PeerGone when it stopped), so a long
        wait for a process that died ends LEASE_SECONDS after its death, not after `timeout`."""
        rid = secrets.token_hex(8)
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._replies[rid] = future
        try:
            await self.send(pid, {**envelope, "rid": rid}, payload)
            if not watch:
                return await asyncio.wait_for(future, timeout)
            deadline = loop.time() + timeout
            while True:
                left = deadline - loop.time()
                if left <= 0:
                    raise asyncio.TimeoutError
                try:
                    return await asyncio.wait_for(asyncio.shield(future), min(left, 2 * BEAT))
                except asyncio.TimeoutError:
                    if not await self.alive(pid):
                        raise PeerGone(pid) from None
        finally:
            self._replies.pop(rid, None)

    async def reply(self, request: records.Envelope, envelope: dict, payload: bytes = b"") -> None:
        await self.send(request.sender, {**envelope, "op": "reply", "rid": request.rid}, payload)
