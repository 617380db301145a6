"""Renode's Robot keywords for the built-in engine.

`RenodeKeywords` is a Robot *dynamic* library: it publishes Renode's keyword
names with no argument specs, exactly like Renode's remote keyword server,
so Robot passes every argument through as given and we parse `name=value`
ourselves (see args.py). Import it the way Renode's resource does::

    Import Library    rp2350_emu.robotlib.library.RenodeKeywords    AS    Renode

or use the resource `renode-keywords.robot` next to this file (``RESOURCE``),
which `rp2350-emu test` injects into every suite as `renode-test` does.

Time: waits and asserts advance virtual time; Robot's `Sleep` advances
virtual time too while the emulation is started (see `install_virtual_sleep`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.harness.log import CacheBackend
from rp2350_emu.harness.testers.led import LedTester
from rp2350_emu.harness.testers.log import LogTester
from rp2350_emu.harness.testers.terminal import TerminalTester
from rp2350_emu.monitor import Monitor
from rp2350_emu.robotlib.active import set_active
from rp2350_emu.robotlib.args import bind
from rp2350_emu.robotlib.keyword import REPLAY_NEVER, keywords_of
from rp2350_emu.robotlib.keywords_cpu import CpuKeywords
from rp2350_emu.robotlib.keywords_emulation import EmulationKeywords
from rp2350_emu.robotlib.keywords_led import LedKeywords
from rp2350_emu.robotlib.keywords_uart import UartKeywords
from rp2350_emu.robotlib.sleep import install_virtual_sleep

RESOURCE = Path(__file__).with_name("renode-keywords.robot")



class RenodeKeywords(EmulationKeywords, UartKeywords, LedKeywords, CpuKeywords):
    """Renode's keyword set (emulation, UART, LED, CPU) over the built-in engine."""

    ROBOT_LIBRARY_SCOPE = "GLOBAL"

    def __init__(self, machine_factory: Callable[[str], Any] | None = None, cwd: str | None = None) -> None:
        self.emulation = Emulation(machine_factory)
        self.monitor = Monitor(self.emulation, cwd=Path(cwd) if cwd else None)
        self.uart_timeout_s: float | int = 8
        self.led_timeout_s: float | int = 0
        self.default_pause = False
        self.default_wait_for_echo = True
        self.default_match_next_line = False
        self.cache: CacheBackend | None = None
        #: state name -> (recorded calls, snapshot file or None, machine selected then)
        self.states: dict[str, tuple[list[tuple[str, tuple[Any, ...]]], Path | None, str | None]] = {}
        self.history: list[tuple[str, tuple[Any, ...]]] = []
        self._replaying = False
        self._reset_testers()
        # Renode drops every tester when the emulation changes (Reset Emulation, Load)
        self.emulation.on_clear.append(self._drop_testers)
        install_virtual_sleep()
        set_active(self)

    def _reset_testers(self) -> None:
        self.uart_testers: list[TerminalTester] = []
        self.default_uart_tester: int | None = None
        self.led_testers: list[LedTester] = []
        self.log_tester: LogTester | None = None

    def _drop_testers(self) -> None:
        for tester in self.uart_testers:
            tester.detach()
        if self.log_tester is not None:
            self.log_tester.detach()
        self._reset_testers()

    def get_keyword_names(self) -> list[str]:
        return list(KEYWORDS)

    def get_keyword_arguments(self, name: str) -> list[str]:
        return ["*args"]  # like Renode's server: Robot passes everything through

    def get_keyword_documentation(self, name: str) -> str:
        if name in ("__intro__", "__init__"):
            return __doc__ or ""
        params, _ = KEYWORDS[name]
        return f"Renode keyword. Arguments: {', '.join(p.signature() for p in params) or 'none'}"

    def run_keyword(self, name: str, args: list[Any]) -> Any:
        params, method = KEYWORDS[name]
        values = bind(name, params, args)
        if not self._replaying and name not in REPLAY_NEVER:
            self.history.append((name, tuple(args)))  # as Renode's Recorder: before it runs
        return getattr(self, method)(**values)


#: keyword name -> (C# parameters in order, method name), from the @keyword declarations
KEYWORDS = keywords_of(RenodeKeywords)
