"""The network diagram: layers and neurons change live, maps follow, weights and biases can be typed in."""

UNITS = "document.querySelectorAll('#net-layer .node.unit').length"
LINKS = "document.querySelectorAll('#links path.link').length"


def unit_map_is_drawn(page, unit: int) -> bool:
    return page.js("""(u) => {
        const c = document.querySelector(`#net-layer .node.unit[data-unit="${u}"] canvas`);
        if (!c || c.width < 8) return false;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let lo = 255, hi = 0;
        for (let i = 0; i < d.length; i += 4) { lo = Math.min(lo, d[i]); hi = Math.max(hi, d[i]); }
        return d[3] === 255 && hi - lo > 10;
    }""", unit)


def test_adding_a_layer_and_a_neuron_updates_the_diagram_and_the_maps(page):
    page.open()
    assert page.js(UNITS) == 4 + 2 + 1
    assert page.js(LINKS) == 2 * 4 + 4 * 2 + 2 * 1
    page.click("#add-layer")
    page.wait_for(f"{UNITS} === 4 + 2 + 2 + 1")
    assert page.inner_text("#layer-count") == "3 hidden layers"
    assert page.js("window.nnp.latest.config.hidden") == [4, 2, 2]
    page.click(".layer-head[data-layer='0'] .add-neuron")
    page.wait_for(f"{UNITS} === 5 + 2 + 2 + 1")
    assert page.js(LINKS) == 2 * 5 + 5 * 2 + 2 * 2 + 2 * 1
    page.wait_for("window.nnp.latest.maps.units && window.nnp.latest.maps.units.maps.length === 10")
    page.settle()
    for unit in range(10):
        assert unit_map_is_drawn(page, unit), f"neuron {unit} has no map"
    assert "hidden=5,2,2" in page.url
    page.click(".layer-head[data-layer='2'] .remove-neuron")
    page.wait_for(f"{UNITS} === 5 + 2 + 1 + 1")
    page.click("#remove-layer")
    page.click("#remove-layer")
    page.click("#remove-layer")
    page.wait_for(f"{UNITS} === 1")
    assert page.inner_text("#layer-count") == "0 hidden layers"
    assert page.js(LINKS) == 2


def test_per_layer_activation(page):
    page.open("?hidden=3,3")
    page.select_option(".layer-head[data-layer='1'] select", "relu")
    page.wait_for("JSON.stringify(window.nnp.latest.config.hidden_activations) === '[\"tanh\",\"relu\"]'")
    assert page.js("window.nnp.latest.network.activations") == ["tanh", "relu", "sigmoid"]
    assert "hidden_activations=tanh,relu" in page.url


def test_editing_a_weight_and_a_bias_changes_the_map(page):
    page.open()
    page.settle()
    before = page.map_signature()
    # the last layer's only link into the output from hidden neuron 1 of layer 2
    link = page.locator("#links path.link-hit").last
    link.hover()
    page.wait_for("!document.querySelector('#network .tip').hidden")
    assert "weight" in page.inner_text("#network .tip")
    link.click()
    page.fill("#edit-value", "-6")
    page.press("#edit-value", "Enter")
    index = page.js("window.nnp.latest.paramOffsets()[2].w + 1")
    page.wait_for(f"window.nnp.latest.params[{index}] === -6")
    page.settle()
    after_weight = page.map_signature()
    assert page.map_distance(before, after_weight) > 30, "editing a weight did not change the map"
    # the output neuron's bias
    page.click("#net-layer .node.unit.output .bias")
    page.fill("#edit-value", "4")
    page.press("#edit-value", "Enter")
    bias = page.js("window.nnp.latest.paramOffsets()[2].b")
    page.wait_for(f"window.nnp.latest.params[{bias}] === 4")
    page.settle()
    assert page.map_distance(after_weight, page.map_signature()) > 30, "editing a bias did not change the map"
    # the drawn link is thick and orange for a large negative weight
    stroke = page.js("document.querySelectorAll('#links path.link')[document.querySelectorAll('#links path.link').length - 1].getAttribute('stroke')")
    assert stroke == "rgb(224,123,26)"


def test_hovering_a_neuron_shows_its_map_enlarged(page):
    page.open()
    page.settle()
    output = page.map_signature()
    page.hover("#net-layer .node.unit[data-unit='0']")
    page.wait_for("document.querySelector('#map-title').textContent === 'Layer 1, neuron 1'")
    page.wait_for("window.nnp.latest.maps.focus !== null && window.nnp.latest.frame.maps.focus.unit === 0")
    page.settle()
    assert page.map_distance(output, page.map_signature()) > 20
    page.mouse.move(5, 700)
    page.wait_for("document.querySelector('#map-title').textContent === 'Output'")


