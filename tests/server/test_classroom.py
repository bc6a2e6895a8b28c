"""The class (docs/classroom.md) as its pages live it: a real `nnplayground --class` in a subprocess, the teacher and
students as websockets clients on /ws/class and /ws/class/view, and the class's HTTP pages.

Every text message a test receives is checked (wire.check_class): a class message against its model in
server/classroom/messages.py, any other against server/protocol.py's. One server serves the module; before each test
the class is emptied and put back to follow (`reset`), so a test starts from a class without students. The teacher's
own session (the lead) lives on between tests: a test that uses it sets it up with `lead`.
"""
import asyncio
import base64
import contextlib
import csv
import io
import json
import re
import struct

import httpx
import pytest
import websockets
from starlette.websockets import WebSocketDisconnect

from nnplayground.server.classroom.challenge import CSV_COLUMNS
from wire import ClassPage, LiveServer, check_class, make_client, run

KEY = "teacher-key-0123"
MAX_STUDENTS = 6
LEAD = {"dataset": "circle", "n_points": 200, "noise": 0.0, "hidden": [4], "activation": "tanh",
        "optimizer": "sgd", "learning_rate": 0.03, "batch_size": 10, "features": ["x1", "x2"]}
CLEAN = {"type": "class_state", "phase": "follow", "path": None, "challenge": None, "shown": [], "anonymise": False,
         "students": 0}
PAUSE, PLAY, STEP = ({"type": "control", "action": a} for a in ("pause", "play", "step"))
# hand-placed points (x1, x2, label) the teacher draws before the class explores
POINTS = [[-4.0, -4.0, 0.0], [-3.5, 2.0, 0.0], [4.0, 4.0, 1.0], [3.0, -2.5, 1.0], [0.5, 0.5, 1.0],
          [-1.0, 5.0, 0.0], [2.0, 2.0, 1.0], [-5.0, 0.0, 0.0], [1.5, -4.5, 1.0], [-2.5, -1.5, 0.0]]
EASY = {"dataset": "circle", "metric": "test_loss", "target": 100.0}     # any trained network on the circle


# ------------------------------------------------------------------------------------------------ the server
def start_class(*args: str) -> LiveServer:
    """`nnplayground --class` on loopback. It prints the teacher's link, so the server's origin is cut from it."""
    server = LiveServer("--class", "--host", "127.0.0.1", "--class-key", KEY, *args)
    server.base = server.origin = server.url.split("/class/")[0]
    return server


@pytest.fixture(scope="module")
def class_server():
    server = start_class("--max-students", str(MAX_STUDENTS))
    yield server
    server.stop()


@pytest.fixture
def server(class_server):
    run(reset(class_server))
    return class_server


class Page(ClassPage):
    """A page on a class socket (wire.ClassPage)."""

    async def answer(self, *kinds: str, timeout: float = 10) -> dict:
        """The next message of one of these types."""
        while True:
            message = await self.recv(timeout)
            if isinstance(message, dict) and message["type"] in kinds:
                return message

    async def frame(self, where=None, timeout: float = 10) -> tuple[dict, bytes]:
        """The next frame message (that `where` accepts) and its binary frame, which follows it."""
        message = await self.until("frame", timeout, where)
        binary = await self.recv(timeout)
        assert isinstance(binary, bytes) and struct.unpack_from("<I", binary, 4)[0] == message["seq"]
        return message, binary

    async def closed(self, timeout: float = 10) -> tuple[int, str]:
        """Read (and check) until the server closes the socket: its close code and reason."""
        try:
            while True:
                await self.recv(timeout)
        except websockets.ConnectionClosed as error:
            return (error.rcvd.code, error.rcvd.reason) if error.rcvd else (1006, "")


class Flow:
    """The pages of one test; every one is closed at the end."""

    def __init__(self, server: LiveServer):
        self.server = server
        self.pages: list[Page] = []

    async def __aenter__(self) -> "Flow":
        return self

    async def __aexit__(self, *exc) -> None:
        await asyncio.gather(*(page.ws.close() for page in self.pages), return_exceptions=True)

    async def open(self, path: str, query: str = "") -> Page:
        page = await Page.connect(self.server, path, query)
        self.pages.append(page)
        return page

    async def teacher(self) -> Page:
        """The teacher's dashboard socket: `hello` (the teacher message), `state` (the first class_state)."""
        page = await self.open("/ws/class", f"?key={KEY}")
        page.hello = await page.until("teacher")
        page.state = await page.until("class_state")
        return page

    async def student(self) -> Page:
        """A student's class page before it joins."""
        page = await self.open("/ws/class")
        page.state = await page.until("class_state")
        return page

    async def join(self, name: str | None) -> Page:
        """A student who joined: `me` is their seat message."""
        page = await self.student()
        await page.send({"type": "join", "name": name})
        page.me = await page.answer("seat", "error")
        assert page.me["type"] == "seat", page.me
        return page

    async def view(self, credential: str, member: str | None = None) -> Page:
        """A view socket (the playground in the class): `welcome` is its first message."""
        page = await self.open("/ws/class/view", f"?resume={credential}" + (f"&member={member}" if member else ""))
        page.welcome = await page.recv()
        assert page.welcome["type"] == "welcome"
        return page


async def reset(server: LiveServer) -> None:
    """No student, phase follow, no challenge, nothing shown, names shown, no destination."""
    async with Flow(server) as flow:
        teacher = await flow.teacher()
        dashboard = next(m for m in teacher.seen if m["type"] == "dashboard")
        for card in dashboard["students"]:
            await teacher.send({"type": "remove", "member": card["member"]})
        for message in ({"type": "challenge", "challenge": None}, {"type": "show", "members": []},
                        {"type": "send_to", "path": None}, {"type": "phase", "phase": "follow"},
                        {"type": "anonymise", "on": False}):
            await teacher.send(message)
        await settled(teacher)
        await state_is(teacher, CLEAN)


async def state_is(page: Page, want: dict) -> None:
    """Wait until the class_state this page has last heard is `want` (class_state messages are coalesced: a page
    hears the newest, not every one)."""
    heard = [m for m in page.seen if m["type"] == "class_state"]
    if not heard or heard[-1] != want:
        await page.until("class_state", where=lambda m: m == want)


async def settled(teacher: Page) -> None:
    """Wait until the teacher's commands sent so far are carried out: the class socket handles a page's messages
    in order, so the error for a refused one comes after them (class_state messages are coalesced, errors are not)."""
    await teacher.send({"type": "phase", "phase": "-"})
    assert (await teacher.answer("error"))["code"] == "invalid_message"


