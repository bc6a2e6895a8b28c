"""Safe by default: trusted Host header, same-origin WebSockets and uploads, and a join token for LAN mode.

* Host (DNS rebinding): a page served from a name that resolves to this machine must not reach the server. Accepted
  host names are IP literals, ``localhost`` and the names given with ``--allow-host``; anything else gets 400
  ``bad_host``.
* Origin: browsers send it on every WebSocket handshake and every POST. CORS middleware does not protect WebSockets,
  so the guard checks it itself: when present it must be this server's own origin (scheme://Host). Non-browser
  clients that send none are accepted (they cannot ride on a user's browser).
* Join token (classroom / LAN): when set, every request but /healthz needs it, as ``?join=TOKEN`` (the first page
  load, which turns it into a same-site cookie) or the ``nnp_join`` cookie (all later requests, the WebSocket
  included).

Refusals are the API's JSON errors, except for a browser asking for a page (``Accept: text/html``): it gets a small
HTML page (templates/refused.html) that says in words what to do — for a missing join token, to ask the teacher for
the link. Every HTTP answer, refusals included, carries COMMON_HEADERS (``CommonHeaders``, outside the guard).
"""
import hmac
import ipaddress
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import jinja2
from starlette.datastructures import MutableHeaders

from .. import resource

from .protocol import dumps, error_message

JOIN_COOKIE = "nnp_join"
OPEN_PATHS = ("/healthz",)
# what a person reading the refusal in a browser should do, per refusal code
ADVICE = {
    "join_required": "Ask your teacher for the link to this playground (it ends in ?join=…) and open that link.",
    "bad_host": "Open the playground by the address the nnplayground command printed.",
    "class_key": "Open the teacher link the nnplayground --class command printed (it ends in key=…).",
}
_PAGES = jinja2.Environment(loader=jinja2.FileSystemLoader(resource("templates")),
                            autoescape=True)


def refusal_page(code: str, message: str) -> str:
    """A small HTML page saying in words what was refused and what to do (templates/refused.html)."""
    return _PAGES.get_template("refused.html").render(message=message, advice=ADVICE.get(code, ""))


def new_join_token() -> str:
    return secrets.token_urlsafe(12)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def split_host(value: str) -> str | None:
    """The host name of a Host header value ('example.org:8000' → 'example.org', '[::1]:80' → '::1')."""
    value = value.strip().lower()
    if not value or any(c in value for c in " /\\@?#"):
        return None
    if value.startswith("["):
        end = value.find("]")
        return value[1:end] if end > 0 else None
    name, _, port = value.partition(":")
    if port and not port.isdigit():
        return None
    return name or None


def host_allowed(value: str | None, allowed: tuple[str, ...] = ()) -> bool:
    name = split_host(value or "")
    if name is None:
        return False
    if name == "localhost" or name in {a.lower() for a in allowed}:
        return True
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


def same_origin(origin: str | None, host: str | None, scheme: str) -> bool:
    """Origin absent (non-browser) or equal to this server's origin as the browser sees it."""
    if origin is None:
        return True
    parts = urlsplit(origin.strip().lower())
    expected = "https" if scheme in ("https", "wss") else "http"
    return parts.scheme == expected and bool(host) and parts.netloc == host.strip().lower() \
        and not parts.path and not parts.query


def token_matches(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


class Guard:
    """ASGI middleware applying the Host, Origin and join-token checks before anything else runs."""

    def __init__(self, app, *, allowed_hosts: tuple[str, ...] = (), join_token: str | None = None):
        self.app = app
        self.allowed_hosts = tuple(allowed_hosts)
        self.join_token = join_token

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = _headers(scope)
        host = headers.get("host")
        if not host_allowed(host, self.allowed_hosts):
            return await _refuse(scope, receive, send, 400, "bad_host", "this server only answers to its own address")
        if not same_origin(headers.get("origin"), host, scope.get("scheme", "http")) \
                and (kind == "websocket" or scope.get("method") not in ("GET", "HEAD")):
            return await _refuse(scope, receive, send, 403, "cross_site", "cross-site requests are not allowed")
        if headers.get("sec-fetch-site") == "cross-site" and kind == "http" \
                and scope.get("method") not in ("GET", "HEAD"):
            return await _refuse(scope, receive, send, 403, "cross_site", "cross-site requests are not allowed")
        if self.join_token and scope.get("path") not in OPEN_PATHS:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            from_query = (query.get("join") or [None])[0]
            cookie = SimpleCookie()
            try:
                cookie.load(headers.get("cookie", ""))
            except Exception:
                pass
            from_cookie = cookie[JOIN_COOKIE].value if JOIN_COOKIE in cookie else None
            if token_matches(from_query, self.join_token):
                if kind == "http":
                    send = _with_cookie(send, self.join_token)
            elif not token_matches(from_cookie, self.join_token):
                return await _refuse(scope, receive, send, 403, "join_required",
                                     "this server needs the join link the teacher shared (…/?join=…)")
        return await self.app(scope, receive, send)


def _headers(scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        name = key.decode("latin-1").lower()
        if name not in out:              # the first of repeated headers counts
            out[name] = value.decode("latin-1")
    return out


async def _refuse(scope, receive, send, status: int, code: str, message: str) -> None:
    """A WebSocket handshake is refused (the client sees HTTP 403); a browser asking for a page gets a readable HTML
    page; any other HTTP request the API's JSON error."""
    if scope["type"] == "websocket":
        await receive()                  # websocket.connect
        await send({"type": "websocket.close", "code": 1008, "reason": message[:120]})
        return
    if "text/html" in _headers(scope).get("accept", "") and scope.get("method") in ("GET", "HEAD"):
        body = refusal_page(code, message).encode()
        kind = b"text/html; charset=utf-8"
    else:
        body = dumps(error_message(code, message)).encode()
        kind = b"application/json"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _with_cookie(send, token: str):
    async def wrapped(message):
        if message["type"] == "http.response.start":
            cookie = f"{JOIN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict".encode()
            message = {**message, "headers": list(message.get("headers", [])) + [(b"set-cookie", cookie)]}
        await send(message)
    return wrapped


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
