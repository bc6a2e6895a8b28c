"""A network that cannot move gets a hint in plain words: dead ReLUs and a layer too narrow for the spiral."""


def test_a_spiral_behind_dead_two_unit_relu_layers_gets_its_hint(page):
    page.open("?dataset=spiral&hidden=6,2,2&activation=relu&seed=0&speed=10")
    assert page.js("document.querySelector('#stuck-banner').hidden")
    page.play()
    page.wait_for("window.nnp.latest.frame.diagnosis", timeout=30)
    page.wait_for("!document.querySelector('#stuck-banner').hidden")
    page.pause()
    text = " ".join(page.inner_text("#stuck-banner").split())
    assert "has not improved for" in text and "training loss 0.69" in text and "cannot move" in text
    assert "All 2 units in layer 3 never fire on any training point (dead ReLUs): try leaky ReLU, a smaller " \
           "learning rate, or re-initialise" in text
    assert "Layer 2 has only 2 units: everything the network knows must pass through 2 numbers" in text
    assert page.js("window.nnp.latest.frame.metrics.train.accuracy") < 0.6
    page.click("#stuck-dismiss")
    page.wait_for("document.querySelector('#stuck-banner').hidden")


def test_a_network_that_learns_gets_no_hint(page):
    page.open("?dataset=circle&hidden=8&activation=tanh&learning_rate=0.1&speed=10")
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch > 250", timeout=30)
    page.pause()
    assert page.js("window.nnp.latest.frame.diagnosis") is None
    assert page.js("document.querySelector('#stuck-banner').hidden")
