"""Changing things while the network trains, through the page's own controls: hyperparameters apply live (the
epoch never restarts), a weight typed in while training takes effect at once, links are drawn by sign and size
and follow training, the loss chart reads out, rescales and smooths, and drawn points outlive the session."""
import json
import math

EPOCH = "window.nnp.latest.frame.counters.epoch"


def watch_epochs(page):
    """From now on, record the epoch of every painted frame (to see whether it ever goes back)."""
    page.js("""() => { window.__epochs = []; const look = () => { const f = window.nnp.latest.frame;
        if (f) window.__epochs.push(f.counters.epoch); if (window.__epochs) requestAnimationFrame(look); };
        requestAnimationFrame(look); }""")


def epochs_seen(page) -> list[int]:
    return page.js("window.__epochs.slice()")


def test_hyperparameters_chosen_on_the_page_apply_live_without_restarting(page):
    page.open("?dataset=spiral&hidden=6,6&speed=1")    # a frame, so a row of history, every epoch
    page.play()
    page.wait_for(f"{EPOCH} >= 10")
    weights = page.js("[...window.nnp.latest.params]")
    watch_epochs(page)
    page.select_option("#ctl-optimizer", "adam")
    page.wait_for("window.nnp.latest.config.optimizer === 'adam' && !document.querySelector(\"[data-ctl='beta1']\").hidden")
    page.select_option("#ctl-beta1", "0.8")
    page.select_option("#ctl-regularization", "l2")
    page.wait_for("window.nnp.latest.config.regularization === 'l2'")
    page.select_option("#ctl-reg_rate", page.js("document.querySelector('#ctl-reg_rate').options[2].value"))
    page.select_option("#ctl-dropout", page.js("document.querySelector('#ctl-dropout').options[1].value"))
    page.select_option("#ctl-batch_size", "30")
    page.wait_for("(() => { const c = window.nnp.latest.config; return c.beta1 === 0.8 && c.reg_rate > 0"
                  " && c.dropout > 0 && c.batch_size === 30; })()")
    page.wait_for_function("document.querySelector('#batches-per-epoch').textContent === '9'")   # ⌈250 ÷ 30⌉
    at_change = page.js(EPOCH)
    page.wait_for(f"{EPOCH} > {at_change + 5}")
    page.pause()
    seen = epochs_seen(page)
    assert seen and seen[0] >= 10 and all(b >= a for a, b in zip(seen, seen[1:])), "the epoch went back"
    for part in ("optimizer=adam", "beta1=0.8", "regularization=l2", "batch_size=30"):
        assert part in page.url, part
    # the weights went on from where they were (a rebuild would have drawn new ones from the seed)
    assert page.js("window.nnp.latest.history[0].epoch") <= 1 and page.js("window.nnp.latest.history.length") > 10
    assert weights != page.js("[...window.nnp.latest.params]")


def test_data_controls_on_the_page_make_new_data(page):
    page.open("?dataset=circle")
    first = page.js("window.nnp.latest.data.train.slice(0, 5)")
    for selector, value, key, expected in (("#ctl-noise", "30", "noise", 0.3), ("#ctl-n_points", "300", "n_points", 300),
                                           ("#ctl-train_ratio", "70", "train_ratio", 0.7)):
        page.fill(selector, value)              # a range input: moves the slider and fires its events
        page.wait_for(f"window.nnp.latest.config.{key} === {expected}")
        assert f"{key}={expected:g}" in page.url
    page.wait_for("window.nnp.latest.data.n_train === 210 && window.nnp.latest.data.n_test === 90")
    assert page.inner_text("[data-ctl='noise'] .ctl-value") == "30 %"
    assert page.js("window.nnp.latest.data.train.slice(0, 5)") != first
    page.select_option("#ctl-task", "regression")
    page.wait_for("window.nnp.latest.config.task === 'regression' && window.nnp.latest.data.task === 'regression'")
    page.wait_for("document.querySelector('#metrics').textContent.includes('RMSE')")
    assert page.number("#test-score") >= 0


