"""The URL holds the whole configuration (seed included); `hide=` prepares a lesson; projector mode."""
import json

import pytest

from conftest import ARTIFACTS

LESSON = ("?task=binary&dataset=xor&seed=42&hidden=3&activation=relu&learning_rate=0.1&batch_size=5"
          "&features=x1,x2,x1x2&noise=0.2&train_ratio=0.7&regularization=l2&reg_rate=0.003&optimizer=adam"
          "&n_points=300")


def test_a_url_reproduces_a_configuration(open_page):
    first = open_page().open(LESSON)
    config = first.config()
    assert config["dataset"] == "xor" and config["seed"] == 42 and config["hidden"] == [3]
    assert config["activation"] == "relu" and config["learning_rate"] == 0.1 and config["batch_size"] == 5
    assert config["features"] == ["x1", "x2", "x1x2"] and config["noise"] == 0.2 and config["train_ratio"] == 0.7
    assert config["regularization"] == "l2" and config["reg_rate"] == 0.003 and config["optimizer"] == "adam"
    # the controls show it
    assert first.input_value("#ctl-learning_rate") == "0.1"
    assert first.input_value("#ctl-optimizer") == "adam"
    assert first.input_value("#ctl-seed") == "42"
    assert first.get_attribute(".thumb[data-dataset='xor']", "aria-checked") == "true"
    assert first.js("document.querySelectorAll('#net-layer .node.unit').length") == 4
    # change something by hand, then open the page's own URL in a second tab: same settings, same data
    first.select_option("#ctl-batch_size", "20")
    first.wait_for("window.nnp.latest.config.batch_size === 20")
    url = first.url
    assert "seed=42" in url and "batch_size=20" in url and "dataset=xor" in url
    data_first = first.js("window.nnp.latest.data.train")
    second = open_page()
    second.goto(url)
    second.wait_ready()
    second.wait_for("window.nnp.latest.data && window.nnp.latest.data.n_train === 210")
    for key in ("dataset", "seed", "hidden", "activation", "learning_rate", "features", "noise", "optimizer",
                "regularization", "reg_rate", "n_points", "train_ratio"):
        assert second.config()[key] == config[key], key
    assert second.js("window.nnp.latest.data.train") == data_first


def test_a_new_seed_goes_into_the_url(page):
    page.open("?dataset=moons&seed=7")
    before = page.js("window.nnp.latest.data.train")
    page.click("#regenerate")
    page.wait_for("window.nnp.latest.config.seed !== 7")
    seed = page.config()["seed"]
    page.wait_for(f"location.search.includes('seed={seed}')")
    page.wait_for(f"window.nnp.latest.data && JSON.stringify(window.nnp.latest.data.train) !== {json.dumps(json.dumps(before))}")
    assert page.input_value("#ctl-seed") == str(seed)


def test_hide_removes_controls_for_a_lesson(page):
    page.open("?hide=optimizer,regularization,reg_rate,dropout,data,export")
    for selector in ("[data-ctl='optimizer']", "[data-ctl='regularization']", "[data-ctl='dropout']",
                     "#data-panel", "#export"):
        assert not page.is_visible(selector), selector
    assert page.is_visible("#ctl-learning_rate")
    assert "hide=optimizer,regularization,reg_rate,dropout,data,export" in page.url


def test_projector_mode_makes_text_larger(page):
    page.open()
    normal = page.js("parseFloat(getComputedStyle(document.querySelector('#train-loss')).fontSize)")
    page.click("#projector-toggle")
    page.wait_for("document.body.classList.contains('projector')")
    large = page.js("parseFloat(getComputedStyle(document.querySelector('#train-loss')).fontSize)")
    assert large >= 1.25 * normal
    assert "projector=1" in page.url
    page.reload()
    page.wait_ready()
    assert page.js("document.body.classList.contains('projector')")


def test_a_refused_setting_is_explained_and_the_controls_show_the_truth(page):
    page.open()
    # step is the perceptron's activation: with hidden layers the engine refuses it, in plain words
    page.select_option("#ctl-activation", "step")
    page.wait_for("document.querySelector('.notice') !== null")
    assert "perceptron" in page.inner_text(".notice")
    page.wait_for("document.querySelector('#ctl-activation').value === 'tanh'")


