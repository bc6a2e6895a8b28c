"""Data: thumbnails, drawing points by hand (kept across a reload), CSV upload with its errors shown plainly."""
import re
from pathlib import Path

N_POINTS = "(window.nnp.latest.data.n_train + window.nnp.latest.data.n_test)"


def click_plane(page, x1: float, x2: float, **kwargs):
    box = page.locator("#draw-layer").bounding_box()
    page.mouse.click(box["x"] + (x1 + 6) / 12 * box["width"], box["y"] + (6 - x2) / 12 * box["height"], **kwargs)


def plane_to_screen(page, x1, x2):
    box = page.locator("#draw-layer").bounding_box()
    return box["x"] + (x1 + 6) / 12 * box["width"], box["y"] + (6 - x2) / 12 * box["height"]


def test_every_data_set_has_a_thumbnail_and_choosing_one_switches_the_task(page):
    page.open()
    names = page.js("[...document.querySelectorAll('.thumb')].map((b) => b.dataset.dataset)")
    for name in ("circle", "xor", "gauss", "spiral", "moons", "spiral3", "blobs", "plane", "bumps", "digits"):
        assert name in names
    painted = page.js("""[...document.querySelectorAll('.thumb canvas')].every((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let lo = 255, hi = 0;
        for (let i = 0; i < d.length; i += 4) { lo = Math.min(lo, d[i + 2]); hi = Math.max(hi, d[i + 2]); }
        return hi - lo > 40; })""")
    assert painted, "a thumbnail is blank"
    points_before = page.js("document.getElementById('points-canvas').toDataURL()")
    page.click(".thumb[data-dataset='xor']")
    page.wait_for("window.nnp.latest.config.dataset === 'xor'")
    page.settle()
    assert page.js("document.getElementById('points-canvas').toDataURL()") != points_before, "the points were not redrawn"
    page.click(".thumb[data-dataset='blobs']")
    page.wait_for("window.nnp.latest.config.dataset === 'blobs' && window.nnp.latest.config.task === 'multiclass'")
    assert page.input_value("#ctl-task") == "multiclass"
    assert page.config()["loss"] == "cce"


def test_drawing_moving_and_erasing_points_and_they_survive_a_reload(page):
    page.open()
    page.click("#draw-button")
    page.wait_for("window.nnp.latest.config.dataset === 'points'")
    page.click("#clear-points")
    page.wait_for(f"{N_POINTS} === 0")
    for x1, x2 in ((-4, 4), (-3, 3), (-4, 3), (-3, 4)):
        click_plane(page, x1, x2)
    page.click(".class-chip[data-cls='1']")
    for x1, x2 in ((4, -4), (3, -3), (4, -3), (3, -4)):
        click_plane(page, x1, x2)
    page.wait_for(f"{N_POINTS} === 8")
    data = page.js("window.nnp.latest.data")
    points = sorted(map(tuple, data["train"] + data["test"]))
    assert sum(1 for p in points if p[2] == 1) == 4
    assert all((p[0] > 0) == (p[2] == 1) for p in points)
    # drag the point at (4, -4) to (5, 5)
    start = plane_to_screen(page, 4, -4)
    end = plane_to_screen(page, 5, 5)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=4)
    page.mouse.move(*end, steps=4)
    page.mouse.up()
    page.wait_for("(() => { const d = window.nnp.latest.data; return d.train.concat(d.test)"
                  ".some((p) => Math.abs(p[0] - 5) < 0.2 && Math.abs(p[1] - 5) < 0.2 && p[2] === 1); })()")
    # erase the one at (-4, 4) with a right click
    click_plane(page, -4, 4, button="right")
    page.wait_for(f"{N_POINTS} === 7")
    # training on them works
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch > 5")
    page.pause()
    # a reload keeps them
    assert "dataset=points" in page.url
    page.reload()
    page.wait_ready()
    page.wait_for(f"window.nnp.latest.data && window.nnp.latest.config.dataset === 'points' && {N_POINTS} === 7")
    assert page.is_visible("#draw-tools")


CSV = "width,height,kind\n" + "\n".join(
    f"{w},{h},{'tall' if h > w else 'wide'}" for w, h in
    [(1, 5), (2, 7), (3, 9), (1, 8), (2, 4), (5, 1), (7, 2), (9, 3), (8, 1), (4, 2), (3, 6), (6, 3)] * 3) + "\n"


def test_uploading_a_csv_file(page, tmp_path: Path):
    page.open()
    path = tmp_path / "shapes.csv"
    path.write_text(CSV)
    page.set_input_files("#csv-file", str(path))
    page.wait_for("document.querySelector('#csv-dialog').open")
    headers = page.js("[...document.querySelectorAll('#csv-dialog th')].map((t) => t.textContent)")
    assert headers == ["width", "height", "kind"]
    assert page.input_value("#csv-label") == "2"
    assert page.input_value("#csv-task") == "binary"
    page.click("#csv-load")
    page.wait_for("!document.querySelector('#csv-dialog').open")
    page.wait_for("window.nnp.latest.config.dataset === 'csv' && window.nnp.latest.data.columns.join() === 'width,height'")
    assert page.js("window.nnp.latest.data.class_names") == ["tall", "wide"]
    page.wait_for("document.querySelector('.legend').textContent.includes('tall')")
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch > 20")
    page.pause()
    assert page.number("#train-score") > 80


def test_a_bad_csv_file_names_the_row_and_column(page, tmp_path: Path):
    # the refusal is an HTTP 400, which Chromium itself logs as a failed resource load
    page.allowed_errors.append(re.compile(r"status of 400"))
    page.open()
    path = tmp_path / "bad.csv"
    path.write_text("a,b,label\n1,2,x\n3,4,y\n5,oops,x\n6,no,y\n")
    page.set_input_files("#csv-file", str(path))
    page.wait_for("document.querySelector('#csv-dialog').open")
    # 'b' is half text, so it is offered but switched off; choose it anyway: half the rows would be refused
    page.evaluate("document.querySelector('#csv-features input[value=b]').disabled = false")
    page.check("#csv-features input[value=b]")
    page.click("#csv-load")
    page.wait_for("!document.querySelector('#csv-error').hidden")
    message = page.inner_text("#csv-error")
    assert "row 4" in message and "'b'" in message and "oops" in message
    assert page.js("document.querySelector('#csv-dialog').open")
    assert page.config()["dataset"] == "circle"


def test_csv_text_is_shown_as_text_never_as_html(page, tmp_path: Path):
    page.open()
    path = tmp_path / "sneaky.csv"
    evil = "<img src=x onerror=window.__owned=1>"
    rows = "\n".join(f"{i % 7},{(i * 3) % 5},{evil if i % 2 else 'ok'}" for i in range(30))
    path.write_text(f"x,y,{evil}\n{rows}\n")
    page.set_input_files("#csv-file", str(path))
    page.wait_for("document.querySelector('#csv-dialog').open")
    assert page.js("document.querySelectorAll('#csv-dialog img').length") == 0
    assert evil in page.inner_text("#csv-dialog")
    page.click("#csv-load")
    page.wait_for("window.nnp.latest.config.dataset === 'csv'")
    page.settle()
    assert page.js("document.querySelectorAll('img').length") == 0
    assert page.js("window.__owned === undefined")
    assert evil in page.inner_text(".legend")
