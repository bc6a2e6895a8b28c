"""The optimizer race page (/race) in real Chromium: lanes start from the same weights, race, and a winner is named."""
import pytest

XOR_RACE = "dataset=xor&hidden=8&noise=0.1&seed=4&lanes=sgd*0.01,adam*0.01&target_loss=0.2&speed=1"

FACTS = """async () => {
  const progress = await import('/static/js/shared/progress.js');
  let facts = null;
  progress.onFacts((f) => { facts = { ...f }; })();
  return facts;
}"""

SAME_MAPS = """() => {
  const [a, b] = [0, 1].map((k) => {
    const c = document.getElementById(`lane-${k}-map`);
    return c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  });
  return a.length > 0 && a.length === b.length && a.every((v, i) => v === b[i]);
}"""


def open_race(page, query: str, viewport=(1280, 720)):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto(f"{page.origin}/race?{query}")
    page.wait_for("window.nnp && window.nnp.latest.race && window.nnp.latest.frame && window.nnp.latest.raceSent === null"
                  " && window.nnp.latest.frame.lanes.length === window.nnp.latest.race.lanes.length")
    return page


def test_two_optimizers_start_from_identical_weights_and_the_faster_one_is_named_winner(page):
    open_race(page, XOR_RACE)
    race = page.js("window.nnp.latest.race")
    assert race["config"]["dataset"] == "xor" and race["config"]["seed"] == 4 and race["target_loss"] == 0.2
    assert [lane["optimizer"] for lane in race["lanes"]] == ["sgd", "adam"]
    start = page.js("window.nnp.latest.frame")
    assert [lane["epoch"] for lane in start["lanes"]] == [0, 0]
    assert start["lanes"][0]["train_loss"] == start["lanes"][1]["train_loss"]      # same initial weights
    assert page.js(SAME_MAPS) is True                                                # the two maps look the same
    assert page.inner_text("#race-winner-name") == "Nobody yet"
    assert page.js(FACTS)["raceWinner"] is None

    page.click("#race-play")
    page.wait_for("window.nnp.latest.frame.winner !== null", timeout=60)
    assert page.inner_text("#race-winner-name") == "B · Adam · rate 0.01"
    assert page.js(FACTS)["raceWinner"] == "B · Adam · rate 0.01"
    frame = page.js("window.nnp.latest.frame")
    finished = frame["lanes"][1]["finished_at"]
    assert frame["lanes"][1]["train_loss"] <= 0.2
    assert frame["lanes"][0]["finished_at"] is None or frame["lanes"][0]["finished_at"] >= finished
    assert f"after {finished} epochs" in page.inner_text("#race-winner")
    assert page.js("document.getElementById('lane-1-map').closest('.race-card').classList.contains('is-winner')")
    assert page.inner_text("#lane-1-badge") == f"Winner · epoch {finished}"
    assert page.js(SAME_MAPS) is False                                               # they learned differently
    # every epoch of the winner is on the chart
    epochs = page.js("window.nnp.latest.history[1].map((r) => r.epoch)")
    assert epochs[:finished] == list(range(1, finished + 1))
    legend = page.inner_text("#race-legend")
    assert "A · Gradient descent · rate 0.01" in legend and f"target at epoch {finished}" in legend


def test_nobody_wins_when_no_lane_reaches_the_target_and_reset_starts_again(page):
    open_race(page, "dataset=spiral&hidden=3&seed=1&lanes=sgd*0.001,momentum*0.001&target_loss=0.01&max_epochs=100&speed=0")
    page.keyboard.press(" ")                                                          # space starts the race
    page.wait_for("window.nnp.latest.frame.over", timeout=60)
    assert page.inner_text("#race-winner-name") == "Nobody reached the target"
    assert "within 100 epochs" in page.inner_text("#race-winner")
    facts = page.js(FACTS)
    assert facts["raceWinner"] is None and facts["raceOver"] is True and facts["raceTargetLoss"] == 0.01
    assert page.is_disabled("#race-play") and page.inner_text("#race-epoch") == "100"
    # a reload comes back to the same race, its curves included
    session = page.js("window.nnp.latest.welcome.session")
    page.reload()
    page.wait_for("window.nnp && window.nnp.latest.frame && window.nnp.latest.frame.over"
                  " && window.nnp.latest.history.length === 2")
    assert page.js("window.nnp.latest.welcome.resumed") is True
    assert page.js("window.nnp.latest.welcome.session") == session
    assert page.js("window.nnp.latest.history.map((rows) => rows.length)") == [100, 100]
    assert page.inner_text("#race-winner-name") == "Nobody reached the target"
    page.click("#race-reset")
    page.wait_for("!window.nnp.latest.frame.over && window.nnp.latest.frame.lanes.every((l) => l.epoch === 0)")
    assert page.inner_text("#race-winner-name") == "Nobody yet" and not page.is_disabled("#race-play")
    assert page.js("window.nnp.latest.history.every((rows) => rows.length === 0)")


