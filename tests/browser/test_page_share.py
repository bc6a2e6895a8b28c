"""Sharing a classroom link: every page keeps the join token in its address, the Share button copies and shows the
full set-up link, and that link opens the same set-up in a fresh browser; without the token a person reads what to
do instead of a raw JSON error."""
import re

import pytest

from conftest import ServerThread, Watched

TOKEN = "class-7_Xy"


@pytest.fixture(scope="module")
def classroom():
    s = ServerThread(join_token=TOKEN)
    yield s
    s.stop()


def watched(browser, url, grant=False):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    if grant:
        ctx.grant_permissions(["clipboard-read", "clipboard-write"])
    return ctx, Watched(ctx.new_page(), url)


def join_of(url: str) -> str | None:
    found = re.search(r"[?&]join=([^&]+)", url)
    return found.group(1) if found else None


def test_the_shared_link_opens_the_same_set_up_in_a_fresh_browser(browser, classroom):
    teacher_ctx, teacher = watched(browser, classroom.url, grant=True)
    student_ctx, student = watched(browser, classroom.url)
    try:
        teacher.open(f"?join={TOKEN}")
        teacher.click(".thumb[data-dataset='xor']")
        teacher.wait_for("window.nnp.latest.config.dataset === 'xor'")
        teacher.select_option("#ctl-learning_rate", "0.1")
        teacher.wait_for("window.nnp.latest.config.learning_rate === 0.1")
        assert join_of(teacher.url) == TOKEN and "dataset=xor" in teacher.url     # the address bar works as a link
        teacher.click("#share-toggle")
        teacher.wait_for("document.querySelector('#share-status').textContent.includes('Copied')")
        link = teacher.js("navigator.clipboard.readText()")
        assert link == teacher.js("document.querySelector('#share-link').value")
        assert link.startswith(classroom.url + "/?") and join_of(link) == TOKEN
        assert "learning_rate=0.1" in link and "dataset=xor" in link
        assert teacher.is_visible("#share-link") and "join token" in teacher.inner_text("#share-panel")
        teacher.keyboard.press("Escape")
        teacher.wait_for("document.querySelector('#share-panel').hidden")

        student.page.goto(link)                       # a browser that never saw the server
        student.wait_ready()
        config = student.config()
        assert (config["dataset"], config["learning_rate"], config["seed"]) == ("xor", 0.1, 0)
        assert join_of(student.url) == TOKEN
        for errors in (teacher.console_errors, student.console_errors):
            assert not errors, errors
    finally:
        teacher_ctx.close()
        student_ctx.close()


@pytest.mark.parametrize("path", ["/race", "/gradient-descent", "/perceptron", "/lessons"])
def test_every_page_keeps_the_join_token_in_its_address_even_when_reached_by_the_navigation_bar(browser, classroom,
                                                                                                path):
    ctx, page = watched(browser, classroom.url)
    fresh_ctx, fresh = watched(browser, classroom.url)
    try:
        page.page.goto(f"{classroom.url}/?join={TOKEN}")
        page.wait_ready()
        page.click(f".site-nav a[href='{path}']")
        page.wait_for_function(f"location.pathname === '{path}' && location.search.includes('join={TOKEN}')",
                               timeout=20_000)
        fresh.page.goto(page.url)                     # that address, in a fresh browser, is let in
        assert fresh.page.title() and "cannot open" not in fresh.page.inner_text("body")
        assert fresh.page.query_selector(".site-nav") is not None
        if path != "/lessons":
            fresh.click("#share-toggle")
            fresh.wait_for_function("document.querySelector('#share-link').value.includes('join=')", timeout=10_000)
            assert join_of(fresh.js("document.querySelector('#share-link').value")) == TOKEN
    finally:
        ctx.close()
        fresh_ctx.close()


def test_without_the_token_a_person_is_told_to_ask_the_teacher(browser, classroom):
    ctx, page = watched(browser, classroom.url)
    try:
        response = page.page.goto(f"{classroom.url}/?dataset=xor")
        assert response.status == 403
        text = page.page.inner_text("body")
        assert "Ask your teacher for the link" in text and "\\u2026" not in text and '"code"' not in text
    finally:
        ctx.close()


def test_a_server_without_a_token_shares_a_link_without_one(page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.open("?dataset=moons&seed=5")
    page.click("#share-toggle")
    page.wait_for("document.querySelector('#share-status').textContent.includes('Copied')")
    link = page.js("navigator.clipboard.readText()")
    assert "dataset=moons" in link and "seed=5" in link and "join=" not in link and "join=" not in page.url
    assert "join token" not in page.inner_text("#share-panel")
