"""The web application: the pages, static files, the session and race WebSockets, CSV and state upload, health.

    from nnplayground.server import ServerSettings, create_app
    app = create_app(ServerSettings(fps=30))

Every route sits behind ``security.Guard`` (Host, Origin, join token). Replies never carry a traceback or a path:
refusals are ``{"type": "error", "code": …, "message": …}`` as on the WebSocket.
"""
import asyncio
import logging
import os
import threading
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, WebSocket
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from .. import resource
from ..engine import Config, ConfigError, DataError, Trainer
from ..engine.datasets import LIMITS as DATA_LIMITS
from ..engine.datasets import preview_csv
from ..engine.one_weight import OneWeight

from . import frames, labs, protocol
from .protocol import PROTOCOL_VERSION, ProtocolError, dumps, parse_client, parse_race
from .race import RaceSession
from .registry import Registry, ServerFull, Stats
from .scheduler import Scheduler
from .security import Guard
from .session import Session, Subscriber, _Conflict
from .settings import ServerSettings

TOKEN_HEADER = "x-session-token"
log = logging.getLogger("nnplayground")
warm_log = logging.getLogger("nnplayground.warm_up")     # warm_up's progress (the CLI prints it)
COMPILED_SECONDS = 3.0      # a warm-up longer than this compiled the kernels (loading them from the cache is ~1 s)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def warm_up() -> None:
    """Compile (or load from numba's cache) every kernel a session uses, so the first click trains at once. Each
    group is logged to `warm_log` (INFO) as it starts, "n of m: what", and the total time when done: compiling takes
    about 10 s the first time; numba's cache then makes it about a second."""
    trainer = None

    def train():
        nonlocal trainer
        trainer = Trainer(Config(dataset="xor", n_points=40, hidden=(3,), batch_size=10))
        trainer.train(1)
        trainer.train_batches(1)

    groups = (
        ("training kernels", train),
        ("inspector", lambda: trainer.inspect([0.5, -0.5], 1)),
        ("predictions", lambda: trainer.predict([[0.0, 0.0]])),
        ("gradient-descent lab", lambda: OneWeight().step(1)),
        ("maps and frames", lambda: frames.encode_frame(0, trainer, state="paused", speed=1, rows=[], grid_size=8,
                                                       unit_size=8, focus=0, cache=frames.MapCache(),
                                                       epochs_per_second=0.0)),
    )
    started = time.perf_counter()
    for n, (name, run) in enumerate(groups, 1):
        warm_log.info("  engine %d of %d: %s", n, len(groups), name)
        run()
    took = time.perf_counter() - started
    if took > COMPILED_SECONDS:
        warm_log.info("  engine compiled in %.1f s and cached: the next start takes about a second", took)
    else:
        warm_log.info("  engine ready in %.1f s (loaded from numba's cache)", took)


class LoopMonitor:
    """Measures event-loop stalls: how late a 10 ms sleep wakes up (only with --debug-stats)."""

    def __init__(self, interval: float = 0.01):
        self.interval = interval
        self.max_stall = 0.0
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._run(), name="nnp-loop-monitor")

    async def _run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.max_stall = max(self.max_stall, time.perf_counter() - start - self.interval)