async def lead(flow: Flow, **settings) -> Page:
    """The teacher's playground on the lead session: paused, LEAD (and `settings`), reset to epoch 0 (weights from
    the seed, so the same whether configure or reset built them last); `last` is its frame."""
    page = await flow.view(KEY)
    assert page.welcome["view"] == {"mode": "lead", "read_only": False}
    want = {**LEAD, **settings}
    for message in (PAUSE, {"type": "configure", "settings": want}, {"type": "control", "action": "reset"}):
        await page.send(message)
    await page.until("config", where=lambda m: all(m["config"].get(k) == v for k, v in want.items()))
    page.last = await page.frame(where=lambda m: m["state"] == "paused" and m["counters"]["epoch"] == 0)
    return page


async def steps(page: Page, n: int) -> tuple[dict, bytes]:
    """`n` epochs stepped by hand on a paused session; its frame after them."""
    if not page.frames:
        await page.frame()
    target = page.frames[-1]["counters"]["epoch"] + n
    for _ in range(n):
        await page.send(STEP)
    page.last = await page.frame(where=lambda m: m["counters"]["epoch"] == target)
    return page.last


async def explore(flow: Flow, teacher: Page, students: list[Page]) -> list[Page]:
    """The teacher picks explore: each student's open view is closed with 4000; their new views (explore)."""
    followers = [await flow.view(s.me["seat"]) for s in students]
    await teacher.send({"type": "phase", "phase": "explore"})
    for page in followers:
        assert (await page.closed())[0] == 4000
    return [await own_view(flow, s) for s in students]


async def own_view(flow: Flow, student: Page) -> Page:
    page = await flow.view(student.me["seat"])
    assert page.welcome["view"] == {"mode": "explore", "read_only": False}
    return page


def params(binary: bytes) -> bytes:
    """The parameters' bytes of a binary frame (protocol.py: magic, seq, P, then f32[P])."""
    count = struct.unpack_from("<I", binary, 8)[0]
    return binary[12:12 + 4 * count]


def cards(dashboard: dict) -> dict:
    return {card["member"]: card for card in dashboard["students"]}


# ------------------------------------------------------------------------------------------------ messages
def test_every_valid_class_message_changes_the_class_for_everyone(server):
    cases = [({"type": "phase", "phase": "explore"}, {"phase": "explore"}),
             ({"type": "phase", "phase": "eyes"}, {"phase": "eyes"}),
             ({"type": "send_to", "path": "/race"}, {"path": "/race"}),
             ({"type": "send_to", "path": "/lessons?lesson=first-steps"}, {"path": "/lessons?lesson=first-steps"}),
             ({"type": "send_to", "path": "/gradient-descent"}, {"path": "/gradient-descent"}),
             ({"type": "send_to", "path": "/perceptron"}, {"path": "/perceptron"}),
             ({"type": "send_to", "path": "/lessons"}, {"path": "/lessons"}),
             ({"type": "send_to", "path": None}, {"path": None}),
             ({"type": "anonymise", "on": True}, {"anonymise": True}),
             ({"type": "challenge", "challenge": {**EASY, "max_neurons": 8, "max_epochs": 500,
                                                  "plain_inputs": True}},
              {"challenge": {**EASY, "max_neurons": 8, "max_epochs": 500, "plain_inputs": True}}),
             ({"type": "challenge", "challenge": {"dataset": "spiral", "metric": "test_accuracy", "target": 0.9}},
              {"challenge": {"dataset": "spiral", "metric": "test_accuracy", "target": 0.9, "max_neurons": None,
                             "max_epochs": None, "plain_inputs": False}}),
             ({"type": "challenge", "challenge": None}, {"challenge": None}),
             ({"type": "show", "members": ["MEMBER"]}, {"shown": ["MEMBER"]}),
             ({"type": "show", "members": []}, {"shown": []}),
             ({"type": "phase", "phase": "follow"}, {"phase": "follow"}),
             ({"type": "copy_to_all", "member": None}, {"phase": "explore"}),
             ({"type": "remove", "member": "MEMBER"}, {"students": 0})]

    async def flow():
        async with Flow(server) as f:
            teacher = await f.teacher()
            student = await f.join("Everyone")
            member = student.me["member"]
            assert student.me["name"] == "Everyone" and re.fullmatch(r"[0-9a-f]{8}", member)
            for message, change in cases:
                text = json.dumps(message).replace("MEMBER", member)
                want = json.loads(json.dumps(change).replace("MEMBER", member))
                await teacher.ws.send(text)
                state = await teacher.until("class_state", where=lambda m: all(m[k] == v for k, v in want.items()))
                if message["type"] != "remove":
                    heard = await student.until("class_state", where=lambda m: m == state)
                    assert heard["students"] == 1
            assert (await student.answer("removed"))["message"]
    run(flow())


