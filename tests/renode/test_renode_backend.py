"""The pyrenode3 backend: clear message without pyrenode3/Renode; --engine option."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rp2350_emu.backends import renode as renode_backend
from tests.renode.helpers import REPO


def test_missing_pyrenode3_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyrenode3", None)  # import fails as when not installed
    with pytest.raises(renode_backend.RenodeUnavailable) as err:
        renode_backend.require_renode()
    message = str(err.value)
    assert "pyrenode3, which is not installed" in message
    assert "pip install 'pyrenode3[all] @ git+https://github.com/antmicro/pyrenode3.git'" in message
    assert "PYRENODE_BUILD_DIR" in message and "docs/renode.md" in message


def test_renode_that_cannot_load_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail_import(name: str, *args: object, **kwargs: object) -> object:
        if name == "pyrenode3":
            raise RuntimeError("Renode not found")
        return real_import(name, *args, **kwargs)

    real_import = __builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__
    monkeypatch.delitem(sys.modules, "pyrenode3", raising=False)
    monkeypatch.setattr("builtins.__import__", fail_import)
    with pytest.raises(renode_backend.RenodeUnavailable, match=r"could not load Renode \(Renode not found\)"):
        renode_backend.require_renode()


def test_engine_renode_fixture_fails_with_the_install_message(tmp_path: Path) -> None:
    (tmp_path / "test_it.py").write_text(textwrap.dedent("""
        def test_boot(renode_machine):
            pass
    """))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--engine", "renode",
                           f"--rootdir={REPO}", str(tmp_path / "test_it.py")],
                          capture_output=True, text=True, check=False, cwd=tmp_path)
    if "pyrenode3" in sys.modules or proc.returncode == 0:
        pytest.skip("pyrenode3 and Renode are installed here")
    assert proc.returncode == 1 and "pyrenode3, which is not installed" in proc.stdout


def test_builtin_engine_skips_the_renode_fixture(tmp_path: Path) -> None:
    (tmp_path / "test_it.py").write_text("def test_boot(renode_machine):\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path / "test_it.py")],
                          capture_output=True, text=True, check=False, cwd=tmp_path)
    assert proc.returncode == 0 and "1 skipped" in proc.stdout
