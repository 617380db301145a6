"""Fixtures for the peripheral tests (helpers live in periph_helpers.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from periph_helpers import build_chip

from rp2350_emu.time.scheduler import Scheduler


@pytest.fixture
def sched() -> Scheduler:
    return Scheduler()


@pytest.fixture
def chip(sched: Scheduler) -> SimpleNamespace:
    return build_chip(sched)
