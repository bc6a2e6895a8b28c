"""A class: the teacher's session (the lead), a session per student once they explore, the phase that decides which
session each student's page shows, and the pages of the class open in this process (docs/classroom.md).

Records (members, phase, challenge, results) are the store's (store.py); this object holds what cannot leave the
process — sessions, sockets — and acts on the store's changes. Every class command arrives here already checked
against the teacher key and the wire's models (server/routes/classroom.py).
"""
import asyncio
import logging
import secrets
import time
from dataclasses import dataclass

from ...engine import ConfigError, Trainer
from ..protocol import Control, dumps, error_message
from ..session import Session
from . import challenge as goals
from .dashboard import card, thumbnail
from .names import made_up_name
from .store import ClassFull, ClassState, LocalFanout, Member, MemoryClassStore, NameTaken

log = logging.getLogger("nnplayground.classroom")

DASHBOARD_INTERVAL = 0.4        # seconds between two dashboard messages (2.5 a second)
LEAD = "lead"                   # a view's `member` naming the teacher's own session (never a member id)
MOVED_ON = (4000, "the class moved on")
REMOVED = (4003, "the teacher removed you from the class")
GONE = (1012, "the class moved to another server process; reconnecting")
UNKNOWN = (4004, "this class does not know you: it may have ended; open the class link again")
_PAUSE = Control(type="control", action="pause")
READ_ONLY = {"follow": "the class is following the teacher: watch, then explore on your own copy when the teacher "
                       "says so",
             "eyes": "eyes on the teacher: your controls are locked until the teacher releases the class",
             "watch": "this network is shown read-only"}


class Unknown(Exception):
    """A seat, key or member this class does not have."""


@dataclass
class View:
    """What a class's view socket shows: its session, the welcome's `view`, whose page it is (member id, or None
    for the teacher) and why it may not change the session (None: it may)."""
    session: Session
    mode: str
    who: str | None
    read_only: str | None

    @property
    def welcome(self) -> dict:
        return {"mode": self.mode, "read_only": self.read_only is not None}


