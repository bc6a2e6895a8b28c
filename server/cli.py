"""The `nnplayground` command: serve the playground on this machine and open it in the browser.

    nnplayground                      # http://127.0.0.1:8000/ (or the next free port), opens the browser
    nnplayground --host 0.0.0.0       # a classroom: serves the LAN, prints a join link with a token

The numba kernels are compiled (or loaded from cache) before the port starts listening, so the first click trains
at once. Ctrl-C closes every page's socket with 1001 "server going away" and exits within about two seconds.
Connections are capped in total and per client, requests have a deadline and pages that stop reading are dropped
(server/connections.py); the open-file limit is raised to the hard limit at start.
"""
import argparse
import asyncio
import errno
import functools
import logging
import socket
import sys
import threading
import webbrowser
from typing import Callable
from urllib.parse import quote

import uvicorn

from .app import create_app
from .cluster import StoreUnavailable
from .cluster.link import check_store
from .cluster.supervisor import supervise
from .connections import (Gate, HTTPProtocol, Listener, WebSocketProtocol, connection_cap, quiet_accept_errors,
                          raise_open_file_limit)
from .protocol import MAX_MESSAGE_BYTES
from .security import is_loopback, new_join_token
from .settings import ServerSettings
from .warm import warm_log

TRANSPORT_MAX_BYTES = 4 * MAX_MESSAGE_BYTES
"""uvicorn's hard cap on one WebSocket message (close 1009 beyond). Messages between MAX_MESSAGE_BYTES and this get
an error reply instead, as docs/protocol.md promises; the cap only bounds what a hostile client can make us buffer."""
PORT_TRIES = 20
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
STORE_EXIT = 3                  # the exit code when Redis does not answer at start
PREPARING = ("nnplayground: preparing the engine… (the first start compiles it, about 10 s; later starts take about "
             "a second)")
RANGES = {          # option: (lowest, highest, unit) allowed
    "fps": (1, 120, ""), "max_sessions": (1, 10_000, ""), "max_pages": (1, 20_000, ""), "port": (0, 65535, ""),
    "workers": (1, 64, ""), "max_connections": (16, 1_000_000, ""), "max_connections_per_client": (4, 1_000_000, ""),
    "request_timeout": (1, 600, " seconds"), "ping_interval": (1, 600, " seconds"), "max_students": (1, 1000, ""), "processes": (1, 64, ""),
}
CLASSROOM = """running a class (see the README's "Teaching a class"):
  nnplayground --class
      serves the LAN, prints a student link and a teacher link, opens the teacher's dashboard (student link and
      QR code, follow / explore / eyes on me, the gallery, challenges). --class --host 127.0.0.1: this machine only.
serving a classroom without a class:
  nnplayground --host 0.0.0.0
      listens on this machine's network addresses, so students' browsers on the same network (LAN, Wi-Fi) can
      open it. Every browser then needs the join token once: the command prints a link such as
      http://192.168.1.20:8000/?join=TOKEN — share that link (the page's Share button gives the same link with
      its settings). A browser that opened it keeps a cookie; without it a page says to ask the teacher for the link.
  --join-token TOKEN   choose the token instead of a random one (also usable on 127.0.0.1)
  --allow-host NAME    let students use a host name (e.g. teacher-pc.local) instead of the IP address
  Projector: the Projector button (or projector=1 in the link) enlarges text for a room.
  Connection limits for a large class: --max-sessions, --max-pages, --max-connections,
  --max-connections-per-client (one address: a class behind one NAT router shares it)."""


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="nnplayground", description="A neural-network playground on localhost.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=CLASSROOM)
    p.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1: this machine only, or "
                                                "0.0.0.0 with --class: every network of this machine)")
    p.add_argument("--class", dest="run_class", action="store_true",
                   help="run a class: print a student link and a teacher link, open the teacher's dashboard")
    p.add_argument("--class-key", default=None, metavar="KEY",
                   help="the teacher key of the class (default: a random one, printed in the teacher link)")
    p.add_argument("--max-students", type=int, default=ServerSettings.max_students,
                   help="students in the class at most (default %(default)s); past it, joining is refused")
    p.add_argument("--port", type=int, default=8000, help="first port to try (default 8000; the next free one "
                                                          "is used if it is taken)")
    p.add_argument("--max-sessions", type=int, default=ServerSettings.max_sessions,
                   help="sessions kept at once (default %(default)s)")
    p.add_argument("--max-pages", type=int, default=ServerSettings.max_pages,
                   help="pages connected at once, several may watch one session (default %(default)s)")
    p.add_argument("--fps", type=int, default=ServerSettings.fps, help="frames per second per page, at most "
                                                                       "(default %(default)s)")
    p.add_argument("--join-token", default=None, metavar="TOKEN",
                   help="secret every browser must bring once, in the link (?join=TOKEN); required when serving a "
                        "network, so a random one is made if not given")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="a host name the page may be reached by, besides IP addresses and localhost")
    p.add_argument("--workers", type=int, default=None, help="engine threads (default: one per CPU but one)")
    p.add_argument("--processes", type=int, default=1,
                   help="server processes on the one port, sharing sessions and the class through Redis (default 1; "
                        "more needs --redis; see the README's \"More than one machine\")")
    p.add_argument("--redis", default=None, metavar="URL",
                   help="the Redis that processes (on this machine or several) share, e.g. redis://127.0.0.1:6379/0: "
                        "sessions and the class are kept there and survive a restart")
    p.add_argument("--no-browser", action="store_true", help="do not open the browser")
    p.add_argument("--max-connections", type=int, default=ServerSettings.max_connections,
                   help="sockets open at once, HTTP and WebSocket (default %(default)s, lowered to fit the open-file "
                        "limit); beyond, new connections are closed at once")
    p.add_argument("--max-connections-per-client", type=int, default=ServerSettings.max_connections_per_client,
                   help="sockets open at once from one address (default %(default)s: a class behind one NAT "
                        "address fits)")
    p.add_argument("--request-timeout", type=float, default=ServerSettings.request_timeout, metavar="SECONDS",
                   help="time for a whole HTTP request, headers and body (default %(default)s)")
    p.add_argument("--ping-interval", type=float, default=ServerSettings.ping_interval, metavar="SECONDS",
                   help="WebSocket ping interval; a page that does not answer within as long again is dropped "
                        "(default %(default)s)")
    p.add_argument("--debug-stats", action="store_true", help="serve /debug/stats (event-loop stalls, memory)")
    p.add_argument("--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"])
    args = p.parse_args(argv)
    args.host = args.host or ("0.0.0.0" if args.run_class else "127.0.0.1")
    if args.processes > 1 and not args.redis:
        p.error("--processes above 1 needs --redis URL (the processes share sessions through Redis)")
    if args.redis is not None and not (len(args.redis) <= 500 and args.redis.startswith(REDIS_SCHEMES)):
        p.error("--redis takes a URL such as redis://127.0.0.1:6379/0 (or rediss://, unix://)")
    if args.class_key is not None and not (args.run_class and 8 <= len(args.class_key) <= 100
                                           and args.class_key.isascii() and args.class_key.isprintable()):
        p.error("--class-key needs --class and 8 to 100 printable ASCII characters")
    for name, (low, high, unit) in RANGES.items():
        value = getattr(args, name)
        if value is not None and not low <= value <= high:
            p.error(f"--{name.replace('_', '-')} must be between {low} and {high}{unit}")
    return args


