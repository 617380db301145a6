"""Session-wide fixtures shared by every test directory, and the `firmware` marker.

Every test that needs the real firmware build (it uses the `firmware`
fixture, directly or through another fixture) is marked `firmware`, so
`pytest -m "not firmware"` is the fast loop that builds nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GUESTS = ("blinky", "button", "uart-echo", "trap", "compute", "servo", "loader")
# The busywait flavour's images (build/busywait/, `make firmware FLAVOUR=busywait`)
BUSYWAIT = ("blinky", "button", "uart-echo", "trap", "compute", "servo", "loader")
# Fixtures that run a firmware build: a test using one is marked `firmware`.
BUILD_FIXTURES = {"firmware", "firmware_busywait", "hostile_guests"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BUILD_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.firmware)


@pytest.fixture(scope="session")
def firmware() -> dict[str, Path]:
    """The real firmware images, built (or brought up to date) by `make`.

    Make decides what is stale, so a warm tree costs a fraction of a second;
    a failed build fails the tests that need it, with the build's output.
    With RP2350_EMU_PREBUILT=1 the images in build/ are used as they are
    (a missing one fails), e.g. while firmware sources are being edited.
    """
    if os.environ.get("RP2350_EMU_PREBUILT") == "1":
        images = {g: REPO / "build" / f"{g}.elf" for g in GUESTS}
        missing = [str(p) for p in images.values() if not p.is_file()]
        if missing:
            pytest.fail(f"RP2350_EMU_PREBUILT=1 but missing: {', '.join(missing)} (run `make firmware`)",
                        pytrace=False)
        return images
    _make(*(f"build/{g}.elf" for g in GUESTS))
    return {g: REPO / "build" / f"{g}.elf" for g in GUESTS}


def _make(*targets: str) -> None:
    proc = subprocess.run(
        ["make", "--no-print-directory", *targets],
        check=False, cwd=REPO, capture_output=True, text=True,
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
        pytest.fail(f"`make {' '.join(targets)}` failed (exit {proc.returncode}):\n{tail}", pytrace=False)


@pytest.fixture(scope="session")
def firmware_busywait(firmware: dict[str, Path]) -> dict[str, Path]:
    """The busywait flavour's images (build/busywait/*.elf), built by make (or as they are, as above)."""
    images = {g: REPO / "build" / "busywait" / f"{g}.elf" for g in BUSYWAIT}
    if os.environ.get("RP2350_EMU_PREBUILT") == "1":
        missing = [str(p) for p in images.values() if not p.is_file()]
        if missing:
            pytest.fail(f"RP2350_EMU_PREBUILT=1 but missing: {', '.join(missing)} "
                        "(run `make firmware FLAVOUR=busywait`)", pytrace=False)
        return images
    _make("FLAVOUR=busywait", *(f"build/busywait/{g}.elf" for g in BUSYWAIT))
    return images


@pytest.fixture(scope="session")
def hostile_guests(firmware: dict[str, Path]) -> Path:
    """build/hostile/: the hostile-guest battery as loader packages (`make hostile`)."""
    _make("build/.hostile-stamp")
    return REPO / "build" / "hostile"


@pytest.fixture(scope="session")
def elf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small test images of tests/elf, built once per session with
    arm-none-eabi-gcc (a missing toolchain fails: these tests must not pass
    by doing nothing)."""
    missing = [tool for tool in ("make", "arm-none-eabi-gcc") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: the tests build their ELFs "
                    "(apt install make gcc-arm-none-eabi; `make setup` does)")
    out = tmp_path_factory.mktemp("elf")
    result = subprocess.run(["make", "-s", "-C", str(REPO / "tests" / "elf"), f"OUT={out}"],
                            capture_output=True, text=True, check=False, timeout=300)
    if result.returncode:
        pytest.fail(f"building the test ELFs failed:\n{result.stdout}{result.stderr}")
    return out
