"""This process as one of several behind one Redis: its link, its session keeper, its tunnels, the calls it answers,
and — on a server that runs a class — which process hosts the class (a lease like a session's: the host runs the
class's sessions and dashboard; every other process carries class sockets to it). Pages hear when Redis stops and
starts answering again."""
import asyncio
import hashlib
import logging
import re

from ..protocol import dumps
from .keeper import Keeper
from .records import PROCESS_ID
from .link import LEASE_SECONDS, STORE_ERRORS, Link
from .remote import serve_calls
from .tunnel import Tunnels

log = logging.getLogger("nnplayground.cluster")

HOST = "nnp:classhost:{}"
LOST = ("Redis, the store this server's processes share, stopped answering: this session goes on training here, "
        "but it cannot move to another server process until Redis is back")
BACK = "Redis answers again: this session is saved to it again"


class Node:
    def __init__(self, link: Link, app, routes: dict, run_call):
        self.link, self.app = link, app
        state = app.state
        self.registry, self.classroom = state.registry, state.classroom
        self.keeper = Keeper(link, self.registry, state.settings)
        self.registry.keeper = self.keeper
        self.tunnels = Tunnels(link, app, routes)
        serve_calls(link, lambda token, kind, payload: run_call(app, token, kind, payload))
        link.listeners.append(self._tell_pages)
        self._host_lock = asyncio.Lock()
        self._task: asyncio.Task | None = None
        if self.classroom is not None:
            self.classroom.hosting = False
            self.classroom.restore = self.keeper.restore
            self.keeper.extra = self.classroom.held
            self.host_key = HOST.format(hashlib.sha256(state.settings.class_key.encode()).hexdigest()[:24])

    def start(self) -> None:
        self.keeper.start()
        if self.classroom is not None:
            self._task = asyncio.get_running_loop().create_task(self._keep_class(), name="nnp-class-host")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self.keeper.close()
        if self.classroom is not None and self.classroom.hosting:
            try:
                await self.keeper.release(self.host_key)
            except STORE_ERRORS:
                pass

    # ------------------------------------------------------------------ where a page's session is
    async def owner_of(self, token: str) -> str | None:
        """The process that holds what `token` opens (a session, or the class for a teacher key or a seat), when it
        is another live one; None when this process holds it or may take it up."""
        room = self.classroom
        if room is not None and (room.is_teacher(token) or (len(token) <= 100 and await room.store.by_seat(token))):
            host = await self.class_host()
            return None if host == self.link.pid else host
        return await self.keeper.owner_elsewhere(token)

    async def class_host(self) -> str:
        """The process hosting the class: this one when no live process does (it then takes the class up)."""
        async with self._host_lock:
            won = await self.keeper.claim(self.host_key)
            host = won.decode(errors="replace")
            if won != b"ok" and not re.fullmatch(PROCESS_ID, host):     # not written by a process of ours
                log.warning("the class's host record in Redis was refused; this process takes the class")
                await self.link.redis.set(self.host_key, self.link.pid, px=int(LEASE_SECONDS * 1000))
                won = b"ok"
            if won == b"ok":
                self._host()
                return self.link.pid
            return host

    def _host(self) -> None:
        room = self.classroom
        if not room.hosting:
            log.info("this process hosts the class now")
            room.hosting = True
            room.start()

    async def _keep_class(self) -> None:
        """Renew the class's lease while hosting it; a host that lost it (Redis gave it to another process while
        this one could not reach it) lets the class go: its pages reconnect to the new host."""
        while True:
            await asyncio.sleep(LEASE_SECONDS / 3)
            room = self.classroom
            if not room.hosting or not self.link.up:
                continue
            try:
                lost = await self.keeper.renew([self.host_key])
            except STORE_ERRORS:
                continue
            if lost:
                log.warning("another process hosts the class now; this one lets it go")
                room.hosting = False
                await room.close(ending=False)
                room.lead, room.sessions = None, {}

    # ------------------------------------------------------------------ telling pages about Redis
    def _tell_pages(self, up: bool) -> None:
        sessions = self.registry.sessions() + (self.classroom.held() if self.classroom is not None else [])
        for session in sessions:
            text = dumps({"type": "status", "state": session.state, "message": BACK if up else LOST})
            for page in session.subscribers:
                page.send_message(text, "status")