def test_features_toggle_and_show_their_maps(page):
    page.open()
    assert page.get_attribute(".feature[data-feature='x1']", "aria-pressed") == "true"
    assert page.get_attribute(".feature[data-feature='x1x2']", "aria-pressed") == "false"
    page.click(".feature[data-feature='x1x2']")
    page.wait_for("window.nnp.latest.config.features.includes('x1x2')")
    page.wait_for("document.querySelector(\".feature[data-feature='x1x2']\").getAttribute('aria-pressed') === 'true'")
    assert page.js("window.nnp.latest.network.sizes[0]") == 3
    assert page.js("window.nnp.latest.maps.inputs.maps.length") == 3
    assert "features=x1,x2,x1x2" in page.url
    # the last input cannot be switched off
    page.click(".feature[data-feature='x1']")
    page.click(".feature[data-feature='x1x2']")
    page.wait_for("window.nnp.latest.config.features.join() === 'x2'")
    page.click(".feature[data-feature='x2']")
    page.settle()
    assert page.js("window.nnp.latest.config.features") == ["x2"]


def test_a_perceptron_and_back(page):
    page.open("?hidden=&dataset=gauss")
    assert page.js("window.nnp.latest.network.sizes") == [2, 1]
    page.select_option("#ctl-activation", "step")
    page.wait_for("window.nnp.latest.config.loss === 'perceptron'")
    assert page.config()["output_activation"] == "step"
    assert page.inner_text(".output-head .layer-sub") == "Step"
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch > 5")
    page.pause()
    assert page.number("#test-score") > 90
    page.click("#add-layer")
    page.wait_for("window.nnp.latest.network.sizes.length === 3")
    assert page.config()["activation"] == "tanh" and page.config()["loss"] == "bce"


def test_a_layers_weights_as_a_matrix_of_numbers(page):
    page.open()
    page.click(".layer-head[data-layer='1'] .matrix-btn")
    page.wait_for("!document.querySelector('#weight-matrix').hidden")
    cells = page.js("[...document.querySelectorAll('#weight-matrix tbody tr')].map((r) => r.querySelectorAll('td').length)")
    assert cells == [2, 2, 2, 2, 2], "4 rows of W (4 × 2) and the bias row"
    o = page.js("window.nnp.latest.paramOffsets()[1]")
    first = page.js(f"window.nnp.latest.params[{o['w']}]")
    shown = float(page.inner_text("#weight-matrix tbody tr:first-child td").replace("−", "-"))
    assert abs(shown - first) < 1e-2 * max(1, abs(first))
    page.click("#step")
    page.wait_for("window.nnp.latest.frame.counters.epoch === 1")
    page.settle()
    now = page.js(f"window.nnp.latest.params[{o['w']}]")
    shown = float(page.inner_text("#weight-matrix tbody tr:first-child td").replace("−", "-"))
    assert abs(shown - now) < 1e-2 * max(1, abs(now))
    page.click("#weight-matrix .notice-close")
    assert not page.is_visible("#weight-matrix")


