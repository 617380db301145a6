"""The .repl parser: grammar coverage and file:line errors."""

from __future__ import annotations

import textwrap

import pytest

from rp2350_emu.errors import ConfigError
from rp2350_emu.platform.machine import Machine
from rp2350_emu.platform.repl.ast import IrqTarget, Range, Ref
from rp2350_emu.platform.repl.parser import parse_repl
from tests.engine.helpers import PLATFORM, REPO, SOC


def write(tmp_path, text: str, name: str = "board.repl"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def test_grammar(tmp_path):
    write(tmp_path, """
        mem: Memory.MappedMemory @ sysbus 0x20000000 { size: 0x1000 }
        """, "soc.repl")
    path = write(tmp_path, """
        using "./soc.repl"
        /* a block comment
           over two lines */
        uart: UART.PL011 @ sysbus <0x40070000, +0x4000> as "console"  // trailing comment
            frequency: 150_000_000
            names: ["a", "b" ]
            script: '''
        if request.IsInit: x = 1
        '''
            range: <0x10, 0x20>
            -> nvic@33
            Mode: Enum.Value
        timer: Timers.RP2350_Timer @ sysbus 0x400B0000
            [0-1, 3] -> nvic@[4-5, 9] | other@[1-3]
        led: Miscellaneous.LED @ gpio 25
        sysbus:
            init:
                Tag <0x40020000 4> "X" 0xFFFFFFFF
            init add:
                SilenceRange <0x0 0x10>
        uart:
            frequency: 24000000
        """)
    platform = parse_repl(path)
    assert list(platform.entries) == ["mem", "uart", "timer", "led", "sysbus"]
    uart = platform["uart"]
    assert uart.type == "UART.PL011" and uart.alias == "console"
    assert (uart.registrations[0].address, uart.registrations[0].size) == (0x40070000, 0x4000)
    assert uart.attrs["frequency"] == 24000000  # the later entry wins
    assert uart.attrs["names"] == ["a", "b"]
    assert uart.attrs["script"].strip() == "if request.IsInit: x = 1"
    assert uart.attrs["range"] == Range(0x10, 0x10)
    assert uart.attrs["Mode"] == Ref("Enum.Value")
    assert [(c.source, c.targets) for c in uart.irqs] == [(None, [IrqTarget("nvic", 33)])]
    timer = platform["timer"]
    assert [(c.source, [(t.target, t.pin) for t in c.targets]) for c in timer.irqs] == [
        (0, [("nvic", 4), ("other", 1)]), (1, [("nvic", 5), ("other", 2)]), (3, [("nvic", 9), ("other", 3)])]
    assert platform["led"].registrations[0].parent == "gpio"
    assert platform["sysbus"].blocks["init"] == ['Tag <0x40020000 4> "X" 0xFFFFFFFF', "SilenceRange <0x0 0x10>"]
    assert platform["mem"].attrs["size"] == 0x1000


@pytest.mark.parametrize(("text", "line", "message"), [
    ("a: X @ sysbus 0x10\n   size: 1\n", 2, "indentation of 3 spaces, expected 4"),
    ("a: X @ sysbus 0x10\n    size 1\n", 2, "expected ':' after attribute 'size'"),
    ("a: X @ sysbus\n    s: \"open\n", 2, 'unterminated string, expected a closing "'),
    ("\n\na: X @ sysbus <0x10, +0x20\n", 3, "expected '>' closing the range"),
    ("a: X @ sysbus 0x10\n    [0-3] -> nvic@[1-2]\n", 2, "4 source(s) but 2 destination pin(s)"),
    ("a: X @ sysbus 0x10\nb: Y\na: Z @ sysbus 0x20\n", 3, "entry 'a' is created twice"),
    ("a: X @ sysbus 0x10\n\tsize: 1\n", 2, "tab in indentation"),
    ("a: X\n/* never closed\n", 2, "unterminated /* comment"),
    ("a: X @ sysbus 0x10\n    -> nvic#2@3\n", 2, "local GPIO receivers"),
    ("a: X\nusing \"late.repl\"\n", 2, "'using' after an entry"),
    ("    indented: X\n", 1, "indented line outside an entry"),
])
def test_errors_name_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "bad.repl"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        parse_repl(path)
    assert str(info.value).startswith(f"{path}:{line}: "), str(info.value)
    assert message in str(info.value)


def test_missing_using_target(tmp_path):
    path = write(tmp_path, 'using "./nowhere.repl"\n')
    with pytest.raises(ConfigError, match=rf"{path}:1: using './nowhere.repl': file not found"):
        parse_repl(path)


def test_unknown_model_type_is_a_config_error(tmp_path):
    text = SOC.read_text().replace("Timers.RP2350_Timer", "Timers.NoSuchTimer", 1)
    path = tmp_path / "rp2350.repl"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"no model for timer0 \(Timers.NoSuchTimer, model key 'no_such_timer'\)"):
        Machine.from_repl(path)


