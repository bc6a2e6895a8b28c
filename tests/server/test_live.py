"""Full flows against a real uvicorn (`python -m server.cli`) on a free loopback port, with the websockets client."""
import asyncio
import http.client
import json
import socket
import time

import pytest
import websockets

from nnplayground.server.protocol import loads_strict
from wire import STANDARD, Client, LiveServer, run


async def standard_session(server, **kw) -> tuple[Client, dict]:
    client = await Client.open(server, **kw)
    welcome = await client.recv()
    assert welcome["type"] == "welcome"
    await client.send({"type": "configure", "settings": STANDARD})
    await client.until("config", where=lambda m: m["change"] == "data")
    await client.send({"type": "speed", "epochs_per_frame": 0})
    return client, welcome


def test_full_flow(live):
    async def flow():
        client, welcome = await standard_session(live)
        first = await client.until("frame")
        assert isinstance(await client.recv(), bytes)            # every frame message has its binary twin
        await client.send({"type": "control", "action": "play"})
        await client.until("status", where=lambda m: m["state"] == "playing")
        start = await client.until("frame", where=lambda m: m["state"] == "playing")
        await asyncio.sleep(1.0)
        await client.drain(0.2)
        playing = [f for f in client.frames if f["state"] == "playing"]
        assert playing[-1]["metrics"]["train"]["loss"] < start["metrics"]["train"]["loss"]
        epoch = playing[-1]["counters"]["epoch"]
        assert epoch > 1000                                        # thousands of epochs a second
        await client.send({"type": "configure", "settings": {"learning_rate": 0.01}})
        config = await client.until("config")
        assert config["change"] == "live"
        after = await client.until("frame")
        assert after["counters"]["epoch"] >= epoch and after["state"] == "playing"
        await client.send({"type": "control", "action": "pause"})
        await client.until("frame", where=lambda m: m["state"] == "paused")
        await client.drain(0.2)
        cpu = live.cpu_seconds()
        quiet = await client.drain(1.0)
        used = live.cpu_seconds() - cpu
        assert not [m for m in quiet if isinstance(m, dict) and m["type"] == "frame"], "frames while paused"
        assert used < 0.15, f"paused server used {used:.2f} s of CPU in 1 s"
        paused_epoch = client.frames[-1]["counters"]["epoch"]
        await client.send({"type": "control", "action": "step"})
        frame = await client.until("frame")
        assert frame["counters"]["epoch"] == paused_epoch + 1
        await client.send({"type": "control", "action": "step_batch"})
        frame = await client.until("frame")
        assert frame["counters"]["iteration"] == (paused_epoch + 1) * 25 + 1
        await client.send({"type": "control", "action": "reset"})
        frame = await client.until("frame")
        assert frame["counters"]["epoch"] == 0
        await client.close()
    run(flow())


def test_two_sessions_and_reload_resume(live):
    async def flow():
        a, a_welcome = await standard_session(live)
        b, b_welcome = await standard_session(live)
        assert a_welcome["session"] != b_welcome["session"]
        await a.send({"type": "control", "action": "play"})
        await a.until("frame", where=lambda m: m["counters"]["epoch"] > 200)
        await a.send({"type": "control", "action": "pause"})
        paused = await a.until("frame", where=lambda m: m["state"] == "paused")
        await b.send({"type": "control", "action": "step"})
        frame = await b.until("frame", where=lambda m: m["counters"]["epoch"] >= 1)
        assert frame["counters"]["epoch"] == 1
        history = len([r for f in a.frames for r in f["history"]])
        await a.close()
        again = await Client.open(live, f"?resume={a_welcome['token']}")
        welcome = await again.recv()
        assert welcome["resumed"] and welcome["session"] == a_welcome["session"]
        rows = (await again.until("history"))["rows"]
        assert len(rows) >= history and rows[-1]["epoch"] == paused["counters"]["epoch"]
        frame = await again.until("frame")
        assert frame["counters"] == paused["counters"]
        await again.close()
        await b.close()
    run(flow())


