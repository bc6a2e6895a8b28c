"""The web application, assembled: lifespan (warm-up, scheduler, session registry), error handlers, the routers of
server/routes/, static files, and the middleware.

    from nnplayground.server import ServerSettings, create_app
    app = create_app(ServerSettings(fps=30))

Every route sits behind ``security.Guard`` (Host, Origin, join token). Replies never carry a traceback or a path:
refusals are protocol ``error`` messages, as on the WebSocket (routes/errors.py).
"""
import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .. import resource

from . import protocol
from .registry import Registry, Stats
from .classroom import Classroom
from .classroom.redis_store import RedisClassStore
from .cluster import Link
from .cluster.node import Node
from .routes import api, classroom, errors, health, labs, pages, sockets
from .scheduler import Scheduler
from .security import CommonHeaders, Guard
from .settings import ServerSettings
from .warm import warm_up


# the sockets another process may carry here (cluster/tunnel.py): path → handler
CARRIED = {"/ws": sockets.session_socket, "/ws/class": classroom.class_socket, "/ws/class/view": classroom.class_view}


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    settings = settings or ServerSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.warm_up:
            await asyncio.to_thread(warm_up)
        scheduler = Scheduler(settings.workers, settings.fps)
        registry = Registry(scheduler, settings, Stats())
        link = Link(settings.redis_url) if settings.redis_url else None
        if link is not None:
            await link.connect()            # StoreUnavailable: the server does not start
        registry.start()
        monitor = health.LoopMonitor()
        if settings.debug_stats:
            monitor.start()
        app.state.scheduler, app.state.registry, app.state.monitor = scheduler, registry, monitor
        if settings.class_key:
            store = RedisClassStore(link.redis, settings.class_key) if link is not None else None
            app.state.classroom = Classroom(settings, registry, store)
            registry.outside = app.state.classroom.page_count
        if link is not None:
            app.state.link = link
            app.state.cluster = Node(link, app, CARRIED, api.for_peer)
            app.state.cluster.start()
        elif app.state.classroom is not None:
            app.state.classroom.start()
        try:
            yield
        finally:
            if app.state.cluster is not None:
                await app.state.cluster.close()
            if monitor.task is not None:
                monitor.task.cancel()
            if app.state.classroom is not None:
                await app.state.classroom.close(ending=app.state.cluster is None)
            await registry.close_all(1001, "server going away")
            scheduler.close()
            if link is not None:
                await link.close()

    app = FastAPI(title="nnplayground", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.classroom = None            # a Classroom when the server runs a class (settings.class_key)
    app.state.cluster = app.state.link = None     # with --redis: cluster.Node and its Link
    app.state.facts = protocol.spec(settings)
    app.state.spec_js = protocol.spec_script(app.state.facts)
    app.state.lab_slots = labs.slots()
    for kind, handler in errors.HANDLERS.items():
        app.add_exception_handler(kind, handler)
    for routes in (pages, sockets, api, labs, classroom, health):
        app.include_router(routes.router)
    if settings.debug_stats:
        app.include_router(health.debug_router)
    app.mount("/static", StaticFiles(directory=str(resource("static")), check_dir=False), name="static")
    # the guard wraps everything else: nothing (routing, static files, the socket) sees an unchecked request;
    # the headers wrap the guard, so its refusals carry them too
    app.add_middleware(Guard, allowed_hosts=settings.allowed_hosts, join_token=settings.join_token)
    app.add_middleware(CommonHeaders)
    return app
