"""Every error code the server can send is declared in protocol.ERROR_CODES, and every declared code is sent
somewhere: read from the source, where each refusal is built (ProtocolError, ApiError, error_message, the guard's
_refuse, Outcome.error, the socket's refuse)."""
import ast
from pathlib import Path

import pytest
from pydantic import ValidationError

from nnplayground.server.protocol import ERROR_CODES, error_message

SERVER = Path(__file__).resolve().parents[2] / "server"
CODE_ARGUMENT = {"ProtocolError": 0, "ApiError": 1, "error_message": 0, "_refuse": 4, "error": 1, "refuse": 0}


def constants(node: ast.AST, assigned: dict) -> set[str]:
    """The strings `node` can be: a literal, either branch of `a if c else b`, or what a local name was set to."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return constants(node.body, assigned) | constants(node.orelse, assigned)
    if isinstance(node, ast.Name):
        return set().union(*(constants(value, assigned) for value in assigned.get(node.id, [])))
    return set()


def emitted_codes() -> dict[str, set[str]]:
    """code → the files that send it."""
    found: dict[str, set[str]] = {}
    for path in sorted(SERVER.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for function in [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]:
            assigned: dict[str, list] = {}
            for node in ast.walk(function):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            assigned.setdefault(target.id, []).append(node.value)
            for node in ast.walk(function):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name not in CODE_ARGUMENT:
                    continue
                where = CODE_ARGUMENT[name]
                argument = node.args[where] if len(node.args) > where else next(
                    (k.value for k in node.keywords if k.arg == "code"), None)
                for code in constants(argument, assigned) if argument is not None else ():
                    found.setdefault(code, set()).add(str(path.relative_to(SERVER.parent)))
    return found


def test_every_code_the_server_sends_is_declared_and_every_declared_code_is_sent():
    found = emitted_codes()
    undeclared = {code: files for code, files in found.items() if code not in ERROR_CODES}
    assert not undeclared, f"add these to protocol.ERROR_CODES: {undeclared}"
    assert set(found) == set(ERROR_CODES), f"declared but never sent: {set(ERROR_CODES) - set(found)}"
    assert {"no_session", "bad_host", "cross_site", "join_required", "rate_limited"} <= set(found)


def test_an_undeclared_code_cannot_be_built():
    assert error_message("no_session", "send the token")["code"] == "no_session"
    with pytest.raises(ValidationError):
        error_message("made_up", "nobody declared this")
