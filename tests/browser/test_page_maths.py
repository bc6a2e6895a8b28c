"""The maths views on the playground page: the editable weight matrix, the step-through of one point (against the
engine's own inspector), the activation plot's marker and the linear vs non-linear demonstration."""
import json
import math


def facts(page) -> dict:
    """The progress facts the page has published for lesson checks (the same module instance the views use)."""
    return page.js("""async () => {
        const { onFacts } = await import('/static/js/shared/progress.js');
        let seen = {};
        onFacts((f) => { seen = { ...f }; })();
        return seen;
    }""")


def matrix_cell(page, row: int, col: int) -> str:
    return f"#weight-matrix tbody tr:nth-child({row + 1}) td:nth-of-type({col + 1})"


def test_editing_a_matrix_cell_changes_the_weight_and_the_map(page):
    page.open()
    page.click(".output-head .matrix-btn")
    page.wait_for("!document.querySelector('#weight-matrix').hidden")
    heads = page.js("[...document.querySelectorAll('#weight-matrix thead th')].map((t) => t.textContent)")
    rows = page.js("[...document.querySelectorAll('#weight-matrix tbody th')].map((t) => t.textContent)")
    assert heads == ["from ╲ to", "out 1"] and rows == ["L2·1", "L2·2", "bias b"]
    o = page.js("window.nnp.latest.paramOffsets()[2]")
    before_map = page.map_signature()
    before_w = page.js(f"window.nnp.latest.params[{o['w']}]")

    # a bad number is explained and changes nothing
    page.click(matrix_cell(page, 0, 0))
    page.fill("#weight-matrix .matrix-input", "two")
    page.keyboard.press("Enter")
    assert "not a number" in page.inner_text("#matrix-message")
    page.keyboard.press("Escape")
    page.settle()
    assert page.js(f"window.nnp.latest.params[{o['w']}]") == before_w
    assert not page.is_visible("#weight-matrix .matrix-input")
    assert page.is_visible("#weight-matrix"), "Escape in a cell cancels the edit, not the matrix"

    # keyboard: the bias cell, Enter, type, Enter
    page.focus(matrix_cell(page, 2, 0))
    page.keyboard.press("Enter")
    page.fill("#weight-matrix .matrix-input", "−4")
    page.keyboard.press("Enter")
    page.wait_for(f"window.nnp.latest.params[{o['b']}] === -4")
    assert page.inner_text(matrix_cell(page, 2, 0)) == "−4"
    assert page.inner_text("#matrix-message") == ""
    after_map = page.map_signature()
    assert page.map_distance(before_map, after_map) > 60, "a bias of −4 on the output turns the map to one class"
    assert page.js("window.nnp.latest.params[%d]" % o["w"]) == before_w
    assert facts(page)["matrixEdits"] == 1


def engine_reference(page, epochs: int = 0, batches: int = 0) -> dict:
    """The engine's own inspector on the page's configuration and pinned point after `epochs` epochs (or `batches`
    iterations) of training, computed here in the test."""
    from nnplayground.engine.config import Config
    from nnplayground.engine.trainer import Trainer

    config = {k: tuple(v) if isinstance(v, list) else v for k, v in page.config().items()}
    trainer = Trainer(Config(**config))
    if epochs:
        trainer.train(epochs)
    if batches:
        trainer.train_batches(batches)
    shown = page.js("window.nnp.latest.inspection")
    return trainer.inspect(shown["point"], shown["label"])


def printed(text: str) -> float:
    return float(text.strip().replace("−", "-").replace("e", "E"))


def same_printed(text: str, reference: float):
    """The page's number equals `reference` written with 4 significant digits (3 in the exponent form)."""
    value = printed(text)
    digits = 3 if reference != 0 and abs(reference) < 1e-3 else 4
    if reference == 0:
        assert value == 0, (text, reference)
        return
    step = 10 ** (math.floor(math.log10(abs(reference))) - digits + 1)
    assert abs(value - reference) <= 0.5 * step * 1.001, (text, reference)


def near_printed(text: str, reference: float):
    """The diagram's short notes: `reference` to as many significant digits as the text shows."""
    digits = max(1, len(text.replace("−", "").replace(".", "").lstrip("0")))
    if reference == 0:
        assert printed(text) == 0, (text, reference)
        return
    step = 10 ** (math.floor(math.log10(abs(reference))) - digits + 1)
    assert abs(printed(text) - reference) <= 0.5 * step * 1.001, (text, reference)


def cells(page, column: str) -> list[str]:
    return page.js(f"[...document.querySelectorAll('#step-table tbody td.{column}')].map((td) => td.textContent)")


