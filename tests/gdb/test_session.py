"""A real gdb-multiarch, in batch mode, against `rp2350-emu run --gdb --wait-gdb`."""

from __future__ import annotations

import re
import time
from pathlib import Path

from elftools.elf.elffile import ELFFile

from tests.gdb.helpers import Engine, run_gdb, run_gdb_interrupted


def _flash_bytes(elf: Path, address: int, length: int) -> bytes:
    with elf.open("rb") as fh:
        for seg in ELFFile(fh).iter_segments():
            if seg["p_type"] == "PT_LOAD" and seg["p_paddr"] <= address < seg["p_paddr"] + seg["p_filesz"]:
                start = address - seg["p_paddr"]
                return seg.data()[start:start + length]
    raise AssertionError(f"no loadable segment holds 0x{address:08x}")


def test_break_continue_backtrace(engine: Engine, gdb_exe: str, gdb_elf: Path) -> None:
    out = run_gdb(gdb_exe, gdb_elf, engine.port, "break scale", "continue", "backtrace")
    assert "Breakpoint 1, scale (x=1)" in out, out
    frames = re.findall(r"^#(\d)\s+(?:0x[0-9a-f]+ in )?(\w+) \(", out, re.MULTILINE)
    assert [name for _, name in frames] == ["scale", "tick", "main"], out
    # flash is read-only in the memory map: GDB chose a hardware breakpoint itself
    assert "hardware breakpoints for read-only addresses" in out, out


def test_info_registers_shows_system_registers(engine: Engine, gdb_exe: str, gdb_elf: Path) -> None:
    out = run_gdb(gdb_exe, gdb_elf, engine.port, "break tick", "continue", "info registers")
    for name in ("r0", "r12", "sp", "lr", "pc", "xpsr", "msp", "psp", "primask", "basepri", "faultmask",
                 "control"):
        assert re.search(rf"^{name}\s+0x[0-9a-f]+", out, re.MULTILINE), f"{name} missing:\n{out}"
    pc = re.search(r"^pc\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+ <tick", out, re.MULTILINE)
    assert pc, out
    # thread mode on the main stack: sp is msp; T bit set in xpsr
    sp = re.search(r"^sp\s+(0x[0-9a-f]+)", out, re.MULTILINE)
    msp = re.search(r"^msp\s+(0x[0-9a-f]+)", out, re.MULTILINE)
    assert sp and msp and sp.group(1) == msp.group(1), out
    xpsr = re.search(r"^xpsr\s+(0x[0-9a-f]+)", out, re.MULTILINE)
    assert xpsr and int(xpsr.group(1), 16) & (1 << 24), out


def test_float_registers(engine: Engine, gdb_exe: str, gdb_elf: Path) -> None:
    # main computes `gain = gain * 1.25f` with vldr s15 / vmov s14, #1.25 / vmul s15, s15, s14
    out = run_gdb(gdb_exe, gdb_elf, engine.port, "break led_toggle", "continue", "continue",
                  "p $s15", "p $s14", "p/x $d7", "set $s0 = 2.5", "p $s0", "p/x $d0", "p/x $fpscr")
    values = [v for _, v in re.findall(r"^\$(\d+) = (.+)$", out, re.MULTILINE)]
    assert values[:2] == ["1.875", "1.25"], out  # one pass of the loop: 1.5 * 1.25
    assert values[2] == "0x3ff000003fa00000", out  # d7 = s15:s14
    assert values[3] == "2.5" and values[4] == "0x40200000", out  # written through GDB, read back
    assert re.fullmatch(r"0x[0-9a-f]+", values[5]), out


def test_memory_read_matches_elf(engine: Engine, gdb_exe: str, gdb_elf: Path) -> None:
    out = run_gdb(gdb_exe, gdb_elf, engine.port, "x/4wx 0x10000000")
    words = re.search(r"0x10000000 <\w+>:\s+((?:0x[0-9a-f]{8}\s*){4})", out)
    assert words, out
    got = b"".join(int(w, 16).to_bytes(4, "little") for w in words.group(1).split())
    assert got == _flash_bytes(gdb_elf, 0x10000000, 16)


def _source_lines(out: str) -> list[str]:
    """The source lines GDB printed (`NN<tab>text`, after stepi `0xADDR<tab>NN<tab>text`)."""
    return [m.group(1).strip() for m in re.finditer(r"^(?:0x[0-9a-f]+\t)?\d+\t(.*)$", out, re.MULTILINE)]


