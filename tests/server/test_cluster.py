"""Several server processes sharing one Redis (docs/cluster.md), as their pages live it: real `nnplayground
--redis URL` servers in subprocesses (two on one port with --processes 2, or two "machines" on two ports), the real
redis-server of the `redis_server` fixture, pages as websockets clients whose every message is validated.
"""
import asyncio
import json
import os
import secrets
import signal
import time

import pytest

from cluster_help import (CSV, KEY, PAUSE, PLAY, Page, Server, Store, class_server, close_all, digest, playing,
                          run_cli, stop_all, wait_for)
from wire import free_port, run


@pytest.fixture
def store(redis_server) -> Store:
    return Store(redis_server.url)


@pytest.fixture
def pair(redis_server):
    """Two one-process servers ("two machines") A and B sharing the test's Redis."""
    a, b = Server(redis_server.url), Server(redis_server.url)
    yield a, b
    stop_all(a, b)


@pytest.fixture
def workers(redis_server):
    """One server of two worker processes on one port."""
    server = Server(redis_server.url, "--processes", "2")
    yield server
    stop_all(server)


# ------------------------------------------------------------------------------------------------ one port
def test_two_workers_on_one_port_share_the_pages(workers, store):
    """Twelve pages opened on one port are served by both worker processes, and every one of them trains."""
    async def flow():
        pages = await asyncio.gather(*(playing(workers) for _ in range(12)))
        try:
            tokens = [page.hello["token"] for page in pages]
            leases = wait_for(lambda: (held := store.leases()) and all(digest(t) in held for t in tokens) and held,
                              10, message="not every session got its lease")
            owners = {leases[digest(t)] for t in tokens}
            assert owners == set(store.processes()) and len(owners) == 2, (owners, store.processes())
            for page in pages:
                before = page.epoch()
                await page.until("frame", 10, where=lambda m, e=before: m["counters"]["epoch"] > e)
        finally:
            await close_all(*pages)
    run(flow())


def test_a_worker_killed_outright_loses_at_most_a_second_of_training(workers, store):
    """kill -9 of the worker training a page's session: the saved state still has the session as its snapshot
    had it (at most about a second behind what the page saw), the page comes back to it with its resume token, and
    the supervisor starts the dead worker again."""
    async def before_the_kill():
        page = await playing(workers)
        await page.drain(2.0)
        await page.ws.close()
        return page
    page = run(before_the_kill())
    token, seen = page.hello["token"], page.epoch()
    speed = max(f["epochs_per_second"] for f in page.frames)
    owner = store.lease(token)
    pid = store.os_pid(owner)
    assert pid is not None and pid != workers.pid
    os.kill(pid, signal.SIGKILL)
    snapshot = store.snapshot(token)
    assert snapshot is not None and snapshot["id"] == page.hello["session"]
    margin = speed * 1.5 + 10
    assert seen - margin <= snapshot["trainer"]["epoch"] <= seen + margin, (seen, snapshot["trainer"]["epoch"], speed)

    started = time.monotonic()
    saved = workers.api("GET", "/api/state", token)
    assert saved.status_code == 200, saved.text
    assert time.monotonic() - started < 10, "the saved state took too long to come"
    state = saved.json()
    assert state["params"] == snapshot["trainer"]["params"]
    assert state["epoch"] == snapshot["trainer"]["epoch"]
    assert state["history"] == snapshot["trainer"]["history"] and len(state["history"]) > 10    # the loss chart too

    async def after():
        again = await Page.connect(workers, "/ws", f"?resume={token}")
        try:
            welcome = await again.welcome()
            assert welcome["resumed"] and welcome["session"] == page.hello["session"]
            first = await again.until("frame", 20)
            assert first["counters"]["epoch"] >= state["epoch"]
            later = await again.until("frame", 20, where=lambda m: m["counters"]["epoch"] > state["epoch"] + 10)
            assert later["state"] == "playing"
        finally:
            await again.ws.close()
    run(after())
    workers.said(rf"worker \d \(pid {pid}\) stopped .*starting it again")