REFUSED_JOINS = [
    ('{"type": "hello"}', "invalid_message", "type"),
    ('{"name": "Ada"}', "invalid_message", "type"),
    ('{"type": "join"}', "invalid_message", "name"),
    ('{"type": "join", "name": "Ada", "avatar": "x"}', "invalid_message", "avatar"),
    ('{"type": "join", "name": 5}', "invalid_message", "name"),
    ('{"type": "join", "name": ["Ada"]}', "invalid_message", "name"),
    ('{"type": "join", "name": "' + "x" * 33 + '"}', "invalid_message", "name"),
    ('{"type": "join", "name": ""}', "invalid_message", "name"),
    ('{"type": "join", "name": "   \\t "}', "invalid_message", "name"),
    ('{"type": "join", "name": "Ada\\u0007"}', "invalid_message", "name"),
    ('{"type": "join", "name": "\\u0000"}', "invalid_message", "name"),
    ('{"type": "join", "name": "Ada\\u001b[31m"}', "invalid_message", "name"),
    ('{"type": "join", "name": "Ada\\u202eevil"}', "invalid_message", "name"),
    ('{"type": "join", "name": "Ada\\u200b"}', "invalid_message", "name"),
    ('{"type": "join", "name": "\\ue000"}', "invalid_message", "name"),
    ('{"type": "join", "name": "Ada\\ud800"}', "invalid_message", "name"),
    ('{"type": "join", "name": "\\udfff"}', "invalid_message", "name"),
    ('{"type": "join", "name": NaN}', "bad_json", None),
    ('{"type": "join", "name": "Ada"', "bad_json", None),
    ('["join", "Ada"]', "invalid_message", None),
]
REFUSED_COMMANDS = [
    ('{"type": "lecture"}', "invalid_message", "type"),
    ('{"type": "phase", "phase": "follow", "now": true}', "invalid_message", "now"),
    ('{"type": "phase", "phase": "lecture"}', "invalid_message", "phase"),
    ('{"type": "phase", "phase": "Follow"}', "invalid_message", "phase"),
    ('{"type": "phase", "phase": null}', "invalid_message", "phase"),
    ('{"type": "phase", "phase": 1}', "invalid_message", "phase"),
    ('{"type": "send_to", "path": "https://evil"}', "invalid_message", "path"),
    ('{"type": "send_to", "path": "//evil.example/race"}', "invalid_message", "path"),
    ('{"type": "send_to", "path": "/../x"}', "invalid_message", "path"),
    ('{"type": "send_to", "path": "/race/../../etc/passwd"}', "invalid_message", "path"),
    ('{"type": "send_to", "path": "javascript:alert(1)"}', "invalid_message", "path"),
    ('{"type": "send_to", "path": "race"}', "invalid_message", "path"),
    ('{"type": "send_to", "path": "/admin"}', "invalid_message", "path"),
    ('{"type": "send_to", "path": "/lessons?lesson=<script>"}', "invalid_message", "path"),
    ('{"type": "send_to", "path": "/race\\n"}', "invalid_message", "path"),
    ('{"type": "send_to"}', "invalid_message", "path"),
    ('{"type": "show", "members": ["0123abcd", "1123abcd", "2123abcd", "3123abcd", "4123abcd"]}',
     "invalid_message", "members"),
    ('{"type": "show", "members": ["../x"]}', "invalid_message", "members"),
    ('{"type": "show", "members": ["0123ABCD"]}', "invalid_message", "members"),
    ('{"type": "show", "members": ["0123abcd0"]}', "invalid_message", "members"),
    ('{"type": "show", "members": [12345678]}', "invalid_message", "members"),
    ('{"type": "show", "members": "0123abcd"}', "invalid_message", "members"),
    ('{"type": "show", "members": ["0123abcd"]}', "invalid_config", None),        # no such student
    ('{"type": "anonymise", "on": "yes"}', "invalid_message", "on"),
    ('{"type": "anonymise", "on": 1}', "invalid_message", "on"),
    ('{"type": "challenge"}', "invalid_message", "challenge"),
    ('{"type": "challenge", "challenge": {"dataset": "circle", "metric": "test_loss", "target": 0}}',
     "invalid_message", "challenge.target"),
    ('{"type": "challenge", "challenge": {"dataset": "circle", "metric": "test_loss", "target": -0.5}}',
     "invalid_message", "challenge.target"),
    ('{"type": "challenge", "challenge": {"dataset": "circle", "metric": "test_loss", "target": 1e7}}',
     "invalid_message", "challenge.target"),
    ('{"type": "challenge", "challenge": {"dataset": "circle", "metric": "test_loss", "target": "0.1"}}',
     "invalid_message", "challenge.target"),
    ('{"type": "challenge", "challenge": {"dataset": "circle", "metric": "test_loss", "target": true}}',
     "invalid_message", "challenge.target"),
    ('{"type": "challenge", "challenge": {"dataset": "circle", "metric": "test_loss", "target": Infinity}}',
     "bad_json", None),
    ('{"type": "challenge", "challenge": {"dataset": "points", "metric": "test_loss", "target": 0.1}}',
     "invalid_message", "challenge.dataset"),
    ('{"type": "challenge", "challenge": {"dataset": "mnist", "metric": "test_loss", "target": 0.1}}',
     "invalid_message", "challenge.dataset"),
    ('{"type": "challenge", "challenge": {"dataset": "circle", "metric": "accuracy", "target": 0.1}}',
     "invalid_message", "challenge.metric"),
    ('{"type": "challenge", "challenge": {"dataset": "circle", "metric": "test_loss", "target": 0.1, '
     '"max_neurons": 0}}', "invalid_message", "challenge.max_neurons"),
    ('{"type": "challenge", "challenge": {"dataset": "circle", "metric": "test_loss", "target": 0.1, '
     '"prize": 1}}', "invalid_message", "challenge.prize"),
    ('{"type": "copy_to_all", "member": "x"}', "invalid_message", "member"),
    ('{"type": "copy_to_all", "member": "0123abcd"}', "invalid_config", None),   # no such student
    ('{"type": "remove", "member": null}', "invalid_message", "member"),
    ('{"type": "remove", "member": "0123abcd"}', "invalid_config", None),        # no such student
    ('{"type": "join", "name": "Teacher"}', "invalid_message", None),            # the teacher does not join
]


@pytest.mark.parametrize("sender, text, code, field",
                         [("student", *case) for case in REFUSED_JOINS] + [("teacher", *case)
                                                                            for case in REFUSED_COMMANDS])
def test_a_refused_class_message_gets_an_error_and_changes_nothing(server, sender, text, code, field):
    async def flow():
        async with Flow(server) as f:
            page = await (f.teacher() if sender == "teacher" else f.student())
            assert page.state == CLEAN
            await page.ws.send(text)
            error = await page.answer("error")
            assert error["code"] == code, error
            assert error["field"] == field or (field is not None and (error["field"] or "").startswith(field)), error
            assert len(error["message"]) > 5
            again = await f.teacher()                        # the class as a teacher coming back sees it
            assert again.state == CLEAN
            assert next(m for m in again.seen if m["type"] == "dashboard")["students"] == []
            assert [m for m in page.seen if m["type"] in ("seat", "class_state")] == [page.state]
    run(flow())


# ------------------------------------------------------------------------------------------------ names
def test_names_are_trimmed_and_bounded_and_a_page_joins_once(server):
    async def flow():
        async with Flow(server) as f:
            longest = await f.join("L" * 31 + "é")
            assert longest.me["name"] == "L" * 31 + "é"
            spaced = await f.join("  Ada \t  Lovelace  ")
            assert spaced.me["name"] == "Ada Lovelace"
            fox = await f.join("Zoë 🦊")
            assert fox.me["name"] == "Zoë 🦊"
            await spaced.send({"type": "join", "name": "Ada Again"})        # a page in the class cannot join again
            assert (await spaced.answer("error"))["code"] == "invalid_message"
            back = await f.open("/ws/class", f"?seat={spaced.me['seat']}")
            assert (await back.answer("seat")) == spaced.me                  # … nor one that came with a seat
            await back.send({"type": "join", "name": "Ada Twice"})
            assert (await back.answer("error"))["code"] == "invalid_message"
            teacher = await f.teacher()
            names = [c["name"] for c in next(m for m in teacher.seen if m["type"] == "dashboard")["students"]]
            assert names == ["L" * 31 + "é", "Ada Lovelace", "Zoë 🦊"]
            assert teacher.state["students"] == 3
    run(flow())


