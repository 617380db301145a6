"""Renode idioms on the real engine, each checked first in Renode 1.16.1 (docs/harness.md):
the expected texts and values here are what Renode printed for the same commands."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from rp2350_emu.errors import HarnessError
from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.monitor import Monitor, MonitorError
from rp2350_emu.robotlib.library import RenodeKeywords
from rp2350_emu.robotlib.runner import run_tests

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def mon(monkeypatch: pytest.MonkeyPatch, firmware: dict[str, Path]) -> Monitor:
    monkeypatch.delenv("RP2350_EMU_MACHINE_FACTORY", raising=False)
    emulation = Emulation()
    monitor = Monitor(emulation, cwd=ROOT)
    monitor.execute(f"$bin=@{firmware['blinky']}")
    monitor.execute("include @renode/rp2350.resc")
    yield monitor
    emulation.close()


@pytest.fixture
def lib(monkeypatch: pytest.MonkeyPatch, firmware: dict[str, Path]) -> RenodeKeywords:
    monkeypatch.delenv("RP2350_EMU_MACHINE_FACTORY", raising=False)
    library = RenodeKeywords(cwd=str(ROOT))
    yield library
    library.emulation.close()


def warnings(mon: Monitor) -> list[str]:
    return [e.full_message for e in mon.recent.entries if e.level == 2]


def test_is_started_and_time_source_info(mon: Monitor) -> None:
    assert mon.execute("emulation IsStarted") == "False\r\n"
    info = mon.execute("machine GetTimeSourceInfo").split("\r\n")
    assert info[:5] == ["Elapsed Virtual Time: 00:00:00.000000000", "Elapsed Host Time: 00:00:00.000000000",
                        "Current load: NaN", "Cumulative load: NaN", "State: Idle"]
    assert info[5:7] == ["Advance immediately: False", "Quantum: 00:00:00.000100000"]
    mon.execute('emulation RunFor "0.6"')
    info = mon.execute("machine GetTimeSourceInfo")
    assert info.startswith("Elapsed Virtual Time: 00:00:00.600000000\r\nElapsed Host Time: 00:00:0")
    assert re.search(r"\r\nCumulative load: \d", info)


def test_cpu_step_prints_the_pc_and_leaves_single_step_mode(mon: Monitor) -> None:
    # Renode 1.16.1 on build/blinky.elf: the same two PCs
    assert mon.execute("cpu Step") == "0x000000001000A206\r\n"
    assert mon.execute("cpu Step 3") == "0x0000000010000110\r\n"
    assert mon.execute("emulation IsStarted") == "True\r\n"
    assert mon.execute("cpu ExecutionMode") == "SingleStep\r\n"
    with pytest.raises(MonitorError, match="not available when emulation is already started"):
        mon.execute('emulation RunFor "0.1"')
    mon.execute("cpu ExecutionMode Continuous")
    mon.execute("pause")
    mon.execute('emulation RunFor "0.1"')
    assert mon.execute("sysbus.gpio.led State") == "True\r\n"


def test_machine_reset_reruns_the_reset_macro_and_time_goes_on(mon: Monitor) -> None:
    mon.execute('emulation RunFor "0.6"')
    assert mon.execute("sysbus.gpio.led State") == "False\r\n"
    mon.execute("machine Reset")
    mon.execute('emulation RunFor "0.05"')
    assert mon.execute("sysbus.gpio.led State") == "False\r\n"  # rebooting: on 66 ms after the reset
    mon.execute('emulation RunFor "0.05"')
    assert mon.execute("sysbus.gpio.led State") == "True\r\n"
    assert mon.execute("machine GetTimeSourceInfo").startswith("Elapsed Virtual Time: 00:00:00.700000")
    mon.macros.pop("reset")
    mon.execute("machine Reset")
    # Renode names the macro it looked for: the machine's name, "-" as "_"
    assert warnings(mon)[-1] == "No action for reset - macro machine_0.reset is not registered."


def test_machine_reset_keeps_memory_and_without_a_boot_the_core_halts(mon: Monitor) -> None:
    """As Renode 1.16.1 does: flash and SRAM keep their contents; the core leaves reset with VTOR 0,
    finds no vector table there and halts, while virtual time goes on."""
    mon.execute('emulation RunFor "0.1"')
    mon.execute("sysbus WriteDoubleWord 0x20070000 0x12345678")
    flash = mon.execute("sysbus ReadDoubleWord 0x10000004")
    mon.macros.pop("reset")
    mon.execute("machine Reset")
    assert mon.execute("cpu PC") == "0x0\r\n" and mon.execute("cpu VectorTableOffset") == "0x00000000\r\n"
    mon.execute('emulation RunFor "0.1"')
    assert mon.execute("sysbus ReadDoubleWord 0x20070000") == "0x12345678\r\n"
    assert mon.execute("sysbus ReadDoubleWord 0x10000004") == flash
    assert mon.execute("cpu PC") == "0x0\r\n"  # halted: nothing ran
    errors = [e.full_message for e in mon.recent.entries if e.level >= 3]
    assert errors[-1] == "cpu: PC does not lay in memory or PC and SP are equal to zero. CPU was halted."
    assert mon.execute("machine GetTimeSourceInfo").startswith("Elapsed Virtual Time: 00:00:00.200000")


def test_unmapped_monitor_access_warns_and_reads_zero(mon: Monitor) -> None:
    assert mon.execute("sysbus ReadDoubleWord 0x50000000") == "0x00000000\r\n"
    assert mon.execute("sysbus ReadByte 0x50000001") == "0x00\r\n"
    mon.execute("sysbus WriteDoubleWord 0x50000000 0x12")
    assert warnings(mon) == ["sysbus: ReadDoubleWord from non existing peripheral at 0x50000000.",
                             "sysbus: ReadByte from non existing peripheral at 0x50000001.",
                             "sysbus: WriteDoubleWord to non existing peripheral at 0x50000000, value 0x12."]
    assert mon.execute("sysbus ReadDoubleWord 0x10000004") != "0x00000000\r\n"  # mapped: the real value


def test_per_object_log_level_and_the_led_noisy_log(mon: Monitor) -> None:
    mon.execute("logLevel -1 sysbus.gpio.led")
    mon.execute("logLevel 3 sysbus.uart0")
    mon.execute('emulation RunFor "0.6"')
    messages = [e.full_message for e in mon.recent.entries]
    assert messages == ["gpio.led: LED state changed to True", "gpio.led: LED state changed to False"]
    table = mon.execute("logLevel")
    assert "machine-0:sysbus.gpio.led           : NOISY" in table and "sysbus.uart0              : ERROR" in table
    with pytest.raises(MonitorError, match="logLevel: no object 'sysbus.nope'"):
        mon.execute("logLevel 0 sysbus.nope")


def test_monitor_save_and_load_continue_the_run(mon: Monitor, tmp_path: Path) -> None:
    mon.execute('emulation RunFor "0.1"')
    mon.execute(f'Save @{tmp_path}/x.save')
    mon.execute('emulation RunFor "0.5"')
    assert mon.execute("sysbus.gpio.led State") == "False\r\n"
    mon.execute(f'Load @{tmp_path}/x.save')
    assert "bin" not in mon.variables and "reset" not in mon.macros  # Renode clears them on Load
    with pytest.raises(MonitorError):  # no machine selected after Load, as in Renode
        mon.execute("sysbus.gpio.led State")
    mon.execute("mach set 0")
    assert mon.execute("sysbus.gpio.led State") == "True\r\n"  # back at 0.1 s
    mon.execute('emulation RunFor "0.5"')
    assert mon.execute("sysbus.gpio.led State") == "False\r\n"
    assert mon.emulation.now_ns == 600_000_000


def kw(lib: RenodeKeywords, name: str, *args: object) -> object:
    return lib.run_keyword(name, list(args))


def boot(lib: RenodeKeywords, firmware: dict[str, Path], guest: str, *tester: str) -> None:
    kw(lib, "Execute Command", f"$bin=@{firmware[guest]}")
    kw(lib, "Execute Command", "include @renode/rp2350.resc")
    kw(lib, "Create Terminal Tester", "sysbus.uart0", "defaultPauseEmulation=true", *tester)


def test_clear_report_drops_unread_lines(lib: RenodeKeywords, firmware: dict[str, Path]) -> None:
    boot(lib, firmware, "blinky")
    kw(lib, "Wait For Line On Uart", "GPIO25 Off", "timeout=1")
    kw(lib, "Execute Command", 'emulation RunFor "1.1"')  # On at 1067 ms and Off at 1567 ms, unread
    kw(lib, "Clear Terminal Tester Report")
    line = kw(lib, "Wait For Next Line On Uart", "timeout=0.6")
    assert (line.Line, round(line.Timestamp)) == ("GPIO25 On", 2067)  # Renode: GPIO25 On at 2067.14 ms


def test_set_default_tester_null_and_missing_testers(lib: RenodeKeywords, firmware: dict[str, Path]) -> None:
    boot(lib, firmware, "blinky")
    kw(lib, "Set Default Tester", "null")
    kw(lib, "Set Default Tester", "0")
    with pytest.raises(HarnessError, match=r"^KeywordException: Tester #3 was not found\. Create a tester "
                                           r"before setting it as default$"):
        kw(lib, "Set Default Tester", "3")
    with pytest.raises(HarnessError, match=r"^KeywordException: Tester for given ID=5 was not found\. "
                                           r"Did you forget to create the tester\?"):
        kw(lib, "Wait For Line On Uart", "x", "testerId=5")


@pytest.mark.parametrize("call, text", [
    (("Assert LED Duty Cycle", "1", "1.5"),
     "ArgumentException: Value must be in range [0; 1], but was 1.5\nParameter name: expectedDutyCycle"),
    (("Assert LED Duty Cycle", "1", "0.5", "tolerance=2"),
     "ArgumentException: Value must be in range [0; 1], but was 2\nParameter name: tolerance"),
    (("Assert LED State", "true", "timeout=-1"),
     "ArgumentException: Value must not be negative, but was -1\nParameter name: timeout"),
    (("Assert And Hold LED State", "true", "0", "0"),
     "ArgumentException: Value must be positive, but was 0\nParameter name: timeoutHold"),
    (("Assert LED Is Blinking", "0", "0.5", "0.5"),
     "ArgumentException: Value must be positive, but was 0\nParameter name: testDuration"),
    (("Requires", "nothing-like-this"), "KeywordException: Required state nothing-like-this not found."),
])
def test_renode_error_texts(lib: RenodeKeywords, firmware: dict[str, Path], call: tuple[str, ...],
                            text: str) -> None:
    boot(lib, firmware, "blinky")
    kw(lib, "Create LED Tester", "sysbus.gpio.led")
    with pytest.raises(HarnessError) as err:
        kw(lib, *call)
    assert str(err.value) == text


def test_binary_results_carry_raw_bytes(lib: RenodeKeywords, firmware: dict[str, Path]) -> None:
    boot(lib, firmware, "uart-echo", "binaryMode=true")
    kw(lib, "Execute Command", 'emulation RunFor "0.3"')
    for key in ("0x78", "0x08"):
        kw(lib, "Send Key To Uart", key)
    r = kw(lib, "Wait For Bytes On Uart", "78082008", "timeout=0.1")
    # Renode: {'Content': b'x\x08 \x08', 'Timestamp': 0.0, 'Groups': []}
    assert dict(r) == {"Content": b"x\x08 \x08", "Timestamp": 0.0, "Groups": []}
    kw(lib, "Write To Uart", "ab")
    r = kw(lib, "Wait For Bytes On Uart", "(a)(.)", "timeout=0.1", "treatAsRegex=true")
    assert (r.Content, r.Groups) == (b"ab", [b"a", b"b"])
    kw(lib, "Send Key To Uart", "0x0d")
    assert kw(lib, "Wait For Bytes On Uart", r"\r\n", "timeout=0.1", "treatAsRegex=true").Content == b"\r\n"
    kw(lib, "Send Key To Uart", "0x7f")
    assert kw(lib, "Wait For Bytes On Uart", "0820", "timeout=0.1", "matchStart=true").Content == b"\x08 "
    assert kw(lib, "Wait For Bytes On Uart", "08", "timeout=0.1").Content == b"\x08"


def test_provides_and_requires_load_a_snapshot(lib: RenodeKeywords, firmware: dict[str, Path]) -> None:
    boot(lib, firmware, "blinky")
    kw(lib, "Wait For Line On Uart", "GPIO25 On", "timeout=1")
    kw(lib, "Provides", "booted")
    kw(lib, "Wait For Line On Uart", "GPIO25 Off", "timeout=1")
    kw(lib, "Wait For Line On Uart", "GPIO25 On", "timeout=1")
    kw(lib, "Requires", "booted")  # loads the snapshot, replays Create Terminal Tester
    line = kw(lib, "Wait For Line On Uart", "GPIO25 Off", "timeout=1")
    assert round(line.Timestamp) == 567


SLEEPY = """*** Test Cases ***
Sleeps While Running
    Execute Command    $bin=@{elf}
    Execute Command    include @{resc}
    Create Terminal Tester    sysbus.uart0
    Wait For Line On Uart    GPIO25 On    timeout=1
    Sleep    0.5s
    Wait For Line On Uart    GPIO25 On    timeout=0.6

