"""The two lab pages in real Chromium against the real server: one-weight gradient descent and the perceptron."""
import pytest

from conftest import ARTIFACTS

FACTS = "() => import('/static/js/shared/progress.js').then((m) => new Promise((r) => { const stop = m.onFacts((f) => r({ ...f })); }))"


def open_lab(page, path, viewport=(1280, 720)):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto(f"{page.origin}{path}")
    return page


def facts(page) -> dict:
    return page.evaluate(FACTS)


def text(page, selector) -> str:
    return page.inner_text(selector).replace("−", "-").strip()


def wait_text(page, selector, expected, timeout=10_000):
    page.wait_for_function("([s, t]) => { const n = document.querySelector(s); return n && n.textContent.replace(/−/g, '-').trim() === t; }",
                           arg=[selector, expected], timeout=timeout)


def shown_w(page) -> float:
    return float(page.get_attribute("#gd-weight", "data-value"))


# ------------------------------------------------------------------ gradient descent
def test_worked_example_gradient_8_then_w_4_2(open_page):
    page = open_lab(open_page(), "/gradient-descent")
    wait_text(page, "#gd-slope", "8")
    assert text(page, "#gd-weight") == "5" and text(page, "#gd-step-size") == "-0.8" and text(page, "#gd-next") == "4.2"
    assert "slope = (w·x - t)·x = (5·2 - 6)·2 = 8" in text(page, "#gd-maths")
    page.click("#gd-step")
    wait_text(page, "#gd-steps", "1")
    assert text(page, "#gd-weight") == "4.2" and shown_w(page) == pytest.approx(4.2, abs=1e-12)
    assert text(page, "#gd-slope") == "4.8"
    seen = facts(page)
    assert seen["gdWeight"] == pytest.approx(4.2) and seen["gdSlope"] == pytest.approx(4.8)
    assert seen["gdSteps"] == 1 and seen["gdLearningRate"] == 0.1 and seen["gdLoss"] == pytest.approx(2.88)
    assert seen["gdConverged"] is False and seen["gdDiverged"] is False


def test_run_reaches_the_minimum_3(open_page):
    page = open_lab(open_page(), "/gradient-descent")
    wait_text(page, "#gd-slope", "8")
    page.click("#gd-run")
    page.wait_for_function("document.getElementById('gd-run').textContent === 'Run' && "
                           "document.getElementById('gd-steps').textContent !== '0'", timeout=20_000)
    assert abs(shown_w(page) - 3) < 1e-3 and abs(float(text(page, "#gd-weight")) - 3) < 1e-3
    assert "within 0.001 of the minimum" in text(page, "#gd-verdict")
    seen = facts(page)
    assert seen["gdConverged"] is True and seen["gdSteps"] == int(text(page, "#gd-steps")) == 15
    page.click("#gd-reset")
    wait_text(page, "#gd-steps", "0")
    assert text(page, "#gd-weight") == "5"


def test_learning_rate_crawls_overshoots_and_above_1_diverges(open_page):
    page = open_lab(open_page(), "/gradient-descent")
    wait_text(page, "#gd-slope", "8")
    for rate, verdict in (("0.01", "crawling"), ("0.4", "overshooting"), ("0.1", "good")):
        page.click(f"[data-rate='{rate}']")
        page.wait_for_function(f"document.getElementById('gd-verdict').dataset.verdict === '{verdict}'")
        assert page.inner_text("#gd-verdict").startswith("A good rate" if verdict == "good" else verdict.capitalize())
    page.fill("#gd-rate", "1.2")
    page.press("#gd-rate", "Enter")
    page.wait_for_function("document.getElementById('gd-verdict').dataset.verdict === 'diverging'")
    message = text(page, "#gd-verdict")
    assert "Diverging" in message and "too large" in message and "below 0.5" in message
    assert facts(page)["gdDiverged"] is True and facts(page)["gdLearningRate"] == 1.2
    distances = []
    for _ in range(3):
        page.click("#gd-step")
        distances.append(abs(shown_w(page) - 3))
    assert distances[0] < distances[1] < distances[2], "each step lands further from the minimum"
    assert "learning_rate=1.2" in page.url


def test_momentum_adam_and_huber_take_their_own_steps_on_the_same_curve(open_page):
    page = open_lab(open_page(), "/gradient-descent")
    wait_text(page, "#gd-slope", "8")
    page.click("#gd-step")
    page.click("#gd-step")
    wait_text(page, "#gd-weight", "3.72")
    page.select_option("#gd-optimizer", "momentum")
    wait_text(page, "#gd-weight", "3")          # 4.2 − (0.9·0.8 + 0.1·4.8) = 3.0: the same two steps, another path
    assert "0.9·(last step)" in page.inner_text("#gd-maths")
    page.select_option("#gd-optimizer", "adam")
    page.wait_for_function("document.getElementById('gd-weight').textContent !== '3'")
    assert 4.7 < shown_w(page) < 4.9, "Adam's first steps are about η = 0.1 long"
    page.select_option("#gd-optimizer", "sgd")
    page.select_option("#gd-loss", "huber")
    page.click("#gd-reset")
    wait_text(page, "#gd-slope", "2")           # |w·x − t| = 4 > δ: the slope is δ·x
    assert "δ·x·sign(w·x - t)" in text(page, "#gd-maths")
    assert facts(page)["gdLossFunction"] == "huber"