def test_a_weight_typed_in_while_training_takes_effect_at_once(page):
    page.open("?speed=1")
    page.play()
    page.wait_for(f"{EPOCH} >= 5")
    link = page.locator("#links path.link-hit").last
    link.click()
    page.fill("#edit-value", "-7")
    page.press("#edit-value", "Enter")
    index = page.js("window.nnp.latest.paramOffsets()[2].w + 1")
    # the next frames carry the typed value (training then moves it on from −7, a little at a time)
    page.wait_for(f"Math.abs(window.nnp.latest.params[{index}] + 7) < 0.5")
    assert page.js("window.nnp.latest.runState") == "playing"
    before = page.js(EPOCH)
    page.wait_for(f"{EPOCH} > {before + 3}")
    page.pause()
    assert page.js(f"window.nnp.latest.params[{index}]") < -6


def test_links_are_drawn_by_sign_and_size_and_follow_training(page):
    page.open("?hidden=3")
    n = page.js("document.querySelectorAll('#links path.link').length")
    assert n == 2 * 3 + 3 * 1
    offsets = page.js("window.nnp.latest.paramOffsets()")
    first = offsets[0]["w"]

    def set_weight(k, value):
        page.focus(f"#links path.link-hit[data-k='{k}']")      # a straight link is too thin to aim at: Enter
        page.keyboard.press("Enter")
        page.fill("#edit-value", str(value))
        page.press("#edit-value", "Enter")
        page.wait_for(f"Math.abs(window.nnp.latest.params[{first + k}] - {value}) < 1e-6")   # sent as float32

    set_weight(0, 0.05)
    set_weight(1, 3)
    set_weight(2, -3)
    widths = page.js("[0, 1, 2].map((k) => Number(document.querySelectorAll('#links path.link')[k].getAttribute('stroke-width')))")
    strokes = page.js("[0, 1, 2].map((k) => document.querySelectorAll('#links path.link')[k].getAttribute('stroke'))")
    assert widths[0] < widths[1] and widths[1] == widths[2] and widths[1] >= 3 * widths[0]
    assert strokes[1] != strokes[2] and strokes[2] == "rgb(224,123,26)"     # negative weights are orange
    # hovering a link reads its live value
    page.focus("#links path.link-hit[data-k='1']")         # focus shows the same tip as hovering
    page.wait_for("!document.querySelector('#network .tip').hidden")
    assert "= 3 " in page.inner_text("#network .tip") + " "
    # the output's bias tells its value too
    page.hover("#net-layer .node.unit.output .bias")
    page.wait_for("document.querySelector('#network .tip').textContent.startsWith('bias of output')")
    bias = page.js(f"window.nnp.latest.params[{offsets[1]['b']}]")
    assert f"{bias:.4g}".replace("-", "−")[:4] in page.inner_text("#network .tip")
    # training moves the weights and the drawing follows
    drawn = page.js("[...document.querySelectorAll('#links path.link')].map((p) => p.getAttribute('stroke-width'))")
    page.play()
    page.wait_for(f"{EPOCH} >= 30", timeout=30)
    page.pause()
    params = page.js("[...window.nnp.latest.params]")
    now = page.js("[...document.querySelectorAll('#links path.link')].map((p) => p.getAttribute('stroke-width'))")
    assert now != drawn
    order = sorted(range(3), key=lambda k: abs(params[first + k]))
    now_widths = [float(now[k]) for k in order]
    assert now_widths == sorted(now_widths), "a larger |w| is never drawn thinner"


def chart_pixels(page) -> list:
    return page.js("""() => { const c = document.getElementById('loss-chart');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const out = [];
        for (let i = 0; i < d.length; i += 4 * 97) out.push(d[i], d[i + 1], d[i + 2], d[i + 3]); return out; }""")