def test_a_pinned_point_shows_each_neurons_numbers(page):
    page.open("?hidden=3")
    box = page.locator("#points-canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)   # the centre: class 1
    page.wait_for("window.nnp.latest.inspection && window.nnp.latest.inspection.follow === true")
    x1, x2 = page.js("window.nnp.latest.inspection.point")
    assert abs(x1) < 0.1 and abs(x2) < 0.1
    assert page.input_value("#inspector-target") == "1"
    assert "loss" in page.inner_text("#inspector-text")
    inspection = page.js("window.nnp.latest.inspection")
    layer = inspection["layers"][0]
    # the forward pass as the page shows it: z = Σ x_i w_i + b for the first neuron
    z = sum(x * w[0] for x, w in zip(inspection["input"], layer["w"])) + layer["b"][0]
    assert abs(z - layer["z"][0]) < 1e-9
    page.hover("#net-layer .node.unit[data-unit='0']")
    page.wait_for("document.querySelector('#network .tip').textContent.includes('z =')")
    tip = page.inner_text("#network .tip")
    assert "a =" in tip and "δ =" in tip
    page.locator("#links path.link-hit").last.hover()
    page.wait_for("document.querySelector('#network .tip').textContent.includes('∂L/∂w')")
    # the pinned point follows training
    before = page.js("window.nnp.latest.inspection.loss")
    page.click("#step")
    page.wait_for("window.nnp.latest.frame.counters.epoch === 1")
    page.wait_for(f"window.nnp.latest.inspection.loss !== {before}")
    page.click("#inspector-close")
    page.wait_for("window.nnp.latest.pinned === null")


def test_links_and_biases_are_edited_from_the_keyboard(page):
    page.open("?hidden=3")                     # 2 inputs → 3 → 1: links 0–5 into layer 1, 6–8 into the output
    page.settle()
    stops = page.js("document.querySelectorAll('#links path.link-hit[tabindex=\"0\"]').length")
    assert stops == 1, "the links are one tab stop, not one per link"
    first = page.locator("#links path.link-hit").first
    first.focus()
    page.wait_for("!document.querySelector('#network .tip').hidden")
    assert "weight" in page.inner_text("#network .tip")
    for _ in range(7):
        page.keyboard.press("ArrowRight")
    assert page.js("document.activeElement.dataset.k") == "7"
    # Escape cancels: nothing is sent, the focus comes back to the link
    page.keyboard.press("Enter")
    page.wait_for("document.activeElement && document.activeElement.id === 'edit-value'")
    page.keyboard.type("5")
    page.keyboard.press("Escape")
    page.wait_for("document.querySelector('#edit-value') === null")
    assert page.js("document.activeElement.dataset.k") == "7"
    index = page.js("window.nnp.latest.paramOffsets()[1].w + 1")      # hidden neuron 2 → output
    assert page.js(f"window.nnp.latest.params[{index}]") != 5
    # Enter edits: the weight changes, training or not
    page.keyboard.press("Enter")
    page.fill("#edit-value", "-3")
    page.keyboard.press("Enter")
    page.wait_for(f"window.nnp.latest.params[{index}] === -3")
    assert page.js("document.activeElement.dataset.k") == "7"
    # a bias is a button: Tab reaches it, Enter opens its editor beside it
    bias = page.locator("#net-layer .node.unit.output .bias")
    bias.focus()
    page.keyboard.press("Enter")
    page.wait_for("document.activeElement && document.activeElement.id === 'edit-value'")
    near = page.js("(() => { const e = document.querySelector('#network form.editor').getBoundingClientRect();"
                   " const b = document.querySelector('#net-layer .node.unit.output .bias').getBoundingClientRect();"
                   " return b.left >= e.left - 20 && b.right <= e.right + 20 && Math.abs(e.top - b.bottom) < 60; })()")
    assert near, "the editor opened far from the bias it edits"
    page.fill("#edit-value", "2.5")
    page.keyboard.press("Enter")
    bias_index = page.js("window.nnp.latest.paramOffsets()[1].b")
    page.wait_for(f"window.nnp.latest.params[{bias_index}] === 2.5")


def test_hovering_an_input_feature_shows_its_map_enlarged(page):
    page.open("?dataset=circle&features=x1,x2,x1sq")
    output = page.map_signature()
    page.hover(".feature[data-feature='x1sq']")
    page.wait_for("document.querySelector('#map-title').textContent === 'Input x₁²'")
    enlarged = page.map_signature()
    assert page.map_distance(output, enlarged) > 20
    grid = [enlarged[r * 8:(r + 1) * 8] for r in range(8)]
    for row in grid:                 # x₁² is the same at −x₁ and x₁, and the same on every row
        for c in range(4):
            assert page.map_distance([row[c]], [row[7 - c]]) <= 3
        assert page.map_distance([row[0]], [grid[0][0]]) <= 3
    assert page.map_distance([grid[0][0]], [grid[0][3]]) > 40, "large at the edges, zero in the middle"
    box = page.locator("#points-canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.5)   # x₁ = 3: no longer on the feature
    page.wait_for("document.querySelector('#map-title').textContent === 'Output'")
    # focused from the keyboard, the feature stays enlarged under the pointer, which reads its value
    page.focus(".feature[data-feature='x1sq']")
    page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.5)
    page.wait_for("document.querySelector('#map-title').textContent === 'Input x₁²'")
    page.wait_for("document.querySelector('#map-readout').textContent.includes('x₁²')")
    readout = page.inner_text("#map-readout")
    assert readout.startswith("x₁ 3, x₂ 0 → x₁² = 1.5"), readout
    page.js("document.activeElement.blur()")
    page.hover(".feature[data-feature='sinx2']")       # a feature not in use can be looked at too
    page.wait_for("document.querySelector('#map-title').textContent === 'Input sin x₂'")
    page.mouse.move(5, 700)
    page.wait_for("document.querySelector('#map-title').textContent === 'Output'")
    assert page.map_distance(output, page.map_signature()) < 5
