"""Fixtures for the insight tests (the firmware images come from tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def repl() -> Path:
    return ROOT / "platforms" / "boards" / "pico2.repl"
