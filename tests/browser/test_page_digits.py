"""Digits on the page: accuracy and confusion matrix, the first layer's weights as 8×8 images, the misclassified
test digits (click one to load it into the pad), and the pad's ten probabilities as bars that sum to 1."""

FACTS = "import('/static/js/shared/progress.js').then((m) => new Promise((r) => m.onFacts((f) => r({ ...f }))))"


def canvas_colours(page, selector: str) -> list[int]:
    """How many different colours each matching canvas shows."""
    return page.js(f"""[...document.querySelectorAll({selector!r})].map((c) => {{
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const seen = new Set();
        for (let i = 0; i < d.length; i += 4) seen.add(`${{d[i]}},${{d[i + 1]}},${{d[i + 2]}}`);
        return seen.size; }})""")


def draw_stroke(page, x0, y0, x1, y1):
    page.js("document.querySelector('#digit-canvas').scrollIntoView({ block: 'center' })")
    box = page.locator("#digit-canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] * x0, box["y"] + box["height"] * y0)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * x1, box["y"] + box["height"] * y1, steps=14)
    page.mouse.up()


def test_digits_show_weights_mistakes_and_answer_a_drawn_one(page):
    page.open("?task=multiclass&dataset=digits&hidden=16&learning_rate=0.1")
    assert page.is_visible("#digit-views") and page.is_visible("#digit-pad")
    # the weight images are there before training (random weights) and change with it
    page.wait_for("document.querySelectorAll('#weight-images canvas').length === 16")
    before = page.js("document.querySelector('#weight-images canvas').toDataURL()")
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch >= 6", timeout=40)
    page.pause()
    assert page.number("#train-score") > 85 and page.number("#test-score") > 80
    assert page.js("document.querySelectorAll('#confusion-matrix tbody tr').length") == 10
    assert page.js("document.querySelector('#weight-images canvas').toDataURL()") != before
    assert all(n > 20 for n in canvas_colours(page, "#weight-images canvas"))

    # misclassified test digits as images, with the true label and the network's answer
    page.wait_for("window.nnp.latest.mistakes && window.nnp.latest.mistakes.epoch === window.nnp.latest.frame.counters.epoch")
    mistakes = page.js("window.nnp.latest.mistakes")
    shown = mistakes["shown"]
    assert 0 < mistakes["count"] < 0.2 * mistakes["total"] and len(shown) == min(12, mistakes["count"])
    captions = page.js("[...document.querySelectorAll('#mistake-images button:not([hidden]) .digit-caption')]"
                       ".map((c) => c.textContent)")
    assert captions == [f"{m['label']}→{m['predicted']}" for m in shown]
    assert all(m["label"] != m["predicted"] for m in shown)
    assert page.inner_text("#mistakes-title") == f"Test digits it gets wrong: {mistakes['count']} of {mistakes['total']}"
    assert all(n >= 3 for n in canvas_colours(page, "#mistake-images canvas"))
    facts = page.js(FACTS)
    assert facts["digitMistakes"] == mistakes["count"] and facts["digitWeightImages"] == 16

    # clicking a mistake puts it on the pad: the network gives it the same wrong answer
    page.click("#mistake-images button >> nth=0")
    page.wait_for("document.querySelector('#digit-answer').textContent.startsWith('The network says')")
    assert page.inner_text("#digit-answer").startswith(f"The network says {shown[0]['predicted']},")

    # draw a "1": a vertical stroke down the middle
    page.click("#digit-clear")
    page.wait_for("document.querySelector('#digit-answer').textContent.startsWith('Draw')")
    draw_stroke(page, 0.5, 0.08, 0.5, 0.92)
    page.wait_for("document.querySelector('#digit-answer').textContent.startsWith('The network says')")
    # the pad asks again as the stroke grows: read once the answer for the finished stroke has come
    probabilities = None
    for _ in range(50):
        page.wait_for_timeout(200)
        now = page.js("window.nnp.latest.inspection.layers.at(-1).a")
        if now == probabilities:
            break
        probabilities = now
    assert len(probabilities) == 10 and abs(sum(probabilities) - 1) < 1e-9
    best = max(range(10), key=lambda k: probabilities[k])
    assert best in (1, 7), probabilities            # a plain vertical stroke reads as a 1 (or a 7)
    shown_bars = page.js("[...document.querySelectorAll('.digit-value')].map((v) => parseFloat(v.textContent))")
    assert len(shown_bars) == 10 and 96 <= sum(shown_bars) <= 104
    widths = page.js("[...document.querySelectorAll('.digit-fill')].map((f) => parseFloat(f.style.width))")
    assert abs(sum(widths) - 100) < 0.5 and max(widths) == widths[best]
    facts = page.js(FACTS)
    assert facts["digitPrediction"] == best and abs(facts["digitConfidence"] - probabilities[best]) < 1e-9


def test_the_digit_views_leave_with_the_digits(page):
    page.open("?task=multiclass&dataset=digits&hidden=8")
    page.wait_for("window.nnp.latest.mistakes !== null")
    page.click(".thumb[data-dataset='spiral3']")
    page.wait_for("window.nnp.latest.config.dataset === 'spiral3'")
    assert not page.is_visible("#digit-views")
    # no more mistakes messages once the view has gone
    page.js("window.nnp.latest.mistakes = null")
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch >= 20")
    page.pause()
    assert page.js("window.nnp.latest.mistakes") is None
