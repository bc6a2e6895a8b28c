"""The class's records in Redis (ClassStore), so a class spans processes and machines and outlives them: members,
seats and names (hashes), the class state and the current challenge's results (JSON), the lead session's token.
Every record read back is checked by the models below — built on the class's wire models — before it is used: a
record another program wrote that does not fit is skipped (and logged), never trusted.

Keys: nnp:class:<id>:members | seats | names | results (hashes), :state, :lead (strings), channel :changed; <id> is a
digest of the teacher key, so classes with different keys never share records.
"""
import asyncio
import hashlib
import logging
import re
import secrets
import time
from dataclasses import asdict
from typing import Annotated, Callable

from pydantic import Field, ValidationError

from ..cluster import STORE_ERRORS
from ..cluster.records import TOKEN
from ..protocol import Strict, dumps, loads_strict
from .messages import DESTINATIONS, MAX_SHOWN, Challenge, DisplayName, MemberId
from .store import PHASES, ClassFull, ClassState, ClassStore, Member, NameTaken, Result

log = logging.getLogger("nnplayground.classroom")

# a new member: refused when the class is full or the name taken (ignoring case); one step, so two processes
# joining at once cannot pass the cap or share a name
JOIN = """
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[1]) then return 'full' end
if redis.call('HSETNX', KEYS[3], ARGV[2], ARGV[3]) == 0 then return 'taken' end
redis.call('HSET', KEYS[1], ARGV[3], ARGV[5])
redis.call('HSET', KEYS[2], ARGV[4], ARGV[3])
return 'ok'
"""
Seat = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{16,40}$")]
SessionToken = Annotated[str, Field(pattern=TOKEN)]
Setting = Annotated[str, Field(max_length=200)] | float | int | None


class MemberRecord(Strict):
    id: MemberId
    seat: Seat
    name: DisplayName
    joined_at: Annotated[float, Field(ge=0)]
    session: SessionToken | None


class StateRecord(Strict):
    phase: Annotated[str, Field(pattern="^(" + "|".join(PHASES) + ")$")]
    path: Annotated[str, Field(max_length=60, pattern=DESTINATIONS)] | None
    challenge: Challenge | None
    shown: Annotated[list[MemberId], Field(max_length=MAX_SHOWN)]
    anonymise: bool
    since_follow: bool


class ResultRecord(Strict):
    member: MemberId
    name: DisplayName
    epoch: Annotated[int, Field(ge=0, le=2**53)]
    seconds: Annotated[float, Field(ge=0)]
    shape: Annotated[list[Annotated[int, Field(ge=1, le=100_000)]], Field(max_length=20)]
    settings: Annotated[dict[Annotated[str, Field(max_length=40)], Setting], Field(max_length=20)]
    train_loss: float | None
    test_loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None


def _checked(model, raw):
    """`raw` (bytes from Redis) as `model`, or None with a log line."""
    try:
        return model.model_validate(loads_strict(raw))
    except (ValidationError, ValueError, RecursionError, UnicodeDecodeError) as error:
        log.warning("a class record in Redis was refused: %s", str(error)[:200])
        return None


