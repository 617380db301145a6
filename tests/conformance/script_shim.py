"""A CPython stand-in for Renode's PythonPeripheral, to run renode/peripherals/*.py here.

What it mimics (renode-infrastructure src/Emulator/Main/Peripherals/Python/
PythonPeripheral.cs and PeripheralPythonEngine.cs): the script is compiled once
and the *whole file* runs on every event in one persistent scope; globals
`request`, `self`, `size`, `LogLevel` (and a few more Renode provides); the
request's fields are .NET properties, so PascalCase: IsInit, IsRead, IsWrite,
IsUser, Value, Offset, Length, Type, Absolute, Counter. An INIT request runs
lazily before the first access when `initable`, and again on every reset.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

# Nodes a Python 2.7 interpreter (Renode's IronPython) cannot run, or runs
# differently; the scripts must stay in the subset both languages share.
_PY3_ONLY: dict[type, str] = {
    ast.JoinedStr: "f-string",
    ast.AnnAssign: "annotated assignment",
    ast.AsyncFunctionDef: "async def",
    ast.Await: "await",
    ast.AsyncFor: "async for",
    ast.AsyncWith: "async with",
    ast.Nonlocal: "nonlocal",
    ast.YieldFrom: "yield from",
    ast.NamedExpr: "walrus operator",
    ast.MatMult: "@ operator",
    ast.Div: "/ (floor division in Python 2 for ints: write //)",
}
if hasattr(ast, "Match"):
    _PY3_ONLY[ast.Match] = "match statement"


def py27_problems(source: str, filename: str = "<script>") -> list[str]:
    """`file:line: what` for every construct outside the Python 2.7 / 3 common subset."""
    tree = ast.parse(source, filename)
    problems = []
    for node in ast.walk(tree):
        what = _PY3_ONLY.get(type(node))
        line = getattr(node, "lineno", None)
        if what is None and isinstance(node, ast.arguments):
            if node.kwonlyargs or node.posonlyargs:
                what = "keyword-only or positional-only parameters"
            elif any(a.annotation for a in node.args + [x for x in (node.vararg, node.kwarg) if x]):
                what = "parameter annotation"
        elif what is None and isinstance(node, (ast.FunctionDef, ast.Lambda)) \
                and getattr(node, "returns", None) is not None:
            what = "return annotation"
        elif what is None and isinstance(node, ast.Starred) and isinstance(node.ctx, ast.Store):
            what = "starred assignment"
        elif what is None and isinstance(node, ast.Raise) and node.cause is not None:
            what = "raise ... from"
        elif what is None and isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "print":
                what = "print() (a statement in Python 2)"
            elif node.func.id == "super" and not node.args:
                what = "super() without arguments"
        if what is not None:
            if line is None:  # operators carry no position: report the enclosing expression's
                line = next((getattr(p, "lineno", None) for p in ast.walk(tree)
                             if node in ast.iter_child_nodes(p)), 0)
            problems.append(f"{filename}:{line}: {what} is not Python 2.7")
    return problems


class PythonRequest:
    """Renode's PeripheralPythonEngine.PythonRequest, property names as in C#."""

    READ, WRITE, INIT, USER = "READ", "WRITE", "INIT", "USER"

    def __init__(self) -> None:
        self.Value = 0
        self.Length = 4
        self.Type = self.INIT
        self.Offset = 0
        self.Absolute = 0
        self.Counter = 0

    @property
    def IsInit(self) -> bool:
        return self.Type == self.INIT

    @property
    def IsRead(self) -> bool:
        return self.Type == self.READ

    @property
    def IsWrite(self) -> bool:
        return self.Type == self.WRITE

    @property
    def IsUser(self) -> bool:
        return self.Type == self.USER


class _LogLevel:
    Noisy, Debug, Info, Warning, Error = range(-1, 4)


class _Self:
    """The `self` global: the peripheral object, here only its logging."""

    def __init__(self) -> None:
        self.logged: list[tuple[int, str]] = []

    def Log(self, level: int, message: str, *args: Any) -> None:
        self.logged.append((level, message % args if args else message))


class ScriptPeripheral:
    """One PythonPeripheral running `path`; `read`/`write` are bus accesses."""

    def __init__(self, path: str | Path, size: int, initable: bool = True, base: int = 0) -> None:
        self.path = Path(path)
        source = self.path.read_text(encoding="utf-8")
        self.code = compile(source, str(self.path), "exec")
        self.size, self.initable, self.base = size, initable, base
        self.request = PythonRequest()
        self.self = _Self()
        self.scope: dict[str, Any] = {"request": self.request, "self": self.self, "size": size,
                                      "LogLevel": _LogLevel, "logger": self.self}
        self._inited = False

    def _run(self, kind: str, offset: int = 0, value: int = 0, length: int = 4) -> int:
        req = self.request
        req.Type, req.Offset, req.Value, req.Length = kind, offset, value, length
        req.Absolute = self.base + offset
        req.Counter += 1
        exec(self.code, self.scope)  # noqa: S102 - the point: run the script as Renode does
        return int(req.Value) & ((1 << (8 * length)) - 1)

    def _ensure_init(self) -> None:
        if self.initable and not self._inited:
            self._run(PythonRequest.INIT)
            self._inited = True

    def read(self, offset: int, size: int = 4) -> int:
        self._ensure_init()
        return self._run(PythonRequest.READ, offset, 0, size)

    def write(self, offset: int, value: int, size: int = 4) -> None:
        self._ensure_init()
        self._run(PythonRequest.WRITE, offset, value & ((1 << (8 * size)) - 1), size)

    def reset(self) -> None:
        self._inited = False  # Renode re-runs INIT on reset (lazily here: same observable values)
