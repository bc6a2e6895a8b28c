"""The table of live sessions: create, resume by token, cap, and forget sessions whose pages left long ago."""
import asyncio
import logging
import time

from .session import Session
from .turns import TurnTaker

log = logging.getLogger("nnplayground.registry")


class ServerFull(Exception):
    """Every session slot is taken by a page that is still attached, or the server holds max_pages sockets."""


class Stats:
    """Counters for /debug/stats and the benchmark (written from worker threads; approximate by design)."""

    def __init__(self):
        self.epochs = 0.0
        self.frames = 0
        self.refused = 0


class Registry:
    def __init__(self, scheduler, settings, stats: Stats | None = None):
        self.scheduler = scheduler
        self.settings = settings
        self.stats = stats or Stats()
        self._sessions: dict[str, TurnTaker] = {}          # resume token -> session
        self._cleanup: asyncio.Task | None = None
        self.outside = lambda: 0                            # pages of sessions held outside the table (a class's)
        self.keeper = None                                  # with several processes: cluster.keeper.Keeper

    def __len__(self) -> int:
        return len(self._sessions)

    def sessions(self) -> list[TurnTaker]:
        return list(self._sessions.values())

    def pages(self) -> int:
        """Sockets attached to any session."""
        return sum(len(s.subscribers) for s in self._sessions.values()) + self.outside()

    def get(self, token: str | None, kind: type = Session) -> TurnTaker | None:
        """The live session of this kind (Session, RaceSession…) that gave out `token`, or None."""
        if not token or not isinstance(token, str) or len(token) > 100:
            return None
        session = self._sessions.get(token)
        return session if isinstance(session, kind) and not session.closed else None

    async def open(self, resume: str | None, kind: type = Session) -> tuple[TurnTaker, bool]:
        """The session of this kind for a resume token, or a new one (ServerFull when the cap is reached).
        Every kind counts toward the same cap. Pages count too: one resume token opened on many sockets (a class
        watching one network) is fine up to max_pages pages on the whole server."""
        if self.pages() >= self.settings.max_pages:
            self.stats.refused += 1
            raise ServerFull()
        session = self.get(resume, kind)
        if session is not None:
            return session, True
        self._make_room()
        if resume and kind is Session:
            session = await self.take_up(resume)
            if session is not None:
                return session, True
        start = await asyncio.to_thread(kind.fresh)
        self._make_room()
        session = kind.create(start, self.scheduler, self.settings, self.stats)
        self._sessions[session.token] = session
        if self.keeper is not None and kind is Session:
            await self.keeper.hold(session)
        return session, False

    async def take_up(self, token: str) -> Session | None:
        """With several processes: the session of `token` from the snapshot another process (or this one, before a
        restart) wrote, held here from now on; None when there is none to take (cluster/keeper.py)."""
        if self.keeper is None or self.get(token) is not None:
            return self.get(token)
        session = await self.keeper.restore(token)
        if session is None or session.closed:
            return None
        self._sessions[session.token] = session
        return session

    def _make_room(self) -> None:
        if len(self._sessions) < self.settings.max_sessions:
            return
        waiting = [s for s in self._sessions.values() if not s.subscribers and s.detached_at is not None]
        if not waiting:
            self.stats.refused += 1
            raise ServerFull()
        oldest = min(waiting, key=lambda s: s.detached_at)
        self.forget(oldest)

    def forget(self, session: TurnTaker, code: int = 1001, reason: str = "server going away") -> None:
        """Drop the session from the table and close it (its pages, if any, get `code`)."""
        if self._sessions.get(session.token) is session:
            del self._sessions[session.token]
        asyncio.get_running_loop().create_task(session.close(code, reason))

    async def sweep(self) -> int:
        """Forget sessions whose last page left more than resume_seconds ago; returns how many."""
        now = time.monotonic()
        old = [s for s in self._sessions.values()
               if not s.subscribers and s.detached_at is not None
               and now - s.detached_at > self.settings.resume_seconds]
        for session in old:
            self._sessions.pop(session.token, None)
            await session.close()
        return len(old)

    def start(self) -> None:
        self._cleanup = asyncio.get_running_loop().create_task(self._cleanup_loop(), name="nnp-cleanup")

    async def _cleanup_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.cleanup_interval)
            try:
                await self.sweep()
            except Exception:
                log.exception("session cleanup failed")

    async def close_all(self, code: int = 1001, reason: str = "server going away") -> None:
        if self._cleanup is not None:
            self._cleanup.cancel()
        sessions, self._sessions = list(self._sessions.values()), {}
        await asyncio.gather(*(s.close(code, reason) for s in sessions), return_exceptions=True)
