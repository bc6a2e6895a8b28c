"""Browser tests: real headless Chromium (the system's /usr/bin/chromium) driven by Playwright against the real
server (server.app.create_app under uvicorn on a free loopback port, in a background thread).

Every page a test opens records console errors, page errors and every request it makes; after the test the
fixture fails it if the console showed an error or a request left the server's origin. When a test fails, a
screenshot of each open page is kept in test-artifacts/.
"""
import json
import os
import re
import shutil
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("NNP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# A missing browser fails the run (CI must not pass by skipping what a person would see); NNP_SKIP_BROWSER=1 says
# on purpose that this machine runs the other tests only.
if os.environ.get("NNP_SKIP_BROWSER") == "1":
    pytest.skip("NNP_SKIP_BROWSER=1: browser tests left out on purpose", allow_module_level=True)
if not Path(CHROMIUM).exists():
    raise pytest.UsageError(f"browser tests need Chromium at {CHROMIUM}: run `bash .ci/ensure-system` (the system "
                            "package 'chromium'), set NNP_CHROMIUM to another build, or NNP_SKIP_BROWSER=1")

from playwright import sync_api as playwright_api  # noqa: E402  (installed by the test extra)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerThread:
    """The real application under uvicorn, in a daemon thread, on a free loopback port (or `port`: a server started
    again where a stopped one was)."""

    def __init__(self, port: int | None = None, **settings):
        import uvicorn

        from nnplayground.server.app import create_app
        from nnplayground.server.settings import ServerSettings

        self.port = port or free_port()
        app = create_app(ServerSettings(port=self.port, **settings))
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="nnp-test-server", daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as r:
                    if json.loads(r.read()).get("ok"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def server():
    s = ServerThread()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


class Watched:
    """A page with what it logged and requested, and helpers to read what a person sees."""

    def __init__(self, page, origin):
        self.page = page
        self.origin = origin
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        self.allowed_errors: list[re.Pattern] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.console_errors.append(f"page error: {e}"))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("websocket", lambda ws: self.requests.append(ws.url))

    def _console(self, message):
        if message.type == "error" or "view update failed" in message.text:
            self.console_errors.append(f"{message.type}: {message.text}")

    def __getattr__(self, name):
        return getattr(self.page, name)

    # ---------------------------------------------------------------- reading the page
    def open(self, query: str = "", viewport=(1280, 720)):
        self.page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
        self.page.goto(f"{self.origin}/{query}")
        self.wait_ready()
        self.settle()
        return self

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def frames(self) -> int:
        return self.js("window.nnp ? window.nnp.stats.framesRendered : 0")

    def wait_frames(self, n: int = 1, timeout: float = 20.0):
        start = self.frames()
        self.wait_for(f"window.nnp && window.nnp.stats.framesRendered >= {start + n}", timeout)

    def wait_ready(self, timeout: float = 20.0):
        """The server has applied the page's settings and a frame has been drawn."""
        self.wait_for("window.nnp && window.nnp.latest.config !== null && window.nnp.latest.expected === null"
                      " && window.nnp.stats.framesRendered >= 1", timeout)
        self.settle()

    def settle(self):
        """Wait two animation frames, so whatever arrived has been drawn."""
        self.page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")

    def wait_for(self, expression: str, timeout: float = 20.0):
        """Wait until `expression` is true in the page, then until what arrived has been drawn."""
        self.wait_for_function(expression, timeout=timeout * 1000, polling=50)
        self.settle()

    def wait_for_function(self, expression: str, arg=None, timeout: float = 30_000, polling: float = 50):
        """Playwright's wait_for_function, polled from here: Playwright's own evaluates the expression with eval()
        inside the page, which the pages' Content-Security-Policy refuses (page.evaluate is not subject to it).
        `expression` is an expression or a function of `arg`; timeout and polling in milliseconds."""
        deadline = time.monotonic() + timeout / 1000
        while True:
            try:
                value = self.page.evaluate(expression, arg)
            except playwright_api.Error as error:
                if "Execution context was destroyed" not in str(error):
                    raise
                value = None                    # the page navigated while asked: ask the new one
            if value:
                return value
            if time.monotonic() > deadline:
                raise playwright_api.TimeoutError(f"still false after {timeout:.0f} ms: {expression}")
            time.sleep(polling / 1000)

    def epoch(self) -> int:
        text = self.page.inner_text("#epoch").replace(",", "")
        return int(text or 0)

    def number(self, selector: str) -> float:
        text = self.page.inner_text(selector).replace("−", "-").replace("%", "").strip()
        return float(text)

    def map_signature(self) -> list:
        """A coarse picture of the output map: the mean colour of an 8×8 grid of cells."""
        return self.js("""() => {
            const c = document.getElementById('output-map');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            const out = [];
            const n = 8, w = c.width, h = c.height;
            for (let by = 0; by < n; by++) for (let bx = 0; bx < n; bx++) {
              let r = 0, g = 0, b = 0, k = 0;
              for (let y = Math.floor(by * h / n); y < Math.floor((by + 1) * h / n); y++)
                for (let x = Math.floor(bx * w / n); x < Math.floor((bx + 1) * w / n); x++) {
                  const i = 4 * (y * w + x); r += d[i]; g += d[i + 1]; b += d[i + 2]; k++;
                }
              out.push([r / k, g / k, b / k]);
            }
            return out;
        }""")

    @staticmethod
    def map_distance(a, b) -> float:
        """The largest change of a colour channel between two map signatures (0–255)."""
        return max(abs(x - y) for ca, cb in zip(a, b) for x, y in zip(ca, cb))

    def config(self) -> dict:
        return self.js("window.nnp.latest.config")

    def play(self):
        if self.js("window.nnp.latest.runState") != "playing":
            self.page.click("#play")
        self.wait_for("window.nnp.latest.frame && window.nnp.latest.frame.state === 'playing'")

    def pause(self):
        if self.js("window.nnp.latest.runState") == "playing":
            self.page.click("#play")
        self.wait_for("window.nnp.latest.frame && window.nnp.latest.frame.state !== 'playing'")


@pytest.fixture
def context(browser, request):
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 720})
    yield ctx
    ctx.close()


@pytest.fixture
def open_page(context, server, request):
    """open_page() → a Watched page; checked for console errors and foreign requests after the test."""
    pages: list[Watched] = []

    def make():
        w = Watched(context.new_page(), server.url)
        pages.append(w)
        return w

    yield make
    problems = []
    for w in pages:
        foreign = [u for u in w.requests if not re.match(rf"^(https?|wss?)://127\.0\.0\.1:{server.port}/", u)
                   and not u.startswith(("data:", "blob:"))]
        if foreign:
            problems.append(f"requests outside the server's origin: {foreign}")
        errors = [e for e in w.console_errors if not any(p.search(e) for p in w.allowed_errors)]
        if errors:
            problems.append(f"console errors: {errors}")
    report = getattr(request.node, "report_call", None)
    if problems or (report is not None and report.failed):
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::")[-1])
        for i, w in enumerate(pages):
            try:
                w.page.screenshot(path=str(ARTIFACTS / f"{name}-{i}.png"), full_page=True)
            except Exception:
                pass
    assert not problems, "; ".join(problems)


@pytest.fixture
def page(open_page):
    return open_page()
