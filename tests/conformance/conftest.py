"""The C# side of the tables: the models, the Renode API stubs and the table driver, as one mono executable."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.renode.helpers import MODELS, STUBS, mcs_compile

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def driver_exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The C# models + stubs + the table driver, as one mono executable."""
    out = tmp_path_factory.mktemp("csharp") / "driver.exe"
    proc = mcs_compile([*STUBS, *MODELS, HERE / "csharp" / "Driver.cs"], out, library=False)
    if proc.returncode != 0:
        pytest.fail(f"C# models do not compile:\n{proc.stdout}{proc.stderr}", pytrace=False)
    return out