def test_frames_never_exceed_fps_and_the_cap_refuses_cleanly():
    server = LiveServer("--fps", "10", "--max-sessions", "1")
    try:
        async def flow():
            client, _ = await standard_session(server)
            await client.send({"type": "control", "action": "play"})
            await client.until("frame", where=lambda m: m["state"] == "playing")
            start = len(client.frames)
            await client.drain(2.0)
            count = len(client.frames) - start
            assert 14 <= count <= 21, count
            with pytest.raises(websockets.ConnectionClosed) as closed:
                other = await Client.open(server)
                await other.recv()
            assert closed.value.rcvd.code == 1013 and "full" in closed.value.rcvd.reason
            frame = await client.until("frame")                  # the first page is unaffected
            assert frame["state"] == "playing"
            stop = asyncio.get_running_loop().run_in_executor(None, server.stop)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    await client.recv()
            assert closed.value.rcvd.code == 1001 and closed.value.rcvd.reason == "server going away"
            assert await stop < 2.0
        run(flow())
    finally:
        server.stop()


def test_abrupt_disconnect_leaves_no_task_or_thread(live):
    async def flow():
        warm, _ = await standard_session(live)
        await warm.send({"type": "control", "action": "play"})
        await warm.until("frame", where=lambda m: m["state"] == "playing")
        await warm.close()
        await asyncio.sleep(0.5)
        baseline = live.stats()
        client, _ = await standard_session(live)
        await client.send({"type": "control", "action": "play"})
        await client.until("frame", where=lambda m: m["state"] == "playing")
        busy = live.stats()
        assert busy["runners"] == 1 and busy["pages"] == 1
        client.ws.transport.abort()                              # no close frame, no FIN handshake
        await asyncio.sleep(1.0)
        after = live.stats()
        assert after["pages"] == 0 and after["runners"] == 0
        assert after["threads"] <= baseline["threads"] and after["tasks"] <= baseline["tasks"]
    run(flow())


def test_a_client_that_never_reads_does_not_grow_memory_or_slow_training(live):
    async def flow():
        frozen, _ = await standard_session(live, max_queue=1)
        await frozen.send({"type": "control", "action": "play"})
        await asyncio.sleep(1.0)                                 # reading nothing from here on
        reader, _ = await standard_session(live)                 # another page, on its own session, reads
        await reader.send({"type": "speed", "epochs_per_frame": 5})
        await reader.send({"type": "control", "action": "play"})
        await reader.until("frame", where=lambda m: m["state"] == "playing")
        before, rss = live.stats(), live.rss()
        start, seen = time.monotonic(), len(reader.frames)
        await reader.drain(4.0)
        fps = (len(reader.frames) - seen) / (time.monotonic() - start)
        after, grown = live.stats(), live.rss() - rss
        assert grown < 30 * 2**20, f"server grew by {grown / 2**20:.1f} MB"
        assert after["epochs"] - before["epochs"] > 4000         # both trained on: the frozen page only drops frames
        assert fps >= 15, f"the reading page got {fps:.1f} frames/s beside a page that reads nothing"
        frozen.ws.transport.abort()
        await reader.close()
    run(flow())


def test_a_page_rebuilding_its_network_as_fast_as_allowed_does_not_starve_another_session(live):
    async def flow():
        victim, _ = await standard_session(live)
        await victim.send({"type": "speed", "epochs_per_frame": 5})
        await victim.send({"type": "control", "action": "play"})
        await victim.until("frame", where=lambda m: m["state"] == "playing")
        hostile, _ = await standard_session(live)
        sizes = ([64, 64, 64], [128, 128], [32] * 8)
        start, seen = time.monotonic(), len(victim.frames)

        async def rebuild():
            for i in range(150):                     # ~50 a second: new data and a new network every time
                await hostile.send({"type": "configure", "settings": {
                    "dataset": ("spiral", "moons", "circle")[i % 3], "n_points": 2000, "hidden": sizes[i % 3]}})
                await asyncio.sleep(0.02)
        await asyncio.gather(rebuild(), victim.drain(3.5))
        fps = (len(victim.frames) - seen) / (time.monotonic() - start)
        assert fps >= 15, f"the other session got {fps:.1f} frames/s"
        await hostile.close()
        await victim.close()
    run(flow())