def test_names_are_unique_ignoring_case(server):
    async def flow():
        async with Flow(server) as f:
            await f.join("Grace Hopper")
            other = await f.student()
            await f.join("Zoë Straß")
            for name in ("Grace Hopper", "grace hopper", "GRACE HOPPER", "  grace   HOPPER ", "ZOE\u0308 STRASS"):
                await other.send({"type": "join", "name": name})
                error = await other.answer("seat", "error")
                assert error["type"] == "error" and error["code"] == "name_taken", (name, error)
            await other.send({"type": "join", "name": "Grace Hopper 2"})   # the same page may try another name
            assert (await other.answer("seat"))["name"] == "Grace Hopper 2"
            teacher = await f.teacher()
            assert teacher.state["students"] == 3
    run(flow())


def test_a_student_without_a_name_gets_a_made_up_one(server):
    async def flow():
        async with Flow(server) as f:
            made = [await f.join(None) for _ in range(4)]
            names = [page.me["name"] for page in made]
            for name in names:
                assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+( \d+)?", name), name
            assert len({name.casefold() for name in names}) == 4
            teacher = await f.teacher()
            dashboard = next(m for m in teacher.seen if m["type"] == "dashboard")
            assert [c["name"] for c in dashboard["students"]] == names
    run(flow())


def test_a_name_made_of_html_travels_verbatim_and_never_into_a_page(server):
    name = "<img src=x onerror=alert(1)>"

    async def flow():
        async with Flow(server) as f:
            student = await f.join(name)
            assert student.me["name"] == name
            teacher = await f.teacher()
            dashboard = await teacher.until("dashboard", where=lambda m: m["students"])
            assert dashboard["students"][0]["name"] == name
            pages = {}
            async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
                for path in (f"/class/teacher?key={KEY}", "/class"):
                    response = await http.get(path, headers={"Accept": "text/html"})
                    assert response.status_code == 200, path
                    pages[path] = response.text
            return pages
    for path, html in run(flow()).items():
        for piece in ("onerror", "<img src=x", "&lt;img", "&#34;img", "alert(1)"):
            assert piece not in html, (path, piece)


# ------------------------------------------------------------------------------------------------ follow
def test_followers_see_the_same_frames_and_the_teachers_changes(server):
    async def flow():
        async with Flow(server) as f:
            teacher_page = await lead(f)
            a, b = await f.join("Ann"), await f.join("Ben")
            view_a, view_b = await f.view(a.me["seat"]), await f.view(b.me["seat"])
            for view in (view_a, view_b):
                assert view.welcome["view"] == {"mode": "follow", "read_only": True}
                assert view.welcome["session"] == teacher_page.welcome["session"]
                await view.frame()
            await teacher_page.send(PLAY)
            await asyncio.gather(view_a.drain(1.5), view_b.drain(1.5))
            await teacher_page.send(PAUSE)
            common = sorted(set(view_a.binaries) & set(view_b.binaries))
            assert len(common) >= 10, (len(view_a.binaries), len(view_b.binaries))
            for seq in common:
                assert view_a.binaries[seq] == view_b.binaries[seq], seq
            # a frame's text is the same on both pages when neither missed the frame before it
            steady = [s for s in common if s - 1 in view_a.texts and s - 1 in view_b.texts and s in view_a.texts
                      and s in view_b.texts]
            assert len(steady) >= 5
            for seq in steady:
                assert view_a.texts[seq] == view_b.texts[seq], seq
            assert any(view_a.texts[s] != view_a.texts[steady[0]] for s in steady)     # it did train
            await teacher_page.send({"type": "configure", "settings": {"learning_rate": 0.0123}})
            for view in (view_a, view_b):
                config = await view.until("config", where=lambda m: m["config"]["learning_rate"] == 0.0123)
                assert config["change"] == "live"
                await view.frame()
    run(flow())


def test_a_followers_commands_are_refused_read_only_and_change_nothing(server):
    commands = [{"type": "configure", "settings": {"learning_rate": 0.5}}, PLAY, STEP,
                {"type": "control", "action": "reset"}, {"type": "set_points", "points": POINTS},
                {"type": "edit_bias", "layer": 0, "unit": 0, "value": 3.0}, {"type": "speed", "epochs_per_frame": 1},
                {"type": "inspect", "point": [1.0, 1.0]}]

    async def flow():
        async with Flow(server) as f:
            teacher_page = await lead(f)
            before, before_binary = await steps(teacher_page, 2)
            student = await f.join("Read Only")
            view = await f.view(student.me["seat"])
            await view.frame()
            for command in commands:
                await view.send(command)
                error = await view.answer("error")
                assert error["code"] == "read_only" and "teacher" in error["message"], command
            state = saved_state(server, KEY)
            state["config"]["learning_rate"] = 0.5
            async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
                seat = {"X-Session-Token": student.me["seat"]}
                for method, path, body in (("GET", "/api/state", None), ("POST", "/api/state", json.dumps(state)),
                                           ("POST", "/api/csv?label=y", "x1,x2,y\n1,2,0\n2,1,1\n")):
                    refused = await http.request(method, path, content=body, headers=seat)
                    assert refused.status_code in (403, 404) and refused.json()["code"] in ("no_session",
                                                                                            "not_found")
            again = await f.view(KEY)
            config = await again.answer("config")
            assert all(config["config"][k] == v for k, v in LEAD.items())
            frame, binary = await again.frame()
            assert frame["counters"] == before["counters"] and frame["state"] == "paused"
            assert params(binary) == params(before_binary)
            assert [m["type"] for m in view.seen if m["type"] in ("config", "data", "status")] == ["config", "data"]
    run(flow())


# ------------------------------------------------------------------------------------------------ explore
async def drawn_lead(f: Flow) -> tuple[Page, dict, list]:
    """The lead with the teacher's drawn points, 3 epochs in: its page, data message and history rows."""
    teacher_page = await lead(f, learning_rate=0.05, optimizer="adam")
    await teacher_page.send({"type": "set_points", "points": POINTS})
    data = await teacher_page.until("data", where=lambda m: m["n_train"] + m["n_test"] == len(POINTS))
    assert sorted(data["train"] + data["test"]) == sorted(POINTS)
    await teacher_page.frame()
    await steps(teacher_page, 3)
    history = (await (await f.view(KEY)).answer("history"))["rows"]
    assert history[-1]["epoch"] == 3
    return teacher_page, data, history