class RedisClassStore(ClassStore):
    def __init__(self, redis, class_key: str):
        self.redis = redis
        prefix = "nnp:class:" + hashlib.sha256(class_key.encode()).hexdigest()[:24] + ":"
        self.keys = {name: prefix + name for name in ("members", "seats", "names", "results", "state", "lead",
                                                       "changed")}
        self._join = redis.register_script(JOIN)
        self._listeners: list[Callable[[ClassState], None]] = []
        self._task: asyncio.Task | None = None
        self._me = secrets.token_hex(6)

    async def join(self, name: str, max_members: int) -> Member:
        member = Member(id=secrets.token_hex(4), seat=secrets.token_urlsafe(18), name=name, joined_at=time.time())
        k = self.keys
        answer = await self._join(keys=[k["members"], k["seats"], k["names"]],
                                  args=[max_members, name.casefold(), member.id, member.seat, dumps(asdict(member))])
        if answer == b"full":
            raise ClassFull()
        if answer == b"taken":
            raise NameTaken()
        return member

    async def member(self, member_id: str) -> Member | None:
        raw = await self.redis.hget(self.keys["members"], member_id) if isinstance(member_id, str) else None
        record = _checked(MemberRecord, raw) if raw is not None else None
        return Member(**record.model_dump()) if record is not None and record.id == member_id else None

    async def by_seat(self, seat: str) -> Member | None:
        member_id = await self.redis.hget(self.keys["seats"], seat)
        member = await self.member(member_id.decode(errors="replace")) if member_id else None
        return member if member is not None and secrets.compare_digest(member.seat, seat) else None

    async def members(self) -> list[Member]:
        records = (_checked(MemberRecord, raw) for raw in (await self.redis.hgetall(self.keys["members"])).values())
        return sorted((Member(**r.model_dump()) for r in records if r is not None), key=lambda m: m.joined_at)

    async def set_session(self, member_id: str, token: str | None) -> None:
        member = await self.member(member_id)
        if member is not None:
            await self.redis.hset(self.keys["members"], member_id, dumps({**asdict(member), "session": token}))

    async def remove(self, member_id: str) -> Member | None:
        member = await self.member(member_id)
        if member is None:
            return None
        k = self.keys
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hdel(k["members"], member_id).hdel(k["seats"], member.seat).hdel(k["names"], member.name.casefold())
            pipe.hdel(k["results"], member_id)
            await pipe.execute()
        state = await self.state()
        if member_id in state.shown:
            await self.update(shown=tuple(m for m in state.shown if m != member_id))
        return member

    async def state(self) -> ClassState:
        raw = await self.redis.get(self.keys["state"])
        record = _checked(StateRecord, raw) if raw is not None else None
        if record is None:
            return ClassState()
        values = record.model_dump()
        return ClassState(**{**values, "shown": tuple(values["shown"])})

    async def update(self, **changes) -> ClassState:
        state = ClassState(**{**asdict(await self.state()), **changes})
        record = {**asdict(state), "shown": list(state.shown)}
        async with self.redis.pipeline(transaction=True) as pipe:
            if "challenge" in changes:
                pipe.delete(self.keys["results"])
            pipe.set(self.keys["state"], dumps(record))
            pipe.publish(self.keys["changed"], self._me)
            await pipe.execute()
        self._tell(state)
        return state

    async def add_result(self, result: Result) -> bool:
        record = {**asdict(result), "shape": list(result.shape)}
        return bool(await self.redis.hsetnx(self.keys["results"], result.member, dumps(record)))

    async def results(self) -> list[Result]:
        records = (_checked(ResultRecord, raw) for raw in (await self.redis.hgetall(self.keys["results"])).values())
        results = [Result(**{**r.model_dump(), "shape": tuple(r.shape)}) for r in records if r is not None]
        return sorted(results, key=lambda r: (r.seconds, r.epoch))

    async def lead(self) -> str | None:
        raw = await self.redis.get(self.keys["lead"])
        token = raw.decode(errors="replace") if raw else None
        return token if token is not None and re.fullmatch(TOKEN, token) else None

    async def set_lead(self, token: str) -> None:
        await self.redis.set(self.keys["lead"], token)

    # ------------------------------------------------------------------ changes made by other processes
    def listen(self, callback: Callable[[ClassState], None]) -> None:
        self._listeners.append(callback)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._follow(), name="nnp-class-changes")

    def _tell(self, state: ClassState) -> None:
        for callback in self._listeners:
            callback(state)

    async def _follow(self) -> None:
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.keys["changed"])
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None and message["data"] != self._me.encode():
                        self._tell(await self.state())
            except asyncio.CancelledError:
                raise
            except STORE_ERRORS:
                pass
            finally:
                try:
                    await pubsub.aclose()
                except Exception:
                    pass
            await asyncio.sleep(0.5)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