# ------------------------------------------------------------------------------------------------ two machines
def test_a_page_on_the_other_server_is_carried_to_the_session(pair):
    """The same session opened on B while A trains it: B's page shows A's session, frame by frame, and B's pause
    pauses it on A."""
    a, b = pair

    async def flow():
        first = await playing(a)
        second = await Page.connect(b, "/ws", f"?resume={first.hello['token']}")
        try:
            welcome = await second.welcome()
            assert welcome["resumed"] and welcome["session"] == first.hello["session"]
            frames = [await second.until("frame", 10) for _ in range(5)]
            seqs = [f["seq"] for f in frames]
            assert seqs == sorted(seqs) and len(set(seqs)) == 5
            await first.drain(0.5)
            on_a = {f["seq"]: f["counters"] for f in first.frames}
            common = [f for f in second.frames if f["seq"] in on_a]
            assert common, "no frame seen on both pages"
            assert all(f["counters"] == on_a[f["seq"]] for f in common), [(f["seq"], f["counters"], on_a[f["seq"]]) for f in common]
            assert frames[-1]["counters"]["epoch"] > frames[0]["counters"]["epoch"]
            await second.send(PAUSE)
            status = await first.until("status", 10, where=lambda m: m["state"] == "paused")
            assert status["state"] == "paused"
            await second.until("frame", 10, where=lambda m: m["state"] == "paused")
        finally:
            await close_all(first, second)
    run(flow())


def test_an_upload_sent_to_the_other_server_reaches_the_session(pair):
    """A CSV uploaded through B for a session A trains: B answers with the rows, A's page gets the new data."""
    a, b = pair

    async def flow():
        page = await playing(a)
        try:
            response = await asyncio.to_thread(b.api, "POST", "/api/csv?label=kind&features=height,weight",
                                               page.hello["token"], content=CSV,
                                               headers={"Content-Type": "text/csv"})
            assert response.status_code == 200, response.text
            assert response.json()["rows"] == 6
            data = await page.until("data", 10)
            assert data["columns"] == ["height", "weight"] and data["n_train"] + data["n_test"] == 6
        finally:
            await page.ws.close()
    run(flow())


async def join(server: Server, name: str) -> tuple[Page, dict]:
    """A student who joined the class on `server`: their class page and seat message."""
    page = await Page.connect(server, "/ws/class")
    await page.until("class_state", 20)
    await page.send({"type": "join", "name": name})
    seat = await page.until("seat", 20)
    assert seat["name"] == name
    return page, seat


async def lead(server: Server) -> Page:
    page = await Page.connect(server, "/ws/class/view", f"?resume={KEY}")
    welcome = await page.welcome()
    assert welcome["view"] == {"mode": "lead", "read_only": False}
    await page.until("frame", 20)
    return page


@pytest.fixture
def class_pair(redis_server):
    a, b = class_server(redis_server.url), class_server(redis_server.url)
    yield a, b
    stop_all(a, b)


def test_a_class_spans_two_servers(class_pair):
    """The teacher leads on A; students who joined through B follow the teacher's session and see the teacher's
    changes."""
    a, b = class_pair

    async def flow():
        teacher = await lead(a)
        students = [await join(b, name) for name in ("Ann", "Ben")]
        views = []
        try:
            for _, seat in students:
                view = await Page.connect(b, "/ws/class/view", f"?resume={seat['seat']}")
                views.append(view)
                welcome = await view.welcome()
                assert welcome["view"] == {"mode": "follow", "read_only": True}
                assert welcome["session"] == teacher.hello["session"]
                await view.until("frame", 20)
            await teacher.send({"type": "configure", "settings": {"hidden": [3, 2]}})
            for view in views:
                config = await view.until("config", 20, where=lambda m: m["config"]["hidden"] == [3, 2])
                assert config["network"]["sizes"][1:3] == [3, 2]
        finally:
            await close_all(teacher, *views, *(page for page, _ in students))
    run(flow())