class TokenBucket:
    """At most `rate` messages a second on average, `burst` at once."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


def _rss_bytes() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# Every HTML page: its path, its template and its name in the navigation bar (templates/_nav.html).
PAGES: dict[str, tuple[str, str]] = {
    "/": ("index.html", "Playground"),
    "/race": ("race.html", "Optimizer race"),
    "/gradient-descent": ("gradient_descent.html", "Gradient descent"),
    "/perceptron": ("perceptron.html", "Perceptron"),
    "/lessons": ("lessons.html", "Lessons"),
}
LAB_CALLS_AT_ONCE = 2           # the labs' answers take milliseconds; a slider drag must not queue up the CPU


def _error(code: str, message: str, field: str | None = None) -> dict:
    return {"type": "error", "code": code, "message": message, "field": field}


# On every HTTP answer. The pages load scripts, styles, fetches and the WebSocket from this server only (no inline
# script or style attribute, no eval); images also as data: URLs (the pages' empty favicon). Only this site may frame
# them; no MIME sniffing; no referrer leaves.
COMMON_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
                               "form-action 'self'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "no-referrer",
}


class CommonHeaders:
    """ASGI middleware setting COMMON_HEADERS on every HTTP response that passes through it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    settings = settings or ServerSettings()
    templates = Jinja2Templates(directory=str(resource("templates")))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.warm_up:
            await asyncio.to_thread(warm_up)
        scheduler = Scheduler(settings.workers, settings.fps)
        registry = Registry(scheduler, settings, Stats())
        registry.start()
        monitor = LoopMonitor()
        if settings.debug_stats:
            monitor.start()
        app.state.scheduler, app.state.registry, app.state.monitor = scheduler, registry, monitor
        try:
            yield
        finally:
            if monitor.task is not None:
                monitor.task.cancel()
            await registry.close_all(1001, "server going away")
            scheduler.close()

    app = FastAPI(title="nnplayground", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError):
        return JSONResponse(_error(error.code, error.message), status_code=error.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError):
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:])
        return JSONResponse(_error("invalid_message", f"{where}: {first.get('msg', 'invalid request')}"),
                            status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        code = "not_found" if error.status_code == 404 else "invalid_message"
        message = "not found" if error.status_code == 404 else "request refused"
        return JSONResponse(_error(code, message), status_code=error.status_code)

    @app.exception_handler(ClientDisconnect)
    async def client_gone(request: Request, error: ClientDisconnect):
        # the client left in the middle of sending its request (reset, or closed by the request deadline): not the
        # server's error, so no traceback; nobody reads this answer
        return Response(status_code=400)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception):
        log.exception("request failed")
        # starlette answers an unexpected error outside every middleware: this reply sets the headers itself
        return JSONResponse(_error("internal", "the server could not do that"), status_code=500,
                            headers=COMMON_HEADERS)

    # ------------------------------------------------------------------------------------------ pages
    def page(template: str):
        async def render(request: Request):
            return templates.TemplateResponse(request, template, {
                "protocol_version": PROTOCOL_VERSION, "fps": settings.fps, "pages": PAGES, "path": request.url.path,
                "max_message_bytes": protocol.MAX_MESSAGE_BYTES,
                # the guard let this page through, so its reader has the token: the page keeps it in its links
                "join_token": settings.join_token}, headers={"Cache-Control": "no-store"})
        return render

    for path, (template, _title) in PAGES.items():
        app.add_api_route(path, page(template), methods=["GET"], include_in_schema=False)

    app.mount("/static", StaticFiles(directory=str(resource("static")), check_dir=False), name="static")

    @app.get("/healthz")
    async def healthz(request: Request):
        return {"ok": True, "protocol": PROTOCOL_VERSION, "sessions": len(request.app.state.registry)}

    if settings.debug_stats:
        @app.get("/debug/stats")
        async def debug_stats(request: Request, reset: int = 0):
            state = request.app.state
            registry, monitor, scheduler = state.registry, state.monitor, state.scheduler
            sessions = registry.sessions()
            result = {
                "max_stall_ms": round(monitor.max_stall * 1000, 2), "rss_bytes": _rss_bytes(),
                "threads": threading.active_count(), "tasks": len(asyncio.all_tasks()),
                "sessions": len(sessions), "attached": sum(1 for s in sessions if s.subscribers),
                "runners": sum(1 for s in sessions if scheduler.busy(s)), "turns": scheduler.turns,
                "playing": sum(1 for s in sessions if s.state == "playing"),
                "pages": sum(len(s.subscribers) for s in sessions),
                "epochs": round(registry.stats.epochs, 1), "frames": registry.stats.frames,
                "refused": registry.stats.refused, "engine_busy_seconds": round(scheduler.busy_seconds, 3),
                "cpu_seconds": round(sum(os.times()[:2]), 3), "time": time.monotonic(),
            }
            if reset:
                monitor.max_stall = 0.0
            return result

    # ------------------------------------------------------------------------------------------ websocket
    async def serve(websocket: WebSocket, kind: type, parse) -> None:
        """One page's socket for a session of `kind` (Session or RaceSession): open or resume it under the cap,
        welcome, then hand every message `parse` accepts to the session; refusals get an `error`, the socket
        stays open."""
        registry: Registry = websocket.app.state.registry
        try:
            session, resumed = await registry.open(websocket.query_params.get("resume"), kind)
        except ServerFull:
            await websocket.accept()
            await websocket.close(1013, "the server is full; try again in a minute")
            return
        await websocket.accept()
        page = Subscriber(websocket, settings.fps)
        page.send_message(dumps({
            "type": "welcome", "protocol": PROTOCOL_VERSION, "session": session.id, "token": session.token,
            "resumed": resumed, "limits": protocol.limits(), "choices": protocol.choices(),
            "fps": settings.fps, "max_message_bytes": protocol.MAX_MESSAGE_BYTES}))
        session.attach(page, resumed)
        bucket = TokenBucket(settings.rate, settings.burst)
        last_refusal = 0.0
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                if not bucket.take():
                    now = time.monotonic()
                    if now - last_refusal > 0.5:
                        last_refusal = now
                        page.send_message(dumps(_error("rate_limited", "too many messages: slow down; the "
                                                       "session goes on")))
                    continue
                text = message.get("text")
                if text is None:
                    page.send_message(dumps(_error("invalid_message", "binary messages are not accepted: send "
                                                   "JSON text")))
                    continue
                try:
                    command = parse(text)
                except ProtocolError as error:
                    page.send_message(dumps(_error(error.code, error.message, error.field)))
                    continue
                if not session.submit(command.type, command, origin=page):
                    page.send_message(dumps(_error("rate_limited", "the session is busy: slow down")))
        except Exception:                     # the socket broke mid-receive: same as a disconnect
            pass
        finally:
            await session.detach(page)

    @app.websocket("/ws")
    async def session_socket(websocket: WebSocket):
        await serve(websocket, Session, parse_client)

    @app.websocket("/ws/race")
    async def race_socket(websocket: WebSocket):
        await serve(websocket, RaceSession, parse_race)

    # ------------------------------------------------------------------------------------------ HTTP API
    def session_of(request: Request):
        token = request.headers.get(TOKEN_HEADER)
        if not token:
            raise ApiError(403, "no_session", f"send the session's resume token in the {TOKEN_HEADER} header")
        session = request.app.state.registry.get(token)
        if session is None:
            raise ApiError(404, "not_found", "no such session: reload the page")
        return session

    async def read_body(request: Request, limit: int) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            raise ApiError(413, "too_large", f"the upload is larger than the limit of {limit:,} bytes")
        chunks, total = [], 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit:
                raise ApiError(413, "too_large", f"the upload is larger than the limit of {limit:,} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    async def read_text(request: Request, limit: int) -> str:
        try:
            return (await read_body(request, limit)).decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "data_error", "the file must be UTF-8 text") from None

    async def call(session, kind: str, payload=None):
        try:
            return await session.call(kind, payload)
        except _Conflict as error:
            raise ApiError(409, "conflict", str(error)) from None
        except DataError as error:
            raise ApiError(400, "data_error", str(error)[:500]) from None
        except (ConfigError, ValueError) as error:
            raise ApiError(400, "invalid_config", str(error)[:500]) from None
        except RuntimeError:
            raise ApiError(500, "internal", "the server could not do that") from None

    @app.post("/api/csv")
    async def upload_csv(request: Request, label: str, features: str | None = None):
        session = session_of(request)
        if len(label) > 200 or (features is not None and len(features) > 10_000):
            raise ApiError(400, "invalid_message", "column names are too long")
        text = await read_text(request, DATA_LIMITS["csv_max_bytes"])
        chosen = [name.strip() for name in features.split(",")] if features else None
        return {"ok": True, **await call(session, "load_csv", (text, label, chosen))}

    @app.post("/api/csv/preview")
    async def csv_preview(request: Request):
        session_of(request)
        text = await read_text(request, DATA_LIMITS["csv_max_bytes"])
        try:
            return await asyncio.to_thread(preview_csv, text)
        except DataError as error:
            raise ApiError(400, "data_error", str(error)[:500]) from None

    @app.get("/api/state")
    async def save_state(request: Request):
        session = session_of(request)
        text = await call(session, "save_state")
        return Response(text, media_type="application/json",
                        headers={"Content-Disposition": 'attachment; filename="nnplayground-state.json"',
                                 "Cache-Control": "no-store"})

    @app.get("/api/data")
    async def training_data(request: Request):
        """The rows the session's engine trains and tests on, at full precision (Session._do_data)."""
        session = session_of(request)
        return Response(await call(session, "data"), media_type="application/json",
                        headers={"Cache-Control": "no-store"})

    @app.post("/api/state")
    async def load_state(request: Request):
        """A saved state checked field by field (protocol.parse_state), then by the engine (Trainer.from_state);
        a refusal is a 400 whose message names the field."""
        session = session_of(request)
        raw = await read_body(request, settings.max_state_bytes)
        try:
            state = await asyncio.to_thread(protocol.parse_state, raw)
        except ProtocolError as error:
            return JSONResponse(_error(error.code, error.message[:500], error.field), status_code=400)
        return {"ok": True, **await call(session, "load_state", state)}

    lab_slots = asyncio.Semaphore(LAB_CALLS_AT_ONCE)

    async def lab(request: Request, model, compute):
        body = await read_body(request, protocol.LAB_BODY_BYTES)
        try:
            message = protocol.parse_lab(model, body)
        except ProtocolError as error:
            raise ApiError(413 if error.code == "too_large" else 400, error.code, error.message) from None
        async with lab_slots:
            try:
                answer = await asyncio.to_thread(compute, message)
            except ConfigError as error:
                raise ApiError(400, "invalid_config", str(error)[:500]) from None
        # strict JSON straight from the dict: FastAPI's generic encoder is ~50× slower on a long path or log
        return Response(dumps(answer), media_type="application/json")

    @app.post("/api/one-weight")
    async def one_weight(request: Request):
        return await lab(request, protocol.OneWeightRequest, labs.one_weight_path)

    @app.post("/api/perceptron")
    async def perceptron(request: Request):
        return await lab(request, protocol.PerceptronRequest, labs.perceptron_result)

    # the guard wraps everything else: nothing (routing, static files, the socket) sees an unchecked request;
    # the headers wrap the guard, so its refusals carry them too
    app.add_middleware(Guard, allowed_hosts=settings.allowed_hosts, join_token=settings.join_token)
    app.add_middleware(CommonHeaders)
    return app
