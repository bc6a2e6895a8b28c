"""The helper tests use for a real Redis (tests/redis_server.py) does what they rely on."""
import pytest
import redis


def test_set_and_get(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    client.set("k", b"v")
    assert client.get("k") == b"v"


def test_with_aof_a_key_survives_stop_and_start(redis_server):
    redis.Redis.from_url(redis_server.url).set("k", b"kept")
    port = redis_server.port
    redis_server.stop()
    redis_server.start()
    assert redis_server.port == port
    assert redis.Redis.from_url(redis_server.url).get("k") == b"kept"


def test_kill_makes_ping_fail(redis_server):
    client = redis.Redis.from_url(redis_server.url, socket_connect_timeout=1)
    assert client.ping()
    redis_server.kill()
    with pytest.raises(redis.ConnectionError):
        client.ping()
