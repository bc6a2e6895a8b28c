"""Your own data end to end: preview a CSV file with a few bad rows, choose the label and input columns, see which
rows will be and were left out (row and column named), train on the rest, export the model."""
import json
import runpy
from pathlib import Path

import numpy as np

from nnplayground.engine import Trainer

FACTS = "import('/static/js/shared/progress.js').then((m) => new Promise((r) => m.onFacts((f) => r({ ...f }))))"

GOOD = [(150 + (i * 7) % 40, 45 + (i * 11) % 50) for i in range(40)]
ROWS = [f"{h},{w},{'heavy' if w > 70 else 'light'},{i % 3}" for i, (h, w) in enumerate(GOOD)]
ROWS[20:20] = ["172,lots,heavy,1", "168,60", "175,80,,2"]
CSV = "height,weight,kind,group\n" + "\n".join(ROWS) + "\n"
# the three bad rows sit after 20 good ones: rows 22, 23 and 24 of the file (the header is row 1)


def test_a_csv_file_with_bad_rows_trains_on_the_rest_and_exports(page, tmp_path: Path):
    page.open()
    path = tmp_path / "people.csv"
    path.write_text(CSV)
    page.set_input_files("#csv-file", str(path))
    page.wait_for("document.querySelector('#csv-dialog').open")

    # the preview: the table, the numeric columns offered as inputs, what will be left out
    headers = page.js("[...document.querySelectorAll('#csv-dialog th')].map((t) => t.textContent)")
    assert headers == ["height", "weight", "kind", "group"]
    assert "43 rows" in page.inner_text(".csv-file") and "4 columns" in page.inner_text(".csv-file")
    page.select_option("#csv-label", "2")                      # predict "kind"
    assert page.input_value("#csv-task") == "binary"
    offered = page.js("[...document.querySelectorAll('#csv-features input')].map((b) => [b.value, b.checked])")
    assert offered == [["height", True], ["weight", True], ["group", True]]
    assert "(1 cell is not a number)" in page.inner_text("#csv-features")
    page.uncheck("#csv-features input[value=group]")
    left_out = page.inner_text("#csv-left-out")
    assert left_out.startswith("3 rows will be left out")
    assert "row 22 (weight is not a number)" in left_out and "row 23 (wrong number of cells)" in left_out
    assert "row 24 (no kind)" in left_out

    page.click("#csv-load")
    page.wait_for("!document.querySelector('#csv-dialog').open")
    page.wait_for("window.nnp.latest.config.dataset === 'csv' && !document.querySelector('#csv-report').hidden")
    assert page.js("window.nnp.latest.data.columns") == ["height", "weight"]

    # the report beside the data: rows used, and each refused row with its row number, column and reason
    assert page.inner_text("#csv-rows") == "40" and page.inner_text("#csv-refused-count") == "3"
    refused = page.js("[...document.querySelectorAll('#csv-refused li')].map((li) => li.textContent)")
    assert refused == ["Row 22, column “weight”: 'lots' is not a number.",
                       "Row 23 has 2 cells but the header has 4 columns.",
                       "Row 24, column “kind”: the cell is empty."]
    facts = page.js(FACTS)
    assert facts["csvRows"] == 40 and facts["csvRefused"] == 3

    # train on the rest
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch > 60", timeout=30)
    page.pause()
    assert page.number("#train-score") > 85

    # export the trained model: the file has the CSV data set and the trained weights
    page.click("#export-button")
    with page.expect_download() as info:
        page.click("#export-json")
    model = json.loads(Path(info.value.path()).read_text())
    assert model["config"]["dataset"] == "csv" and model["epoch"] > 60
    assert model["custom"]["columns"] == ["height", "weight"] and len(model["custom"]["labels"]) == 40
    assert np.allclose(model["params"], page.js("[...window.nnp.latest.params]"), rtol=1e-6, atol=1e-6)

    # the NumPy script takes rows of the file as they are (height, weight in their own units) and answers as the
    # trained network does on the scaled inputs it learned from
    page.click("#export-button")
    with page.expect_download() as info:
        page.click("#export-py")
    module = runpy.run_path(info.value.path())
    assert module["COLUMNS"] == ["height", "weight"] and module["CLASS_NAMES"] == ["heavy", "light"]
    raw = np.array(GOOD, dtype=float)
    trainer = Trainer.from_state(model)
    assert np.allclose(module["predict"](raw), trainer.predict(trainer.data.points), rtol=0, atol=1e-9)
    said = [module["CLASS_NAMES"][int(p > 0.5)] for p in module["predict"](raw)[:, 0]]
    truth = ["heavy" if w > 70 else "light" for _, w in GOOD]
    assert np.mean([a == b for a, b in zip(said, truth)]) > 0.85

    # another data set: the report goes away
    page.click(".thumb[data-dataset='xor']")
    page.wait_for("document.querySelector('#csv-report').hidden")
    assert page.js(FACTS)["csvRows"] is None
