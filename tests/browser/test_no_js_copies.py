"""The page retypes no fact the server owns: every default, limit, choice, label, preset, the plane, the frame
layout and the labs' numbers reach it from /spec.js (server/protocol.py spec()). This reads the page's JavaScript
as text and looks for each fact of SPEC written out again; the patterns are built from SPEC itself, so a fact that
changes on the server is still looked for. (Plain Python: no browser.)"""
import re
from decimal import Decimal
from pathlib import Path

import pytest

from nnplayground.server.protocol import spec

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "static" / "js").rglob("*.js"))
SPEC = spec().model_dump(mode="json")
# a quoted name, and a `name: 'text'` or `name: number` pair, in JavaScript source
QUOTED = r"""['"`]{}['"`]"""


def code_only(source: str) -> str:
    """`source` without its comments (strings and template literals kept: a copied fact lives in them)."""
    out, i = [], 0
    while i < len(source):
        if source.startswith("//", i) or source.startswith("/*", i):
            end = source.find("\n" if source[i + 1] == "/" else "*/", i + 2)
            end = len(source) if end < 0 else end + (0 if source[i + 1] == "/" else 2)
            out.append("\n" * source.count("\n", i, end))
            i = end
        elif source[i] in "'\"`":
            end = i + 1
            while end < len(source) and source[end] != source[i]:
                end += 2 if source[end] == "\\" else 1
            out.append(source[i:end + 1])
            i = end + 1
        else:
            out.append(source[i])
            i += 1
    return "".join(out)


def number(value: float) -> str:
    """A regex for `value` as JavaScript source may write it: 6, 6.0, 10_000, 0.999, .999, 1e-8, 1e-08, 0.00000001."""
    value = float(value)
    mantissa, exponent = f"{abs(value):e}".split("e")
    mantissa, exponent = mantissa.rstrip("0").rstrip("."), int(exponent)
    spellings = [rf"{re.escape(mantissa)}e{'-' if exponent < 0 else '[+]?'}0*{abs(exponent)}"]
    if value.is_integer():
        spellings.append(re.sub(r"\B(?=(\d{3})+$)", "_?", str(int(abs(value)))) + r"(?:\.0+)?")
    else:
        plain = format(Decimal(repr(abs(value))), "f")
        spellings.append(re.escape(plain) if abs(value) >= 1 else "0?" + re.escape(plain[1:]))
    return rf"(?<![\w.]){'-' if value < 0 else ''}(?:{'|'.join(spellings)})(?![\w.])"


def lists_of(names):
    """A check: an array literal (on one or more lines) that quotes all of `names`, or all but one of a long list
    (a few of them together may be code's own: the bounded activations, a lesson's optimizers)."""
    names = set(names)
    least = len(names) if len(names) <= 3 else max(3, len(names) - 1)

    def check(code: str):
        for literal in re.finditer(r"\[[^\[\]]*\]", code):
            quoted = set(re.findall(r"""['"`]([\w-]+)['"`]""", literal.group(0))) & names
            if len(quoted) >= least:
                yield f"the list {sorted(quoted)}"
    return check


def pairs_of(mapping, least=1):
    """A check: `least` or more `key: value` pairs of `mapping` written out (a label, a default, a data set)."""
    patterns = {f"{key}: {value!r}": re.compile(
        rf"(?<![\w.]){re.escape(key)}['\"]?\s*:\s*" + (QUOTED.format(re.escape(value)) if isinstance(value, str)
                                                       else number(value))) for key, value in mapping.items()}

    def check(code: str):
        found = [name for name, pattern in patterns.items() if pattern.search(code)]
        if len(found) >= least:
            yield f"the pairs {found}"
    return check


def runs_of(values, least):
    """A check: `least` or more of `values` in a row, as a list of numbers (a menu's presets)."""
    def check(code: str):
        for start in range(len(values) - least + 1):
            run = r"\s*,\s*".join(number(v) for v in values[start:start + least])
            if re.search(run, code):
                yield f"the numbers {values[start:start + least]}"
                return
    return check


def matches(pattern: str, what: str):
    def check(code: str):
        if re.search(pattern, code):
            yield what
    return check


