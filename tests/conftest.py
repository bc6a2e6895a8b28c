"""Fixtures shared by every test folder; a test needing a real Redis takes `redis_server`."""
import pytest

from redis_server import RedisServer


@pytest.fixture
def redis_server(tmp_path):
    """A started RedisServer with the append-only file on (so a test may stop() and start() it), stopped at the
    end; skipped when redis-server is missing, except under CI (env CI set), where that fails the test."""
    server = RedisServer(tmp_path / "redis", aof=True).start()
    yield server
    server.stop()
