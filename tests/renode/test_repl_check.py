"""platforms/boards/pico2.repl (with the SoC it uses) resolves in real Renode: types, constructor parameters, scripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from rp2350_emu.errors import ConfigError
from rp2350_emu.platform.repl.check import ReplChecker, check_repl
from rp2350_emu.platform.repl.parser import parse_repl_text
from tests.renode.helpers import REPO


@pytest.fixture(scope="module")
def checker() -> ReplChecker:
    return ReplChecker(REPO)


def test_the_platform_resolves_in_renode() -> None:
    assert check_repl(REPO / "platforms" / "boards" / "pico2.repl", REPO) == []


def test_builtin_list_names_its_sources(checker: ReplChecker) -> None:
    builtins = [t for t in checker.types.values() if t.source.startswith("src/Emulator/")]
    assert {"CPU.CortexM", "IRQControllers.NVIC", "UART.PL011", "Python.PythonPeripheral"} <= {t.name for t in builtins}


def test_models_know_their_constructor_parameters(checker: ReplChecker) -> None:
    assert checker.types["Miscellaneous.RP2350_Clocks"].params >= {"xosc", "pllSys", "pllUsb"}
    assert checker.types["Timers.RP2350_Timer"].params >= {"index", "ticks", "clocks"}
    assert checker.types["Miscellaneous.RP2350_PadsBank0"].params == set()  # IMachine only


@pytest.mark.parametrize("text, problem", [
    ("tag: Miscellaneous.Tag @ sysbus 0x40020000\n",  # Renode has no Tag type: sysbus Tag instead
     "x.repl:1: type 'Miscellaneous.Tag' is neither a Renode built-in"),
    ("uart0: UART.RP2350_PL011 @ sysbus <0x40070000, +0x4000>\n    fifoSize: 32\n",
     "x.repl:2: uart0 (UART.RP2350_PL011) has no constructor parameter 'fifoSize'"),
    ("clocks: Miscellaneous.RP2350_Clocks @ sysbus 0x40010000\n    xosc: oscillator\n",
     "x.repl:2: clocks.xosc refers to 'oscillator', which is not an entry"),
    ("uart0: UART.PL011 @ sysbus 0x40070000\n    -> nvc@33\n",
     "x.repl:2: IRQ destination 'nvc' is not an entry"),
    ("p: Python.PythonPeripheral @ sysbus 0x0\n    size: 4\n    filename: \"renode/peripherals/nope.py\"\n",
     "x.repl:1: p: PythonPeripheral script"),
    ("led: Miscellaneous.LED @ gpio 25\n", "x.repl:1: registered on 'gpio', which is not an entry"),
])
def test_unresolvable_entries_are_reported_with_file_and_line(checker: ReplChecker, text: str, problem: str) -> None:
    problems = checker.check_platform(parse_repl_text(text, "x.repl"))
    assert problems and problems[0].startswith(problem), problems


@pytest.mark.parametrize("text, problem", [
    ("cpu: CPU.CortexM @ sysbus\n   cpuType: \"cortex-m33\"\n", "x.repl:2: indentation of 3 spaces"),
    ("cpu: CPU.CortexM @ sysbus\n    cpuType: \"cortex-m33\n", "x.repl:2: unterminated string"),
    ("timer0: Timers.RP2350_Timer @ sysbus 0x400B0000\n    [0-3] -> nvic@[0-2]\n",
     "x.repl:2: 4 source(s) but 3 destination pin(s)"),
    ("a: Memory.MappedMemory @ sysbus 0x0 { size: 0x100 }\nusing \"b.repl\"\n", "x.repl:2: 'using' after an entry"),
    ("flash: Memory.MappedMemory @ sysbus <0x10000000, 0x10000000>\n", "x.repl:1: empty range"),
])
def test_malformed_grammar_is_rejected_with_file_and_line(text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_repl_text(text, "x.repl")
    assert str(err.value).startswith(problem)


def test_a_builtin_list_line_without_its_source_is_an_error(tmp_path: Path) -> None:
    from rp2350_emu.platform.repl.check import load_builtins

    listing = tmp_path / "builtin-types.txt"
    listing.write_text("UART.PL011 fifoSize\n")
    with pytest.raises(ConfigError, match="builtin-types.txt:1: UART.PL011 has no source file"):
        load_builtins(listing)
