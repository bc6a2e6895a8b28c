"""The divergence banner's two actions stay available and work in either order; the banner goes once the network
trains past the divergence at a lower rate, or when the person dismisses it."""

DIVERGES = "?dataset=spiral&learning_rate=10&activation=leaky_relu&hidden=8,8"    # infinite weights in epoch 1


def diverge(page):
    page.open(DIVERGES)
    page.click("#play")
    page.wait_for("window.nnp.latest.frame.state === 'diverged' && !document.querySelector('#divergence-banner').hidden")
    return page.epoch()


def banner(page) -> str:
    return page.inner_text("#divergence-banner")


def no_errors_shown(page) -> bool:
    return page.js("document.querySelectorAll('#notices .notice-error').length") == 0


def train_past_it(page):
    page.play()
    epoch = page.epoch()
    page.wait_for(f"window.nnp.latest.frame.counters.epoch > {epoch + 5}")
    page.wait_for("document.querySelector('#divergence-banner').hidden")
    page.pause()
    assert page.js("window.nnp.latest.frame.divergence") is None and page.number("#train-loss") < 5


def test_step_back_then_lower_the_rate(page):
    stopped = diverge(page)
    page.click("#step-back")
    page.wait_for("window.nnp.latest.frame.state === 'paused'")
    page.wait_for("document.querySelector('#divergence-banner').textContent.includes('Stepped back')")
    assert page.epoch() <= stopped and "Lower the learning rate before you play again" in banner(page)
    assert page.is_visible("#lower-lr") and "to 1" in page.inner_text("#lower-lr")
    page.click("#lower-lr")
    page.wait_for("window.nnp.latest.config.learning_rate === 1")
    page.wait_for("document.querySelector('#divergence-banner').textContent.includes('learning rate is now 1 (it was 10)')")
    assert page.is_visible("#step-back") and page.is_visible("#lower-lr") and "Press play" in banner(page)
    train_past_it(page)
    assert no_errors_shown(page)


def test_lower_the_rate_then_step_back(page):
    stopped = diverge(page)
    page.click("#lower-lr")
    page.wait_for("window.nnp.latest.config.learning_rate === 1 && window.nnp.latest.frame.state === 'paused'")
    # lowering the rate also put the weights back: the banner says both, and still offers both
    page.wait_for("document.querySelector('#divergence-banner').textContent.includes('learning rate is now 1')")
    assert "Stepped back" in banner(page)
    assert page.is_visible("#step-back") and page.is_visible("#lower-lr") and "to 0.1" in page.inner_text("#lower-lr")
    back = page.epoch()
    assert back <= stopped
    messages = page.js("window.nnp.stats.messages")
    page.click("#step-back")
    page.wait_for(f"window.nnp.stats.messages > {messages}")             # the server answered the step back
    page.settle()
    assert page.js("window.nnp.latest.frame.state") == "paused" and page.epoch() == back
    assert page.is_visible("#divergence-banner") and page.js("window.nnp.latest.config.learning_rate") == 1
    train_past_it(page)
    assert no_errors_shown(page)


def test_the_banner_can_be_dismissed_and_comes_back_with_the_next_divergence(page):
    diverge(page)
    page.click("#divergence-dismiss")
    page.wait_for("document.querySelector('#divergence-banner').hidden")
    assert page.js("window.nnp.latest.frame.state") == "diverged"
    page.click("#reset")                                             # fresh weights, the rate still 10
    page.wait_for("window.nnp.latest.frame.state === 'paused'")
    assert page.js("document.querySelector('#divergence-banner').hidden")
    page.click("#play")                                              # diverges again: a new banner
    page.wait_for("window.nnp.latest.frame.state === 'diverged' && !document.querySelector('#divergence-banner').hidden")
