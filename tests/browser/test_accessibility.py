"""Every page passes axe-core (the WCAG 2.1 AA rule engine browsers' own audits use, bundled by
axe-playwright-python) without a serious or critical violation: contrast, labels, focus inside aria-hidden, headings.
Students with low vision and students on keyboards and screen readers use these pages."""
import pytest
from axe_playwright_python.sync_playwright import Axe

AXE = Axe()


def violations(page) -> list[str]:
    """The serious and critical axe violations of what the page shows now, one line each."""
    result = AXE.run(page.page)
    return [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:6]}"
            for v in result.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("query", ["", "?projector=1", "?dataset=digits&task=multiclass"],
                         ids=["laptop", "projector", "digits"])
def test_playground(page, query):
    page.open(query)
    page.play()
    page.wait_frames(3)
    page.pause()
    assert violations(page) == []


# each page with what shows that its script has drawn it
OTHER_PAGES = [("/race", "#race-lane-settings select"), ("/race?projector=1", "#race-lane-settings select"),
               ("/gradient-descent", "#gd-step-size"), ("/perceptron", "#pc-term2"), ("/lessons", ".lesson-card")]


@pytest.mark.parametrize("path,drawn", OTHER_PAGES, ids=[p for p, _ in OTHER_PAGES])
def test_other_pages(page, path, drawn):
    page.goto(f"{page.origin}{path}")
    page.wait_for(f"document.querySelector({drawn!r}) !== null")
    page.wait_for_load_state("networkidle")
    assert violations(page) == []


@pytest.mark.parametrize("lesson_id", ["neuron", "softmax"])
def test_a_lesson(page, lesson_id):
    page.goto(f"{page.origin}/lessons")
    url = page.js(f"import('/static/js/lessons/catalog.js').then((m) => m.lessonUrl(m.lessonById('{lesson_id}')))")
    page.goto(f"{page.origin}{url}")
    page.wait_ready()
    page.wait_for("document.getElementById('lesson-panel') !== null")
    assert violations(page) == []