def test_explore_gives_each_student_the_teachers_network_data_and_history(server):
    async def flow():
        async with Flow(server) as f:
            teacher = await f.teacher()
            teacher_page, data, history = await drawn_lead(f)
            students = [await f.join("Explorer A"), await f.join("Explorer B")]
            views = await explore(f, teacher, students)
            sessions = set()
            for student, view in zip(students, views):
                assert view.welcome["token"] == student.me["seat"]
                sessions.add(view.welcome["session"])
                config = await view.answer("config")
                assert config["config"]["dataset"] == "points" and config["config"]["learning_rate"] == 0.05
                assert await view.answer("data") == data
                assert (await view.answer("history"))["rows"] == history
                frame, binary = await view.frame()
                assert frame["counters"]["epoch"] == 3 and frame["state"] == "paused"
                assert params(binary) == params(teacher_page.last[1])
                assert await student.until("class_state", where=lambda m: m["phase"] == "explore")
            assert len(sessions) == 2 and teacher_page.welcome["session"] not in sessions
            return [s.me["seat"] for s in students]
    seats = run(flow())
    lead_state = saved_state(server, KEY)                     # optimizer state and all, as a file would keep it
    assert lead_state["config"]["optimizer"] == "adam" and lead_state["t"] > 0 and any(lead_state["m"])
    for seat in seats:
        assert saved_state(server, seat) == lead_state


