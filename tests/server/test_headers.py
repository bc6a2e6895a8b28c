"""Every HTTP answer carries the Content-Security-Policy and nosniff: the pages, static files, the API, a 404, the
guard's refusals and an unexpected error alike; and CSV column and class names with control characters are refused."""
import pytest
from fastapi.testclient import TestClient

from nnplayground.server.routes.pages import PAGES
from wire import make_client, open_page

POLICY = {"default-src": ["'self'"], "img-src": ["'self'", "data:"], "object-src": ["'none'"],
          "base-uri": ["'self'"], "form-action": ["'self'"], "frame-ancestors": ["'self'"]}


def policy(response) -> dict:
    """The response's Content-Security-Policy as {directive: [sources]}."""
    parts = [p.split() for p in response.headers["content-security-policy"].split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def assert_guarded(response):
    assert policy(response) == POLICY, response.request.url
    assert response.headers["x-content-type-options"] == "nosniff", response.request.url
    assert response.headers["x-frame-options"] == "SAMEORIGIN", response.request.url
    assert response.headers["referrer-policy"] == "no-referrer", response.request.url


@pytest.fixture
def token(client):
    context, page, welcome = open_page(client)
    yield {"X-Session-Token": welcome["token"]}
    context.__exit__(None, None, None)


def test_every_kind_of_answer_carries_the_policy(client, token):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200 and "text/html" in response.headers["content-type"]
        assert_guarded(response)
    for path in ("/static/js/playground/main.js", "/static/css/app.css", "/static/js/lessons/panel.js"):
        response = client.get(path)
        assert response.status_code == 200
        assert_guarded(response)
    assert_guarded(client.get("/healthz"))
    assert_guarded(client.get("/api/state", headers=token))
    answer = client.post("/api/csv/preview", content="a,b\n1,2\n", headers=token)
    assert answer.status_code == 200 and answer.json()["columns"] == ["a", "b"]
    assert_guarded(answer)
    for path in ("/nope", "/static/nope.js"):
        missing = client.get(path)
        assert missing.status_code == 404
        assert_guarded(missing)
    refused = client.post("/api/csv?label=a", content="a,b\n1,2\n")
    assert refused.status_code == 403 and refused.json()["code"] == "no_session"
    assert_guarded(refused)


def test_the_guards_refusals_carry_the_policy(client):
    bad_host = client.get("/", headers={"Host": "evil.example"})
    assert bad_host.status_code == 400 and bad_host.json()["code"] == "bad_host"
    assert_guarded(bad_host)
    cross = client.post("/api/csv/preview", content="a\n1\n", headers={"Origin": "http://evil.example"})
    assert cross.status_code == 403 and cross.json()["code"] == "cross_site"
    assert_guarded(cross)
    with make_client(join_token="sesame") as gated:
        closed = gated.get("/")
        assert closed.status_code == 403 and closed.json()["code"] == "join_required"
        assert_guarded(closed)


def test_an_unexpected_error_carries_the_policy():
    with make_client() as healthy:
        app = healthy.app

    async def broken():
        raise RuntimeError("a bug")

    app.add_api_route("/broken", broken, methods=["GET"])
    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as client:
        response = client.get("/broken")
    assert response.status_code == 500 and response.json()["code"] == "internal"
    assert_guarded(response)


HOSTILE_NAMES = [("a\nb", "U+000A"), ("a\rb", "U+000D"), ("a\tb", "U+0009"), ("a\x00b", "U+0000"),
                 ("a\x1bb", "U+001B"), ("a\x85b", "U+0085"), ("a\u2028b", "U+2028"), ("a\u2029b", "U+2029")]


def quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


@pytest.mark.parametrize("name, code", HOSTILE_NAMES)
def test_column_names_with_control_characters_are_refused(client, token, name, code):
    text = f"x,{quoted(name)},label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(12))
    for path in ("/api/csv/preview", "/api/csv?label=label"):
        response = client.post(path, content=text.encode(), headers=token)
        assert response.status_code == 400, (path, response.text)
        error = response.json()
        assert error["code"] == "data_error"
        assert "column 2 of the header" in error["message"] and repr(name) in error["message"], error["message"]
        assert code in error["message"] and "control character" in error["message"]
        assert_guarded(response)


@pytest.mark.parametrize("name, code", HOSTILE_NAMES)
def test_class_names_with_control_characters_are_refused(client, token, name, code):
    text = "x,y,kind\n" + "".join(f"{i},{i % 3},{quoted(name) if i == 7 else i % 2}\n" for i in range(12))
    response = client.post("/api/csv?label=kind&features=x,y", content=text.encode(), headers=token)
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    row = 9 + name.count("\n")              # rows are the file's lines (the header is row 1): the record ends there
    assert f"row {row}, column 'kind'" in message and f"class name {name!r}" in message, message
    assert code in message and "control character" in message
    # the same character in a column that is not used (neither input nor label) does not matter
    text = "x,y,kind,note\n" + "".join(f"{i},{i % 3},{i % 2},{quoted(name)}\n" for i in range(12))
    response = client.post("/api/csv?label=kind&features=x,y", content=text.encode(), headers=token)
    assert response.status_code == 200 and response.json()["class_names"] == ["0", "1"], response.text


def test_overlong_names_are_refused(client, token):
    long = "w" * 201
    text = f"x,{long},label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(12))
    response = client.post("/api/csv/preview", content=text, headers=token)
    assert response.status_code == 400 and "201 characters" in response.json()["message"]
    assert long not in response.json()["message"]
    text = "x,y,kind\n" + "".join(f"{i},{i % 3},{long if i == 3 else 'short'}\n" for i in range(12))
    response = client.post("/api/csv?label=kind&features=x,y", content=text, headers=token)
    assert response.status_code == 400 and "row 5, column 'kind'" in response.json()["message"]
    fits = "w" * 200
    text = f"x,{fits},label\n" + "".join(f"{i},{i % 3},{'b' * 200 if i % 2 else 'a'}\n" for i in range(12))
    response = client.post(f"/api/csv?label=label&features=x,{fits}", content=text, headers=token)
    assert response.status_code == 200 and response.json()["columns"] == ["x", fits]
