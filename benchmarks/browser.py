"""Frames per second the page renders in headless Chromium against the real server.

    python benchmarks/browser.py [--seconds 10] [--fps 60] [--grid 100] [--hidden 8,8,8,8,8,8]

Starts server.app.create_app under uvicorn on a free loopback port, opens the page with a 100×100 output grid and
6 hidden layers of 8 neurons, plays, and counts the frames the page draws (window.nnp.stats.framesRendered: a
frame is counted once its maps, links, biases, chart and metrics have been redrawn).

What is measured is the page's rendering capacity, so the server's frame cap must not be the limit: the server is
started with --fps 60 (its own default is 30, at which the page could never show more than 30 frames a second
whatever it costs), the display rate, above which no page can draw since it draws in requestAnimationFrame. Frames
arrive as fast as the page could show them; a page that falls behind keeps only the newest. A higher cap would not
measure the page better on a small machine: the server's extra frames (each evaluates every neuron's map) take CPU
from the browser (on 2 cores: 38 frames/s rendered at a cap of 60, 24 at 120). The table also gives the
page's main-thread time (Chrome's own TaskDuration: scripts, style, layout, paint) per rendered frame and the share
of each second it was busy, i.e. how much headroom is left (rendered ÷ busy share estimates the capacity). Prints a table; the last line is the rendered frames
per second.
"""
import argparse
import json
import os
import shutil
import socket
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CHROMIUM = os.environ.get("NNP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(fps: int):
    import uvicorn

    from nnplayground.server.app import create_app
    from nnplayground.server.settings import ServerSettings

    port = free_port()
    app = create_app(ServerSettings(port=port, fps=fps))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as r:
                if json.loads(r.read()).get("ok"):
                    return server, thread, url
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def wait_until(page, expression: str, seconds: float) -> None:
    """Poll `expression` in the page until it is true (Playwright's wait_for_function evaluates with eval(), which
    the pages' Content-Security-Policy refuses)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise SystemExit(f"the page never reached: {expression}")
        time.sleep(0.05)


def measure(url: str, seconds: float, grid: int, hidden: str, speed: int) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{url}/?grid_size={grid}&hidden={hidden}&speed={speed}")
        wait_until(page, "window.nnp && window.nnp.latest.expected === null && window.nnp.stats.framesRendered > 0",
                   60.0)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.click("#play")
        wait_until(page, "window.nnp.latest.frame.state === 'playing'", 30.0)
        time.sleep(2.0)                                    # warm-up: JIT in the page, steady server rate
        read = "() => ({...window.nnp.stats, epoch: window.nnp.latest.frame.counters.epoch, now: performance.now(), " \
               "grid: window.nnp.latest.maps.output.size, units: window.nnp.latest.maps.units.maps.length})"

        def busy() -> float:
            """Seconds the page's main thread has spent on tasks so far (Chrome's TaskDuration)."""
            return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "TaskDuration")

        first, busy_first = page.evaluate(read), busy()
        page.evaluate("window.nnp.stats.renderMsMax = 0")
        time.sleep(seconds)
        last, busy_last = page.evaluate(read), busy()
        browser.close()
    span = (last["now"] - first["now"]) / 1000
    rendered = last["framesRendered"] - first["framesRendered"]
    received = last["framesReceived"] - first["framesReceived"]
    return {
        "seconds": span, "received_per_s": received / span, "rendered_per_s": rendered / span,
        "render_ms_mean": (last["renderMs"] - first["renderMs"]) / max(rendered, 1), "render_ms_max": last["renderMsMax"],
        "raf_per_s": (last["animationFrames"] - first["animationFrames"]) / span,
        "epochs_per_s": (last["epoch"] - first["epoch"]) / span, "grid": last["grid"], "units": last["units"],
        "console_errors": len(errors), "busy_share": (busy_last - busy_first) / span,
        "busy_ms_per_frame": 1000 * (busy_last - busy_first) / max(rendered, 1),
        "view_ms": {k: (v - first["viewMs"].get(k, 0)) / max(rendered, 1) for k, v in last["viewMs"].items()},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--fps", type=int, default=60,
                        help="the server's frame cap per page (1–120); 60, the display rate, leaves the page the limit")
    parser.add_argument("--grid", type=int, default=100)
    parser.add_argument("--hidden", default="8,8,8,8,8,8")
    parser.add_argument("--speed", type=int, default=1, help="epochs per frame")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"needs Chromium at {CHROMIUM}")
    server, thread, url = start_server(args.fps)
    try:
        r = measure(url, args.seconds, args.grid, args.hidden, args.speed)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    rows = [
        ("output grid", f"{r['grid']}×{r['grid']}"),
        ("hidden layers", args.hidden),
        ("neuron maps per frame", f"{r['units']}"),
        ("server frame cap", f"{args.fps} /s"),
        ("measured over", f"{r['seconds']:.1f} s"),
        ("epochs trained", f"{r['epochs_per_s']:.1f} /s"),
        ("frames received", f"{r['received_per_s']:.1f} /s"),
        ("frames rendered", f"{r['rendered_per_s']:.1f} /s"),
        ("frames dropped by the page (newest kept)", f"{r['received_per_s'] - r['rendered_per_s']:.1f} /s"),
        ("animation frames (page repaints)", f"{r['raf_per_s']:.1f} /s"),
        ("render time per frame (mean)", f"{r['render_ms_mean']:.2f} ms"),
        ("render time per frame (max)", f"{r['render_ms_max']:.2f} ms"),
        ("main thread busy per rendered frame", f"{r['busy_ms_per_frame']:.1f} ms"),
        ("main thread busy share", f"{100 * r['busy_share']:.0f} %"),
        ("capacity if the page had the thread to itself", f"{r['rendered_per_s'] / max(r['busy_share'], 1e-9):.0f} /s"),
        ("console errors", f"{r['console_errors']}"),
    ] + [(f"  {name} view", f"{ms:.2f} ms") for name, ms in sorted(r["view_ms"].items(), key=lambda kv: -kv[1])
         if ms >= 0.01]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value:>14}")
    print(f"target ≥ 30 frames/s: {'met' if r['rendered_per_s'] >= 30 else 'NOT met'}")
    print(f"{r['rendered_per_s']:.1f} frames/s")


if __name__ == "__main__":
    main()