def test_platform_file_is_the_memory_map(tmp_path):
    # move UART0 in the .repl and the engine follows: nothing is hard-coded
    text = SOC.read_text().replace("<0x40070000, +0x4000>", "<0x40100000, +0x4000>")
    path = tmp_path / "moved.repl"
    path.write_text(text)
    machine = Machine.from_repl(path)
    region = machine.bus.region_at(0x40100000)
    assert region is not None and region.name == "uart0"
    assert machine.bus.region_at(0x40070000) is None


def test_platform_names(tmp_path):
    machine = Machine.from_repl(PLATFORM)
    for name in ("uart0", "uart1", "gpio", "timer0", "timer1", "resets", "clocks", "xosc", "pll_sys",
                 "pll_usb", "ticks", "watchdog", "io_bank0", "pads_bank0", "led", "button", "nvic"):
        assert machine[name] is not None, name
    assert machine.cpu.hz == 150_000_000
    assert machine.led.pin == 25 and machine.button.pin == 15 and machine.button.invert


def test_board_is_the_soc_plus_led_button_and_servo():
    soc, board = Machine.from_repl(SOC), Machine.from_repl(PLATFORM)
    assert soc.pin_devices == {}
    assert {n: (d.kind, d.controller, d.pin, d.invert) for n, d in board.pin_devices.items()} == {
        "led": ("LED", "gpio", 25, False),
        "button": ("Button", "gpio", 15, True),
        "servo": ("LED", "gpio", 6, False),
    }
    board_only = ("led", "button", "servo")
    assert soc.peripheral_names() == [n for n in board.peripheral_names() if n not in board_only]


def test_the_old_platform_path_still_names_the_board():
    old = REPO / "platforms" / "rp2350.repl"
    assert Machine.from_repl(old).platform.entries.keys() == Machine.from_repl(PLATFORM).platform.entries.keys()


def test_using_paths_are_shown_normalised(tmp_path):
    (tmp_path / "boards").mkdir()
    board = tmp_path / "boards" / "b.repl"
    board.write_text('using "../cpus/missing.repl"\n')
    with pytest.raises(ConfigError, match=rf"looked in {tmp_path}/cpus/missing.repl\)"):
        parse_repl(board)


def test_minimal_platform_runs_the_core_alone(tmp_path, elf_dir):
    # no peripheral models at all: the core, the SCS and memory are enough
    path = write(tmp_path, """
        cpu: CPU.CortexM @ sysbus
            cpuType: "cortex-m33"
            PerformanceInMips: 75
        nvic: IRQControllers.NVIC @ sysbus 0xE000E000
            priorityMask: 0xF0
            -> cpu@0
        flash: Memory.MappedMemory @ sysbus 0x10000000 { size: 0x100000 }
        sram: Memory.MappedMemory @ sysbus 0x20000000 { size: 0x80000 }
        sysbus:
            init:
                Tag <0x40020008 4> "RESET_DONE" 0xFFFFFFFF
        """)
    machine = Machine.from_repl(path, models={})
    machine.load_elf(elf_dir / "exceptions.elf")
    done = machine.get_symbol_address("done")
    assert machine.run_until(lambda: machine.cpu.read_u32(done) == 1, 10_000_000)
    assert machine.cpu.hz == 75_000_000
    assert machine.scs.systick.cpu_hz == 75_000_000  # systickFrequency defaults to the CPU rate
