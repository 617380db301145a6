"""pytest fixtures over the same testers the Robot keywords use, in virtual time.

Fixtures (all function-scoped, one fresh machine per test):

- ``machine``: booted from a .resc (default ``renode/rp2350.resc`` under the
  rootdir) with ``$bin`` set to the firmware; choose the firmware with
  ``@pytest.mark.rp2350(elf="build/uart-echo.elf")``, ``resc=...`` for another
  script, or ``--rp2350-elf`` / ``--rp2350-resc`` on the command line.
- ``uart``: a terminal tester on ``sysbus.uart0`` (`wait_for_line`,
  `write_line`, `should_not_see`, ...). Timeouts are virtual seconds.
- ``led``: an LED tester on ``sysbus.gpio.led``; ``button``: ``sysbus.gpio.button``.

Nothing runs between calls: time advances inside waits, asserts and
``machine.run_for``. A failing test's report gets a section with every UART
transcript and the pin history.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.harness.board import Board
    from rp2350_emu.harness.devices import Button
    from rp2350_emu.harness.emulation import Emulation
    from rp2350_emu.harness.testers.led import LedTester
    from rp2350_emu.harness.testers.terminal import LineMatch, TerminalTester
    from rp2350_emu.monitor import Monitor

DEFAULT_RESC = "renode/rp2350.resc"
_REPORT_KEY = pytest.StashKey["BoardFixture"]()


def _ns(seconds: float | None) -> int | None:
    from rp2350_emu.time.units import seconds_to_ns

    return None if seconds is None else seconds_to_ns(seconds)


class UartTester:
    """A UART seen through Renode's terminal tester rules (LF ends a line, CR dropped)."""

    def __init__(self, tester: TerminalTester) -> None:
        self.tester = tester

    def wait_for_line(self, pattern: str, timeout: float | None = None, regex: bool = False,
                      include_unfinished: bool = False) -> LineMatch:
        """First line containing `pattern` (or matching it as a regex); consumes it and earlier lines."""
        return self.tester.wait_for_line(pattern, _ns(timeout), regex, include_unfinished)

    def wait_for_prompt(self, prompt: str, timeout: float | None = None) -> LineMatch:
        return self.tester.wait_for_line(prompt, _ns(timeout), include_unfinished=True)

    def next_line(self, timeout: float | None = None) -> LineMatch:
        return self.tester.wait_for_next_line(_ns(timeout))

    def write_line(self, text: str, wait_for_echo: bool = True) -> None:
        """Send `text` + CR; by default wait until the firmware has echoed `text`."""
        self.tester.write_line(text, wait_for_echo)

    def write(self, text: str) -> None:
        self.tester.write(text)

    def should_not_see(self, pattern: str, timeout: float | None = None, regex: bool = False) -> None:
        self.tester.should_not_be_on_uart(pattern, _ns(timeout), regex)

    def assert_idle(self, timeout: float) -> None:
        self.tester.test_if_idle(_ns(timeout) or 0)

    @property
    def transcript(self) -> bytes:
        """Every byte the UART sent since boot (not only since the tester existed)."""
        return bytes(self.tester.port.transcript)


class LedProbe:
    """An LED: its state now, and Renode's LED assertions in virtual seconds."""

    def __init__(self, tester: LedTester) -> None:
        self.tester = tester

    @property
    def state(self) -> bool:
        return self.tester.led.state

    @property
    def changes(self) -> list[tuple[int, bool]]:
        """(virtual ns, new state) for every change since boot."""
        return list(self.tester.led.changes)

    def assert_state(self, state: bool, timeout: float = 0) -> None:
        self.tester.assert_state(state, _ns(timeout))

    def assert_and_hold(self, state: bool, timeout: float, hold: float) -> None:
        self.tester.assert_and_hold(state, _ns(timeout) or 0, _ns(hold) or 0)

    def assert_blinking(self, duration: float, on: float, off: float, tolerance: float = 0.05) -> None:
        self.tester.assert_blinking(_ns(duration) or 0, on, off, tolerance)

    def assert_duty_cycle(self, duration: float, expected: float, tolerance: float = 0.05) -> None:
        self.tester.assert_duty_cycle(_ns(duration) or 0, expected, tolerance)


class ButtonProbe:
    """A push button; `hold` keeps it pressed for a span of virtual time."""

    def __init__(self, machine: BoardFixture, button: Button) -> None:
        self.machine = machine
        self.button = button

    def press(self) -> None:
        self.button.press()

    def release(self) -> None:
        self.button.release()

    def press_and_release(self) -> None:
        self.button.press_and_release()

    def hold(self, seconds: float) -> None:
        self.button.press()
        self.machine.run_for(seconds)
        self.button.release()

    @property
    def pressed(self) -> bool:
        return self.button.pressed


