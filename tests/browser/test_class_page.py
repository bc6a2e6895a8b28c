"""A whole lesson in real Chromium: a teacher's dashboard and lead page, three students (one named like markup) —
join, follow, explore, a challenge, the dashboard, a student on the projector — with screenshots of the dashboard at
1920×1080 in test-artifacts/."""
import time

import pytest

from conftest import ARTIFACTS, CHROMIUM, ServerThread  # noqa: F401  (CHROMIUM: the browser fixture's)

KEY = "browser-class-key-0123"
MARKUP = "<img src=x onerror=alert(1)>"
LATEST = "window.nnp && window.nnp.latest"


@pytest.fixture(scope="module")
def class_server():
    server = ServerThread(class_key=KEY, max_students=10)
    yield server
    server.stop()


class Pages:
    """Pages in their own browser contexts (each student its own tab storage), with their script errors."""

    def __init__(self, browser):
        self.browser, self.contexts, self.errors = browser, [], []

    def open(self, url: str, size=(1280, 720)):
        context = self.browser.new_context(viewport={"width": size[0], "height": size[1]})
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{url}: {error}"))
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(url)
        return page

    def close(self):
        for context in self.contexts:
            context.close()


def wait(page, expression: str, timeout: float = 20.0):
    """Until `expression` is true in `page` (or a frame): polled from here, as the pages' CSP forbids eval."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"(() => {{ try {{ return Boolean({expression}); }} catch (e) {{ return false; }} }})()"):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.1)


def join(pages: Pages, base: str, name: str | None):
    page = pages.open(f"{base}/class")
    page.wait_for_selector("#join-form:not([hidden])")
    if name is None:
        page.click("#join-random")
    else:
        page.fill("#join-name", name)
        page.click("#join-submit")
    wait(page, "document.getElementById('class-name').textContent.length > 0")
    return page


def test_a_whole_lesson(browser, class_server):
    base, pages = class_server.url, Pages(browser)
    try:
        teacher = pages.open(f"{base}/class/teacher?key={KEY}", (1920, 1080))
        assert "/class" in teacher.text_content("#student-link")
        wait(teacher, "document.querySelector('#class-qr img, img#class-qr').naturalWidth > 0")
        lead = pages.open(f"{base}/class/lead?key={KEY}")
        wait(lead, f"{LATEST}.frame")

        students = [join(pages, base, "Ada Lovelace"), join(pages, base, MARKUP), join(pages, base, None)]
        assert students[1].text_content("#class-name") == MARKUP          # shown as characters, never run
        assert students[1].locator("#class-bar img").count() == 0
        made_up = students[2].text_content("#class-name")
        assert len(made_up.split()) == 2

        # the gallery lists all three, the markup name as text
        wait(teacher, "document.querySelectorAll('#gallery .student-card').length === 3")
        names = teacher.locator("#gallery .card-name").all_text_contents()
        assert sorted(names) == sorted(["Ada Lovelace", MARKUP, made_up])
        assert teacher.locator("#gallery img").count() == 0

        # follow: the teacher trains; every student sees that session, read-only
        teacher.click("#phase-follow")
        lead.click("#play")
        for student in students:
            wait(student, f"{LATEST}.welcome && {LATEST}.welcome.view.mode === 'follow' && "
                          f"{LATEST}.frame && {LATEST}.frame.counters.epoch > 0")
            assert student.evaluate("document.body.classList.contains('read-only')")
        lead_epoch = lead.evaluate(f"{LATEST}.frame.counters.epoch")
        wait(students[0], f"{LATEST}.frame.counters.epoch >= {lead_epoch}")
        lead.click("#play")
        wait(lead, f"{LATEST}.frame.state === 'paused'")
        paused_at = lead.evaluate(f"{LATEST}.frame.counters.epoch")

        # explore: each student has their own copy, starting where the teacher stopped
        teacher.click("#phase-explore")
        for student in students:
            wait(student, f"{LATEST}.welcome && {LATEST}.welcome.view.mode === 'explore' && {LATEST}.frame")
            assert not student.evaluate("document.body.classList.contains('read-only')")
            assert student.evaluate(f"{LATEST}.frame.counters.epoch") == paused_at
        students[0].click("#play")
        wait(students[0], f"{LATEST}.frame.counters.epoch > {paused_at + 20}")
        assert lead.evaluate(f"{LATEST}.frame.counters.epoch") == paused_at      # the teacher's is untouched

        # a challenge everyone sees; the student who trains reaches it and is ranked
        teacher.select_option("#ch-dataset", "circle")
        teacher.select_option("#ch-metric", "test_loss")
        teacher.fill("#ch-target", "10")
        teacher.click("#challenge-form button[type=submit]")
        for student in students:
            wait(student, "document.getElementById('class-challenge').textContent.length > 0")
        wait(teacher, "document.querySelectorAll('#ranking-body tr').length >= 1 && "
                      "document.getElementById('ranking-body').textContent.includes('Ada Lovelace')")
        wait(students[0], "document.getElementById('class-progress').textContent.length > 0")

        # the dashboard shows the trained network's numbers; a click puts it on the projector
        ada = teacher.locator("#gallery .student-card", has_text="Ada Lovelace")
        wait(teacher, "[...document.querySelectorAll('#gallery .student-card')].some(card => "
                      "card.textContent.includes('Ada Lovelace') && card.querySelector('.card-loss').textContent !== '–')")
        ada.locator(".card-show").click()
        wait(teacher, "document.querySelector('#gallery .student-card.is-shown') !== null")
        projector = pages.open(f"{base}/class/projector?key={KEY}", (1920, 1080))
        wait(projector, "document.querySelectorAll('iframe').length === 1")
        assert "Ada Lovelace" in projector.text_content("body")
        frame = projector.frames[1] if len(projector.frames) > 1 else None
        assert frame is not None
        wait(frame, f"{LATEST}.frame && {LATEST}.frame.counters.epoch > {paused_at}")

        ARTIFACTS.mkdir(exist_ok=True)
        teacher.screenshot(path=str(ARTIFACTS / "classroom-dashboard.png"))
        projector.screenshot(path=str(ARTIFACTS / "classroom-projector.png"))
        assert not pages.errors, pages.errors
    finally:
        pages.close()