def test_lanes_are_set_up_on_the_page_and_carried_by_the_url(page, open_page):
    open_race(page, "dataset=moons&seed=3")
    page.select_option("#lane-1-optimizer", "momentum")
    page.wait_for("window.nnp.latest.race.lanes[1].optimizer === 'momentum' && window.nnp.latest.raceSent === null")
    page.fill("#lane-1-momentum", "0.5")
    page.press("#lane-1-momentum", "Enter")
    page.wait_for("window.nnp.latest.race.lanes[1].momentum === 0.5")
    page.click("#add-lane")
    page.wait_for("window.nnp.latest.race && window.nnp.latest.race.lanes.length === 3"
                  " && window.nnp.latest.frame && window.nnp.latest.frame.lanes.length === 3")
    assert page.locator(".race-card").count() == 3 and page.locator("#race-legend li").count() == 3
    page.select_option("#lane-2-rate", "0.1")
    page.wait_for("window.nnp.latest.race.lanes[2].learning_rate === 0.1")
    assert "lanes=sgd*0.03,momentum*0.03*momentum_0.5,adam*0.1" in page.url
    assert page.inner_text("#lane-1-label") == "Momentum · rate 0.03 · μ 0.5"
    # a target that is not a number is explained and changes nothing
    page.fill("#race-target", "-2")
    page.press("#race-target", "Enter")
    page.wait_for("document.querySelector('#notices').textContent.includes('target loss')")
    assert page.input_value("#race-target") == "0.1"
    assert page.js("window.nnp.latest.race.target_loss") == 0.1
    page.click("#lane-0-remove")
    page.wait_for("window.nnp.latest.race.lanes.length === 2 && window.nnp.latest.race.lanes[0].optimizer === 'momentum'")
    # the shared settings come from the URL: the same link reproduces the race
    query = page.url.split("?", 1)[1]
    other = open_page()
    other.goto(f"{page.origin}/race?{query}")
    other.wait_for_function("window.nnp && window.nnp.latest.race && window.nnp.latest.race.lanes.length === 2")
    assert other.evaluate("window.nnp.latest.race.config.dataset") == "moons"
    assert other.evaluate("window.nnp.latest.race.lanes.map((l) => [l.optimizer, l.learning_rate, l.momentum])") == \
        [["momentum", 0.03, 0.5], ["adam", 0.1, 0.9]]
    other.close()


@pytest.mark.parametrize("viewport,projector", [((1280, 720), False), ((1920, 1080), False), ((1280, 720), True)],
                         ids=["1280x720", "1920x1080", "projector"])
def test_four_lanes_fit_on_screen(page, viewport, projector):
    lanes = "sgd*0.03,momentum*0.03,rmsprop*0.01,adam*0.03"
    open_race(page, f"dataset=spiral&hidden=8,8&seed=2&lanes={lanes}&target_loss=0.3"
                    f"{'&projector=1' if projector else ''}", viewport)
    page.wait_for("document.querySelectorAll('.race-card').length === 4")
    boxes = page.js("""() => ['#race-winner', '#race-chart-canvas', ...[0, 1, 2, 3].map((k) => `#lane-${k}-map`),
                              ...[0, 1, 2, 3].map((k) => `#lane-${k}-loss`)]
        .map((s) => { const r = document.querySelector(s).getBoundingClientRect();
                      return { s, top: r.top, bottom: r.bottom, left: r.left, right: r.right, h: r.height, w: r.width }; })""")
    for box in boxes:
        assert box["bottom"] <= viewport[1] and box["right"] <= viewport[0], box
    chart = boxes[1]
    maps = boxes[2:6]
    assert chart["h"] >= 100 and all(m["w"] >= 120 and abs(m["w"] - m["h"]) < 2 for m in maps)
    assert all(a["right"] <= b["left"] for a, b in zip(maps, maps[1:]))          # side by side
    assert page.js("document.body.classList.contains('projector')") is projector
