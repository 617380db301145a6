"""Monitor commands: Renode spellings, output format, variables, scripts and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from rp2350_emu.monitor import Monitor, MonitorError
from tests.harness.helpers import DATA


@pytest.fixture
def booted(monitor: Monitor) -> Monitor:
    monitor.execute(f"include @{DATA}/board.resc")
    return monitor


def test_numbers_print_as_renode_does(booted: Monitor) -> None:
    assert booted.execute("sysbus ReadDoubleWord 0x20000000") == "0x00000147\r\n"
    assert booted.execute("sysbus ReadWord 0x20000000") == "0x0147\r\n"
    assert booted.execute("sysbus ReadByte 0x20000000") == "0x47\r\n"
    booted.execute("sysbus WriteDoubleWord 0x20000004 0xdeadbeef")
    assert booted.execute("sysbus ReadDoubleWord 0x20000004") == "0xDEADBEEF\r\n"
    assert booted.execute("cpu VectorTableOffset") == "0x10000000\r\n"   # uint property: padded
    assert booted.execute("cpu PC") == "0x10000150\r\n"                   # register value: unpadded, lower case
    assert booted.execute("cpu PerformanceInMips") == "0x00000096\r\n"
    booted.execute("cpu PC 0x10000200")
    assert booted.execute("cpu PC") == "0x10000200\r\n"


def test_led_state_and_button(booted: Monitor) -> None:
    assert booted.execute("sysbus.gpio.led State") == "False\r\n"
    booted.execute('emulation RunFor "0.1"')
    assert booted.execute("sysbus.gpio.led State") == "True\r\n"
    assert booted.execute("gpio.led State") == "True\r\n"  # implicit `using sysbus`
    assert booted.execute("sysbus.gpio.button Pressed") == "False\r\n"
    booted.execute("sysbus.gpio.button Press")
    assert booted.execute("sysbus.gpio.button Pressed") == "True\r\n"
    pin = booted.emulation.current.engine.gpio.pin(15)
    assert pin.level is False  # invert: true -> pressed drives low
    booted.execute("sysbus.gpio.button Toggle")
    assert pin.level is True


def test_run_for_advances_exactly_and_refuses_while_started(booted: Monitor) -> None:
    booted.execute('emulation RunFor "00:00:01.5"')
    assert booted.emulation.now_ns == 1_500_000_000
    assert not booted.emulation.started  # RunFor pauses afterwards
    booted.execute("start")
    with pytest.raises(MonitorError, match="not available when emulation is already started"):
        booted.execute('emulation RunFor "1"')
    assert "already started" in booted.execute("start")
    booted.execute("pause")
    booted.execute('emulation RunFor "0.5"')
    assert booted.emulation.now_ns == 2_000_000_000


def test_analyzer_logs_uart_lines(booted: Monitor) -> None:
    booted.execute('emulation RunFor "1.1"')
    lines = [e.full_message for e in booted.recent.entries if e.source == "uart0"]
    assert len(lines) == 3 and lines[0].endswith("GPIO25 On") and lines[1].endswith("GPIO25 Off")


def test_variables_defaults_and_origin(monitor: Monitor, tmp_path: Path) -> None:
    monitor.execute('$name="first"')
    monitor.execute('$name?="second"')
    assert monitor.execute("$name") == "first\r\n"
    monitor.execute('$other?="set"')
    assert monitor.execute("$other") == "set\r\n"
    script = tmp_path / "origin.resc"
    script.write_text("$where=$ORIGIN/x\n")
    monitor.execute(f"include @{script}")
    assert monitor.execute("$where") == f"@{tmp_path}/x\r\n"


def test_bin_override_selects_firmware(monitor: Monitor) -> None:
    monitor.execute(f"$bin=@{DATA}/fake-firmware/uart-echo.fake")
    monitor.execute(f"include @{DATA}/board.resc")
    assert monitor.emulation.current.engine.firmware == "uart-echo"


def test_macro_and_run_macro(monitor: Monitor) -> None:
    monitor.execute("mach create")
    monitor.execute(f"machine LoadPlatformDescription @{DATA}/board.repl")
    monitor.execute(f"$bin=@{DATA}/fake-firmware/trap.fake")
    monitor.execute('macro boot\n"""\n    sysbus LoadELF $bin\n    cpu VectorTableOffset 0x10000000\n"""')
    monitor.execute("runMacro $boot")
    assert monitor.emulation.current.engine.firmware == "trap"
    assert monitor.execute("cpu VectorTableOffset") == "0x10000000\r\n"


def test_backtick_substitution(booted: Monitor) -> None:
    booted.execute("cpu VectorTableOffset `sysbus ReadDoubleWord 0x20000000`")
    assert booted.execute("cpu VectorTableOffset") == "0x00000147\r\n"


def test_at_paths_resolve_against_cwd_then_path_add(emulation, tmp_path: Path) -> None:
    mon = Monitor(emulation, cwd=tmp_path)
    with pytest.raises(MonitorError, match=r"file not found: board\.repl \(looked in: "):
        mon.execute("mach create\nmachine LoadPlatformDescription @board.repl")
    mon.execute(f"path add @{DATA}")
    mon.execute("machine LoadPlatformDescription @board.repl")
    assert emulation.current.engine is not None


def test_unknown_command_names_it_and_the_line(monitor: Monitor, tmp_path: Path) -> None:
    script = tmp_path / "bad.resc"
    script.write_text("mach create\n\nfrobnicate sysbus 3\n")
    with pytest.raises(MonitorError) as info:
        monitor.execute(f"include @{script}")
    text = str(info.value)
    assert f"{script}:3: unknown command or object 'frobnicate'" in text
    assert "included from <command>:1" in text


def test_misspelt_method_suggests_the_right_one(booted: Monitor) -> None:
    with pytest.raises(MonitorError, match=r"no method or property 'LoadElf' \(did you mean 'LoadELF'\?\)"):
        booted.execute("sysbus LoadElf @x.elf")


@pytest.mark.parametrize(("command", "message"), [
    ("include @missing.resc", "file not found: missing.resc"),
    ("mach create\nmachine LoadPlatformDescription @nowhere.repl", "file not found: nowhere.repl"),
    ("sysbus ReadDoubleWord 0x0", "no machine selected"),
    ("mach create\ncpu PC", "no platform loaded"),
    ('emulation RunFor "soon"', "not a time interval"),
    ("sysbus.gpio.led Blink", "unknown command or object"),
    ("logLevel Loud", "unknown log level 'Loud'"),
    ("runMacro $nothing", "no macro named 'nothing'"),
    ("sysbus LoadELF $bin", "variable $bin is not set"),
    ("Load @missing.save", "Load: file not found"),
    ("include @board.repl", "no machine selected"),
])
def test_bad_input_is_a_clear_error(monitor: Monitor, command: str, message: str) -> None:
    with pytest.raises(MonitorError) as info:
        monitor.execute(command)
    assert message in str(info.value)
    assert "<command>:" in str(info.value)
    assert "Traceback" not in str(info.value)


def test_syntax_error_in_a_script_points_at_its_line(monitor: Monitor, tmp_path: Path) -> None:
    script = tmp_path / "syntax.resc"
    script.write_text('mach create\nlog "no end\n')
    with pytest.raises(MonitorError, match=rf"{script}:2: unterminated string .*expected a closing \""):
        monitor.execute_script(script)


def test_wrong_arity_shows_usage(booted: Monitor) -> None:
    with pytest.raises(MonitorError, match=r"usage: sysbus WriteDoubleWord ADDRESS VALUE"):
        booted.execute("sysbus WriteDoubleWord 0x20000000")


def test_start_gdb_server_uses_the_injected_factory(booted: Monitor) -> None:
    started = []

    class Server:
        def close(self) -> None:
            started.append("closed")

    booted.gdb_server_factory = lambda emulation, handle, port, autostart, monitor: \
        started.append((handle.name, port, autostart, monitor("mach").strip())) or Server()
    booted.execute("machine StartGdbServer 3333 false")
    assert started == [("machine-0", 3333, False, "* 0: machine-0")]
    with pytest.raises(MonitorError, match="already running"):
        booted.execute("machine StartGdbServer 3334")
    booted.execute("machine StopGdbServer")
    assert started[-1] == "closed"
    with pytest.raises(MonitorError, match="no GDB server is running"):
        booted.execute("machine StopGdbServer")


def test_help_lists_commands_and_usage(monitor: Monitor) -> None:
    text = monitor.execute("help")
    for word in ("mach", "include", "start", "pause", "logLevel", "showAnalyzer", "runMacro", "RunFor",
                 "CreateServerSocketTerminal", "StartGdbServer", "PressAndRelease"):
        assert word in text
    assert monitor.execute("help include").startswith("include @file.resc|@file.repl")


def test_machines_are_named_like_renode(monitor: Monitor) -> None:
    monitor.execute('mach create\nmach create "second"')
    assert list(monitor.emulation.machines) == ["machine-0", "second"]
    monitor.execute("mach set 0")
    assert monitor.emulation.current.name == "machine-0"


def test_log_level_filters_the_log(booted: Monitor) -> None:
    booted.execute("logLevel 2")
    booted.execute('log "quiet"')
    booted.execute('log "loud" Error')
    messages = [e.message for e in booted.recent.entries]
    assert "loud" in messages and "quiet" not in messages
