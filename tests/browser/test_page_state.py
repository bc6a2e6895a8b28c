"""The URL holds the whole configuration (seed included); `hide=` prepares a lesson; projector mode."""
import json

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
    assert page.js("document.getElementById('output-map').width") == 64
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
