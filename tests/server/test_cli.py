"""The `nnplayground` command as a person runs it: the installed console script, the next free port when the
asked one is taken, the browser opened on the printed address, refusals of absurd options, and Ctrl-C."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from wire import ROOT, LiveServer, free_port

COMMAND = shutil.which("nnplayground", path=os.path.dirname(sys.executable)) or shutil.which("nnplayground")


def start(args: list[str], env: dict) -> tuple[subprocess.Popen, str]:
    """Run the command; returns the process and the address it printed."""
    proc = subprocess.Popen([COMMAND, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **env})
    deadline = time.monotonic() + 120
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "running at " in line:
            return proc, line.split("running at ")[1].split()[0]
    proc.kill()
    raise AssertionError("the command did not start: " + "".join(lines))


def test_the_command_takes_the_next_free_port_opens_the_browser_and_stops_on_ctrl_c(tmp_path):
    assert COMMAND, "`pip install -e .` installs the nnplayground command"
    port = free_port()
    taken = socket.socket()
    taken.bind(("127.0.0.1", port))
    taken.listen()
    opened = tmp_path / "opened.txt"
    fake_browser = tmp_path / "browser.sh"
    fake_browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    fake_browser.chmod(0o755)
    try:
        proc, url = start(["--port", str(port)], {"BROWSER": f"{fake_browser} %s"})
        try:
            assert url.startswith("http://127.0.0.1:") and int(url.rsplit(":", 1)[1].strip("/")) > port
            with urllib.request.urlopen(url.rstrip("/") + "/healthz", timeout=5) as reply:
                assert reply.status == 200
            deadline = time.monotonic() + 10
            while not opened.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert opened.read_text().strip() == url, "the default browser was asked to open the printed address"
            started = time.monotonic()
            proc.send_signal(signal.SIGINT)
            assert proc.wait(5) == 0 and time.monotonic() - started < 2.0
        finally:
            if proc.poll() is None:
                proc.kill()
    finally:
        taken.close()


@pytest.mark.parametrize("args,words", [
    (["--fps", "0"], "--fps must be between 1 and 120"),
    (["--max-sessions", "100000"], "--max-sessions must be between 1 and 10000"),
    (["--max-pages", "0"], "--max-pages must be between 1 and 20000"),
    (["--port", "70000"], "--port must be between 0 and 65535"),
])
def test_absurd_options_are_refused_with_the_allowed_range(args, words):
    done = subprocess.run([sys.executable, "-m", "nnplayground", "--no-browser", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr


def test_a_cold_start_shows_the_engine_compiling_group_by_group_and_says_the_next_start_is_fast(tmp_path):
    """An empty numba cache: the kernels compile before the port listens, and the command says what it is doing."""
    server = LiveServer(env={"NUMBA_CACHE_DIR": str(tmp_path)})
    try:
        lines = [line.rstrip() for line in server.output]
        assert "first start compiles it, about 10 s; later starts take about a second" in lines[0]
        progress = [line for line in lines if re.match(r"^  engine \d+ of \d+: \w", line)]
        total = int(progress[0].split(" of ")[1].split(":")[0])
        assert total >= 4 and [int(line.split()[1]) for line in progress] == list(range(1, total + 1))
        done = lines.index(next(line for line in lines if "engine compiled in" in line))
        assert "the next start takes about a second" in lines[done]
        assert lines.index(progress[-1]) < done < len(lines) - 1 and "running at" in lines[-1]
        assert any(tmp_path.rglob("*.nbi")), "the kernels went into the fresh cache"
    finally:
        server.stop()


def test_help_explains_serving_a_classroom():
    done = subprocess.run([sys.executable, "-m", "nnplayground", "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    text = " ".join(done.stdout.split())
    assert done.returncode == 0
    for words in ("nnplayground --host 0.0.0.0", "?join=TOKEN", "share that link", "ask the teacher for the link",
                  "--join-token TOKEN", "Projector", "--max-connections-per-client", "this machine only"):
        assert words in text, words
