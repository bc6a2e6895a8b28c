"""The class's pages, its two sockets, the QR code and the results (docs/classroom.md). Every path answers 404 on a
server started without --class; the teacher's need the teacher key, checked here before anything else."""
import io

import segno
from fastapi import APIRouter, Request, WebSocket
from fastapi.responses import HTMLResponse, Response

from ...engine import ConfigError
from ..classroom.challenge import results_csv
from ..classroom.messages import TEACHER_TYPES, parse_class
from ..classroom.room import JOIN_ERRORS, UNKNOWN, Classroom, Unknown, refusal
from ..protocol import ProtocolError, dumps, error_message, parse_client, welcome_message
from ..security import refusal_page
from ..subscriber import Subscriber
from .errors import ApiError
from .pages import NO_STORE, PAGES, templates
from ..cluster import STORE_ERRORS
from .sockets import STORE_DOWN, TokenBucket, receive

router = APIRouter(include_in_schema=False)
# the class's pages: path → (template, needs the teacher key)
CLASS_PAGES = {"/class": ("class_student.html", False), "/class/teacher": ("class_teacher.html", True),
               "/class/lead": ("class_lead.html", True), "/class/projector": ("class_projector.html", True),
               "/class/watch": ("class_watch.html", True)}
WRONG_KEY = "this page needs the teacher's link (it carries the teacher key)"


def classroom_of(request) -> Classroom:
    room = request.app.state.classroom
    if room is None:
        raise ApiError(404, "not_found", "this server runs no class: start it with nnplayground --class")
    return room


def student_link(request) -> str:
    """The link students open: this server as the teacher reached it (a Host the guard accepted)."""
    join = request.app.state.settings.join_token
    return f"http://{request.headers.get('host', 'localhost')}/class" + (f"?join={join}" if join else "")


def class_page(template: str, teacher: bool):
    async def render(request: Request):
        room = classroom_of(request)
        key = request.query_params.get("key")
        if teacher and not room.is_teacher(key):
            return HTMLResponse(refusal_page("class_key", WRONG_KEY), status_code=403, headers=NO_STORE)
        member = request.query_params.get("member")
        return templates.TemplateResponse(request, template, {
            "pages": PAGES, "path": request.url.path, "join_token": request.app.state.settings.join_token,
            "class_key": key if teacher else None, "member": member if member and len(member) <= 16 else None,
            "student_link": student_link(request) if teacher else None}, headers=NO_STORE)
    return render


for path, (template, teacher) in CLASS_PAGES.items():
    router.add_api_route(path, class_page(template, teacher), methods=["GET"])


def teacher_room(request: Request) -> Classroom:
    room = classroom_of(request)
    if not room.is_teacher(request.query_params.get("key")):
        raise ApiError(403, "class_key", WRONG_KEY)
    return room


@router.get("/class/qr.svg")
async def qr_code(request: Request):
    """The student link as a QR code, drawn by segno as SVG."""
    teacher_room(request)
    out = io.BytesIO()
    segno.make(student_link(request), error="m").save(out, kind="svg", scale=10, border=2, xmldecl=False,
                                                     svgns=True, title="The class's link")
    return Response(out.getvalue(), media_type="image/svg+xml", headers=NO_STORE)


@router.get("/class/results.csv")
async def results(request: Request):
    room = teacher_room(request)
    text = results_csv(await room.store.results())
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="class-results.csv"', **NO_STORE})


# ---------------------------------------------------------------------------------------------------- sockets
async def carried_to_host(websocket, path: str) -> bool:
    """With several processes, a class socket is served by the process hosting the class (cluster/node.py): True
    when it was carried there. A socket carried here, or one reaching the host, is served here."""
    cluster = websocket.app.state.cluster
    if cluster is None or websocket.app.state.classroom is None or not isinstance(websocket, WebSocket):
        return False
    try:
        host = await cluster.class_host()
    except STORE_ERRORS:
        await websocket.accept()
        await websocket.close(*STORE_DOWN)
        return True
    if host == cluster.link.pid:
        return False
    await cluster.tunnels.carry(websocket, host, path)
    return True


