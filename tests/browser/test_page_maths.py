"""The maths views on the playground page: the editable weight matrix, the step-through of one point (against the
engine's own inspector), the activation plot's marker and the linear vs non-linear demonstration."""


def facts(page) -> dict:
    """The progress facts the page has published for lesson checks (the same module instance the views use)."""
    return page.js("""async () => {
        const { onFacts } = await import('/static/js/progress.js');
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
