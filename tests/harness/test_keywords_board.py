"""LED, log-tester and emulation keyword semantics, each checked against what
Renode does (LEDTester.cs, LogTester.cs, RenodeKeywords.cs); the UART keywords
are in test_keywords.py.

The fake firmware timings: boot at 1 ms; blinky toggles GPIO25 every 500 ms
starting on; chatty prints `tick N` every 100 ms.
"""

from __future__ import annotations

import pytest

from rp2350_emu.errors import HarnessError
from tests.harness.helpers import DATA, boot, kw


def now(lib) -> int:
    return lib.emulation.now_ns


# -- LED ------------------------------------------------------------------------------------------------

def test_led_state_assert_immediate_by_default_and_virtual_with_timeout(lib) -> None:
    boot(lib, "blinky")
    kw(lib, "Create LED Tester", "sysbus.gpio.led")
    kw(lib, "Assert LED State", "false")
    with pytest.raises(HarnessError, match="LED assertion not met"):
        kw(lib, "Assert LED State", "true")  # default timeout 0: immediate check
    assert now(lib) == 0 and not lib.emulation.started
    kw(lib, "Assert LED State", "true", "timeout=0.1")
    assert now(lib) == 1_000_000
    kw(lib, "Assert LED State", "false", "0.6")
    assert now(lib) == 501_000_000


def test_led_tester_default_timeout(lib) -> None:
    boot(lib, "blinky")
    assert kw(lib, "Create LED Tester", "sysbus.gpio.led", "defaultTimeout=1") == 0
    kw(lib, "Assert LED State", "true")
    kw(lib, "Assert LED State", "false")
    assert now(lib) == 501_000_000


def test_assert_and_hold(lib) -> None:
    boot(lib, "blinky")
    kw(lib, "Create LED Tester", "sysbus.gpio.led")
    kw(lib, "Assert And Hold LED State", "true", "0.1", "0.45")
    assert now(lib) == 451_000_000
    with pytest.raises(HarnessError, match="LED changed state"):
        kw(lib, "Assert And Hold LED State", "true", "0.1", "0.1")
    kw(lib, "Reset Emulation")
    boot(lib, "blinky")
    kw(lib, "Create LED Tester", "sysbus.gpio.led")
    with pytest.raises(HarnessError, match="Initial LED assertion not met"):
        kw(lib, "Assert And Hold LED State", "true", "0.0005", "0.1")


def test_blinking_checks_each_interval(lib) -> None:
    boot(lib, "blinky")
    kw(lib, "Create LED Tester", "sysbus.gpio.led")
    kw(lib, "Assert LED Is Blinking", "testDuration=3", "onDuration=0.5", "offDuration=0.5")
    assert now(lib) == 3_000_000_000
    with pytest.raises(HarnessError, match=r"out of specified range\): .*expected 0.25 s"):
        kw(lib, "Assert LED Is Blinking", "2", "0.25", "0.25")
    kw(lib, "Reset Emulation")
    boot(lib, "button")
    kw(lib, "Create LED Tester", "sysbus.gpio.led")
    with pytest.raises(HarnessError, match="LED state never changed"):
        kw(lib, "Assert LED Is Blinking", "1", "0.5", "0.5")


def test_duty_cycle(lib) -> None:
    # Renode's accounting: the first change only synchronises, then complete intervals count;
    # blinky's first 3 s hold 3 on and 2 off intervals of 500 ms (60 %), and so do the next 3 s
    boot(lib, "blinky")
    kw(lib, "Create LED Tester", "sysbus.gpio.led")
    kw(lib, "Assert LED Duty Cycle", "3", "0.6", "tolerance=0.001")
    with pytest.raises(HarnessError, match=r"Fill assertion not met: expected 0.5 with tolerance 5%, but got 60$"):
        kw(lib, "Assert LED Duty Cycle", "3", "0.5")
    kw(lib, "Reset Emulation")
    boot(lib, "button")
    kw(lib, "Create LED Tester", "sysbus.gpio.led")
    with pytest.raises(HarnessError, match=r"changed state 0 time\(s\) in 1.000000 s; a duty cycle needs two"):
        kw(lib, "Assert LED Duty Cycle", "1", "0")


def test_button_press_is_seen_by_polling_firmware_and_sleep_is_virtual(lib) -> None:
    from robot.libraries.BuiltIn import BuiltIn

    boot(lib, "button")
    kw(lib, "Create LED Tester", "sysbus.gpio.led")
    kw(lib, "Assert LED State", "false", "timeout=0.05")
    kw(lib, "Execute Command", "sysbus.gpio.button Press")
    kw(lib, "Assert LED State", "true", "timeout=0.02")
    before = now(lib)
    BuiltIn().sleep("300ms")  # the emulation is started: this is 300 ms of virtual time
    assert now(lib) == before + 300_000_000
    kw(lib, "Execute Command", "sysbus.gpio.button Release")
    kw(lib, "Assert LED State", "false", "timeout=0.02")
    kw(lib, "Execute Command", "sysbus.gpio.button PressAndRelease")  # too quick for a 10 ms poll
    kw(lib, "Assert And Hold LED State", "false", "0", "0.1")


# -- log tester --------------------------------------------------------------------------------------------