def test_settings_come_from_the_url_and_bad_values_are_explained(open_page):
    page = open_lab(open_page(), "/gradient-descent?w=-2&x=1&target=1&learning_rate=0.5&lesson=gd")
    wait_text(page, "#gd-weight", "-2")
    assert text(page, "#gd-slope") == "-3"      # (−2·1 − 1)·1
    page.click("#gd-step")
    wait_text(page, "#gd-weight", "-0.5")
    page.fill("#gd-x", "0")
    page.press("#gd-x", "Enter")
    assert "not 0" in page.inner_text("#gd-error") and page.input_value("#gd-x") == "1"
    assert "lesson=gd" in page.url


# ------------------------------------------------------------------ perceptron
def set_number(page, selector, value):
    page.fill(selector, str(value))
    page.press(selector, "Enter")


def test_decision_flips_exactly_when_the_sum_crosses_the_threshold(open_page):
    page = open_lab(open_page(), "/perceptron")
    wait_text(page, "#pc-decision-word", "Go")          # 0.5 + 0.3 = 0.8 ≥ 0.7
    assert text(page, "#pc-sum") == "sum = 0.5·1 + 0.3·1 + 0.2·0 = 0.8"
    set_number(page, "#pc-w0", 0.39)                     # sum 0.69 < 0.7
    wait_text(page, "#pc-decision-word", "Stay home")
    assert text(page, "#pc-why") == "sum 0.69 < threshold 0.7"
    set_number(page, "#pc-w0", 0.4)                      # sum 0.7 = threshold: reaches it
    wait_text(page, "#pc-decision-word", "Go")
    assert text(page, "#pc-why") == "sum 0.7 ≥ threshold 0.7"
    set_number(page, "#pc-threshold", 0.71)
    wait_text(page, "#pc-decision-word", "Stay home")
    set_number(page, "#pc-threshold", 0.69)
    wait_text(page, "#pc-decision-word", "Go")
    page.check("#pc-x2")                                 # good weather: + 0.2
    wait_text(page, "#pc-sum-value", "0.9")
    assert text(page, "#pc-term2") == "0.2 × 1 = 0.2"
    seen = facts(page)
    assert seen["perceptronDecision"] == "go" and seen["perceptronFlips"] == 4
    assert seen["perceptronSum"] == pytest.approx(0.9) and seen["perceptronThreshold"] == 0.69


def test_learn_makes_every_row_of_the_table_right(open_page):
    page = open_lab(open_page(), "/perceptron")
    page.wait_for_selector("#pc-rows tr.is-wrong")
    assert page.locator("#pc-rows tr").count() == 8 and page.locator("#pc-rows tr.is-wrong").count() == 2
    page.click("#pc-learn-pass")
    page.wait_for_selector("#pc-log li")
    assert "Pass 1: 2 rows wrong" in page.inner_text("#pc-log")
    assert "w₁ 0.5 → 0.4" in page.inner_text("#pc-log")
    page.click("#pc-learn-all")
    page.wait_for_function("document.querySelectorAll('#pc-rows tr.is-right').length === 8")
    assert "8 of 8 rows right" in page.inner_text("#pc-summary")
    assert "every row right" in page.inner_text("#pc-log")
    seen = facts(page)
    assert seen["perceptronTableCorrect"] == seen["perceptronTableRows"] == 8
    weights = [float(page.input_value(f"#pc-w{i}")) for i in range(3)]
    assert weights == pytest.approx(seen["perceptronWeights"]) == [0.3, 0.3, 0.4]
    assert "weights=0.3,0.3,0.4" in page.url


def test_edited_table_that_contradicts_itself_is_explained(open_page):
    page = open_lab(open_page(), "/perceptron?rows=1011,1010")
    page.wait_for_function("document.querySelectorAll('#pc-rows tr').length === 2")
    page.click("#pc-add")
    page.wait_for_function("document.querySelectorAll('#pc-rows tr').length === 3")
    page.click("#pc-learn-all")
    page.wait_for_selector("#pc-log li")
    assert "Still wrong after 100 passes" in page.inner_text("#pc-log")
    page.click("#pc-rows tr[data-row='1'] button")       # remove the contradicting row
    page.wait_for_function("document.querySelectorAll('#pc-rows tr').length === 2")
    page.click("#pc-learn-all")
    page.wait_for_function("document.querySelectorAll('#pc-rows tr.is-right').length === 2")


@pytest.mark.parametrize("path", ["/gradient-descent", "/perceptron"])
@pytest.mark.parametrize("viewport", [(1280, 720), (1920, 1080)])
def test_pages_fit_the_screen_in_projector_mode(open_page, path, viewport):
    page = open_lab(open_page(), path, viewport)
    page.wait_for_function("document.querySelector('#gd-slope, #pc-sum-value') !== null")
    page.click("#projector-toggle")
    page.wait_for_function("document.body.classList.contains('projector')")
    assert "projector=1" in page.url
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font >= 18
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"lab{path.replace('/', '-')}-{viewport[0]}-projector.png"))
