"""Sessions that outlive their process: each one this process trains is written to Redis (its snapshot) at least
once a second while it changes, at once when it stops playing or its last page leaves, and whenever Redis comes
back; the snapshot lives as long as the resume window. Exactly one process trains a session: the one holding its
lease (renewed every second, lost LEASE_SECONDS after its holder stops). A page that comes back to another process
takes the session there from its snapshot — at once when the owner died or has no page of it left (it writes a last
snapshot and lets go), else the page is carried to the owner (tunnel.py). An owner that finds its lease taken stops
training the session and closes its pages, which reconnect to the new owner.
"""
import asyncio
import logging
import re
import time

from redis.exceptions import RedisError

from ...engine import ConfigError, DataError, Trainer
from ...engine.trainer import HISTORY_LIMIT
from ..protocol import dumps
from ..session import Session
from . import records
from .link import ALIVE, LEASE_SECONDS, Link

log = logging.getLogger("nnplayground.cluster")

SNAPSHOT = "nnp:snap:{}"
HISTORY = "nnp:hist:{}"         # the snapshot's loss-history rows, a list appended to (a whole history, re-encoded
                                # every second, would cost more than the rest of the snapshot many times over)
LEASE = "nnp:lease:{}"
SNAPSHOT_SECONDS = 1.0          # a changing session is written at least this often
TICK = 0.25                     # how often the keeper looks for sessions to write
MOVED = (1012, "this session moved to another server process; reconnecting")

