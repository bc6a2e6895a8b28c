"""Fixtures for the server tests; the helpers they use live in wire.py."""
import pytest

from wire import LiveServer, make_client, open_page


@pytest.fixture
def client():
    with make_client() as c:
        yield c


@pytest.fixture
def page(client):
    context, page, welcome = open_page(client)
    page.welcome = welcome
    page.until("frame")
    page.recv()
    yield page
    context.__exit__(None, None, None)


@pytest.fixture(scope="module")
def live():
    server = LiveServer("--debug-stats", "--max-sessions", "6")
    yield server
    server.stop()