class BoardFixture:
    """What the `machine` fixture yields: the emulation, its monitor, and testers on demand."""

    def __init__(self, emulation: Emulation, monitor: Monitor) -> None:
        self.emulation = emulation
        self.monitor = monitor
        self._uart_testers: list[TerminalTester] = []

    @property
    def handle(self) -> Board:
        return self.emulation.machine()

    @property
    def engine(self) -> Any:
        """The engine's Machine, for anything the harness does not wrap."""
        return self.handle.engine

    @property
    def now_ns(self) -> int:
        return self.handle.now_ns

    def execute(self, command: str) -> str:
        """One monitor command, Renode spelling; returns its output."""
        return self.monitor.execute(command)

    def run_for(self, seconds: float) -> None:
        """Let `seconds` of virtual time pass."""
        self.emulation.start()
        self.emulation.advance(_ns(seconds) or 0)

    def uart(self, name: str = "sysbus.uart0", timeout: float = 8) -> UartTester:
        from rp2350_emu.harness.testers.terminal import TerminalTester

        port = self.handle.uart(name.removeprefix("sysbus."))
        for tester in self._uart_testers:
            if tester.port is port:
                return UartTester(tester)
        tester = TerminalTester(self.emulation, port, _ns(timeout) or 0)
        self._uart_testers.append(tester)
        return UartTester(tester)

    def led(self, name: str = "sysbus.gpio.led", timeout: float = 0) -> LedProbe:
        from rp2350_emu.harness.testers.led import LedTester

        device = self.handle.led(name.split(".")[-1])
        return LedProbe(LedTester(self.emulation, device, _ns(timeout) or 0))

    def button(self, name: str = "sysbus.gpio.button") -> ButtonProbe:
        return ButtonProbe(self, self.handle.button(name.split(".")[-1]))

    def report(self) -> str:
        """UART transcripts and pin history, for failure reports."""
        from rp2350_emu.harness.emulation import state_report

        return state_report(self.emulation, pin_limit=100)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rp2350-emu")
    group.addoption("--rp2350-elf", default=None, help="firmware for the `machine` fixture (sets $bin)")
    group.addoption("--rp2350-resc", default=None, help=f"monitor script that boots the machine "
                    f"(default: {DEFAULT_RESC} under the rootdir)")
    group.addoption("--engine", default="builtin", choices=("builtin", "renode"),
                    help="builtin: rp2350-emu; renode: real Renode through pyrenode3 (the `renode_machine` "
                    "fixture; tests using only builtin fixtures are skipped)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "rp2350(elf=None, resc=None): firmware and script for the `machine` "
                            "fixture of rp2350-emu")


def _boot(request: pytest.FixtureRequest) -> BoardFixture:
    from rp2350_emu.harness.emulation import Emulation
    from rp2350_emu.monitor import Monitor, MonitorError

    options: dict[str, Any] = {}
    for marker in request.node.iter_markers("rp2350"):  # closest first: a test's marker beats its module's
        for key, value in marker.kwargs.items():
            options.setdefault(key, value)
    root = Path(request.config.rootpath)
    elf = options.get("elf") or request.config.getoption("--rp2350-elf")
    resc = options.get("resc") or request.config.getoption("--rp2350-resc") or root / DEFAULT_RESC
    emulation = Emulation()
    monitor = Monitor(emulation, cwd=root)
    hm = BoardFixture(emulation, monitor)
    request.node.stash[_REPORT_KEY] = hm
    try:
        if elf:
            elf_path = Path(elf) if Path(elf).is_absolute() else root / elf
            if not elf_path.is_file():
                pytest.fail(f"firmware {elf_path} is missing: build it with `make firmware`", pytrace=False)
            monitor.execute(f'$bin=@"{elf_path}"')
        resc_path = Path(resc) if Path(resc).is_absolute() else root / resc
        monitor.execute(f'include @"{resc_path}"')
    except MonitorError as exc:
        emulation.close()
        pytest.fail(f"could not boot the machine: {exc}", pytrace=False)
    return hm


@pytest.fixture
def renode_machine(request: pytest.FixtureRequest) -> Any:
    """With --engine renode: a backends.renode.RenodeEngine from platforms/boards/pico2.repl with the
    chosen firmware loaded (paused at time zero). Fails saying what to install without Renode."""
    from rp2350_emu.backends.renode import RenodeEngine, RenodeUnavailable
    from rp2350_emu.platform.paths import DEFAULT_BOARD

    if request.config.getoption("--engine") != "renode":
        pytest.skip("real Renode runs only with --engine renode")
    root = Path(request.config.rootpath)
    marker = request.node.get_closest_marker("rp2350")
    elf = (marker.kwargs.get("elf") if marker else None) or request.config.getoption("--rp2350-elf")
    try:
        rm = RenodeEngine.from_repl(root / DEFAULT_BOARD)
    except RenodeUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    if elf:
        rm.load_elf(Path(elf) if Path(elf).is_absolute() else root / elf)
    return rm


@pytest.fixture
def machine(request: pytest.FixtureRequest) -> Any:
    """A machine booted from the .resc with the chosen firmware (paused at time zero)."""
    hm = _boot(request)
    yield hm
    hm.emulation.close()


@pytest.fixture
def uart(machine: BoardFixture) -> UartTester:
    """Terminal tester on sysbus.uart0 (8 virtual seconds default timeout)."""
    return machine.uart()


@pytest.fixture
def led(machine: BoardFixture) -> LedProbe:
    """LED tester on sysbus.gpio.led."""
    return machine.led()


@pytest.fixture
def button(machine: BoardFixture) -> ButtonProbe:
    """The push button sysbus.gpio.button."""
    return machine.button()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    outcome = yield
    report = outcome.get_result()
    hm = item.stash.get(_REPORT_KEY, None)
    if hm is not None and report.failed and call.when == "call":
        try:
            text = hm.report()
        except Exception as exc:  # noqa: BLE001 - a broken report must not hide the real failure
            text = f"(could not collect the emulation report: {exc})"
        report.sections.append(("rp2350-emu: UART output and pin history", text))