# the leases of these sessions for this process (ARGV[1]) for ARGV[2] ms: taken when free, kept when ours; the
# indices of those another process holds
RENEW = """
local lost = {}
for i, key in ipairs(KEYS) do
  local owner = redis.call('GET', key)
  if owner == false or owner == ARGV[1] then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
  else
    table.insert(lost, i)
  end
end
return lost
"""
# the lease for this process when it is free, ours, or its holder's heartbeat is gone; else the holder
CLAIM = """
local owner = redis.call('GET', KEYS[1])
if owner == false or owner == ARGV[1] or redis.call('EXISTS', ARGV[3] .. owner) == 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 'ok'
end
return owner
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _fingerprint(session: Session) -> tuple:
    t = session.trainer
    return id(t), t.iteration, t.examples_seen, t.epoch, session.state, session.speed, session.submitted


class Keeper:
    def __init__(self, link: Link, registry, settings):
        self.link, self.registry, self.settings = link, registry, settings
        self.redis = link.redis
        self.extra = lambda: ()                 # sessions held outside the registry (a class's)
        self._written: dict[str, tuple] = {}    # token → (fingerprint, when) of its last snapshot
        self._rows: dict[str, tuple] = {}       # token → (its first history row, rows) as last written
        self._renew = self.redis.register_script(RENEW)
        self._claim = self.redis.register_script(CLAIM)
        self._release = self.redis.register_script(RELEASE)
        self._task: asyncio.Task | None = None
        self._lock = asyncio.Lock()
        link.handlers["release"] = self._on_release
        link.listeners.append(self._on_link)

    def sessions(self) -> list[Session]:
        return [s for s in self.registry.sessions() if isinstance(s, Session)] + list(self.extra())

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="nnp-keeper")

    async def close(self) -> None:
        """A last snapshot of every session and their leases let go, so other processes take them at once."""
        if self._task is not None:
            self._task.cancel()
        if not self.link.up:
            return
        for session in self.sessions():
            try:
                await self.write(session)
                await self.release(LEASE.format(records.session_key(session.token)))
            except (RedisError, OSError, ConfigError):
                return

    # ------------------------------------------------------------------ leases (a session's, or the class's)
    async def claim(self, lease: str) -> bytes:
        """Take the lease `lease` (a Redis key) when it is free, ours, or its holder stopped beating: b"ok", else
        the holder's id."""
        return await self._claim(keys=[lease], args=[self.link.pid, int(LEASE_SECONDS * 1000), ALIVE.format("")])

    async def renew(self, leases: list[str]) -> list[int]:
        """Renew (or take, when free) these leases; the 1-based indices of those another process holds."""
        return await self._renew(keys=leases, args=[self.link.pid, int(LEASE_SECONDS * 1000)])

    async def release(self, lease: str) -> None:
        """Let the lease go, if it is still ours."""
        await self._release(keys=[lease], args=[self.link.pid])

    # ------------------------------------------------------------------ taking a session
    async def owner_elsewhere(self, token: str) -> str | None:
        """The live process that holds this session and keeps it (a page of it is there), or None when this
        process may take it: nobody holds it, its holder died, or let it go when asked."""
        if not re.fullmatch(records.TOKEN, token):
            return None
        owner = await self.redis.get(LEASE.format(records.session_key(token)))
        owner = owner.decode() if owner else None
        if owner is None or owner == self.link.pid or not re.fullmatch(records.PROCESS_ID, owner) \
                or not await self.link.alive(owner):
            return None
        try:
            reply, _ = await self.link.request(owner, {"op": "release", "token": token}, timeout=1.0)
        except asyncio.TimeoutError:
            return owner
        return None if reply.ok else owner

    async def hold(self, session: Session) -> None:
        """Take the lease of a session just made here at once (not at the next renewal, up to a second later), so
        that no other process takes it up from its first snapshot while its page is here; best effort."""
        try:
            await self.redis.set(LEASE.format(records.session_key(session.token)), self.link.pid,
                                 px=int(LEASE_SECONDS * 1000), nx=True)
        except (RedisError, OSError):
            pass                            # Redis away: the keeper takes the lease when it is back

    async def restore(self, token: str) -> Session | None:
        """The session of `token` from its snapshot, trained here from now on; None when there is none, another
        process holds it, or the snapshot is refused (checked like an uploaded state: records.load_snapshot, then
        Trainer.from_state)."""
        if not re.fullmatch(records.TOKEN, token):
            return None
        key = records.session_key(token)
        won = await self.claim(LEASE.format(key))
        if won != b"ok":
            return None
        async with self.redis.pipeline(transaction=True) as pipe:
            raw, rows = await pipe.get(SNAPSHOT.format(key)).lrange(HISTORY.format(key), 0, HISTORY_LIMIT).execute()
        try:
            if raw is None:
                raise LookupError
            snapshot = records.load_snapshot(raw, rows)
            trainer = await asyncio.to_thread(Trainer.from_state, snapshot.trainer.model_dump(exclude_unset=True))
        except LookupError:
            await self.release(LEASE.format(key))
            return None
        except (ValueError, ConfigError, DataError) as error:
            log.warning("session %s… not resumed: %s", key[:8], str(error)[:300])
            await self.release(LEASE.format(key))
            return None
        session = Session.create(trainer, self.registry.scheduler, self.settings, self.registry.stats)
        session.token, session.id, session.speed = token, snapshot.id, snapshot.speed
        session.state = snapshot.state if snapshot.state != "diverged" or trainer.divergence else "paused"
        self._written[token] = (_fingerprint(session), time.monotonic())
        return session

    async def _on_release(self, request: records.Envelope, _payload: bytes) -> None:
        """Another process asks for a session a page brought it: given when no page of it is left here."""
        session = self.registry.get(request.token or "")
        given = session is None or not session.subscribers
        if session is not None and given:
            await self.write(session, force=True)
            await self.release(LEASE.format(records.session_key(session.token)))
            self.registry.forget(session)
            self._written.pop(session.token, None)
            self._rows.pop(session.token, None)
        await self.link.reply(request, {"ok": given})

    # ------------------------------------------------------------------ writing
    async def write(self, session: Session, force: bool = False) -> bool:
        """Write the session's snapshot if it changed since the last one (or `force`); True when written."""
        fingerprint = _fingerprint(session)
        last = self._written.get(session.token)
        if not force and last is not None and last[0] == fingerprint:
            return False
        fingerprint = fingerprint[:-1] + (session.submitted + 1,)   # the snapshot is a command too
        trainer, speed = await session.call("snapshot")
        rows = trainer.pop("history")
        kept = self._rows.get(session.token)      # rows are only ever appended, unless the history was replaced
        whole = force or kept is None or not rows or kept[0] is not rows[0] or kept[1] > len(rows)
        text = await asyncio.to_thread(records.dump_snapshot, session.id, speed, session.state, trainer)
        new = [dumps(row) for row in rows[0 if whole else kept[1]:]]
        key, ttl = records.session_key(session.token), max(1, int(self.settings.resume_seconds))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(SNAPSHOT.format(key), text, ex=ttl)
            if whole:
                pipe.delete(HISTORY.format(key))
            if new:
                pipe.rpush(HISTORY.format(key), *new)
            pipe.expire(HISTORY.format(key), ttl)
            await pipe.execute()
        self._written[session.token] = (fingerprint, time.monotonic())
        self._rows[session.token] = (rows[0] if rows else None, len(rows))
        return True

    def _due(self, session: Session, now: float) -> bool:
        last = self._written.get(session.token)
        if last is None:
            return True
        if last[0] == _fingerprint(session):
            return False
        return session.state != "playing" or not session.subscribers or now - last[1] >= SNAPSHOT_SECONDS

    async def flush(self, session: Session) -> None:
        """Write now what changed (its last page left): best effort, the loop tries again."""
        if self.link.up and not session.closed:
            try:
                await self.write(session)
            except (RedisError, OSError, ConfigError):
                pass

    def _on_link(self, up: bool) -> None:
        if up:              # Redis came back (perhaps empty): everything is written again, whole
            self._written = {token: (None, 0.0) for token in self._written}
            self._rows = {}

    async def _run(self) -> None:
        renewed = 0.0
        while True:
            await asyncio.sleep(TICK)
            if not self.link.up:
                continue
            try:
                now = time.monotonic()
                sessions = [s for s in self.sessions() if not s.closed]
                for session in sessions:
                    if self._due(session, now):
                        await self.write(session)
                if now - renewed >= LEASE_SECONDS / 3:
                    renewed = now
                    await self._keep(sessions)
            except (RedisError, OSError):
                continue
            except ConfigError:             # a session closed while it was being written
                continue
            except Exception:
                log.exception("the session keeper failed; it goes on")

    async def _keep(self, sessions: list[Session]) -> None:
        """Renew (or take) the lease of every session held here and the life of the snapshots of those with a
        page; a session whose lease another process holds stops here (its pages reconnect, to that process)."""
        live = {s.token for s in sessions}
        self._written = {t: w for t, w in self._written.items() if t in live}
        self._rows = {t: r for t, r in self._rows.items() if t in live}
        if not sessions:
            return
        keys = [records.session_key(s.token) for s in sessions]
        lost = await self.renew([LEASE.format(k) for k in keys])
        ttl = max(1, int(self.settings.resume_seconds))
        async with self.redis.pipeline(transaction=False) as pipe:
            for session, key in zip(sessions, keys):
                if session.subscribers:
                    pipe.expire(SNAPSHOT.format(key), ttl).expire(HISTORY.format(key), ttl)
            await pipe.execute()
        for index in lost:
            session = sessions[int(index) - 1]
            log.info("session %s is trained by another process now", session.id)
            self._written.pop(session.token, None)
            self._rows.pop(session.token, None)
            self.registry.forget(session, *MOVED)
