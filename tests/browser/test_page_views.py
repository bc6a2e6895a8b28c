"""Divergence, multi-class, regression and image data render as a person expects, and nothing breaks."""


def map_colours(page) -> dict:
    """How many output-map pixels lean orange, blue, green or purple (class colours), and how many are pale."""
    return page.js("""() => {
        const c = document.getElementById('output-map');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const n = { orange: 0, blue: 0, green: 0, pink: 0, pale: 0 };
        for (let i = 0; i < d.length; i += 4) {
          const r = d[i], g = d[i + 1], b = d[i + 2];
          if (Math.max(r, g, b) - Math.min(r, g, b) < 25) n.pale++;
          else if (r > b + 40 && r > g) n.orange++;
          else if (b > r + 40 && b >= g) n.blue++;
          else if (g > r + 20 && g > b - 10) n.green++;
          else if (r > g + 40 && b > g + 20) n.pink++;
        }
        return n;
    }""")


def test_learning_rate_10_on_the_spiral_shows_the_divergence_banner_and_nothing_breaks(page):
    # with leaky ReLU the spiral's weights blow up to infinity within the first epoch at η = 10
    page.open("?dataset=spiral&learning_rate=10&activation=leaky_relu&hidden=8,8")
    page.click("#play")
    page.wait_for("!document.querySelector('#divergence-banner').hidden")
    text = page.inner_text("#divergence-banner")
    assert "diverged" in text and "learning rate" in text.lower()
    assert page.js("window.nnp.latest.frame.state") == "diverged"
    assert page.is_visible("#step-back") and page.is_visible("#lower-lr")
    # the page still answers: the counters, the diagram and the map are there
    assert page.is_visible("#output-map") and page.js("document.querySelectorAll('#net-layer .node.unit').length") == 17
    page.click("#step-back")
    page.wait_for("window.nnp.latest.frame.state === 'paused'")
    # stepped back at the same rate: the banner stays and still offers to lower the rate
    page.wait_for("document.querySelector('#divergence-banner').textContent.includes('Stepped back')")
    assert page.is_visible("#lower-lr")
    # play again: it diverges again; lowering the learning rate and training on past it clears the banner
    page.click("#play")
    page.wait_for("window.nnp.latest.frame.state === 'diverged'")
    assert "to 1" in page.inner_text("#lower-lr")
    page.click("#lower-lr")
    page.wait_for("window.nnp.latest.config.learning_rate === 1")
    page.play()
    epoch = page.js("window.nnp.latest.frame.counters.epoch")
    page.wait_for(f"window.nnp.latest.frame.counters.epoch > {epoch + 5}")
    page.wait_for("document.querySelector('#divergence-banner').hidden")
    page.pause()
    assert page.number("#train-loss") < 5


def test_learning_rate_10_chosen_on_the_page_blows_up_the_default_network_on_the_spiral(page):
    # the default tanh 4-2 network never reaches infinity at η = 10: the loss explodes and stays up
    page.open("?dataset=spiral")
    page.select_option("#ctl-learning_rate", "10")
    page.wait_for("window.nnp.latest.config && window.nnp.latest.config.learning_rate === 10")
    page.click("#play")
    page.wait_for("!document.querySelector('#divergence-banner').hidden", timeout=30)
    text = page.inner_text("#divergence-banner")
    assert "loss is exploding" in text and "knows nothing" in text, text
    assert page.js("window.nnp.latest.frame.divergence.kind") == "exploding"
    assert page.js("window.nnp.latest.frame.nonfinite_params") == 0
    stopped = page.epoch()
    page.click("#play")                                               # refused while diverged
    page.settle()
    assert page.epoch() == stopped and page.js("window.nnp.latest.frame.state") == "diverged"
    page.click("#step-back")
    page.wait_for("window.nnp.latest.frame.state === 'paused'")
    assert page.epoch() <= stopped and page.is_visible("#divergence-banner")     # the rate is still 10
    page.click("#play")                                               # still 10: it blows up again
    page.wait_for("window.nnp.latest.frame.state === 'diverged'", timeout=30)
    assert "to 1" in page.inner_text("#lower-lr")
    page.click("#lower-lr")
    page.wait_for("window.nnp.latest.config.learning_rate === 1")
    assert page.js("document.querySelector('#ctl-learning_rate').value") == "1"
    page.play()
    epoch = page.epoch()
    page.wait_for(f"window.nnp.latest.frame.counters.epoch > {epoch + 20}", timeout=30)
    page.pause()
    assert page.js("document.querySelector('#divergence-banner').hidden")


