"""Fixtures for the Renode-side checks: the C# models built with mcs against the stubs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # renode_helpers, renode_shim, tables

from renode_helpers import HERE, MODELS, STUBS, mcs_compile


@pytest.fixture(scope="session")
def driver_exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The C# models + stubs + the table driver, as one mono executable."""
    out = tmp_path_factory.mktemp("csharp") / "driver.exe"
    proc = mcs_compile([*STUBS, *MODELS, HERE / "csharp" / "Driver.cs"], out, library=False)
    if proc.returncode != 0:
        pytest.fail(f"C# models do not compile:\n{proc.stdout}{proc.stderr}", pytrace=False)
    return out