def bind(host: str, port: int, shared: bool = False) -> socket.socket:
    """A socket bound (not yet listening) to `port` or the next free one of PORT_TRIES; `shared`: with
    SO_REUSEPORT, so that each worker process binds its own socket to the port too (worker_socket)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    last_error = None
    for candidate in ([0] if port == 0 else range(port, min(port + PORT_TRIES, 65536))):
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)   # asyncio then sets TCP_NODELAY
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            sock.bind((host, candidate))
        except OSError as error:
            sock.close()
            last_error = error
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                continue
            raise
        sock.set_inheritable(True)
        return sock
    raise OSError(f"no free port from {port} to {port + PORT_TRIES - 1}") from last_error


def worker_socket(reserved: socket.socket) -> socket.socket:
    """A worker's own socket on the port the parent reserved (SO_REUSEPORT): the kernel spreads new connections
    evenly over the workers' sockets by address, where one shared socket would give most to the least busy
    worker of the moment."""
    sock = socket.socket(reserved.family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(reserved.getsockname()[:2])
    return sock


def lan_address() -> str:
    """This machine's address on the network (no packet is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


class Server(uvicorn.Server):
    """uvicorn's server, closing the sessions with 1001 "server going away" before its own shutdown (which would
    send 1012), and announcing the address once the port listens."""

    def __init__(self, config: uvicorn.Config, app, listening: Callable[[], None]):
        super().__init__(config)
        self.app, self.listening = app, listening

    async def startup(self, sockets=None) -> None:
        quiet_accept_errors(asyncio.get_running_loop())
        await super().startup(sockets)
        if not self.should_exit:
            self.listening()

    async def shutdown(self, sockets=None) -> None:
        cluster = getattr(self.app.state, "cluster", None)
        if cluster is not None:           # last snapshots written and leases let go: other processes take over
            try:
                await asyncio.wait_for(cluster.close(), 2.0)
            except (asyncio.TimeoutError, Exception):
                pass
        classroom = getattr(self.app.state, "classroom", None)
        if classroom is not None:         # students hear that the class ended (unless another process goes on)
            try:
                await asyncio.wait_for(classroom.close(ending=cluster is None), 1.0)
            except (asyncio.TimeoutError, Exception):
                pass
        registry = getattr(self.app.state, "registry", None)
        if registry is not None:
            try:
                await asyncio.wait_for(registry.close_all(1001, "server going away"), 1.0)
            except (asyncio.TimeoutError, Exception):
                pass
        await super().shutdown(sockets)


