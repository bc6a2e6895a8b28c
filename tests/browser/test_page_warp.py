"""The warped-space view: the input plane's grid and the data points as a hidden layer sees them, through two
chosen neurons; it changes as the network trains and costs the server nothing while it is closed."""

FACTS = "import('/static/js/shared/progress.js').then((m) => new Promise((r) => m.onFacts((f) => r({ ...f }))))"


def canvas_signature(page) -> list:
    """The mean colour of an 8×8 grid of cells of the warp canvas."""
    return page.js("""() => {
        const c = document.getElementById('warp-canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const out = [], n = 8, w = c.width, h = c.height;
        for (let by = 0; by < n; by++) for (let bx = 0; bx < n; bx++) {
          let s = 0, k = 0;
          for (let y = Math.floor(by * h / n); y < Math.floor((by + 1) * h / n); y++)
            for (let x = Math.floor(bx * w / n); x < Math.floor((bx + 1) * w / n); x++) {
              const i = 4 * (y * w + x); s += d[i] + d[i + 1] + d[i + 2]; k++;
            }
          out.push(s / k / 3);
        }
        return out; }""")


def test_the_warped_view_renders_and_changes_as_training_runs(page):
    page.open("?dataset=circle&hidden=4,3&learning_rate=0.1")
    assert page.js("window.nnp.latest.warp") is None          # closed: nothing asked, nothing sent
    page.click("#warp summary")
    page.wait_for("window.nnp.latest.warp && window.nnp.latest.warp.layer === 0")
    assert "warp=1" in page.url
    view = page.js("window.nnp.latest.warp")
    assert view["units"] == [0, 1] and view["hidden"] == [4, 3] and len(view["points"]) == 500
    assert page.inner_text("#warp-layer") == "1 of 2" and page.inner_text("#warp-pair") == "1 & 2"
    before = canvas_signature(page)
    assert max(before) - min(before) > 20                     # lines and points are drawn, not a blank square
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch >= 40", timeout=30)
    page.wait_for("window.nnp.latest.warp")
    page.pause()
    page.settle()
    after = canvas_signature(page)
    assert max(abs(a - b) for a, b in zip(before, after)) > 8

    # cycle: the next pair of neurons, then the next layer, then back
    page.click("#warp-pair-next")
    page.wait_for("window.nnp.latest.warp.units.join() === '0,2'")
    assert page.inner_text("#warp-pair") == "1 & 3"
    page.click("#warp-layer-next")
    page.wait_for("window.nnp.latest.warp.layer === 1")
    assert page.inner_text("#warp-layer") == "2 of 2" and page.js("window.nnp.latest.warp.units") == [0, 1]
    facts = page.js(FACTS)
    assert facts["warpLayer"] == 2 and facts["warpUnits"] == [1, 2]
    page.focus("#warp-layer-next")
    page.keyboard.press("Enter")                               # keyboard works too: wraps to layer 1
    page.wait_for("window.nnp.latest.warp.layer === 0")

    # a network without hidden layers has nothing to warp: the view says so
    page.click("#remove-layer")
    page.wait_for("window.nnp.latest.network.sizes.length === 3")
    page.click("#remove-layer")
    page.wait_for("window.nnp.latest.network.sizes.length === 2")
    assert page.is_visible("#warp-note") and "hidden layer" in page.inner_text("#warp-note")
    assert page.js(FACTS)["warpLayer"] is None


def test_closing_the_warped_view_ends_its_messages(page):
    page.open("?dataset=xor&hidden=3&warp=1")
    page.wait_for("window.nnp.latest.warp && window.nnp.latest.warp.layer === 0")
    page.click("#warp summary")
    page.wait_for("window.nnp.latest.warp === null")
    assert "warp=1" not in page.url
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch >= 30", timeout=30)
    page.pause()
    assert page.js("window.nnp.latest.warp") is None