def checks() -> dict:
    """What a copy of each fact looks like, keyed by the fact."""
    extent, scale, frame = SPEC["plane"]["extent"], SPEC["plane"]["feature_scale"], SPEC["frame"]
    e, s = number(extent), number(scale)
    choices, labels = SPEC["choices"], SPEC["labels"]
    out = {
        "frame.magic": matches(QUOTED.format(f"(?:{frame['magic']}|{frame['race_magic']})"), "a frame magic"),
        "frame.magic bytes": matches(r",\s*".join(hex(ord(c)) for c in frame["magic"][:3]), "the magic's bytes"),
        "frame.block_order": lists_of(frame["block_order"]),
        "frame.levels": matches(rf"/\s*\(?\s*{number(frame['levels'])}", f"a map code divided by {frame['levels']}"),
        "plane.extent": matches(rf"(?i)extent\w*\s*=\s*{e}|[-−]\s*{e}\s*(?:,|to)\s*{e}|\(\s*[-−]\s*{e}\s*\+",
                                f"the plane's extent {extent}"),
        "plane.feature_scale": matches(rf"x[12]\s*\)?\s*/\s*{s}|\)\s*/\s*{s}\s*,", f"a feature divided by {scale}"),
        "leaky_slope": matches(rf"(?i)leaky\w*\s*=\s*{number(SPEC['leaky_slope'])}|{number(SPEC['leaky_slope'])}\s*\*\s*z\b",
                               "the leaky slope"),
        "default_datasets": pairs_of(SPEC["default_datasets"], least=2),
        "optimizer defaults": pairs_of({k: v for o in SPEC["optimizers"].values() for k, v in
                                        ((k, x["default"]) for k, x in o["settings"].items()) if k != "learning_rate"}),
        "optimizer settings": matches(r"(?<![\w.])sgd\s*:\s*\[\s*\]", "a table of the settings each optimizer reads"),
        "limits": matches("|".join(number(max(lim) if isinstance(lim, list) else lim) for lim in
                                   (SPEC["limits"][key] for key in ("seed", "csv_bytes", "weight", "max_params"))),
                          "the largest seed, CSV file, weight or parameter count"),
    }
    for name, names in (("features", choices["features"]), ("optimizers", choices["optimizers"]),
                        ("tasks", choices["tasks"]), ("datasets", choices["datasets"]),
                        ("activations", choices["activations"]["output"]), ("inits", choices["inits"]),
                        ("regularizations", choices["regularizations"])):
        out[f"choices.{name}"] = lists_of(list(names))
    for kind, mapping in labels.items():
        out[f"labels.{kind}"] = pairs_of(mapping)
    for name, values in SPEC["presets"].items():
        # five in a row (or a whole short menu): four may be a chart's 1, 2, 5, 10 ticks
        out[f"presets.{name}"] = runs_of(values, least=min(5, len(values)))
    return out


CHECKS = checks()


def copies(code: str) -> list[str]:
    return [f"{fact}: {what}" for fact, check in CHECKS.items() for what in check(code)]


def test_the_guard_sees_each_kind_of_copy():
    """Each check finds the copy it is for (the ones this page once had), and passes the code that reads SPEC."""
    pasted = {
        "frame.magic": "const MAGIC = 'NNP1';",
        "frame.magic bytes": "const MAGIC = [0x4e, 0x4e, 0x50, 0x31];",
        "frame.block_order": "const BLOCK_ORDER = ['output', 'units', 'inputs', 'focus'];",
        "frame.levels": "return m.lo + (m.q[i] / 255) * (m.hi - m.lo);",
        "plane.extent": "const EXTENT = 6;",
        "plane.feature_scale": "x1sq: (a) => (a * a) / 6,",
        "leaky_slope": "const LEAKY_SLOPE = 0.1;",
        "default_datasets": "const GENERATED = { binary: 'circle', multiclass: 'spiral3', regression: 'plane' };",
        "optimizer defaults": "const DEFAULTS = { momentum: 0.9, beta1: 0.9, beta2: 0.999, rho: 0.9, epsilon: 1e-8 };",
        "optimizer settings": "const OPTIMIZER_SETTINGS = { sgd: [], momentum: ['momentum'] };",
        "limits": "if (v >= 0 && v <= 2147483647) state.set({ seed: v });",
        "choices.features": "export const FEATURE_NAMES = ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2'];",
        "choices.tasks": "const order = ['binary', 'multiclass', 'regression'];",
        "labels.optimizers": "const SHORT = { sgd: 'Gradient descent', adam: 'Adam' };",
        "labels.settings": "const CAPTIONS = { momentum: 'Momentum μ', huber_delta: 'Huber δ' };",
        "presets.learning_rate": "const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];",
        "presets.batch_size": "const BATCHES = [1, 2, 5, 10, 20, 30, 50, 100, 10000];",
    }
    for fact, line in pasted.items():
        assert any(found.startswith(f"{fact}:") for found in copies(code_only(line))), (fact, line)
    reading = ("import { SPEC } from '/spec.js';\nconst EXTENT = SPEC.plane.extent;\n"
               "const TICKS = [-EXTENT, -EXTENT / 2, 0, EXTENT / 2, EXTENT];\n"
               "// the old header: \"NNP1\", u32 seq; 0.1 * z for leaky ReLU\n")
    assert copies(code_only(reading)) == []


def test_the_guard_reads_every_module():
    assert len(SCRIPTS) > 40 and all(path.stat().st_size for path in SCRIPTS)


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT / "static" / "js")))
def test_no_module_retypes_a_server_fact(path):
    found = copies(code_only(path.read_text()))
    assert not found, f"{path.relative_to(ROOT)} retypes what /spec.js gives (import SPEC instead): " + "; ".join(found)