def test_multiclass_renders_k_colours_a_legend_and_a_confusion_matrix(page):
    page.open("?task=multiclass&dataset=blobs&n_classes=4&hidden=6&learning_rate=0.1")
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch > 40", timeout=30)
    page.pause()
    page.settle()
    colours = map_colours(page)
    assert sum(1 for k in ("orange", "blue", "green", "pink") if colours[k] > 100) >= 4, colours
    assert page.js("document.querySelectorAll('.legend .legend-class').length") == 4
    assert page.js("document.querySelectorAll('#confusion-matrix tbody tr').length") == 4
    assert page.js("document.querySelectorAll('#confusion-matrix tbody tr:first-child td').length") == 4
    assert page.number("#test-score") > 80
    assert page.js("document.querySelectorAll('#net-layer .node.unit.output').length") == 4


def test_regression_renders_a_diverging_map_rmse_and_r2(page):
    page.open("?task=regression&dataset=bumps&hidden=8,8&learning_rate=0.03&loss=mse")
    assert page.inner_text(".metric-row:nth-child(3) .metric-name") == "RMSE"
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch > 60", timeout=40)
    page.pause()
    page.settle()
    colours = map_colours(page)
    assert colours["orange"] > 200 and colours["blue"] > 200, colours
    assert page.is_visible("#test-r2")
    assert page.number("#train-r2") > 0.3
    assert page.js("document.querySelector('#confusion').children.length") == 0
    page.check("#discretize")
    page.settle()
    stepped = page.js("""() => {
        const c = document.getElementById('output-map');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const seen = new Set();
        for (let i = 0; i < d.length; i += 4) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
        return seen.size;
    }""")
    assert stepped <= 9


def test_digits_train_and_answer_a_drawn_digit(page):
    page.open("?task=multiclass&dataset=digits&hidden=16&learning_rate=0.1")
    assert page.js("window.nnp.latest.network.sizes[0]") == 64
    assert page.is_visible("#digit-pad") and not page.is_visible("#output-map")
    assert not page.is_visible("#feature-layer")
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch >= 3", timeout=30)
    page.pause()
    assert page.js("document.querySelectorAll('#confusion-matrix tbody tr').length") == 10
    assert page.number("#train-score") > 50
    # draw a "1": a vertical stroke down the middle of the pad
    box = page.locator("#digit-canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.1)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.9, steps=12)
    page.mouse.up()
    page.wait_for("document.querySelector('#digit-answer').textContent.startsWith('The network says')")
    shown = page.js("[...document.querySelectorAll('.digit-value')].map((v) => parseFloat(v.textContent))")
    assert len(shown) == 10 and 95 <= sum(shown) <= 105
    # each neuron is coloured by its activation for the drawn example
    assert page.js("document.querySelector('#net-layer .node.unit').style.background") != ""
    page.click("#digit-clear")
    page.wait_for("document.querySelector('#digit-answer').textContent.startsWith('Draw')")


def test_test_points_can_be_shown(page):
    page.open()
    def opaque():
        return page.js("""() => {
            const c = document.getElementById('points-canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 128) n++; return n; }""")
    without = opaque()
    page.check("#show-test")
    page.settle()
    assert opaque() > 1.5 * without
    assert "show_test=1" in page.url


def test_hovering_the_map_reads_the_value_there(page):
    page.open()
    box = page.locator("#output-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.25)
    page.wait_for("document.querySelector('#map-readout').textContent.includes('p(1)')")
    text = page.inner_text("#map-readout")
    assert text.startswith("x₁ 3, x₂ 3 → p(1) = "), text
    assert 0 <= float(text.rsplit("= ", 1)[1]) <= 1
