"""Exports download: the map as PNG, the loss history as CSV, the model as JSON, and a NumPy script whose
predictions equal the engine's for the same weights. A script is data, never code: names from an uploaded CSV file
reach it only as string literals."""
import ast
import csv
import io
import json
import runpy
import struct
import subprocess
import sys
import tokenize
import unicodedata
import urllib.request

import numpy as np

from nnplayground.engine import Trainer


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
    # one loss row per frame, ten epochs a frame at the default speed: past epoch 100 the history has ten rows
    page.wait_for("window.nnp.latest.frame.counters.epoch > 100")
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


# Strings for pyString: quotes, backslashes, escapes Python would read, every code unit below U+0300 between two
# letters, separators, format characters, lone surrogates, astral characters, and 500 random strings of code units.
LITERAL_CASES = r"""() => import('/static/js/playground/export.js').then(({ pyString }) => {
    const texts = ['', ' ', '"', "'", '\\', 'back\\', '"'.repeat(3), "'".repeat(3), '\\"', '\\N{BULLET}', '\\x41',
      '{x}', '%s', 'a\nb', '\r\n', '\t', '\0', '\x7f', '\x85', '\xa0', '\u2028', '\u2029', '\u200b', '\u202e', '\ufeff',
      '\ue000', '\uffff', '\ud800', '\udfff', 'x\udc00\ud800y', '\u{1F600}', '\u{10FFFF}', '\u{E0001}', '\u{F0000}',
      'höhe ∑ 日本', '__import__("os").system("x")'];
    for (let code = 0; code < 0x300; code++) texts.push(`a${String.fromCharCode(code)}b`);
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 500; i++) {
      let text = '';
      for (let j = Math.floor(next() * 16); j > 0; j--) text += String.fromCharCode(Math.floor(next() * 0x10000));
      texts.push(text);
    }
    return texts.map((t) => [Array.from({ length: t.length }, (_, k) => t.charCodeAt(k)), pyString(t)]);
})"""


def test_python_string_literals_hold_any_text(page):
    page.open()
    cases = page.js(LITERAL_CASES)
    assert len(cases) > 1000
    for units, literal in cases:
        text = struct.pack(f"<{len(units)}H", *units).decode("utf-16-le", "surrogatepass")
        # one line of visible text: no control character, separator or surrogate left as it is
        assert all(unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in literal), ascii(literal)
        node = ast.parse(literal, mode="eval").body
        assert isinstance(node, ast.Constant) and node.value == text, (ascii(text), ascii(literal))


# An uploaded CSV file whose names are hostile but allowed: quotes that would close a docstring or a string,
# backslashes, a comment sign, Python code, a direction override and other unicode.
HOSTILE_FEATURES = ['"""+__import__("pathlib").Path("pwned_docstring").touch()+"""',
                    "'''#\\'; __import__('pathlib').Path('pwned_comment').touch() #\\",
                    "höhe ∑ 😀 \u202e\u200b\u00a0 x\\y"]
HOSTILE_LABEL = "kind\"\"\"'''\\"
HOSTILE_CLASSES = ['"""+__import__("pathlib").Path("pwned_class").touch()+"""', "back\\slash\\", "日本\u202e'#"]
MARKERS = ("pwned", "pathlib", "touch", "höhe", "日本", "slash", "😀")


def hostile_csv() -> tuple[str, np.ndarray]:
    """The file's text and its feature rows, in file order."""
    rows = np.array([[i * 0.5, (i * 7) % 13, (i * 3) % 5 + 0.25] for i in range(60)])
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow([*HOSTILE_FEATURES, HOSTILE_LABEL])
    for i, row in enumerate(rows):
        writer.writerow([*(repr(float(v)) for v in row), HOSTILE_CLASSES[(i // 3) % 3]])
    return out.getvalue(), rows


DRIVER = """import json, runpy, sys
import numpy as np
module = runpy.run_path(sys.argv[1], run_name="__main__")
answer = {"columns": module["COLUMNS"], "class_names": module["CLASS_NAMES"],
          "predictions": module["predict"](np.load(sys.argv[2])).tolist()}
with open(sys.argv[3], "w") as f:
    json.dump(answer, f)
"""


def test_names_from_a_csv_file_reach_the_numpy_script_only_as_string_literals(page, server, tmp_path):
    text, rows = hostile_csv()
    upload = tmp_path / "upload"
    upload.mkdir()
    (upload / "hostile.csv").write_text(text, encoding="utf-8")
    page.open()
    page.set_input_files("#csv-file", str(upload / "hostile.csv"))
    page.wait_for("document.querySelector('#csv-dialog').open")
    headers = page.js("[...document.querySelectorAll('#csv-dialog th')].map((t) => t.textContent)")
    assert headers == [*HOSTILE_FEATURES, HOSTILE_LABEL]
    assert page.input_value("#csv-task") == "multiclass"
    page.click("#csv-load")
    page.wait_for("!document.querySelector('#csv-dialog').open && window.nnp.latest.config.dataset === 'csv'")
    assert page.js("window.nnp.latest.data.columns") == HOSTILE_FEATURES
    assert page.js("window.nnp.latest.data.class_names") == sorted(HOSTILE_CLASSES)
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch > 5")
    page.pause()

    name, script = download(page, "export-py")
    source = script.decode("utf-8")
    # the script parses; no name, attribute, call, comment or other code in it holds what the file put there ...
    tree = ast.parse(source)
    identifiers = [getattr(node, field) for node in ast.walk(tree)
                   for field in ("id", "attr", "name", "arg", "asname") if isinstance(getattr(node, field, None), str)]
    assert not [i for i in identifiers if any(m in i for m in MARKERS)]
    outside_literals = [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline)
                        if t.type != tokenize.STRING]
    assert not [t for t in outside_literals if any(m in t for m in MARKERS)]
    # ... and the strings that hold any of it are exactly the names, each one whole literal
    names = HOSTILE_FEATURES + HOSTILE_CLASSES
    strings = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    assert {s for s in strings if any(m in s for m in MARKERS)} == set(names)

    # run it as a program, in a directory of its own: it makes no file and answers as the engine does
    run = tmp_path / "run"
    run.mkdir()
    (run / name).write_bytes(script)
    (run / "driver.py").write_text(DRIVER)
    np.save(run / "rows.npy", rows)
    done = subprocess.run([sys.executable, "driver.py", name, "rows.npy", "answer.json"], cwd=run,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in run.iterdir()) == sorted([name, "driver.py", "rows.npy", "answer.json"])
    answer = json.loads((run / "answer.json").read_text())
    assert answer["columns"] == HOSTILE_FEATURES and answer["class_names"] == sorted(HOSTILE_CLASSES)
    trainer = Trainer.from_state(saved_state(page, server))
    assert np.allclose(answer["predictions"], trainer.predict(trainer.data.points), rtol=0, atol=1e-9)
