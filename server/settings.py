"""Server settings: one frozen record built by the CLI (or a test) and passed to create_app()."""
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    max_sessions: int = 200           # sessions in the table (pages attached or waiting for a reload)
    max_pages: int = 400              # sockets attached in all (several pages may watch one session)
    fps: int = 30                     # frames per second per page, at most
    join_token: str | None = None     # required from every page when set (always set when serving a LAN)
    allowed_hosts: tuple[str, ...] = ()   # host names accepted in the Host header besides localhost and IPs
    resume_seconds: float = 180.0     # how long a session waits for its page to come back
    cleanup_interval: float = 10.0
    workers: int | None = None        # engine threads (default: one per CPU but one, left to the event loop)
    default_speed: int = 10           # epochs per frame of a new session (0 = as fast as possible)
    grid_size: int = 48               # output map side of a new session
    unit_size: int = 24               # neuron map side of a new session
    rate: float = 50.0                # client messages per second per page, sustained
    burst: int = 100                  # ... and in a burst
    max_state_bytes: int = 20_000_000     # a saved state uploaded with POST /api/state
    warm_up: bool = True              # compile (or load) the numba kernels before serving
    debug_stats: bool = False         # GET /debug/stats: event-loop stalls, memory, counters (benchmarks)
    # connection limits below the app (server/connections.py; the CLI hands them to uvicorn)
    max_connections: int = 4096       # sockets open at once; lowered to fit the open-file limit
    max_connections_per_client: int = 512     # ... from one address: a class of 200 behind one NAT fits
    request_timeout: float = 20.0     # seconds for a whole HTTP request, headers and body
    ping_interval: float = 20.0       # seconds between WebSocket pings; no pong as long again drops the socket
    # a class (--class; docs/classroom.md): the teacher key (None: no class on this server) and its size
    class_key: str | None = None
    max_students: int = 200
    # several processes (--processes, --redis; docs/cluster.md): the Redis they share, None for one process alone
    redis_url: str | None = None