def test_ctrl_c_closes_every_page_within_two_seconds():
    server = LiveServer()
    try:
        async def flow():
            pages = [(await standard_session(server))[0] for _ in range(3)]
            frozen, _ = await standard_session(server, max_queue=1)
            for page in (*pages, frozen):
                await page.send({"type": "control", "action": "play"})
            for page in pages:
                await page.until("frame", where=lambda m: m["state"] == "playing")
            await asyncio.sleep(1.0)                             # the frozen page's socket is backed up by now
            stop = asyncio.get_running_loop().run_in_executor(None, server.stop)
            for page in pages:
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    while True:
                        await page.recv()
                assert closed.value.rcvd.code == 1001 and closed.value.rcvd.reason == "server going away"
            took = await stop
            assert took < 2.0, f"Ctrl-C took {took:.2f} s"
            frozen.ws.transport.abort()
        run(flow())
    finally:
        server.stop()


def test_oversize_and_binary_messages(live):
    async def flow():
        client, _ = await standard_session(live)
        await client.ws.send(b"\x00" * 100)
        assert (await client.until("error"))["code"] == "invalid_message"
        await client.ws.send(json.dumps({"type": "speed", "epochs_per_frame": 1, "pad": "x" * 70_000}))
        assert (await client.until("error"))["code"] == "too_large"
        await client.send({"type": "control", "action": "step"})
        await client.until("frame", where=lambda m: m["counters"]["epoch"] == 1)
        await client.ws.send("x" * 400_000)                        # beyond the transport limit: closed with 1009
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await client.recv()
        assert closed.value.rcvd is None or closed.value.rcvd.code == 1009
    run(flow())
    conn = http.client.HTTPConnection(live.host_port, timeout=5)
    conn.request("GET", "/healthz")
    assert conn.getresponse().status == 200


def test_a_flood_is_answered_with_rate_limited_and_the_session_survives(live):
    async def flow():
        client, _ = await standard_session(live)
        for _ in range(500):
            await client.send({"type": "speed", "epochs_per_frame": 2})
        assert (await client.until("error", where=lambda m: m["code"] == "rate_limited"))["message"]
        await asyncio.sleep(2.5)
        await client.send({"type": "control", "action": "step"})
        await client.until("frame", where=lambda m: m["counters"]["epoch"] == 1)
        await client.close()
    run(flow())


def test_the_first_play_trains_at_once_even_with_nothing_compiled_before(tmp_path):
    """With an empty numba cache the kernels take seconds to compile: the server does it before it says it runs."""
    started = time.monotonic()
    server = LiveServer(env={"NUMBA_CACHE_DIR": str(tmp_path)})
    try:
        assert any(tmp_path.rglob("*.nbi")), "the kernels were compiled into the fresh cache at start-up"

        async def flow():
            client, _ = await standard_session(server)
            clicked = time.monotonic()
            await client.send({"type": "control", "action": "play"})
            await client.until("frame", where=lambda m: m["state"] == "playing" and m["counters"]["epoch"] > 0)
            return time.monotonic() - clicked
        first = run(flow())
        assert first < 1.0, f"the first play took {first:.2f} s to show training (start-up {time.monotonic() - started:.1f} s)"
    finally:
        server.stop()


def test_no_compression_is_negotiated_even_when_the_client_offers_it(live):
    async def flow():
        client = await Client.open(live, compression="deflate")         # offers permessage-deflate
        assert "permessage-deflate" in client.ws.request.headers.get("Sec-WebSocket-Extensions", "")
        assert client.ws.response.headers.get("Sec-WebSocket-Extensions") is None
        assert (await client.recv())["type"] == "welcome"
        await client.close()
    run(flow())