def test_learn_bias_initialisation_and_map_resolution_have_controls_and_live_in_the_url(open_page):
    page = open_page().open("?dataset=circle&hidden=4")
    assert page.is_checked("#ctl-learn_bias") and page.input_value("#ctl-init") == "auto"
    # the map's resolution starts at the server's default
    default = page.js("import('/spec.js').then(({ SPEC }) => SPEC.defaults.grid_size)")
    assert page.js("document.getElementById('output-map').width") == default
    # learn_bias off: the biases stay put while the weights train
    page.uncheck("#ctl-learn_bias")
    page.wait_for("window.nnp.latest.config.learn_bias === false")
    bias = page.js("window.nnp.latest.paramOffsets()[0].b")
    before = page.js(f"Array.from(window.nnp.latest.params.slice({bias}, {bias} + 4))")
    page.click("#step")
    page.wait_for("window.nnp.latest.frame.counters.epoch >= 1")
    page.settle()
    assert page.js(f"Array.from(window.nnp.latest.params.slice({bias}, {bias} + 4))") == before
    # zeros: every weight starts at 0 (a fresh network)
    page.select_option("#ctl-init", "zeros")
    page.wait_for("window.nnp.latest.config.init === 'zeros'")
    page.wait_for("window.nnp.latest.params && window.nnp.latest.params.every((v) => v === 0)")
    # a finer map
    page.select_option("#ctl-grid_size", "100")
    page.wait_for("document.getElementById('output-map').width === 100")
    url = page.url
    assert "learn_bias=0" in url and "init=zeros" in url and "grid_size=100" in url
    again = open_page()
    again.goto(url)
    again.wait_ready()
    assert again.config()["learn_bias"] is False and again.config()["init"] == "zeros"
    assert not again.is_checked("#ctl-learn_bias") and again.input_value("#ctl-grid_size") == "100"
    again.wait_for("document.getElementById('output-map').width === 100")


TOP_BAR_PARTS = [".brand", ".site-nav", ".run-buttons", ".counter:nth-child(1)", ".counter:nth-child(2)",
                 ".counter:nth-child(3)", ".counter-notes", "#runbar [data-ctl='speed']", "#projector-toggle", "#export"]


@pytest.mark.parametrize("viewport", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
@pytest.mark.parametrize("projector", [False, True], ids=["laptop", "projector"])
def test_the_playground_fits_laptop_and_projector_screens(page, viewport, projector):
    page.open(f"?dataset=spiral&hidden=6,6,6{'&projector=1' if projector else ''}", viewport=viewport)
    page.play()
    page.wait_frames(3)
    assert page.js("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    # the top bar's parts: each shown whole, inside the screen, none on top of another, no number cut off
    boxes = page.js("""(selectors) => selectors.map((s) => {
        const n = document.querySelector(s);
        const r = n.getBoundingClientRect();
        const shown = getComputedStyle(n).display !== 'none' && r.width > 0;
        return { s, shown, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                 cut: n.scrollWidth > n.clientWidth + 1 };
    })""", TOP_BAR_PARTS)
    shown = [b for b in boxes if b["shown"]]
    assert {b["s"] for b in shown} >= {".run-buttons", ".counter:nth-child(1)", "#runbar [data-ctl='speed']",
                                       "#projector-toggle"}
    for b in shown:
        assert 0 <= b["left"] and b["right"] <= viewport[0] and not b["cut"], b
    for i, a in enumerate(shown):
        for b in shown[i + 1:]:
            apart = a["right"] <= b["left"] + 0.5 or b["right"] <= a["left"] + 0.5 \
                or a["bottom"] <= b["top"] + 0.5 or b["bottom"] <= a["top"] + 0.5
            assert apart, (a, b)
    if viewport[0] >= 1920:       # a wide screen has room for every counter, iterations per epoch included
        assert {b["s"] for b in shown} >= {".counter-notes", ".brand"}
    # the three columns sit side by side and the map, the diagram and the loss numbers are on the first screen
    columns = page.js("""['#data-panel', '.net-panel', '.out-panel'].map((s) => {
        const r = document.querySelector(s).getBoundingClientRect(); return [r.left, r.right]; })""")
    assert columns[0][1] <= columns[1][0] and columns[1][1] <= columns[2][0] and columns[2][1] <= viewport[0]
    for selector in ("#output-map", "#network", "#train-loss", "#epoch"):
        r = page.locator(selector).bounding_box()
        assert r["x"] >= 0 and r["x"] + r["width"] <= viewport[0] and r["y"] < viewport[1], selector
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"playground-{viewport[0]}-{'projector' if projector else 'laptop'}.png"))
