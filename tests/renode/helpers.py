"""Helpers for tests/renode (a unique module name: every test directory has a conftest)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

MODELS = sorted((REPO / "renode" / "models").rglob("*.cs"))
STUBS = sorted((REPO / "renode" / "stubs").glob("*.cs"))
INSTALL_HINT = "install Debian's mono-complete (`make setup` does: scripts/setup.sh)"


def mcs_compile(sources: list[Path], out: Path, library: bool) -> subprocess.CompletedProcess[str]:
    """Compile with mono's C# compiler; mcs speaks C# 7, a subset of Renode's Roslyn C# 12."""
    mcs = shutil.which("mcs")
    if mcs is None:
        pytest.fail(f"mcs (mono's C# compiler) not found: {INSTALL_HINT}", pytrace=False)
    cmd = [mcs, "-nologo", "-warnaserror+", "-nowarn:0414,0649,0169", f"-out:{out}",
           "-target:library" if library else "-target:exe", *map(str, sources)]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)



def run_driver(exe: Path, tables: list[Path]) -> subprocess.CompletedProcess[str]:
    mono = shutil.which("mono")
    if mono is None:
        pytest.fail(f"mono not found: {INSTALL_HINT}", pytrace=False)
    return subprocess.run([mono, str(exe), *map(str, tables)], capture_output=True, text=True, check=False,
                          timeout=120)
