"""The house rule a newcomer relies on: no function of the product (Python or the page's JavaScript) runs past
100 lines, so each can be read on one screen."""
import ast
import bisect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LONGEST = 100
PYTHON = sorted([*ROOT.glob("*.py"), *ROOT.glob("engine/*.py"), *ROOT.glob("server/**/*.py"),
                 *ROOT.glob("benchmarks/*.py")])
JAVASCRIPT = sorted(ROOT.glob("static/js/**/*.js"))
# where a JavaScript function body opens: `function f(…) {`, `(…) => {`, or a method `name(…) {`
JS_BODY = re.compile(r"function\b[^{;]*\)\s*\{|=>\s*\{|^\s*(?:async\s+)?(?!if\b|for\b|while\b|switch\b|catch\b)"
                     r"[A-Za-z_$][\w$]*\s*\([^()]*\)\s*\{", re.M)


def python_functions(source: str):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.lineno, node.end_lineno - node.lineno + 1


def code_only(source: str) -> str:
    """`source` with comments and the insides of strings and template literals blanked (line breaks kept)."""
    out, i = [], 0
    while i < len(source):
        if source.startswith("//", i):
            end = source.find("\n", i)
            end = len(source) if end < 0 else end
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            end = len(source) if end < 0 else end + 2
        elif source[i] in "\"'`":
            end = i + 1
            while end < len(source) and source[end] != source[i]:
                end += 2 if source[end] == "\\" else 1
            end += 1
        else:
            out.append(source[i])
            i += 1
            continue
        out.append(re.sub(r"[^\n]", " ", source[i:end]))
        i = end
    return "".join(out)


def javascript_functions(source: str):
    code = code_only(source)
    line_starts = [0] + [m.end() for m in re.finditer("\n", code)]
    for match in JS_BODY.finditer(code):
        depth, opened = 0, match.end() - 1
        for end in range(opened, len(code)):
            depth += {"{": 1, "}": -1}.get(code[end], 0)
            if depth == 0:
                break
        first, last = bisect.bisect_right(line_starts, opened), bisect.bisect_right(line_starts, end)
        yield match.group(0).strip()[:40], first, last - first + 1


def test_the_scanners_see_functions_in_both_languages():
    assert sum(1 for path in PYTHON for _ in python_functions(path.read_text())) > 300
    assert sum(1 for path in JAVASCRIPT for _ in javascript_functions(path.read_text())) > 300
    long_js = "function long() {\n  const s = '}';  // }\n" + "  work();\n" * 119 + "}\nconst t = `{`;\n"
    assert [(name, length) for name, _, length in javascript_functions(long_js)] == [("function long() {", 122)]


@pytest.mark.parametrize("path", PYTHON + JAVASCRIPT, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_runs_past_100_lines(path):
    scan = python_functions if path.suffix == ".py" else javascript_functions
    too_long = [f"{name} at line {line}: {length} lines" for name, line, length in scan(path.read_text())
                if length > LONGEST]
    assert not too_long, f"{path.relative_to(ROOT)}: split " + "; ".join(too_long)