def test_sessions_and_the_class_outlive_a_full_stop(redis_server, store):
    """Both servers and Redis stopped and started again (Redis keeps its append-only file): a session comes back
    where its last snapshot left it, and a student's seat still seats them under their name."""
    a, b = class_server(redis_server.url), class_server(redis_server.url)
    try:
        async def before():
            page = await playing(a)
            teacher = await lead(a)
            student, seat = await join(b, "Cleo")
            await page.send(PAUSE)
            paused = await page.until("frame", 10, where=lambda m: m["state"] == "paused")
            await close_all(page, teacher, student)
            return page.hello, seat, paused["counters"]["epoch"]
        hello, seat, epoch = run(before())
    finally:
        stop_all(a, b)
    snapshot = store.snapshot(hello["token"])
    assert snapshot is not None and snapshot["trainer"]["epoch"] == epoch and snapshot["state"] == "paused"
    redis_server.stop()
    redis_server.start()
    a, b = class_server(redis_server.url), class_server(redis_server.url)
    try:
        async def after():
            page = await Page.connect(b, "/ws", f"?resume={hello['token']}")
            student = await Page.connect(a, "/ws/class", f"?seat={seat['seat']}")
            try:
                welcome = await page.welcome()
                assert welcome["resumed"] and welcome["session"] == hello["session"]
                frame = await page.until("frame", 20)
                assert frame["counters"]["epoch"] == epoch and frame["state"] == "paused"
                again = await student.until("seat", 20)
                assert again["name"] == "Cleo" and again["member"] == seat["member"]
            finally:
                await close_all(page, student)
        run(after())
    finally:
        stop_all(a, b)


# ------------------------------------------------------------------------------------------------ Redis lost
def test_training_goes_on_while_redis_is_away(pair, redis_server, store):
    """Redis stopped: the page is told, and its session keeps training; Redis back: the page is told, and the
    session is saved again."""
    a, _ = pair

    async def flow():
        page = await playing(a)
        try:
            await asyncio.to_thread(redis_server.stop)
            lost = await page.until("status", 10, where=lambda m: m["message"].startswith("Redis, the store"))
            assert lost["state"] == "playing"
            before = page.epoch()
            await page.until("frame", 10, where=lambda m: m["counters"]["epoch"] > before + 100)
            await page.drain(1.0)
            away = page.epoch()
            await asyncio.to_thread(redis_server.start)
            await page.until("status", 15, where=lambda m: m["message"].startswith("Redis answers again"))

            def saved_again():
                snapshot = store.snapshot(page.hello["token"])
                return snapshot is not None and snapshot["trainer"]["epoch"] >= away
            await asyncio.to_thread(wait_for, saved_again, 5, 0.1, "no snapshot written after Redis came back")
            await page.until("frame", 10, where=lambda m: m["counters"]["epoch"] > away)
        finally:
            await page.ws.close()
    run(flow())