def test_log_tester_sees_analyzer_lines_in_virtual_time(lib) -> None:
    boot(lib, "blinky")
    with pytest.raises(HarnessError, match="Create Log Tester"):
        kw(lib, "Wait For Log Entry", "x")
    kw(lib, "Create Log Tester", "1")
    entry = kw(lib, "Wait For Log Entry", "GPIO25 Off")
    assert entry.startswith("uart0: ") and entry.endswith("GPIO25 Off")
    with pytest.raises(HarnessError, match="did not appear in the log within 0.300000 s"):
        kw(lib, "Wait For Log Entry", "GPIO25 Off", "timeout=0.3")  # consumed; the next is 1 s later
    kw(lib, "Execute Command", 'log "hello from the monitor"')
    assert kw(lib, "Wait For Log Entry", "hello from", "timeout=0") == "hello from the monitor"
    kw(lib, "Should Not Be In Log", "panic", "timeout=0.5")
    with pytest.raises(HarnessError, match="Unexpected line detected in the log"):
        kw(lib, "Should Not Be In Log", "GPIO25", "timeout=1")


def test_log_tester_level_filter_and_keep(lib) -> None:
    boot(lib, "blinky")
    kw(lib, "Create Log Tester", "0")
    kw(lib, "Execute Command", 'log "warned" Warning')
    assert kw(lib, "Wait For Log Entry", "warned", "keep=true", "level=Warning") == "warned"
    with pytest.raises(HarnessError):
        kw(lib, "Wait For Log Entry", "warned", "level=Error")
    assert kw(lib, "Wait For Log Entry", "warned") == "warned"


# -- emulation ---------------------------------------------------------------------------------------------

def test_execute_command_returns_raw_output_and_fails_on_error(lib) -> None:
    boot(lib, "blinky")
    assert kw(lib, "Execute Command", "sysbus ReadDoubleWord 0x20000000") == "0x00000147\r\n"
    with pytest.raises(HarnessError, match="Could not execute command 'nonsense': <command>:1: unknown command"):
        kw(lib, "Execute Command", "nonsense")


def test_execute_script_sets_origin(lib, tmp_path) -> None:
    script = tmp_path / "s.resc"
    script.write_text(f"$bin=@{DATA}/fake-firmware/uart-echo.fake\ninclude @{DATA}/board.resc\n")
    kw(lib, "Execute Script", str(script))
    assert lib.emulation.current.engine.firmware == "uart-echo"


def test_reset_emulation_clears_variables_and_machines(lib) -> None:
    boot(lib, "uart-echo")
    kw(lib, "Reset Emulation")
    assert not lib.emulation.machines
    kw(lib, "Execute Command", f"include @{DATA}/board.resc")  # $bin was cleared: default blinky
    assert lib.emulation.current.engine.firmware == "blinky"


def test_engine_fault_stops_the_wait_with_its_message(lib) -> None:
    boot(lib, "blinky")
    lib.emulation.current.engine.fault_at(700_000_000)
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    with pytest.raises(HarnessError, match=r"stopped at 0.700000 s: unmodeled read .* at 0x40000000"):
        kw(lib, "Wait For Line On Uart", "never")
    kw(lib, "Create Log Tester", "0")


def test_provides_and_requires_replay_the_state(lib) -> None:
    boot(lib, "chatty")
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    kw(lib, "Wait For Line On Uart", "tick 3")
    kw(lib, "Provides", "three-ticks", "Reexecution")  # the fake engine cannot be saved: replay
    t = now(lib)
    kw(lib, "Wait For Line On Uart", "tick 5")
    kw(lib, "Requires", "three-ticks")
    assert now(lib) == t
    assert kw(lib, "Wait For Next Line On Uart").Line == "tick 4"
    with pytest.raises(HarnessError, match=r"^KeywordException: Required state unknown not found\.$"):
        kw(lib, "Requires", "unknown")
    with pytest.raises(HarnessError, match="Save: machine 'machine-0' is not a built-in engine machine"):
        kw(lib, "Provides", "saved")  # Serialization, Renode's default, needs `Save`


def test_cpu_keywords(lib) -> None:
    boot(lib, "blinky")
    kw(lib, "PC Should Be Equal", "0x10000150")
    with pytest.raises(HarnessError, match="expected 0x10000000, got 0x10000150"):
        kw(lib, "PC Should Be Equal", "0x10000000")
    kw(lib, "Register Should Be Equal", "sp", "0x20082000")
    kw(lib, "Register Should Be Equal", "13", "0x20082000")


def test_several_machines_share_time_and_stop_together(lib) -> None:
    for name, firmware in (("first", "chatty"), ("second", "blinky")):
        kw(lib, "Execute Command", f'mach create "{name}"')
        kw(lib, "Execute Command", f"machine LoadPlatformDescription @{DATA}/board.repl")
        kw(lib, "Execute Command", f"sysbus LoadELF @{DATA}/fake-firmware/{firmware}.fake")
    with pytest.raises(HarnessError, match="No machine name provided"):
        kw(lib, "Create Terminal Tester", "sysbus.uart0")
    second = kw(lib, "Create Terminal Tester", "sysbus.uart0", "machine=second")
    result = kw(lib, "Wait For Line On Uart", "GPIO25 Off", f"testerId={second}")
    times = {name: m.now_ns for name, m in lib.emulation.machines.items()}
    assert abs(times["first"] - times["second"]) <= 1_000_000  # lockstep in 1 ms slices
    assert 0 <= times["second"] - result.Timestamp * 1e6 < 1_000_000  # stopped within a slice of the match