def saved_state(server: LiveServer, credential: str) -> dict:
    """GET /api/state of the session this credential may change (the welcome's token, as a page sends it)."""
    response = httpx.get(server.base + "/api/state", headers={"X-Session-Token": credential}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_students_changes_leave_the_teacher_and_the_others_alone(server):
    async def flow():
        async with Flow(server) as f:
            teacher = await f.teacher()
            teacher_page, _, _ = await drawn_lead(f)
            students = [await f.join("Changer"), await f.join("Bystander")]
            changer, bystander = await explore(f, teacher, students)
            _, forked = await bystander.frame()
            await changer.frame()
            await changer.send({"type": "configure", "settings": {"learning_rate": 0.3}})
            config = await changer.until("config", where=lambda m: m["change"] != "unchanged")
            assert config["config"]["learning_rate"] == 0.3
            await changer.send(PLAY)
            await changer.frame(where=lambda m: m["counters"]["epoch"] > 50)
            await changer.send(PAUSE)
            await changer.frame(where=lambda m: m["state"] == "paused")
            for credential, page, binary in ((KEY, teacher_page, teacher_page.last[1]),
                                             (students[1].me["seat"], bystander, forked)):
                again = await f.view(credential)
                assert again.welcome["session"] == page.welcome["session"]
                assert (await again.answer("config"))["config"]["learning_rate"] == 0.05
                frame, now = await again.frame()
                assert frame["counters"]["epoch"] == 3 and params(now) == params(binary)
    run(flow())


def test_exploring_again_after_following_starts_from_the_teachers_network_again(server):
    async def flow():
        async with Flow(server) as f:
            teacher = await f.teacher()
            teacher_page = await lead(f)
            student = await f.join("Twice")
            (view,) = await explore(f, teacher, [student])
            await steps(view, 5)
            await teacher.send({"type": "phase", "phase": "follow"})
            assert (await view.closed())[0] == 4000
            follower = await f.view(student.me["seat"])
            assert follower.welcome["view"] == {"mode": "follow", "read_only": True}
            frame, binary = await steps(teacher_page, 1)
            seen, seen_binary = await follower.frame(where=lambda m: m["seq"] == frame["seq"])
            assert seen_binary == binary
            (again,) = await explore(f, teacher, [student])
            assert again.welcome["session"] != view.welcome["session"]
            forked, forked_binary = await again.frame()
            assert forked["counters"]["epoch"] == 1 and params(forked_binary) == params(binary)
    run(flow())


def test_a_student_joining_during_explore_starts_from_the_teachers_network(server):
    async def flow():
        async with Flow(server) as f:
            teacher = await f.teacher()
            teacher_page = await lead(f)
            await explore(f, teacher, [await f.join("Early")])
            frame, binary = await steps(teacher_page, 2)
            late = await f.join("Late")
            assert late.state["phase"] == "explore"
            view = await own_view(f, late)
            forked, forked_binary = await view.frame()
            assert forked["counters"] == frame["counters"] and params(forked_binary) == params(binary)
    run(flow())


def test_eyes_on_me_pauses_the_students_and_releasing_loses_nothing(server):
    async def flow():
        async with Flow(server) as f:
            teacher = await f.teacher()
            await lead(f)
            students = [await f.join("Eyes A"), await f.join("Eyes B")]
            views = await explore(f, teacher, students)
            for view in views:
                await view.frame()
                await view.send(PLAY)
                await view.frame(where=lambda m: m["counters"]["epoch"] > 30 and m["state"] == "playing")
            await teacher.send({"type": "phase", "phase": "eyes"})
            paused = []
            for student, view in zip(students, views):
                assert (await view.closed())[0] == 4000
                assert await student.until("class_state", where=lambda m: m["phase"] == "eyes")
                locked = await f.view(student.me["seat"])
                assert locked.welcome["view"] == {"mode": "locked", "read_only": True}
                frame, binary = await locked.frame(where=lambda m: m["state"] == "paused")
                for command in (PLAY, STEP, {"type": "configure", "settings": {"learning_rate": 0.9}}):
                    await locked.send(command)
                    assert (await locked.answer("error"))["code"] == "read_only"
                paused.append((locked, frame, binary))
            await teacher.send({"type": "phase", "phase": "explore"})
            for student, (locked, frame, binary) in zip(students, paused):
                assert (await locked.closed())[0] == 4000
                view = await own_view(f, student)
                assert view.welcome["session"] == locked.welcome["session"]
                assert (await view.answer("config"))["config"]["learning_rate"] == LEAD["learning_rate"]
                assert (await view.answer("history"))["rows"][-1]["epoch"] == frame["counters"]["epoch"]
                again, now = await view.frame()
                assert again["counters"] == frame["counters"] and params(now) == params(binary)
    run(flow())


# ------------------------------------------------------------------------------------------------ the teacher
def test_the_dashboard_shows_a_card_per_student_twice_a_second(server):
    async def flow():
        async with Flow(server) as f:
            teacher = await f.teacher()
            await lead(f)
            students = [await f.join("Card A"), await f.join("Card B")]
            views = await explore(f, teacher, students)
            latest = {}
            for student, view, n in zip(students, views, (2, 3)):
                config = await view.answer("config")
                frame, _ = await steps(view, n)
                latest[student.me["member"]] = (student.me["name"], frame, config["network"])

            def settled(message):
                got = cards(message)
                return set(got) == set(latest) and all(
                    got[m]["epoch"] == latest[m][1]["counters"]["epoch"] and got[m]["map"] for m in latest)
            await teacher.until("dashboard", where=settled)
            window = [m for m in await teacher.drain(2.0) if isinstance(m, dict) and m["type"] == "dashboard"]
            assert len(window) >= 4, f"{len(window)} dashboards in 2 s"
            for dashboard in window:
                for member, card in cards(dashboard).items():
                    name, frame, network = latest[member]
                    assert card["name"] == name and card["active"] and card["state"] == "paused"
                    assert card["epoch"] == frame["counters"]["epoch"] and card["dataset"] == "circle"
                    assert card["test_loss"] == frame["metrics"]["test"]["loss"]
                    assert card["shape"] == network["sizes"] and card["n_params"] == network["n_params"]
                    thumb = card["map"]
                    assert 2 <= thumb["size"] <= 24 and thumb["count"] >= 1 and thumb["task"] == "binary"
                    assert len(thumb["lo"]) == len(thumb["hi"]) == thumb["count"]
                    assert len(base64.b64decode(thumb["q"], validate=True)) == thumb["count"] * thumb["size"] ** 2
                assert set(cards(dashboard)) == set(latest)
            for student in students:                                  # what students see: no one else's work
                await student.drain(0.2)
                assert not {"dashboard", "teacher"} & {m["type"] for m in student.seen}
    run(flow())


async def challenge_class(f: Flow, names: tuple, challenge: dict) -> tuple[Page, list, list]:
    """Students in explore on the lead's circle network, the challenge set: teacher, class pages, views."""
    teacher = await f.teacher()
    await lead(f)
    students = [await f.join(name) for name in names]
    views = await explore(f, teacher, students)
    for view in views:
        await view.frame()
    await teacher.send({"type": "challenge", "challenge": challenge})
    await teacher.until("class_state", where=lambda m: m["challenge"] is not None)
    return teacher, students, views


def test_a_student_reaching_the_challenge_is_ranked_and_limits_exclude(server):
    async def flow():
        async with Flow(server) as f:
            teacher, (ada, bob, cy), (ada_view, bob_view, cy_view) = await challenge_class(
                f, ("Ada", "Bob", "Cy"), {**EASY, "max_neurons": 4, "plain_inputs": True})
            for view, change, sizes in ((bob_view, {"hidden": [8, 8]}, [2, 8, 8, 1]),       # 16 neurons: too many
                                        (cy_view, {"features": ["x1", "x2", "x1sq"]}, [3, 4, 1])):  # not plain
                await view.send({"type": "configure", "settings": change})
                config = await view.until("config", where=lambda m: m["change"] != "unchanged")
                assert config["network"]["sizes"] == sizes
                await view.frame()
            for view in (bob_view, cy_view, ada_view):
                await steps(view, 2)
            progress = await ada.until("progress", where=lambda m: m["reached"])
            assert progress["rank"] == 1 and progress["epoch"] in (1, 2)
            dashboard = await teacher.until("dashboard", where=lambda m: m["results"] and all(
                cards(m)[s.me["member"]]["epoch"] == 2 for s in (bob, cy)))
            row = dashboard["results"][0]
            assert row["member"] == ada.me["member"] and row["name"] == "Ada" and row["shape"] == [2, 4, 1]
            assert row["epoch"] == progress["epoch"] and row["test_loss"] < EASY["target"]
            for other in (bob, cy):                                  # they would have reached it but for the limits
                card = cards(dashboard)[other.me["member"]]
                assert card["test_loss"] < EASY["target"] and card["dataset"] == "circle"
            await steps(ada_view, 1)                                        # the first time counts
            for _ in range(3):
                dashboard = await teacher.until("dashboard")
                assert [(r["member"], r["epoch"]) for r in dashboard["results"]] == [(ada.me["member"],
                                                                                      progress["epoch"])]
            for other in (bob, cy):
                assert not (await other.until("progress"))["reached"]
                await other.drain(0.3)
                assert not [m for m in other.seen if m["type"] == "progress" and m["reached"]]
            await ada.close()                                        # a page coming back hears its progress again
            back = await f.open("/ws/class", f"?seat={ada.me['seat']}")
            assert await back.until("progress") == progress
            await teacher.send({"type": "challenge", "challenge": {**EASY, "target": 1e-9}})   # a new challenge
            await teacher.until("dashboard", where=lambda m: m["results"] == [])
            again = await back.until("progress")
            assert again == {"type": "progress", "reached": False, "epoch": None, "rank": None}
    run(flow())


def test_the_results_csv_lists_each_result_and_defuses_formulas(server):
    names = ("=SUM(A1:A9)", "@Pat", "Plain Pat")

    async def flow():
        async with Flow(server) as f:
            teacher, students, views = await challenge_class(f, names, EASY)
            for view in views:
                await steps(view, 2)
            for student in students:
                assert (await student.until("progress", where=lambda m: m["reached"]))["rank"] in (1, 2, 3)
            return await teacher.until("dashboard", where=lambda m: len(m["results"]) == 3)
    dashboard = run(flow())
    response = httpx.get(f"{server.base}/class/results.csv?key={KEY}", timeout=10)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 4
    by_name = {row[1]: dict(zip(CSV_COLUMNS, row)) for row in rows[1:]}
    assert set(by_name) == {"'=SUM(A1:A9)", "'@Pat", "Plain Pat"}
    for rank, result in enumerate(dashboard["results"], 1):
        row = by_name["'" + result["name"] if result["name"][0] in "=@" else result["name"]]
        assert row["rank"] == str(rank) and row["reached_at_epoch"] == str(result["epoch"])
        assert row["network"] == "2-4-1" and "optimizer=sgd" in row["settings"]
        assert float(row["test_loss"]) == result["test_loss"]
    for query in ("", "?key=", "?key=wrong-key-0123"):
        refused = httpx.get(f"{server.base}/class/results.csv{query}", timeout=10)
        assert refused.status_code == 403 and refused.json()["code"] == "class_key"
        assert "Plain Pat" not in refused.text


def test_copying_the_teachers_network_to_everyone(server):
    async def flow():
        async with Flow(server) as f:
            teacher = await f.teacher()
            teacher_page = await lead(f)
            await steps(teacher_page, 2)
            students = [await f.join("Copy A"), await f.join("Copy B")]
            followers = [await f.view(s.me["seat"]) for s in students]
            await teacher.send({"type": "copy_to_all", "member": None})        # from follow: the class explores
            assert (await teacher.until("class_state", where=lambda m: m["phase"] != "follow"))["phase"] == "explore"
            for page in followers:
                assert (await page.closed())[0] == 4000
            views = [await own_view(f, s) for s in students]
            for view in views:
                frame, binary = await view.frame()
                assert frame["counters"]["epoch"] == 2 and params(binary) == params(teacher_page.last[1])
                await steps(view, 3)                                           # their own work …
            await steps(teacher_page, 1)
            await teacher.send({"type": "copy_to_all", "member": None})        # … replaced by the teacher's
            for view in views:
                assert (await view.closed())[0] == 4000
            for student in students:
                frame, binary = await (await own_view(f, student)).frame()
                assert frame["counters"]["epoch"] == 3 and params(binary) == params(teacher_page.last[1])
            assert (await f.teacher()).state["phase"] == "explore"
    run(flow())


def test_copying_a_students_network_to_everyone(server):
    async def flow():
        async with Flow(server) as f:
            teacher = await f.teacher()
            await lead(f)
            students = [await f.join("Source"), await f.join("Copy B"), await f.join("Copy C")]
            views = await explore(f, teacher, students)
            source = views[0]
            await source.send({"type": "configure", "settings": {"hidden": [3], "learning_rate": 0.2}})
            config = await source.until("config", where=lambda m: m["change"] != "unchanged")
            assert config["network"]["sizes"] == [2, 3, 1]
            await source.frame()
            mine, mine_binary = await steps(source, 4)
            await teacher.send({"type": "copy_to_all", "member": students[0].me["member"]})
            for view in views:
                assert (await view.closed())[0] == 4000
            for student, view in zip(students, views):
                again = await own_view(f, student)
                same_session = again.welcome["session"] == view.welcome["session"]
                assert same_session == (student is students[0])
                config = await again.answer("config")
                assert config["network"]["sizes"] == [2, 3, 1] and config["config"]["learning_rate"] == 0.2
                frame, binary = await again.frame()
                assert frame["counters"] == mine["counters"] and params(binary) == params(mine_binary)
            assert (await f.teacher()).state["phase"] == "explore"
    run(flow())


def test_copying_during_eyes_on_me_sends_the_class_to_explore(server):
    async def flow():
        async with Flow(server) as f:
            teacher = await f.teacher()
            await lead(f)
            student = await f.join("Eyes Copy")
            await explore(f, teacher, [student])
            await teacher.send({"type": "phase", "phase": "eyes"})
            await teacher.send({"type": "copy_to_all", "member": None})
            await settled(teacher)
            state = (await f.teacher()).state
            assert state["phase"] == "explore", "docs/classroom.md: after copy_to_all the class goes to explore"
            view = await f.view(student.me["seat"])
            assert view.welcome["view"] == {"mode": "explore", "read_only": False}
    run(flow())


def test_the_teacher_watches_a_students_session_read_only(server):
    async def flow():
        async with Flow(server) as f:
            teacher = await f.teacher()
            await lead(f)
            student, peeker = await f.join("Watched"), await f.join("Peeker")
            view, _ = await explore(f, teacher, [student, peeker])
            peeking = await f.view(peeker.me["seat"], student.me["member"])    # a student cannot watch another
            assert peeking.welcome["view"] == {"mode": "explore", "read_only": False}
            assert peeking.welcome["session"] != view.welcome["session"]
            frame, binary = await steps(view, 2)
            watch = await f.view(KEY, student.me["member"])
            assert watch.welcome["view"] == {"mode": "watch", "read_only": True}
            assert watch.welcome["session"] == view.welcome["session"]
            seen, seen_binary = await watch.frame()
            assert seen["counters"] == frame["counters"] and params(seen_binary) == params(binary)
            await watch.send(STEP)
            assert (await watch.answer("error"))["code"] == "read_only"
            frame, binary = await steps(view, 1)                 # the student's next epoch reaches the watcher
            seen, seen_binary = await watch.frame(where=lambda m: m["seq"] == frame["seq"])
            assert seen_binary == binary and watch.texts[frame["seq"]] == view.texts[frame["seq"]]
    run(flow())


def test_the_projector_watches_the_teachers_own_session_read_only(server):
    async def flow():
        async with Flow(server) as f:
            mine = await lead(f)
            watch = await f.view(KEY, "lead")
            assert watch.welcome["view"] == {"mode": "watch", "read_only": True}
            assert watch.welcome["session"] == mine.welcome["session"]
            await watch.send(STEP)
            assert (await watch.answer("error"))["code"] == "read_only"
            student = await f.join("No lead")
            sneaking = await f.view(student.me["seat"], "lead")          # the word is the teacher key's only
            assert sneaking.welcome["view"]["mode"] != "watch"
    run(flow())


@pytest.mark.parametrize("phase", ["follow", "explore"])
def test_a_removed_student_is_told_closed_and_forgotten(server, phase):
    async def flow():
        async with Flow(server) as f:
            teacher = await f.teacher()
            teacher_page = await lead(f)
            gone, stays = await f.join("Leaving"), await f.join("Staying")
            if phase == "explore":
                gone_view, _ = await explore(f, teacher, [gone, stays])
            else:
                gone_view = await f.view(gone.me["seat"])
                assert gone_view.welcome["session"] == teacher_page.welcome["session"]
            await teacher.send({"type": "show", "members": [gone.me["member"], stays.me["member"]]})
            await teacher.until("class_state", where=lambda m: len(m["shown"]) == 2)
            await teacher.send({"type": "remove", "member": gone.me["member"]})
            code, reason = await gone.closed()
            removed = [m for m in gone.seen if m["type"] == "removed"]
            assert code == 4003 and reason and len(removed) == 1 and removed[0]["message"]
            assert gone.seen[-1]["type"] == "removed"
            assert (await gone_view.closed())[0] == 4003
            state = await teacher.until("class_state", where=lambda m: m["students"] == 1)
            assert state["shown"] == [stays.me["member"]]
            for path, query in (("/ws/class", f"?seat={gone.me['seat']}"),
                                ("/ws/class/view", f"?resume={gone.me['seat']}")):
                page = await f.open(path, query)
                assert (await page.closed())[0] == 4004
                assert not [m for m in page.seen if m["type"] in ("seat", "welcome")]
            for _ in range(3):
                assert set(cards(await teacher.until("dashboard"))) == {stays.me["member"]}
            frame, _ = await steps(teacher_page, 1)                 # the teacher's own session goes on
            assert frame["counters"]["epoch"] == 1
    run(flow())


def test_a_student_coming_back_with_their_seat_finds_their_session(server):
    async def flow():
        async with Flow(server) as f:
            teacher = await f.teacher()
            await lead(f)
            student = await f.join("Returner")
            (view,) = await explore(f, teacher, [student])
            frame, binary = await steps(view, 4)
            epoch = frame["counters"]["epoch"]
            await student.close()
            await view.close()
            await teacher.until("dashboard", where=lambda m: not cards(m)[student.me["member"]]["active"])
            back = await f.open("/ws/class", f"?seat={student.me['seat']}")
            assert await back.answer("seat") == student.me
            assert (await back.answer("class_state"))["phase"] == "explore"
            again = await own_view(f, student)
            assert again.welcome["session"] == view.welcome["session"]
            assert (await again.answer("history"))["rows"][-1]["epoch"] == epoch
            now, now_binary = await again.frame()
            assert now["counters"] == frame["counters"] and params(now_binary) == params(binary)
            dashboard = await teacher.until("dashboard", where=lambda m: cards(m)[student.me["member"]]["active"])
            assert [c["name"] for c in dashboard["students"]] == ["Returner"]
    run(flow())


def test_a_teacher_coming_back_finds_the_class_as_it_was(server):
    async def flow():
        async with Flow(server) as f:
            teacher = await f.teacher()
            assert teacher.hello["max_students"] == MAX_STUDENTS
            assert teacher.hello["student_link"] == server.base + "/class"
            await lead(f)
            students = [await f.join("Stay A"), await f.join("Stay B")]
            await explore(f, teacher, students)
            for message in ({"type": "challenge", "challenge": EASY}, {"type": "anonymise", "on": True},
                            {"type": "show", "members": [students[1].me["member"]]},
                            {"type": "send_to", "path": "/race"}):
                await teacher.send(message)
            state = await teacher.until("class_state", where=lambda m: m["path"] == "/race")
            await teacher.close()
            again = await f.teacher()
            assert again.state == state and state["phase"] == "explore" and state["students"] == 2
            assert state["challenge"]["dataset"] == "circle" and state["anonymise"]
            dashboard = next(m for m in again.seen if m["type"] == "dashboard")
            assert [c["member"] for c in dashboard["students"]] == [s.me["member"] for s in students]
    run(flow())


# ------------------------------------------------------------------------------------------------ authority
TEACHER_MESSAGES = [{"type": "phase", "phase": "explore"}, {"type": "phase", "phase": "eyes"},
                    {"type": "send_to", "path": "/race"}, {"type": "show", "members": ["MEMBER"]},
                    {"type": "anonymise", "on": True}, {"type": "challenge", "challenge": EASY},
                    {"type": "copy_to_all", "member": None}, {"type": "copy_to_all", "member": "MEMBER"},
                    {"type": "remove", "member": "MEMBER"}]


@pytest.mark.parametrize("joined", [True, False], ids=["student", "page-before-joining"])
@pytest.mark.parametrize("message", TEACHER_MESSAGES, ids=lambda m: f"{m['type']}-{list(m.values())[1]}")
def test_a_student_cannot_command_the_class(server, message, joined):
    async def flow():
        async with Flow(server) as f:
            student = await f.join("Mallory")
            view = await f.view(student.me["seat"])
            page = student if joined else await f.student()
            await page.ws.send(json.dumps(message).replace("MEMBER", student.me["member"]))
            error = await page.answer("error")
            assert error["code"] == "class_key", error
            teacher = await f.teacher()
            assert teacher.state == {**CLEAN, "students": 1}
            dashboard = next(m for m in teacher.seen if m["type"] == "dashboard")
            assert [(c["member"], c["epoch"]) for c in dashboard["students"]] == [(student.me["member"], None)]
            assert dashboard["results"] == []
            await view.send(STEP)                                   # still following: the view was not moved
            assert (await view.answer("error"))["code"] == "read_only"
    run(flow())


@pytest.mark.parametrize("path, query", [
    ("/ws/class", "?key=wrong-key-0123"), ("/ws/class", "?key="), ("/ws/class", f"?key={KEY}x"),
    ("/ws/class", "?seat=no-such-seat"), ("/ws/class", "?seat=" + "s" * 150),
    ("/ws/class/view", ""), ("/ws/class/view", "?resume=wrong-key-0123"), ("/ws/class/view", f"?resume={KEY[:-1]}"),
    ("/ws/class/view", f"?resume={KEY}&member=0123abcd"), ("/ws/class/view", f"?resume={KEY}&member=../x"),
])
def test_a_wrong_key_or_seat_closes_the_socket_with_4004(server, path, query):
    async def flow():
        async with Flow(server) as f:
            page = await f.open(path, query)
            code, reason = await page.closed()
            assert code == 4004 and reason
            assert not [m for m in page.seen if m["type"] in ("teacher", "dashboard", "welcome", "seat")]
            assert (await f.teacher()).state == CLEAN
    run(flow())


@pytest.mark.parametrize("path", ["/class/teacher", "/class/teacher?key=", "/class/teacher?key=wrong-key-0123",
                                  f"/class/teacher?key={KEY.upper()}", "/class/qr.svg?key=wrong-key-0123",
                                  "/class/results.csv?key=wrong-key-0123"])
def test_teacher_pages_refuse_a_wrong_key_with_403(server, path):
    response = httpx.get(server.base + path, headers={"Accept": "text/html"}, timeout=10)
    assert response.status_code == 403
    assert "student_link" not in response.text and KEY not in response.text
    good = httpx.get(server.base + path.split("?")[0] + f"?key={KEY}", headers={"Accept": "text/html"}, timeout=10)
    assert good.status_code == 200


def test_the_student_cap_refuses_the_next_student_with_class_full():
    with make_client(class_key=KEY, max_students=3) as client, contextlib.ExitStack() as pages:
        teacher = pages.enter_context(client.websocket_connect(f"ws://localhost/ws/class?key={KEY}"))
        students, replies = [], []
        for i in range(4):
            ws = pages.enter_context(client.websocket_connect("ws://localhost/ws/class"))
            ws.send_text(json.dumps({"type": "join", "name": f"Student {i}"}))
            students.append(ws)
            replies.append(until(ws, "seat", "error"))
        assert [r["type"] for r in replies] == ["seat", "seat", "seat", "error"]
        assert replies[3]["code"] == "class_full" and "full" in replies[3]["message"]
        assert until(teacher, "class_state", where=lambda m: m["students"] == 3)
        teacher.send_text(json.dumps({"type": "remove", "member": replies[0]["member"]}))
        assert until(students[0], "removed")
        assert until(teacher, "class_state", where=lambda m: m["students"] == 2)
        students[3].send_text(json.dumps({"type": "join", "name": "Student 3"}))     # a seat is free again
        assert until(students[3], "seat", "error")["type"] == "seat"


def until(ws, *kinds, where=None) -> dict:
    for _ in range(200):
        message = check_class(ws.receive_text())
        if message["type"] in kinds and (where is None or where(message)):
            return message
    raise AssertionError(f"no {kinds}")


def test_a_server_without_a_class_has_no_class():
    with make_client() as client:
        for path in ("/class", "/class/teacher", f"/class/teacher?key={KEY}", "/class/lead", "/class/projector",
                     "/class/watch", f"/class/qr.svg?key={KEY}", f"/class/results.csv?key={KEY}"):
            response = client.get(path)
            assert response.status_code == 404, path
        for path in ("/ws/class", f"/ws/class?key={KEY}", "/ws/class/view", f"/ws/class/view?resume={KEY}"):
            with client.websocket_connect("ws://localhost" + path) as ws:
                with pytest.raises(WebSocketDisconnect) as closed:
                    ws.receive_text()
                assert closed.value.code == 4004, path