def test_the_loss_chart_reads_out_rescales_and_smooths(page):
    page.open("?dataset=circle&noise=0.2")
    page.play()
    page.wait_for(f"{EPOCH} >= 60", timeout=30)
    page.pause()
    page.settle()
    history = page.js("window.nnp.latest.history")
    page.locator("#loss-chart").scroll_into_view_if_needed()
    box = page.locator("#loss-chart").bounding_box()
    # hovering the right end reads the newest row; the left end the first
    page.mouse.move(box["x"] + box["width"] - 9, box["y"] + box["height"] / 2)
    page.wait_for("document.querySelector('#chart-readout').textContent !== ''")
    last = history[-1]
    readout = page.inner_text("#chart-readout")
    assert readout.startswith(f"epoch {last['epoch']} · iteration {last['iteration']:,} · training ")
    shown = float(readout.split("training ")[1].split(" ")[0].replace("−", "-"))
    assert math.isclose(shown, last["train_loss"], rel_tol=5e-4)
    page.mouse.move(box["x"] + 39, box["y"] + box["height"] / 2)
    page.wait_for(f"document.querySelector('#chart-readout').textContent.startsWith('epoch {history[0]['epoch']} ')")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] - 40)
    page.wait_for("document.querySelector('#chart-readout').textContent === ''")
    linear = chart_pixels(page)
    page.check("#log-scale")
    page.settle()
    assert "log_scale=1" in page.url and chart_pixels(page) != linear
    page.uncheck("#log-scale")
    page.settle()
    assert chart_pixels(page) == linear, "back to the same linear picture"
    page.fill("#smoothing", "0.9")
    page.settle()
    assert "smoothing=0.9" in page.url and chart_pixels(page) != linear
    page.reload()
    page.wait_ready()
    assert page.input_value("#smoothing") == "0.9"


def test_drawn_points_come_back_in_a_new_session(open_page, context):
    first = open_page().open("?dataset=points")
    canvas = first.locator("#points-canvas").bounding_box()
    assert first.is_visible("#draw-tools")
    for fx, fy in ((0.3, 0.3), (0.7, 0.3), (0.5, 0.8)):
        first.mouse.click(canvas["x"] + canvas["width"] * fx, canvas["y"] + canvas["height"] * fy)
    count = "(window.nnp.latest.data.train.length + window.nnp.latest.data.test.length)"
    first.wait_for(f"{count} === 3")
    points = first.js("window.nnp.latest.data.train.concat(window.nnp.latest.data.test).map((p) => p.slice(0, 2)).sort()")
    token = first.js("sessionStorage.getItem('nnp.resume-token')")
    first.close()
    # another tab has no resume token: a new session on the server, which the page hands its stored points
    second = open_page().open("?dataset=points")
    assert second.js("sessionStorage.getItem('nnp.resume-token')") != token
    second.wait_for(f"window.nnp.latest.data && {count} === 3")
    again = second.js("window.nnp.latest.data.train.concat(window.nnp.latest.data.test).map((p) => p.slice(0, 2)).sort()")
    assert [[round(v, 2) for v in p] for p in again] == [[round(v, 2) for v in p] for p in points]


def test_a_reply_to_an_earlier_change_does_not_undo_a_change_not_yet_sent(page):
    """The page waits 40 ms to gather changes before it sends them; the server's reply to the change before must not
    overwrite one made in that window. The reply is held back here and let go inside the window."""
    held, hold = [], {"on": False}

    def route(ws):
        server = ws.connect_to_server()
        ws.on_message(lambda message: server.send(message))

        def to_page(message):
            if hold["on"] and isinstance(message, str) and json.loads(message).get("type") == "config":
                held.append(message)
            else:
                ws.send(message)
        server.on_message(to_page)
        page.__dict__["release"] = lambda: [ws.send(m) for m in held]

    page.route_web_socket("**/ws*", route)
    page.open()
    hold["on"] = True
    page.select_option("#ctl-optimizer", "adam")
    deadline = 50
    while not held and deadline:
        page.wait_for_timeout(20)
        deadline -= 1
    assert held, "the reply to the optimizer change was held back"
    hold["on"] = False
    # change the regularisation and, at once, let the older reply (regularisation: none) arrive
    page.js("window.nnp.state.set({ regularization: 'l2' })")
    page.__dict__["release"]()
    page.wait_for("window.nnp.latest.config.optimizer === 'adam' && window.nnp.latest.config.regularization === 'l2'")
    assert page.input_value("#ctl-regularization") == "l2" and "regularization=l2" in page.url
