"""What a person sees when they train: the loss falls, the map changes, counters count, shortcuts work."""
import time


def test_default_page_trains_and_the_loss_falls(page):
    page.open()
    page.wait_for("document.querySelector('#train-loss').textContent !== '–'")
    first_loss = page.number("#train-loss")
    first_map = page.map_signature()
    assert page.epoch() == 0
    page.play()
    page.wait_for("Number(document.querySelector('#epoch').textContent.replace(/,/g, '')) >= 60", timeout=30)
    page.pause()
    assert page.number("#train-loss") < 0.8 * first_loss
    assert page.map_distance(first_map, page.map_signature()) > 20, "the output map did not change"
    # the counters agree with each other: iterations per epoch = ⌈examples ÷ batch size⌉ = ⌈250 ÷ 10⌉
    assert page.inner_text("#batches-per-epoch") == "25"
    iterations = int(page.inner_text("#iteration").replace(",", ""))
    assert iterations >= 25 * page.epoch() - 25
    assert page.js("window.nnp.latest.history.length") > 5


def test_changing_the_learning_rate_mid_run_keeps_the_epoch_counting(page):
    page.open()
    page.play()
    page.wait_for("Number(document.querySelector('#epoch').textContent.replace(/,/g, '')) >= 10")
    before = page.epoch()
    history = page.js("window.nnp.latest.history.length")
    page.select_option("#ctl-learning_rate", "0.1")
    page.wait_for("window.nnp.latest.config.learning_rate === 0.1")
    page.wait_for(f"Number(document.querySelector('#epoch').textContent.replace(/,/g, '')) > {before + 5}")
    assert page.js("window.nnp.latest.history.length") >= history, "the loss history was thrown away"
    assert page.js("window.nnp.latest.runState") == "playing"
    assert "learning_rate=0.1" in page.url
    page.pause()


def test_step_reset_and_keyboard_shortcuts(page):
    page.open()
    page.click("#step")
    page.wait_for("window.nnp.latest.frame.counters.epoch === 1")
    assert page.inner_text("#epoch").endswith("1")
    page.click("#step-batch")
    page.wait_for("window.nnp.latest.frame.counters.iteration === 26")
    page.click("body", position={"x": 5, "y": 700})
    page.keyboard.press("s")
    page.wait_for("window.nnp.latest.frame.counters.epoch === 2")
    page.keyboard.press("Space")
    page.wait_for("window.nnp.latest.frame.state === 'playing'")
    page.keyboard.press("Space")
    page.wait_for("window.nnp.latest.frame.state === 'paused'")
    page.keyboard.press("r")
    page.wait_for("window.nnp.latest.frame.counters.epoch === 0 && window.nnp.latest.frame.counters.iteration === 0")
    assert page.epoch() == 0


def test_speed_changes_epochs_per_frame(page):
    page.open("?speed=1")
    page.select_option("#ctl-speed", "50")
    page.wait_for("window.nnp.latest.frame && window.nnp.latest.frame.speed === 50")
    page.play()
    time.sleep(1.0)
    page.pause()
    assert page.epoch() > 100
    assert "speed=50" in page.url