Fails And Leaves A Snapshot
    Execute Command    $bin=@{elf}
    Execute Command    include @{resc}
    Create Terminal Tester    sysbus.uart0    defaultPauseEmulation=true
    Wait For Line On Uart    never printed    timeout=0.2
"""


def test_sleep_while_running_warns_with_file_and_line_and_a_failure_leaves_a_loadable_save(
        firmware: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RP2350_EMU_MACHINE_FACTORY", raising=False)
    suite = tmp_path / "sleepy.robot"
    suite.write_text(SLEEPY.format(elf=firmware["blinky"], resc=ROOT / "renode" / "rp2350.resc"))
    out = io.StringIO()
    assert run_tests([str(suite)], tmp_path / "results", console="none", stdout=out) == 1
    assert f"  {suite}:7\n" in out.getvalue()  # the Sleep's line, in the summary
    snap = tmp_path / "results" / "snapshots" / "Sleepy.Fails_And_Leaves_A_Snapshot.fail0.save"
    assert snap.is_file()
    emulation = Emulation()
    try:
        monitor = Monitor(emulation, cwd=ROOT)
        monitor.execute(f'Load "{snap}"')
        monitor.execute("mach set 0")
        assert emulation.now_ns == 200_000_000  # where the 0.2 s wait gave up
        monitor.execute('emulation RunFor "0.5"')
    finally:
        emulation.close()


def test_dash_e_splits_on_semicolons_outside_quotes() -> None:
    from rp2350_emu.monitor.console import split_semicolons

    assert split_semicolons('Load @x.save; mach set 0') == ["Load @x.save", "mach set 0"]
    assert split_semicolons('log "a;b"; quit;') == ['log "a;b"', "quit"]


def test_jobs_run_suites_in_workers_and_merge_the_results(firmware: dict[str, Path], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RP2350_EMU_MACHINE_FACTORY", raising=False)
    out = io.StringIO()
    suites = [str(ROOT / "robot" / "blinky.robot"), str(ROOT / "robot" / "trap.robot")]
    assert run_tests(suites, tmp_path, console="none", stdout=out, jobs=2) == 0, out.getvalue()
    assert out.getvalue().endswith("robot: 8 passed, 0 failed, 0 skipped\n")
    from robot.api import ExecutionResult

    merged = ExecutionResult(str(tmp_path / "robot_output.xml"))
    assert sorted(s.name for s in merged.suite.suites) == ["Blinky", "Trap"]
    assert (tmp_path / "log.html").is_file() and (tmp_path / "report.html").is_file()
    assert not (Path.cwd() / ".pabotsuitenames").exists()  # pabot's cache stays in the results directory