# ------------------------------------------------------------------------------------------------ hostile Redis
def forged_snapshots(real: dict, rows: list) -> dict[str, tuple[str, list]]:
    """Snapshots (JSON text, history rows) another program could have written, each of which must be refused."""
    params, text = real["trainer"]["params"], json.dumps(real)
    row = json.loads(rows[0])
    return {"not json": ("{this is not json", rows),
            "negative speed": (json.dumps({**real, "speed": -1}), rows),
            "params one short": (json.dumps({**real, "trainer": {**real["trainer"], "params": params[:-1]}}), rows),
            "huge id": (json.dumps({**real, "id": "a" * 1_000_000}), rows),
            "not finite": (json.dumps({**real, "trainer": {**real["trainer"], "params": ["NAN"] + params[1:]}})
                           .replace('"NAN"', "NaN"), rows),
            "wrong version": (json.dumps({**real, "version": 99}), rows),
            "a list": ("[1, 2, 3]", rows),
            "history inside": (json.dumps({**real, "trainer": {**real["trainer"], "history": []}}), rows),
            "a huge history row": (text, rows + [json.dumps({**row, "note": "x" * 5000})]),
            "more rows than a history holds": (text, rows * (2001 // len(rows) + 1)),
            "a negative epoch in a row": (text, rows + [json.dumps({**row, "epoch": -1})])}


def test_forged_snapshots_and_messages_are_refused(pair, store):
    """A snapshot in Redis that does not fit (malformed, out of bounds, huge) resumes nothing: the page gets a new
    session. Garbage on a process's channel is ignored. The servers keep serving."""
    a, b = pair

    async def real_snapshot() -> dict:
        page = await playing(a)
        await page.send(PAUSE)
        await page.until("frame", 10, where=lambda m: m["state"] == "paused")
        await page.ws.close()
        token = page.hello["token"]
        await asyncio.to_thread(wait_for, lambda: store.snapshot(token), 5)
        with store.client() as r:
            return json.loads(r.get(f"nnp:snap:{digest(token)}")), r.lrange(f"nnp:hist:{digest(token)}", 0, -1)
    real, rows = run(real_snapshot())

    async def resume(token: str) -> dict:
        page = await Page.connect(b, "/ws", f"?resume={token}")
        try:
            welcome = await page.welcome()
            await page.until("frame", 20)
            return welcome
        finally:
            await page.ws.close()

    copied = "copied" + secrets.token_urlsafe(18)      # the real snapshot under another token resumes: the refusals
    store.put_snapshot(copied, json.dumps(real), rows)  # below are for what was forged
    assert run(resume(copied))["resumed"]
    for case, (text, forged_rows) in forged_snapshots(real, rows).items():
        token = "forged" + secrets.token_urlsafe(18)
        store.put_snapshot(token, text, forged_rows)
        welcome = run(resume(token))
        assert not welcome["resumed"] and welcome["token"] != token, case
        assert welcome["session"] != real["id"], case
    assert a.healthy() and b.healthy()

    garbage = [b"", b"\n", b"not json\n", b"{}\n", b'{"op": "open"}\n', b"\xff\xfe\x00" * 1000,
               b'{"op": "call", "sender": "000000000000", "rid": "0000000000000000", "kind": "load_csv", '
               b'"token": "forged-token-0123456789"}\n[1, 2]',
               b'{"op": "open", "sender": "000000000000", "tid": "0000000000000000", "path": "/etc/passwd"}\n',
               b'{"op": "open", "sender": "000000000000", "tid": "0000000000000001", "path": "/ws", "query": {}}\n',
               b'{"op": "reply", "sender": "000000000000", "rid": "0000000000000000", "ok": true}\n' + b"x" * 100_000,
               json.dumps({"op": "in", "sender": "0" * 12, "tid": "0" * 16, "extra": 1}).encode() + b"\n{}",
               b"[" * 100_000]
    for process in store.processes():
        for data in garbage:
            store.publish(f"nnp:inbox:{process}", data)
    time.sleep(1.0)
    assert a.healthy() and b.healthy()
    token = run(fresh_token(a))
    welcome = run(resume(token))
    assert welcome["resumed"] and welcome["token"] == token


async def fresh_token(server: Server) -> str:
    """A session just made on `server` and left (its resume token)."""
    page = await Page.connect(server, "/ws")
    welcome = await page.welcome()
    await page.until("frame", 20)
    await page.ws.close()
    return welcome["token"]


# ------------------------------------------------------------------------------------------------ the command
def test_redis_that_does_not_answer_stops_the_command_with_code_3():
    """No Redis at the address given: the command says so and exits with code 3; several processes without
    --redis are refused at once."""
    result = run_cli("--port", str(free_port()), "--processes", "2", "--redis", f"redis://127.0.0.1:{free_port()}/0")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "does not answer" in result.stderr
    refused = run_cli("--processes", "2")
    assert refused.returncode == 2 and "--redis" in refused.stderr
