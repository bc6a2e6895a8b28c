"""Exports download: the map as PNG, the loss history as CSV, the model as JSON, and a NumPy script whose
predictions equal the engine's for the same weights."""
import json
import runpy
import urllib.request

import numpy as np

from engine import Trainer


def download(page, item: str):
    page.click("#export-button")
    with page.expect_download() as info:
        page.click(f"#{item}")
    d = info.value
    return d.suggested_filename, open(d.path(), "rb").read()


def saved_state(page, server) -> dict:
    token = page.js("sessionStorage.getItem('nnp.resume-token')")
    request = urllib.request.Request(f"{server.url}/api/state", headers={"X-Session-Token": token})
    with urllib.request.urlopen(request) as r:
        return json.loads(r.read())


def test_exports_download(page, server, tmp_path):
    page.open("?dataset=xor&hidden=5,3&features=x1,x2,x1x2,sinx1&activation=relu")
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch > 20")
    page.pause()
    page.settle()

    name, png = download(page, "export-png")
    assert name.endswith(".png") and png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000

    name, csv = download(page, "export-csv")
    lines = csv.decode().strip().split("\n")
    assert name.endswith(".csv") and lines[0] == "epoch,iteration,train_loss,test_loss"
    rows = [line.split(",") for line in lines[1:]]
    assert len(rows) > 5 and float(rows[-1][2]) < float(rows[0][2])

    name, raw = download(page, "export-json")
    model = json.loads(raw)
    assert name.endswith(".json") and model["config"]["dataset"] == "xor"
    assert len(model["params"]) == (4 * 5 + 5) + (5 * 3 + 3) + (3 * 1 + 1)

    name, script = download(page, "export-py")
    assert name.endswith(".py")
    path = tmp_path / name
    path.write_bytes(script)
    module = runpy.run_path(str(path))
    points = np.random.default_rng(1).uniform(-6, 6, (200, 2))
    trainer = Trainer.from_state(saved_state(page, server))
    assert np.allclose(module["predict"](points), trainer.predict(points), rtol=0, atol=1e-9)
    assert module["SIZES"] == [4, 5, 3, 1]


def test_a_saved_model_opens_again(page, tmp_path):
    page.open("?dataset=moons&hidden=5")
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch > 15")
    page.pause()
    name, raw = download(page, "export-json")
    saved = json.loads(raw)
    path = tmp_path / name
    path.write_bytes(raw)
    # change everything, then open the file
    page.click(".thumb[data-dataset='xor']")
    page.click("#add-layer")
    page.wait_for("window.nnp.latest.config.dataset === 'xor' && window.nnp.latest.config.hidden.length === 2")
    page.click("#export-button")
    with page.expect_file_chooser() as chooser:
        page.click("#import-json")
    chooser.value.set_files(str(path))
    page.wait_for("window.nnp.latest.config.dataset === 'moons' && window.nnp.latest.config.hidden.join() === '5'")
    page.wait_for(f"window.nnp.latest.frame.counters.epoch === {saved['epoch']}")
    assert "dataset=moons" in page.url and "hidden=5" in page.url
    assert page.js("window.nnp.latest.history.length") > 5
