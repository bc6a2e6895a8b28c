"""The join token for people: a browser without it gets a readable HTML page (JSON stays for the API and the
WebSocket), and a page served with it carries it for its links (data-join on the navigation bar)."""
import re

from wire import make_client

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_without_the_join_link_is_told_in_words_to_ask_the_teacher():
    with make_client(join_token="sesame") as client:
        for path in ("/", "/race", "/lessons?dataset=xor", "/?join=wrong"):
            page = client.get(path, headers={"Accept": BROWSER})
            assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
            assert "Ask your teacher for the link" in text and "join link the teacher shared" in text
            assert "\\u2026" not in page.text and "sesame" not in page.text and "{" not in page.text
            assert "script" not in page.text and "style" not in page.text        # nothing the policy would refuse
            assert "Content-Security-Policy" in page.headers
        api = client.get("/api/state", headers={"Accept": "*/*"})
        assert api.status_code == 403 and api.json()["code"] == "join_required"
        post = client.post("/api/csv/preview", content="a\n1\n", headers={"Accept": BROWSER})
        assert post.status_code == 403 and post.json()["code"] == "join_required"     # only page loads get HTML


def test_a_page_opened_by_a_foreign_host_name_is_told_in_words_too():
    with make_client() as client:
        page = client.get("/", headers={"Accept": BROWSER, "Host": "rebind.example"})
        assert page.status_code == 400 and "text/html" in page.headers["content-type"]
        assert "by the address the nnplayground command printed" in page.text


def test_a_page_served_with_the_token_names_it_for_its_links_and_one_without_a_token_does_not():
    with make_client(join_token="se-sa_me") as client:
        for path in ("/", "/race", "/gradient-descent", "/perceptron", "/lessons"):
            page = client.get(f"{path}?join=se-sa_me", headers={"Accept": BROWSER})
            assert page.status_code == 200 and 'data-join="se-sa_me"' in page.text, path
    with make_client() as client:
        assert "data-join" not in client.get("/", headers={"Accept": BROWSER}).text
