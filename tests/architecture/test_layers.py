"""The package's structure holds: layers import only downward, no import cycles, small modules.

The layers are declared once, in pyproject.toml's import-linter contract;
these tests run that contract and show it catches an upward import, and
look for cycles the contract cannot see (inside one layer, lazy imports and
TYPE_CHECKING imports included).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "src" / "rp2350_emu"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 400

FIND_CYCLES = """
import sys, grimp
graph = grimp.build_graph("rp2350_emu", exclude_type_checking_imports=False)
modules = sorted(graph.modules)
edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)
def visit(v):
    index[v] = low[v] = counter[0]; counter[0] += 1
    stack.append(v); on_stack.add(v)
    for w in edges[v]:
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on_stack:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        group = []
        while True:
            w = stack.pop(); on_stack.discard(w); group.append(w)
            if w == v:
                break
        if len(group) > 1 or v in edges[v]:
            found.append(sorted(group))
for m in modules:
    if m not in index:
        visit(m)
for group in found:
    print(" <-> ".join(group))
"""


def _cycles(pythonpath: Path) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", FIND_CYCLES], capture_output=True, text=True, check=False,
                          env={"PYTHONPATH": str(pythonpath), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def _lint_imports(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(REPO / "pyproject.toml")],
                          cwd=cwd, capture_output=True, text=True, check=False, timeout=300,
                          env={"PYTHONPATH": str(pythonpath), "PATH": "/usr/bin:/bin"})


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of the package on its own import path, to break on purpose."""
    shutil.copytree(PACKAGE, tmp_path / "rp2350_emu", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_layers_contract_holds() -> None:
    proc = _lint_imports(REPO, REPO / "src")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 kept, 0 broken" in proc.stdout


def test_the_contract_catches_an_upward_import(package_copy: Path) -> None:
    nvic = package_copy / "rp2350_emu" / "core" / "nvic.py"
    nvic.write_text(nvic.read_text() + "\n\ndef _upward() -> None:\n    from rp2350_emu.cli import main  # noqa\n")
    proc = _lint_imports(package_copy, package_copy)
    assert proc.returncode == 1
    assert "rp2350_emu imports only downward BROKEN" in proc.stdout
    assert "rp2350_emu.core.nvic -> rp2350_emu.cli" in proc.stdout


def test_there_is_no_import_cycle() -> None:
    assert _cycles(REPO / "src") == []


def test_a_type_checking_cycle_is_found(package_copy: Path) -> None:
    scb = package_copy / "rp2350_emu" / "core" / "nvic.py"
    scb.write_text(scb.read_text().replace(
        "from rp2350_emu.mmio.register import Register\n",
        "from typing import TYPE_CHECKING\n\nfrom rp2350_emu.mmio.register import Register\n\n"
        "if TYPE_CHECKING:\n    from rp2350_emu.core.scb import Scb  # noqa: F401\n", 1))
    assert _cycles(package_copy) == ["rp2350_emu.core.nvic <-> rp2350_emu.core.scb"]


def test_no_module_is_over_400_lines() -> None:
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_each_csharp_file_holds_one_model() -> None:
    models = {}
    for cs in (REPO / "renode" / "models").rglob("*.cs"):
        text = cs.read_text()
        models[cs.name] = text.count(" : RP2350Block") + text.count(" : BaseGPIOPort") + \
            text.count(" : PythonPeripheral")
    assert {name: n for name, n in models.items() if n > 1} == {}
    assert sum(models.values()) >= 12  # every model is counted somewhere


def test_the_soc_compiles_every_model_file() -> None:
    """The sysbus preinit of the SoC lists exactly the files under renode/models (Renode compiles those)."""
    soc = (REPO / "platforms" / "cpus" / "rp2350.repl").read_text()
    listed = {line.removeprefix("@../../") for line in soc.split() if line.startswith("@../../renode/models/")}
    on_disk = {str(p.relative_to(REPO)) for p in (REPO / "renode" / "models").rglob("*.cs")}
    assert listed == on_disk