@router.websocket("/ws/class")
async def class_socket(websocket: WebSocket):
    """The class itself: the teacher's commands and dashboard, a student's joining, phase and progress."""
    room: Classroom | None = websocket.app.state.classroom
    if await carried_to_host(websocket, "/ws/class"):
        return
    key, seat = websocket.query_params.get("key"), websocket.query_params.get("seat")
    teacher = room is not None and room.is_teacher(key)
    member = None
    try:
        if room is None or (key is not None and not teacher):
            raise Unknown(UNKNOWN[1])
        if seat is not None and not teacher:
            member = await room.seat(seat)
    except Unknown as error:
        await websocket.accept()
        await websocket.close(UNKNOWN[0], str(error)[:120])
        return
    await websocket.accept()
    page = Subscriber(websocket, websocket.app.state.settings.fps)
    page.start()
    who = None if teacher else (member.id if member else "")
    if teacher:
        page.send_message(dumps({"type": "teacher", "student_link": student_link(websocket),
                                 "max_students": room.max_students}))
        page.send_message(dumps(await room.dashboard()), "dashboard")
    elif member is not None:
        page.send_message(dumps({"type": "seat", "seat": member.seat, "member": member.id, "name": member.name}))
    page.send_message(dumps(await room.class_state()), "class_state")
    room.progress.pop(who, None)          # a page that came back hears its progress again
    handler = ClassSocket(room, page, who)
    try:
        await handler.run()
    except Exception:                     # the socket broke mid-receive: same as a disconnect
        pass
    finally:
        room.drop_page(room.pages, handler.who, page)
        await page.stop()


class ClassSocket:
    """One page's messages on /ws/class: `who` is the member id, None for the teacher, "" before a student joins."""

    def __init__(self, room: Classroom, page: Subscriber, who: str | None):
        self.room, self.page, self.who = room, page, who
        room.add_page(room.pages, who, page)
        settings = page.ws.app.state.settings
        self.bucket = TokenBucket(settings.rate, settings.burst)

    def refuse(self, code: str, message: str, field: str | None = None) -> None:
        self.page.send_message(dumps(error_message(code, message, field)))

    async def run(self) -> None:
        while True:
            message = await self.page.ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            if not self.bucket.take():
                continue
            if message.get("text") is None:
                self.refuse("invalid_message", "binary messages are not accepted: send JSON text")
                continue
            try:
                command = parse_class(message["text"])
            except ProtocolError as error:
                self.refuse(error.code, error.message, error.field)
                continue
            await self.handle(command)

    async def handle(self, command) -> None:
        room = self.room
        if command.type in TEACHER_TYPES:
            if self.who is not None:
                self.refuse("class_key", "only the teacher can do that")
                return
            try:
                await room.command(command)
            except ConfigError as error:
                self.refuse("invalid_config", str(error)[:500])
            return
        if self.who != "":                    # join: a student's page before it has a seat
            self.refuse("invalid_message", "this page is already in the class" if self.who else
                        "the teacher leads the class and does not join it")
            return
        try:
            member = await room.join(command.name)
        except JOIN_ERRORS as error:
            self.page.send_message(refusal(error))
            return
        room.drop_page(room.pages, "", self.page)
        self.who = member.id
        room.add_page(room.pages, member.id, self.page)
        self.page.send_message(dumps({"type": "seat", "seat": member.seat, "member": member.id,
                                      "name": member.name}))
        self.page.send_message(dumps(await room.class_state()), "class_state")


@router.websocket("/ws/class/view")
async def class_view(websocket: WebSocket):
    """The playground's protocol on the session the class shows this page (Classroom.view)."""
    state = websocket.app.state
    room: Classroom | None = state.classroom
    credential = websocket.query_params.get("resume")
    if await carried_to_host(websocket, "/ws/class/view"):
        return
    try:
        if room is None:
            raise Unknown(UNKNOWN[1])
        view = await room.view(credential, websocket.query_params.get("member"))
    except Unknown as error:
        await websocket.accept()
        await websocket.close(UNKNOWN[0], str(error)[:120])
        return
    await websocket.accept()
    if state.registry.pages() >= state.settings.max_pages:
        await websocket.close(1013, "the server is full; try again in a minute")
        return
    page = Subscriber(websocket, state.settings.fps)
    page.read_only = view.read_only
    session = view.session
    page.send_message(dumps(welcome_message(state.facts, session.id, credential, True, view.welcome)))
    room.add_page(room.views, view.who, page)
    await room.fanout.watch(session, page)
    try:
        await receive(websocket, page, session, parse_client, TokenBucket(state.settings.rate, state.settings.burst),
                      heard=lambda: room.touch(view.who))
    except Exception:
        pass
    finally:
        room.drop_page(room.views, view.who, page)
        await room.fanout.unwatch(session, page)