def test_bad_origin_and_bad_host_are_refused(live):
    async def flow():
        with pytest.raises(websockets.InvalidStatus) as refused:
            await Client.open(live, origin="http://evil.example")
        assert refused.value.response.status_code == 403
        with pytest.raises(websockets.InvalidStatus):
            await Client.open(live, origin=live.origin.replace("http://", "https://"))
    run(flow())
    for host in ("evil.example", "evil.example:8000", "localhost.evil.example", ""):
        reply = raw(live, f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
        assert reply.startswith("HTTP/1.1 400"), (host, reply[:40])
        assert loads_strict(reply.split("\r\n\r\n", 1)[1])["code"] == "bad_host" and "application/json" in reply
    handshake = ("GET /ws HTTP/1.1\r\nHost: rebind.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    assert raw(live, handshake).startswith("HTTP/1.1 403")


def raw(server: LiveServer, request: str) -> str:
    host, port = server.host_port.split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request.encode("latin-1"))
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and len(b"".join(chunks)) > 2000:
                break
        return b"".join(chunks).decode("latin-1")


TRAVERSALS = ["/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml", "/static/%2e%2e%2fpyproject.toml",
              "/static/..%2fpyproject.toml", "/static/js/../../pyproject.toml", "/static/....//pyproject.toml",
              "/static/%252e%252e/pyproject.toml", "/static/..\\pyproject.toml", "/static//etc/passwd",
              "/static/../server/app.py", "/static/%2e%2e/%2e%2e/etc/passwd"]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_static_path_traversal_is_refused(live, path):
    host = live.host_port
    reply = raw(live, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
    status = int(reply.split(" ", 2)[1])
    assert status in (400, 404), reply[:80]
    assert "[build-system]" not in reply and "root:" not in reply and "import " not in reply
    assert "Traceback" not in reply and "/work/" not in reply


def test_cross_site_uploads_are_refused(live):
    async def token():
        client, welcome = await standard_session(live)
        await client.close()
        return welcome["token"]
    resume = run(token())
    conn = http.client.HTTPConnection(live.host_port, timeout=5)
    body = "a,b,label\n1,2,0\n2,1,1\n3,3,0\n"
    conn.request("POST", "/api/csv?label=label", body=body,
                 headers={"Origin": "http://evil.example", "X-Session-Token": resume, "Content-Type": "text/csv"})
    assert conn.getresponse().status == 403
    conn = http.client.HTTPConnection(live.host_port, timeout=5)
    conn.request("POST", "/api/csv?label=label", body=body, headers={"Content-Type": "text/plain",
                                                                       "Origin": live.origin})
    response = conn.getresponse()
    assert response.status == 403 and b"Traceback" not in response.read()
    conn = http.client.HTTPConnection(live.host_port, timeout=5)
    conn.request("POST", "/api/csv?label=label", body=body, headers={"Origin": live.origin,
                                                                       "X-Session-Token": resume})
    assert conn.getresponse().status == 200


def test_lan_mode_requires_the_join_token():
    server = LiveServer("--host", "0.0.0.0")
    try:
        assert "join token" in "".join(server.output)
        token = server.url.split("join=")[1]
        port = server.base.rsplit(":", 1)[1]
        local = f"127.0.0.1:{port}"

        async def flow():
            url = f"ws://{local}/ws"
            with pytest.raises(websockets.InvalidStatus):
                await websockets.connect(url, origin=f"http://{local}")
            ws = await websockets.connect(f"{url}?join={token}", origin=f"http://{local}")
            assert json.loads(await ws.recv())["type"] == "welcome"
            await ws.close()
        run(flow())
        conn = http.client.HTTPConnection(local, timeout=5)
        conn.request("GET", "/")
        assert conn.getresponse().status == 403
    finally:
        server.stop()