def test_step_and_next(engine: Engine, gdb_exe: str, gdb_elf: Path) -> None:
    out = run_gdb(gdb_exe, gdb_elf, engine.port, "break tick", "continue", "next", "next", "step", "next",
                  "stepi", "p $pc", "finish")
    after_hit = out.split("Breakpoint 1, tick ()", 1)[-1]
    assert _source_lines(after_hit)[:6] == ["{", "ticks = ticks + 1u;", "checkpoint = scale(ticks);",
                                      "uint32_t y = x * 3u + 1u;", "checkpoint = y;", "checkpoint = y;"], out
    assert "scale (x=1) at" in out, out
    assert re.search(r"<scale\+\d+>", out), out  # stepi stays in scale
    assert re.search(r"in tick \(\) at .*gdb_target\.c:33", out) and "Value returned is $2 = 4" in out, out


def test_watchpoint_on_a_static(engine: Engine, gdb_exe: str, gdb_elf: Path) -> None:
    out = run_gdb(gdb_exe, gdb_elf, engine.port, "watch ticks", "continue", "continue", "rwatch led_toggles",
                  "delete 1", "continue")
    # Reset_Handler's zeroing of .bss writes the same 0: GDB sees no change and goes on
    assert "Hardware watchpoint 1: ticks" in out, out
    assert re.search(r"Old value = 0\s+New value = 1\b", out), out
    assert re.search(r"Old value = 1\s+New value = 2\b", out), out
    # led_toggle of the first pass already ran when the read watchpoint goes in
    assert "Hardware read watchpoint 2: led_toggles" in out and re.search(r"Value = 1\b", out), out


def test_interrupt_stops_a_running_core(engine: Engine, gdb_exe: str, gdb_elf: Path) -> None:
    # after the interrupt, step into code that already ran many times (its
    # translations are cached: the step must still stop after one instruction)
    out = run_gdb_interrupted(gdb_exe, gdb_elf, engine.port, "continue", "p ticks", "break tick", "continue",
                              "next", "next", "step")
    assert "Program received signal SIGINT, Interrupt." in out, out
    ticks = re.search(r"^\$1 = (\d+)", out, re.MULTILINE)
    assert ticks and int(ticks.group(1)) > 0, out  # it really ran before the interrupt
    assert f"scale (x={int(ticks.group(1)) + 1}) at" in out, out


def test_monitor_command_reads_the_led(engine: Engine, gdb_exe: str, gdb_elf: Path) -> None:
    out = run_gdb(gdb_exe, gdb_elf, engine.port, "break led_toggle", "continue",
                  "monitor sysbus.gpio.led State", "finish", "monitor sysbus.gpio.led State")
    states = re.findall(r"^(True|False)$", out, re.MULTILINE)
    assert states == ["False", "True"], out  # the first toggle turns the LED on


def test_fault_is_a_stop_with_the_decoded_fault(engine: Engine, gdb_exe: str, gdb_elf: Path) -> None:
    out = run_gdb(gdb_exe, gdb_elf, engine.port, "set var scenario = 1", "continue", "p $pc", "continue")
    assert out.count("Program received signal SIGSEGV") == 2, out  # and it stays there
    assert "unmodeled write of 4 byte(s) at 0x30000000" in out, out
    assert re.search(r"crash \(\) at .*gdb_target\.c", out), out


def test_detach_leaves_the_firmware_running(engine: Engine, gdb_exe: str, gdb_elf: Path) -> None:
    out = run_gdb(gdb_exe, gdb_elf, engine.port, "break tick", "continue", "continue", "p ticks", "delete",
                  "detach")
    assert re.search(r"^\$1 = 1$", out, re.MULTILINE), out
    assert "detached" in out.lower(), out
    before = len(engine.stdout)
    engine.wait_for_stdout(r"pin 25 -> 1")  # the LED goes on blinking on the engine's console
    time.sleep(0.5)
    assert len(engine.stdout) > before
    again = run_gdb(gdb_exe, gdb_elf, engine.port, "p ticks")
    ticks = re.search(r"^\$1 = (\d+)$", again, re.MULTILINE)
    assert ticks and int(ticks.group(1)) > 1, again


def test_kill_ends_the_engine(engine: Engine, gdb_exe: str, gdb_elf: Path) -> None:
    run_gdb(gdb_exe, gdb_elf, engine.port, "kill")
    assert engine.proc.wait(timeout=20) == 0
    assert any("session ended (killed)" in line for line in engine.stderr), engine.stderr


def test_seconds_limit_ends_the_session_as_an_exit(gdb_elf: Path, gdb_exe: str) -> None:
    engine = Engine(gdb_elf, "--wait-gdb", "--seconds", "0.05")
    try:
        out = run_gdb(gdb_exe, gdb_elf, engine.port, "continue")
        assert "virtual time limit reached" in out and "exited normally" in out, out
        assert engine.proc.wait(timeout=20) == 0
        assert any("session ended (deadline) at 5000" in line for line in engine.stderr), engine.stderr
    finally:
        engine.stop()