def announce(url: str, open_browser: bool) -> None:
    print(f"nnplayground is running at {url}  (Ctrl-C to stop)", flush=True)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()


def print_class_links(origin: str, join: str | None, key: str) -> str:
    """Print the class's two links; the teacher's (the one the browser opens) is returned."""
    joined = f"join={quote(join)}&" if join else ""
    student = f"{origin}/class" + (f"?join={quote(join)}" if join else "")
    teacher = f"{origin}/class/teacher?{joined}key={quote(key)}"
    print(f"Class: students open  {student}\n"
          f"       the teacher's dashboard (keep this link to yourself)  {teacher}", flush=True)
    return teacher


def print_warm_up() -> None:
    """Print server.warm.warm_up's progress lines (which kernel group, n of m, the time it took) as they come."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    warm_log.addHandler(handler)
    warm_log.setLevel(logging.INFO)
    warm_log.propagate = False


def main(argv=None) -> int:
    args = parse_args(argv)
    join = args.join_token
    lan = not is_loopback(args.host)
    if lan and not join:
        join = new_join_token()
        print(f"Serving the network: pages need the join token {join} (it is in the link below).", flush=True)
    open_files = raise_open_file_limit()
    try:
        max_connections = connection_cap(args.max_connections, open_files)
    except ValueError as error:
        print(f"nnplayground: {error}", file=sys.stderr)
        return 1
    if max_connections < args.max_connections:
        print(f"nnplayground: the open-file limit of {open_files} allows {max_connections} connections at once",
              file=sys.stderr)
    settings = ServerSettings(redis_url=args.redis, host=args.host, port=args.port, max_sessions=args.max_sessions,
                              max_pages=args.max_pages, fps=args.fps, join_token=join,
                              allowed_hosts=tuple(args.allow_host), workers=args.workers, debug_stats=args.debug_stats,
                              max_connections=max_connections,
                              max_connections_per_client=args.max_connections_per_client,
                              request_timeout=args.request_timeout, ping_interval=args.ping_interval,
                              class_key=(args.class_key or new_join_token()) if args.run_class else None,
                              max_students=args.max_students)
    try:
        sock = bind(args.host, args.port, shared=args.processes > 1)
    except OSError as error:
        print(f"nnplayground: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    port = sock.getsockname()[1]
    shown = lan_address() if args.host in ("0.0.0.0", "::") else args.host
    shown = f"[{shown}]" if ":" in shown else shown
    url = f"http://{shown}:{port}/" + (f"?join={join}" if join else "")
    if settings.class_key:
        url = print_class_links(f"http://{shown}:{port}", join, settings.class_key)
    if args.processes == 1 and not args.redis:
        print_warm_up()
        print(PREPARING, flush=True)
        serve(settings, sock, args.log_level, functools.partial(announce, url, not args.no_browser))
        return 0
    try:
        check_store(args.redis)
    except StoreUnavailable as error:
        print(f"nnplayground: {error}. Start redis-server (see the README's \"More than one machine\") or give "
              "the right --redis address.", file=sys.stderr)
        return STORE_EXIT
    print(f"nnplayground: starting {args.processes} worker processes sharing {args.redis}", flush=True)
    print(PREPARING, flush=True)
    return supervise(args.processes, lambda listening: serve(settings, worker_socket(sock), args.log_level, listening),
                     functools.partial(announce, url, not args.no_browser))


def serve(settings: ServerSettings, sock: socket.socket, log_level: str, listening: Callable[[], None]) -> None:
    """One server on the bound socket `sock` until Ctrl-C or SIGTERM; `listening()` once it accepts connections."""
    app = create_app(settings)
    host, port = sock.getsockname()[:2]
    listener = Listener(sock, Gate(settings.max_connections, settings.max_connections_per_client))
    # asyncio's loop, never uvloop: on POSIX it is the selector loop, which calls the listener's accept()
    config = uvicorn.Config(app, host=host, port=port, loop="asyncio",
                            http=functools.partial(HTTPProtocol, request_timeout=settings.request_timeout),
                            ws=WebSocketProtocol, ws_max_size=TRANSPORT_MAX_BYTES, ws_per_message_deflate=False,
                            ws_ping_interval=settings.ping_interval, ws_ping_timeout=settings.ping_interval,
                            lifespan="on", log_level=log_level, timeout_graceful_shutdown=1,
                            server_header=False, proxy_headers=False)
    try:
        Server(config, app, listening).run(sockets=[listener])
    except KeyboardInterrupt:       # uvicorn re-raises the Ctrl-C it handled; the shutdown is already done
        pass