def pin_a_point(page):
    box = page.locator("#points-canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.62, box["y"] + box["height"] * 0.4)
    page.wait_for("window.nnp.latest.inspection && window.nnp.latest.inspection.follow === true")


def check_forward_and_backward(page, ref: dict):
    layers = ref["layers"]
    n = len(layers)
    page.click("#step-forward")
    for l in range(n):
        page.wait_for(f"document.querySelector('#step-counter').textContent === '{l + 1} / {3 * n + 1}'")
        for text, value in zip(cells(page, "v-z"), layers[l]["z"], strict=True):
            same_printed(text, value)
        for text, value in zip(cells(page, "v-a"), layers[l]["a"], strict=True):
            same_printed(text, value)
        # the diagram rings this layer's neurons and writes z and a under each (3 digits)
        assert page.js("document.querySelectorAll('#step-overlay > .step-ring.is-forward').length") == len(layers[l]["z"])
        notes = page.js("[...document.querySelectorAll('#step-overlay > .step-note.is-current')].map((n) => n.textContent)")
        assert len(notes) == len(layers[l]["z"])
        for text, z, a in zip(notes, layers[l]["z"], layers[l]["a"], strict=True):
            if text.startswith("z "):           # room under the neuron: "z … · a …"
                z_text, a_text = text.removeprefix("z ").split(" · a ")
                near_printed(z_text, z)
            else:                                # packed neurons: "a …" beside it
                a_text = text.removeprefix("a ")
            near_printed(a_text, a)
        page.click("#step-next")
    # the loss, then δ, ∂L/∂b and every ∂L/∂w from the output back to the first layer
    assert "the loss for this point" in page.inner_text("#step-title")
    same_printed(page.inner_text("#step-title").split("L = ")[1], ref["loss"])
    for l in reversed(range(n)):
        page.click("#step-next")
        page.wait_for(f"document.querySelector('#step-counter').textContent === '{n + 1 + (n - l)} / {3 * n + 1}'")
        for text, value in zip(cells(page, "v-delta"), layers[l]["delta"], strict=True):
            same_printed(text, value)
        for text, value in zip(cells(page, "v-gb"), layers[l]["grad_b"], strict=True):
            same_printed(text, value)
        grads = [g for row in layers[l]["grad_w"] for g in row]
        for text, value in zip(cells(page, "v-gw"), grads, strict=True):
            same_printed(text, value)


def test_step_through_shows_the_engines_forward_backward_and_update(page):
    page.open()
    pin_a_point(page)
    assert page.is_visible("#step-hint")
    ref = engine_reference(page)
    n = len(ref["layers"])
    check_forward_and_backward(page, ref)
    assert facts(page)["stepPhase"] == "backward" and facts(page)["stepLayer"] == 1
    assert facts(page)["inspectedPoint"] == page.js("window.nnp.latest.pinned")

    # hovering a gradient spells out the chain rule with the numbers of this point
    page.hover("#step-table tr.weight-row")
    explained = page.inner_text("#step-explain")
    assert "a_from · δ_to" in explained
    a_from = ref["input"][0]
    delta = ref["layers"][0]["delta"][0]
    assert f"{ref['layers'][0]['grad_w'][0][0]:.4g}".replace("-", "−")[:5] in explained
    assert abs(a_from * delta - ref["layers"][0]["grad_w"][0][0]) < 1e-12

    # the step's activation plot marks the hovered neuron's z on tanh and its slope
    page.click("#step-forward")
    page.hover("#step-table tr[data-unit='1']")
    page.wait_for("document.getElementById('step-plot-note').textContent.includes('L1·2: z =')")
    note = page.inner_text("#step-plot-note").split("L1·2: ")[1]
    numbers = dict(part.split(" = ") for part in note.split(", "))
    z = ref["layers"][0]["z"][1]
    same_printed(numbers["z"], z)
    same_printed(numbers["f(z)"], math.tanh(z))
    same_printed(numbers["f′(z)"], 1 - math.tanh(z) ** 2)

    # the update: old → new, and new = w − η·∂L/∂w for plain gradient descent
    eta = page.config()["learning_rate"]
    page.click("#step-update")
    for l in range(n):
        layer = ref["layers"][l]
        olds = [w for row in layer["w"] for w in row] + layer["b"]
        news = [w for row in layer["new_w"] for w in row] + layer["new_b"]
        grads = [g for row in layer["grad_w"] for g in row] + layer["grad_b"]
        for text, value in zip(cells(page, "v-old"), olds, strict=True):
            same_printed(text, value)
        for text, value, old, grad in zip(cells(page, "v-new"), news, olds, grads, strict=True):
            same_printed(text, value)
            assert abs(value - (old - eta * grad)) < 1e-12
        if l + 1 < n:
            page.focus("#stepthrough")
            page.keyboard.press("ArrowRight")
    assert page.inner_text("#step-counter") == f"{3 * n + 1} / {3 * n + 1}"
    assert facts(page)["stepPhase"] == "update" and facts(page)["stepLayer"] == n
    page.keyboard.press("ArrowLeft")
    assert page.inner_text("#step-counter") == f"{3 * n} / {3 * n + 1}"

    # the diagram carries the same numbers: the output neuron's δ during the backward pass
    page.click("#step-backward")
    page.click("#step-next")
    notes = page.js("[...document.querySelectorAll('#step-overlay > .step-note.is-current')].map((n) => n.textContent)")
    assert len(notes) == len(ref["layers"][-1]["delta"]) and notes[0].startswith("δ ")
    text = notes[0].split("δ ")[1]
    assert len(text.replace("−", "").replace(".", "").lstrip("0")) >= 2   # the diagram writes 2 or 3 digits
    near_printed(text, ref["layers"][-1]["delta"][0])


def test_step_through_follows_training(page):
    page.open()
    pin_a_point(page)
    before = page.js("window.nnp.latest.inspection.loss")
    page.click("#step")
    page.wait_for("window.nnp.latest.frame.counters.epoch === 1")
    page.wait_for(f"window.nnp.latest.inspection.loss !== {before}")
    ref = engine_reference(page, epochs=1)
    check_forward_and_backward(page, ref)
    # another point keeps the place in the walk and shows its own numbers
    at = page.inner_text("#step-counter")
    box = page.locator("#points-canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.7)
    page.wait_for(f"window.nnp.latest.inspection.point[0] < 0 && document.querySelector('#step-counter').textContent === '{at}'")
    delta = engine_reference(page, epochs=1)["layers"][0]["delta"]
    for text, value in zip(cells(page, "v-delta"), delta, strict=True):
        same_printed(text, value)
    page.click("#inspector-close")
    page.wait_for("window.nnp.latest.pinned === null")
    assert page.is_visible("#step-hint") and not page.is_visible("#step-table")
    assert not page.js("document.querySelectorAll('#step-overlay .step-note').length")
    assert facts(page)["stepPhase"] is None and facts(page)["inspectedPoint"] is None


ACTIVATIONS = {
    "tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
    "sigmoid": (lambda z: 1 / (1 + math.exp(-z)), lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2),
    "relu": (lambda z: max(0.0, z), lambda z: 1.0 if z > 0 else 0.0),
    "leaky_relu": (lambda z: z if z > 0 else 0.1 * z, lambda z: 1.0 if z > 0 else 0.1),
    "linear": (lambda z: z, lambda z: 1.0),
}


def plot_label_numbers(page) -> dict:
    text = page.get_attribute("#activation-plot", "aria-label")
    numbers = {}
    for part in text.split("pinned point: ")[1].split(", "):
        name, value = part.split(" = ")
        numbers[name] = printed(value)
    return numbers


def plot_pixels(page) -> list:
    return page.js("""() => { const c = document.getElementById('activation-plot');
        return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data); }""")


def test_the_activation_plot_marks_the_inspected_neurons_z_for_every_activation(page):
    page.open()
    unmarked = plot_pixels(page)
    assert "pin a point" in page.get_attribute("#activation-plot", "aria-label")
    pin_a_point(page)
    page.wait_for("document.getElementById('activation-plot').dataset.z !== ''")
    assert plot_pixels(page) != unmarked, "the dots on f and f′ are drawn"
    for name, (f, df) in ACTIVATIONS.items():
        if page.config()["activation"] != name:
            page.select_option("#ctl-activation", name)
            page.wait_for(f"window.nnp.latest.config.activation === '{name}'"
                          f" && window.nnp.latest.inspection.layers[0].activation === '{name}'")
        page.hover("#net-layer .node.unit[data-unit='1']")       # layer 1, neuron 2
        page.wait_for("document.getElementById('activation-plot').getAttribute('aria-label').includes('L1·2')")
        z = page.js("window.nnp.latest.inspection.layers[0].z[1]")
        shown = plot_label_numbers(page)
        same_printed(str(shown["z"]), z)
        same_printed(str(shown["f(z)"]), f(z))
        assert abs(shown["f′(z)"] - df(z)) <= 5e-4 * max(abs(df(z)), 1e-3)
        page.mouse.move(5, 5)
    # the step activation belongs to a perceptron: no hidden layer, the output neuron's z is marked
    page.click("#remove-layer")
    page.click("#remove-layer")
    page.wait_for("window.nnp.latest.network.sizes.length === 2")
    page.select_option("#ctl-activation", "step")
    page.wait_for("window.nnp.latest.config.output_activation === 'step'"
                  " && window.nnp.latest.inspection.layers.length === 1")
    page.wait_for("document.getElementById('activation-plot').getAttribute('aria-label').includes('out 1')")
    z = page.js("window.nnp.latest.inspection.layers[0].z[0]")
    shown = plot_label_numbers(page)
    same_printed(str(shown["z"]), z)
    assert shown["f(z)"] == (1.0 if z >= 0 else 0.0) and shown["f′(z)"] == 0.0


def output_map_rows(page) -> list:
    return page.js("""() => { const b = window.nnp.latest.maps.output; const n = b.size; const q = b.maps[0].q;
        const rows = []; for (let y = 0; y < n; y++) rows.push(Array.from(q.slice(y * n, (y + 1) * n))); return rows; }""")


def monotone(values) -> bool:
    steps = [b - a for a, b in zip(values, values[1:])]
    return all(s >= 0 for s in steps) or all(s <= 0 for s in steps)


def test_linear_layers_cannot_separate_the_circle_and_tanh_can(page):
    page.open()
    page.click("#linear-demo summary")
    assert page.is_disabled("#demo-tanh"), "step 2 waits for step 1"
    page.click("#demo-linear")
    page.wait_for("window.nnp.latest.config.activation === 'linear' && window.nnp.latest.frame.counters.epoch >= 80", 90)
    config = page.config()
    assert config["hidden"] == [4, 4] and config["features"] == ["x1", "x2"] and config["dataset"] == "circle"
    accuracy = printed(page.inner_text("#demo-accuracy").replace("%", ""))
    assert 35 <= accuracy <= 70, f"linear layers stay near chance, got {accuracy} %"
    assert "straight boundary" in page.inner_text("#demo-status")
    rows = output_map_rows(page)
    columns = [list(c) for c in zip(*rows)]
    assert all(monotone(r) for r in rows) and all(monotone(c) for c in columns), "one straight boundary"
    assert facts(page)["linearDemo"] == "linear"

    page.click("#demo-tanh")
    page.wait_for("window.nnp.latest.config.activation === 'tanh'")
    page.wait_for("parseFloat(document.getElementById('demo-accuracy').textContent) >= 90", 90)
    page.pause()                              # training wobbles on: read the demonstration and the metrics at rest
    assert page.config()["hidden"] == [4, 4]
    assert printed(page.inner_text("#test-score").replace("%", "")) >= 85
    assert page.inner_text("#demo-accuracy") == page.inner_text("#test-score")
    rows = output_map_rows(page)
    assert not all(monotone(r) for r in rows), "the boundary bends around the circle"
    assert facts(page)["linearDemo"] == "nonlinear"

    page.select_option("#ctl-activation", "relu")          # changing the setup by hand ends the demonstration
    page.wait_for("window.nnp.latest.config.activation === 'relu'")
    assert facts(page)["linearDemo"] is None


def test_every_part_of_the_page_says_whether_its_numbers_are_learned_or_chosen(page):
    page.open()
    assert "you choose these" in page.inner_text("#hyper-title")
    assert page.inner_text("#hyper-title").startswith("Hyperparameters")
    assert "chosen, not learned" in page.inner_text("#data-title")
    net = page.inner_text("#net-title")
    assert net.startswith("Parameters") and "learned by the network: 25 weights and biases" in net
    assert page.is_visible("#net-chosen-note") and page.inner_text("#net-chosen-note") == "hyperparameters:"
    page.click(".output-head .matrix-btn")
    assert "W and b are parameters: training learns them" in page.inner_text("#weight-matrix")
    pin_a_point(page)
    page.click("#step-update")
    assert "w and b are parameters (learned); η and the optimizer are hyperparameters (chosen)" in page.inner_text("#step-formula")


def test_update_step_writes_out_adams_rule_with_this_points_numbers(page):
    page.open("?optimizer=adam&learning_rate=0.01")
    page.click("#step")                          # one epoch, so Adam's moments and step count are not zero
    page.wait_for("window.nnp.latest.frame.counters.epoch === 1")
    pin_a_point(page)
    page.wait_for("window.nnp.latest.inspection.update && window.nnp.latest.inspection.update.optimizer === 'adam'")
    ref = engine_reference(page, epochs=1)
    page.click("#step-update")
    assert "m ← β₁·m + (1 − β₁)·g" in page.inner_text("#step-formula")
    layer = ref["layers"][0]
    for text, value in zip(cells(page, "v-new"), [w for row in layer["new_w"] for w in row] + layer["new_b"], strict=True):
        same_printed(text, value)
    # hovering the first weight spells out m, s, the bias-corrected m̂ and the new weight for this very step
    page.hover("#step-table tr.weight-row")
    words = page.inner_text("#step-explain")
    new_m = float(page.js("window.nnp.latest.inspection.layers[0].new_m_w[0][0]"))
    np_m = 0.9 * ref["layers"][0]["m_w"][0][0] + 0.1 * ref["layers"][0]["step_w"][0][0]
    assert abs(new_m - np_m) < 1e-12
    m_part = words.split("m = β₁·m + (1 − β₁)·g = ")[1].split(";")[0]
    same_printed(m_part.split(" = ")[-1], np_m)
    t = ref["update"]["t"]
    assert t == 26 and f"step {t}: m̂ = " in words       # 250 training points in batches of 10: 25 steps, this is the 26th
    same_printed(words.split("m̂ = ")[1].split(",")[0], np_m / (1 - 0.9 ** t))
    same_printed(words.rsplit(" = ", 1)[1], ref["layers"][0]["new_w"][0][0])


def test_step_through_lists_every_weight_of_a_wide_layer_on_request(page):
    page.open("?hidden=8,8")
    pin_a_point(page)
    ref = engine_reference(page)
    page.click("#step-backward")
    for _ in range(2):                           # the loss, the output layer, then hidden layer 2: 8 × 8 weights
        page.click("#step-next")
    page.wait_for("document.querySelector('#step-counter').textContent === '6 / 10'")
    assert len(cells(page, "v-gw")) == 48
    assert page.inner_text("#step-more") == "Show all 64 weights (16 more)"
    page.click("#step-more")
    page.wait_for("document.querySelectorAll('#step-table td.v-gw').length === 64")
    grads = [g for row in ref["layers"][1]["grad_w"] for g in row]
    for text, value in zip(cells(page, "v-gw"), grads, strict=True):
        same_printed(text, value)
    # a hidden neuron's δ spelled out: its slope times the weighted sum of the next layer's δ
    page.hover("#step-table tbody tr[data-unit='0']")
    words = page.inner_text("#step-explain")
    assert words.startswith("L2·1: δ = f′(z)·Σ w·δ_next = ")
    same_printed(words.split(" = ")[-1].split(" ")[0], ref["layers"][1]["delta"][0])
    # the first layer has 2 × 8 weights: no button
    page.click("#step-next")
    page.wait_for("document.querySelector('#step-counter').textContent === '7 / 10'")
    assert not page.is_visible("#step-more") and len(cells(page, "v-gw")) == 16


def test_step_through_keeps_up_while_the_network_trains(page):
    page.open()
    pin_a_point(page)
    page.click("#step-forward")
    first = cells(page, "v-z")
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch >= 20", timeout=60)
    page.wait_for(f"JSON.stringify([...document.querySelectorAll('#step-table td.v-z')].map((t) => t.textContent)) !== {json.dumps(json.dumps(first))}")
    # a note on the diagram keeps its tip while frames keep redrawing it, and the tip's numbers follow training
    box = page.js("""() => {   // the notes are redrawn with every frame: find and measure one in a single step
        const n = document.querySelector('#step-overlay > .step-note.is-current');
        n.scrollIntoView({ block: 'center' });
        const r = n.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    }""")
    page.mouse.move(box["x"], box["y"])
    page.wait_for("!document.querySelector('.step-tip').hidden")
    tip = page.inner_text(".step-tip")
    assert tip.startswith("L1·1: z = Σ w·a + b = ")
    page.wait_for(f"document.querySelector('.step-tip').textContent !== {json.dumps(tip)}"
                  " && !document.querySelector('.step-tip').hidden", timeout=30)
    hidden = page.js("""() => new Promise((done) => {   // shown on every painted frame for two seconds, no flicker
        const t = document.querySelector('.step-tip');
        let frames = 0, off = 0;
        const look = () => { frames++; off += t.hidden; if (frames < 120) requestAnimationFrame(look); else done(off); };
        requestAnimationFrame(look);
    })""")
    assert hidden == 0
    page.pause()
    iterations = page.js("window.nnp.latest.frame.counters.iteration")   # a pause may fall inside an epoch
    # paused, the panel shows the numbers of the weights training stopped at
    ref = engine_reference(page, batches=iterations)
    page.settle()
    for text, value in zip(cells(page, "v-z"), ref["layers"][0]["z"], strict=True):
        same_printed(text, value)
