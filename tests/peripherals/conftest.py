"""Fixtures for the peripheral tests (helpers live in periph_helpers.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rp2350_emu.time.scheduler import Scheduler
from tests.peripherals.helpers import build_chip


@pytest.fixture
def sched() -> Scheduler:
    return Scheduler()


@pytest.fixture
def chip(sched: Scheduler) -> SimpleNamespace:
    return build_chip(sched)
