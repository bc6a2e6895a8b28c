"""Where a class keeps what it knows — members, phase, challenge, results — and how one session's frames reach many
pages: two small interfaces, ``ClassStore`` and ``FrameFanout``, each with an in-memory implementation.

The classroom (server/classroom/room.py) talks only to these, so a Redis implementation can hold the same records
for a class that spans processes without pages or sessions changing. Every record is plain data (strings, numbers,
lists) so that it can cross a process boundary as JSON and be checked there by the same models as the wire.
"""
import secrets
import time
from dataclasses import dataclass, replace
from typing import Callable

PHASES = ("follow", "explore", "eyes")


@dataclass(frozen=True)
class Member:
    """A student in the class. `seat` is their secret to come back with; `id` is what the teacher's page uses."""
    id: str
    seat: str
    name: str
    joined_at: float
    session: str | None = None          # the resume token of their own session, once they have one


@dataclass(frozen=True)
class ClassState:
    """What every page of the class is told (the `class_state` message)."""
    phase: str = "follow"
    path: str | None = None             # where the teacher sent everyone (send_to), or None: the class
    challenge: dict | None = None       # the challenge as the wire's Challenge model dumps it
    shown: tuple[str, ...] = ()         # member ids on the projector (none: the teacher's network)
    anonymise: bool = False
    since_follow: bool = True           # explore begins with a fresh fork of the teacher's session


@dataclass(frozen=True)
class Result:
    """A student's first time reaching the challenge."""
    member: str
    name: str
    epoch: int
    seconds: float                      # after the challenge was set
    shape: tuple[int, ...]
    settings: dict
    train_loss: float | None
    test_loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None


class ClassFull(Exception):
    """The class has --max-students members."""


class NameTaken(Exception):
    """Another member has this name (ignoring case)."""


class ClassStore:
    """The class's records. Every method is a coroutine, so that an implementation may wait on the network."""

    async def join(self, name: str, max_members: int) -> Member:
        """A new member named `name` (NameTaken, ClassFull)."""
        raise NotImplementedError

    async def member(self, member_id: str) -> Member | None:
        raise NotImplementedError

    async def by_seat(self, seat: str) -> Member | None:
        raise NotImplementedError

    async def members(self) -> list[Member]:
        """Every member, in the order they joined."""
        raise NotImplementedError

    async def set_session(self, member_id: str, token: str | None) -> None:
        raise NotImplementedError

    async def remove(self, member_id: str) -> Member | None:
        raise NotImplementedError

    async def state(self) -> ClassState:
        raise NotImplementedError

    async def update(self, **changes) -> ClassState:
        """Change the class state and tell every listener (see listen)."""
        raise NotImplementedError

    async def add_result(self, result: Result) -> bool:
        """Keep a member's first result for the current challenge; False when they already have one."""
        raise NotImplementedError

    async def results(self) -> list[Result]:
        """The current challenge's results, first reached first."""
        raise NotImplementedError

    def listen(self, callback: Callable[[ClassState], None]) -> None:
        """Call `callback` with the new state after every update, wherever it was made."""
        raise NotImplementedError

    async def lead(self) -> str | None:
        """The resume token of the teacher's session (so another process can take it up), or None."""
        raise NotImplementedError

    async def set_lead(self, token: str) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        """Stop listening."""


class MemoryClassStore(ClassStore):
    """The records in this process's memory (one process serves the class)."""

    def __init__(self):
        self._members: dict[str, Member] = {}
        self._state = ClassState()
        self._results: dict[str, Result] = {}
        self._listeners: list[Callable[[ClassState], None]] = []
        self._lead: str | None = None

    async def join(self, name: str, max_members: int) -> Member:
        if len(self._members) >= max_members:
            raise ClassFull()
        if any(m.name.casefold() == name.casefold() for m in self._members.values()):
            raise NameTaken()
        member = Member(id=secrets.token_hex(4), seat=secrets.token_urlsafe(18), name=name, joined_at=time.time())
        self._members[member.id] = member
        return member

    async def member(self, member_id: str) -> Member | None:
        return self._members.get(member_id)

    async def by_seat(self, seat: str) -> Member | None:
        return next((m for m in self._members.values() if secrets.compare_digest(m.seat, seat)), None)

    async def members(self) -> list[Member]:
        return list(self._members.values())

    async def set_session(self, member_id: str, token: str | None) -> None:
        if member_id in self._members:
            self._members[member_id] = replace(self._members[member_id], session=token)

    async def remove(self, member_id: str) -> Member | None:
        self._results.pop(member_id, None)
        shown = tuple(m for m in self._state.shown if m != member_id)
        if shown != self._state.shown:
            await self.update(shown=shown)
        return self._members.pop(member_id, None)

    async def state(self) -> ClassState:
        return self._state

    async def update(self, **changes) -> ClassState:
        if "challenge" in changes:
            self._results.clear()
        self._state = replace(self._state, **changes)
        for callback in self._listeners:
            callback(self._state)
        return self._state

    async def add_result(self, result: Result) -> bool:
        if result.member in self._results:
            return False
        self._results[result.member] = result
        return True

    async def results(self) -> list[Result]:
        return sorted(self._results.values(), key=lambda r: (r.seconds, r.epoch))

    def listen(self, callback: Callable[[ClassState], None]) -> None:
        self._listeners.append(callback)

    async def lead(self) -> str | None:
        return self._lead

    async def set_lead(self, token: str) -> None:
        self._lead = token


class FrameFanout:
    """Pages watching a session that may live elsewhere: every frame the session encodes reaches each of them as
    the same bytes."""

    async def watch(self, session, page) -> None:
        raise NotImplementedError

    async def unwatch(self, session, page) -> None:
        raise NotImplementedError


class LocalFanout(FrameFanout):
    """The session lives in this process: a watching page is one more subscriber of it (server/turns.py), which
    encodes each frame once and hands every subscriber the same Frame."""

    async def watch(self, session, page) -> None:
        session.attach(page, True)

    async def unwatch(self, session, page) -> None:
        await session.detach(page)