class Classroom:
    def __init__(self, settings, registry, store=None, fanout=None):
        self.key = settings.class_key
        self.max_students = settings.max_students
        self.settings, self.registry = settings, registry
        self.store = store or MemoryClassStore()
        self.fanout = fanout or LocalFanout()
        self.lead: Session | None = None
        self.sessions: dict[str, Session] = {}            # member id → their own session
        self.pages: dict[str | None, set] = {}            # member id (None: teacher) → class-socket pages
        self.views: dict[str | None, set] = {}            # member id (None: teacher) → view-socket pages
        self.active_at: dict[str, float] = {}             # member id → when they last did something
        self.progress: dict[str, tuple] = {}              # member id → the progress message they last got
        self.challenge_at = time.monotonic()
        self._thumbs: dict[str, tuple] = {}               # member id → (frame seq, thumbnail)
        self._lead_lock = asyncio.Lock()
        self._fork_lock = asyncio.Lock()
        self._task: asyncio.Task | None = None
        self.hosting = True          # this process runs the class (with several: the one holding its lease)
        self.restore = None          # with several processes: a session's token → it, from its snapshot, or None
        self.store.listen(self._state_changed)

    # ------------------------------------------------------------------ who is who
    def is_teacher(self, key: str | None) -> bool:
        return bool(key) and isinstance(key, str) and secrets.compare_digest(key.encode(), self.key.encode())

    async def seat(self, seat: str | None) -> Member:
        member = await self.store.by_seat(seat) if seat and len(seat) <= 100 else None
        if member is None:
            raise Unknown(UNKNOWN[1])
        return member

    async def join(self, name: str | None) -> Member:
        """A new member (ClassFull, NameTaken)."""
        if name is None:
            name = made_up_name({m.name.casefold() for m in await self.store.members()})
        member = await self.store.join(name, self.max_students)
        self.active_at[member.id] = time.monotonic()
        await self._announce()
        return member

    # ------------------------------------------------------------------ sessions
    async def lead_session(self) -> Session:
        async with self._lead_lock:
            if self.lead is None or self.lead.closed:
                self.lead = await self._taken_up(await self.store.lead())
                if self.lead is None:
                    trainer = await asyncio.to_thread(Session.fresh)
                    self.lead = Session.create(trainer, self.registry.scheduler, self.settings, self.registry.stats)
                    await self.store.set_lead(self.lead.token)
            return self.lead

    async def _taken_up(self, token: str | None) -> Session | None:
        """The session of `token` as another process (or this one before a restart) left it, if there is one."""
        return await self.restore(token) if token and self.restore is not None else None

    def held(self) -> list[Session]:
        """The class's sessions in this process (the lead and the students' own)."""
        return [s for s in (self.lead, *self.sessions.values()) if s is not None and not s.closed]

    async def _fork(self, member: Member, snapshot: tuple) -> Session:
        """A new session for `member` from `snapshot` (Trainer.state_dict, speed); their old one closes (its pages
        reconnect, 4000)."""
        state, speed = snapshot
        trainer = await asyncio.to_thread(Trainer.from_state, state)
        session = Session.create(trainer, self.registry.scheduler, self.settings, self.registry.stats)
        session.speed = speed
        old, self.sessions[member.id] = self.sessions.get(member.id), session
        await self.store.set_session(member.id, session.token)
        if old is not None:
            await old.close(*MOVED_ON)
        return session

    async def _snapshot(self, member_id: str | None) -> tuple:
        source = await self.lead_session() if member_id is None else self.sessions.get(member_id)
        if source is None:
            raise ConfigError("that student has no network of their own yet")
        return await source.call("snapshot")

    async def own_session(self, member: Member) -> Session:
        """The member's session, forked from the lead's when they have none."""
        async with self._fork_lock:
            session = self.sessions.get(member.id)
            if session is None or session.closed:
                session = await self._taken_up(member.session)
                if session is not None:
                    self.sessions[member.id] = session
                else:
                    session = await self._fork(member, await self._snapshot(None))
            return session

    async def fork_all(self, member_id: str | None) -> None:
        """Every student gets a copy of the lead's network (member_id None) or of that member's."""
        async with self._fork_lock:
            snapshot = await self._snapshot(member_id)
            for member in await self.store.members():
                if member.id != member_id:
                    await self._fork(member, snapshot)

    # ------------------------------------------------------------------ views
    async def view(self, credential: str | None, member_id: str | None) -> View:
        """The session a view socket with this credential shows, by the phase (Unknown when nobody has it)."""
        if self.is_teacher(credential):
            if member_id is None:
                return View(await self.lead_session(), "lead", None, None)
            if member_id == LEAD:                 # the projector showing the teacher's network: watch only
                return View(await self.lead_session(), "watch", None, READ_ONLY["watch"])
            member = await self.store.member(member_id) if isinstance(member_id, str) else None
            if member is None:
                raise Unknown("no such student in the class")
            return View(await self.own_session(member), "watch", member.id, READ_ONLY["watch"])
        member = await self.seat(credential)
        self.active_at[member.id] = time.monotonic()
        phase = (await self.store.state()).phase
        own = self.sessions.get(member.id)
        if phase == "follow" or (phase == "eyes" and own is None):
            return View(await self.lead_session(), "follow" if phase == "follow" else "locked", member.id,
                        READ_ONLY[phase])
        if phase == "eyes":
            return View(own, "locked", member.id, READ_ONLY["eyes"])
        return View(await self.own_session(member), "explore", member.id, None)

    def add_page(self, table: dict, who: str | None, page) -> None:
        table.setdefault(who, set()).add(page)

    def drop_page(self, table: dict, who: str | None, page) -> None:
        pages = table.get(who)
        if pages is not None:
            pages.discard(page)
            if not pages:
                del table[who]

    def page_count(self) -> int:
        """View sockets open (they count toward the server's max_pages like any page of a session)."""
        return sum(len(pages) for pages in self.views.values())

    def touch(self, member_id: str | None) -> None:
        if member_id is not None:
            self.active_at[member_id] = time.monotonic()

    async def session_for_upload(self, credential: str) -> Session | None:
        """The session an HTTP request with this credential may change (the lead, or a student's own while
        exploring), else None."""
        if self.is_teacher(credential):
            return await self.lead_session()
        member = await self.store.by_seat(credential) if len(credential) <= 100 else None
        if member is None or (await self.store.state()).phase != "explore":
            return None
        return self.sessions.get(member.id)

    # ------------------------------------------------------------------ the teacher's commands
    async def command(self, message) -> None:
        """Carry out a teacher's message (messages.TEACHER_TYPES); ConfigError says why not."""
        kind = message.type
        if kind == "phase":
            await self.set_phase(message.phase)
        elif kind == "send_to":
            await self.store.update(path=message.path)
        elif kind == "show":
            known = {m.id for m in await self.store.members()}
            missing = [m for m in message.members if m not in known]
            if missing:
                raise ConfigError(f"no such student in the class: {missing[0]}")
            await self.store.update(shown=tuple(dict.fromkeys(message.members)))
        elif kind == "anonymise":
            await self.store.update(anonymise=message.on)
        elif kind == "challenge":
            self.challenge_at = time.monotonic()
            self.progress.clear()
            await self.store.update(challenge=None if message.challenge is None
                                    else message.challenge.model_dump())
        elif kind == "copy_to_all":
            await self.copy_to_all(message.member)
        elif kind == "remove":
            await self.remove(message.member)

    async def set_phase(self, phase: str) -> None:
        state = await self.store.state()
        fresh = state.since_follow
        if phase == "explore" and fresh:
            await self.fork_all(None)
            fresh = False
        elif phase == "follow":
            fresh = True
        elif phase == "eyes":
            for session in list(self.sessions.values()):
                session.submit("control", _PAUSE)
        await self.store.update(phase=phase, since_follow=fresh)
        await self._close_student_views(*MOVED_ON)

    async def copy_to_all(self, member_id: str | None) -> None:
        if member_id is not None and await self.store.member(member_id) is None:
            raise ConfigError("no such student in the class")
        await self.fork_all(member_id)
        await self.store.update(phase="explore", since_follow=False)
        await self._close_student_views(*MOVED_ON)

    async def remove(self, member_id: str) -> None:
        member = await self.store.remove(member_id)
        if member is None:
            raise ConfigError("no such student in the class")
        for page in self.pages.pop(member_id, set()):
            page.send_message(dumps({"type": "removed", "message": REMOVED[1]}))
            asyncio.get_running_loop().create_task(_close_soon(page, *REMOVED))
        for page in self.views.pop(member_id, set()):
            await _close(page, *REMOVED)
        session = self.sessions.pop(member_id, None)
        if session is not None:
            await session.close(*REMOVED)
        for table in (self.active_at, self.progress, self._thumbs):
            table.pop(member_id, None)
        await self._announce()

    async def _close_student_views(self, code: int, reason: str) -> None:
        pages = [page for who, pages in self.views.items() if who is not None for page in pages]
        await asyncio.gather(*(_close(page, code, reason) for page in pages), return_exceptions=True)

    # ------------------------------------------------------------------ telling the pages
    async def class_state(self) -> dict:
        return _state_message(await self.store.state(), len(await self.store.members()))

    def _state_changed(self, state: ClassState) -> None:
        asyncio.get_running_loop().create_task(self._announce(state))

    async def _announce(self, state: ClassState | None = None) -> None:
        state = state or await self.store.state()
        text = dumps(_state_message(state, len(await self.store.members())))
        for pages in list(self.pages.values()):
            for page in list(pages):
                page.send_message(text, "class_state")

    async def dashboard(self) -> dict:
        """The dashboard message: every member's card, and the challenge's ranking (results recorded here)."""
        now, members = time.monotonic(), await self.store.members()
        state = await self.store.state()
        cards = []
        for member in members:
            session = self.sessions.get(member.id)
            if state.challenge is not None and session is not None and session.summary is not None \
                    and goals.reached(state.challenge, session.summary):
                await self.store.add_result(goals.result(member, session.summary, now - self.challenge_at))
            cards.append(card(member, session, bool(self.pages.get(member.id) or self.views.get(member.id)),
                              now - self.active_at.get(member.id, now), self._thumbnail(member.id, session)))
        results = await self.store.results()
        ranks = {r.member: (rank, r) for rank, r in enumerate(results, 1)}
        self._send_progress(members, ranks)
        rows = [{"member": r.member, "name": r.name, "epoch": r.epoch, "seconds": r.seconds, "shape": list(r.shape),
                 "test_loss": r.test_loss, "test_accuracy": r.test_accuracy} for r in results]
        return {"type": "dashboard", "students": cards, "results": rows}

    def _thumbnail(self, member_id: str, session: Session | None) -> dict | None:
        frame = session.last_frame if session is not None else None
        if frame is None:
            return None
        seen = self._thumbs.get(member_id)
        if seen is None or seen[0] is not frame:
            seen = self._thumbs[member_id] = (frame, thumbnail(frame, session.summary["task"]))
        return seen[1]

    def _send_progress(self, members: list[Member], ranks: dict) -> None:
        for member in members:
            rank, result = ranks.get(member.id, (None, None))
            message = {"type": "progress", "reached": result is not None,
                       "epoch": None if result is None else result.epoch, "rank": rank}
            if self.progress.get(member.id) != message:
                self.progress[member.id] = message
                for page in self.pages.get(member.id, ()):
                    page.send_message(dumps(message), "progress")

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._dashboard_loop(), name="nnp-class-dashboard")

    async def _dashboard_loop(self) -> None:
        while True:
            await asyncio.sleep(DASHBOARD_INTERVAL)
            try:
                text = dumps(await self.dashboard())
                for page in self.pages.get(None, ()):
                    page.send_message(text, "dashboard")
            except Exception:
                log.exception("the class dashboard failed")

    async def close(self, ending: bool = True) -> None:
        """The server stops: every page hears that the class has ended (`ending`), or — another process goes on
        with the class — that its process went away (they reconnect), and every session here closes."""
        if self._task is not None:
            self._task.cancel()
        await self.store.close()
        code, reason = (1001, "the class has ended: the teacher's nnplayground stopped") if ending else GONE
        pages = [page for table in (self.pages, self.views) for ps in table.values() for page in ps]
        await asyncio.gather(*(_close(page, code, reason) for page in pages), return_exceptions=True)
        await asyncio.gather(*(s.close(code, reason) for s in self.held()), return_exceptions=True)


def _state_message(state: ClassState, students: int) -> dict:
    return {"type": "class_state", "phase": state.phase, "path": state.path, "challenge": state.challenge,
            "shown": list(state.shown), "anonymise": state.anonymise, "students": students}


async def _close(page, code: int, reason: str) -> None:
    page.closed = True
    try:
        await asyncio.wait_for(page.ws.close(code, reason), 0.5)
    except Exception:
        pass


async def _close_soon(page, code: int, reason: str) -> None:
    """Close after the page's outbox is sent (its last message says why)."""
    for _ in range(10):
        if not page.outbox:
            break
        await asyncio.sleep(0.05)
    await _close(page, code, reason)


def refusal(error: Exception) -> str:
    """The `error` message for a refused join."""
    if isinstance(error, ClassFull):
        return dumps(error_message("class_full", "the class is full: ask the teacher to make room"))
    return dumps(error_message("name_taken", "someone in the class already has that name: choose another"))


JOIN_ERRORS = (ClassFull, NameTaken)
