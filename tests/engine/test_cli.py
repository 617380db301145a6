"""`rp2350-emu run` / `bench`: output, exit codes, event files."""

from __future__ import annotations

import json
import re

import pytest

from rp2350_emu.cli.main import main

TIME = r"\[\s*\d+\.\d{9}\]"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_prints_uart_lines_and_pins(capsys, elf_dir, tmp_path):
    events = tmp_path / "events.jsonl"
    code, out, err = run_cli(capsys, "run", str(elf_dir / "uart.elf"), "--seconds", "0.02",
                             "--uart-input", r"hi\n", "--events", str(events), "--fingerprint")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert re.fullmatch(TIME + r" uart0: hello 0", lines[2]), lines
    assert any(re.fullmatch(TIME + r" pin 25 -> 0", line) for line in lines)
    assert re.fullmatch(TIME + r" uart0: hi", lines[-2]), lines
    assert re.fullmatch(r"fingerprint: [0-9a-f]{64}", lines[-1])
    records = [json.loads(line) for line in events.read_text().splitlines()]
    assert {r["kind"] for r in records} == {"pin", "uart-tx", "uart-rx"}
    assert all(set(r) == {"t_ns", "kind", "data"} for r in records)


def test_fingerprint_is_stable(capsys, elf_dir):
    prints = [run_cli(capsys, "run", str(elf_dir / "uart.elf"), "--seconds", "0.01", "--fingerprint")[1]
              .splitlines()[-1] for _ in range(2)]
    assert prints[0] == prints[1]


def test_press_drives_the_pin(capsys, elf_dir):
    code, out, _ = run_cli(capsys, "run", str(elf_dir / "uart.elf"), "--seconds", "0.01",
                           "--press", "15@0.002:0.003")
    assert code == 0
    assert re.search(r"\[\s*0\.002000000\] pin 15 -> 0\n", out), out
    assert re.search(r"\[\s*0\.005000000\] pin 15 -> 1\n", out), out


def test_emulation_error_exits_1_with_one_line(capsys, elf_dir):
    code, _, err = run_cli(capsys, "run", str(elf_dir / "faults.elf"))
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert re.fullmatch(r"rp2350-emu: emulation error: HardFault at pc=0x[0-9a-f]{8} <do_udf>: .*\[UNDEFINSTR\].*\n",
                        err)


@pytest.mark.parametrize("argv", [
    [], ["run"], ["run", "x.elf", "--seconds", "soon"], ["run", "x.elf", "--press", "15"], ["fly"],
])
def test_bad_usage_exits_2(capsys, argv):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_bad_elf_exits_2(capsys, tmp_path):
    code, _, err = run_cli(capsys, "run", str(tmp_path / "missing.elf"))
    assert code == 2
    assert err == f"rp2350-emu: {tmp_path / 'missing.elf'}: no such file\n"


def test_events_are_streamed_and_the_log_stays_bounded(elf_dir, tmp_path, capsys) -> None:
    """`run` writes --events and the fingerprint from listeners: the same as the whole log."""
    import json

    from rp2350_emu.platform.events import Event, fingerprint
    from rp2350_emu.platform.machine import Machine
    from tests.engine.helpers import PLATFORM

    out = tmp_path / "ev.jsonl"
    assert main(["run", str(elf_dir / "uart.elf"), "--seconds", "0.02", "--events", str(out),
                 "--fingerprint"]) == 0
    printed = capsys.readouterr().out
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    machine = Machine.from_repl(PLATFORM)
    machine.load_elf(elf_dir / "uart.elf")
    machine.run_for(20_000_000)
    assert [Event(e["t_ns"], e["kind"], e["data"]) for e in lines] == list(machine.events)
    assert f"fingerprint: {fingerprint(machine.events)}" in printed


def test_expect_uart_ends_the_run_when_seen(capsys, elf_dir):
    code, out, err = run_cli(capsys, "run", str(elf_dir / "uart.elf"), "--seconds", "5",
                             "--expect-uart", "hello 1")
    assert (code, err) == (0, "")
    last = out.splitlines()[-1]
    assert re.fullmatch(TIME + r" uart0: hello 1", last), out  # stopped right there, not after 5 s
    assert "hello 2" not in out


def test_expect_uart_times_out_with_3(capsys, elf_dir):
    code, _, err = run_cli(capsys, "run", str(elf_dir / "uart.elf"), "--timeout", "0.02",
                           "--expect-uart", "hello 0", "--expect-uart", "never printed")
    assert code == 3
    assert err == ("rp2350-emu: timeout: after 0.02 s of virtual time UART0 had not sent "
                   "'never printed'\n")


def test_fail_on_uart_exits_1(capsys, elf_dir):
    code, out, err = run_cli(capsys, "run", str(elf_dir / "uart.elf"), "--seconds", "1",
                             "--fail-on-uart", "lo 1")
    assert code == 1
    assert err == "rp2350-emu: failed: UART0 sent 'lo 1' (--fail-on-uart)\n"
    assert "hello 2" not in out


def test_uart_checks_see_the_bytes_not_the_lines():
    from rp2350_emu.cli.run import UartChecks
    from rp2350_emu.platform.events import Event

    checks = UartChecks(["ab"], [], allow_trap=False)
    for i, byte in enumerate(b"*** guest trap: unreachable\r\nxab"):
        checks(Event(i, "uart-tx", {"uart": "uart1" if i > 30 else "uart0", "byte": byte}))
    assert checks.failure == "the firmware reported: *** guest trap: unreachable (--allow-trap to accept it)"
    allowed = UartChecks(["ab"], [], allow_trap=True)
    for i, byte in enumerate(b"*** guest trap: x\nxab"):
        allowed(Event(i, "uart-tx", {"uart": "uart0", "byte": byte}))
    assert (allowed.failure, allowed.done) == (None, True)


@pytest.mark.parametrize(("argv", "message"), [
    (["--seconds", "nan"], "--seconds: 'nan' is not a finite number of seconds"),
    (["--seconds", "-1"], "--seconds: '-1' must be more than zero seconds"),
    (["--seconds", "1e12"], "more than the 3.1536e+07 s this accepts"),
    (["--gdb", "70000"], "--gdb: port 70000 is outside 0-65535"),
    (["--press", "15@-1"], "time: '-1' must be zero or more seconds"),
    (["--press", "99@0.1"], "pin 99 does not exist (GPIO 0-47)"),
    (["--uart-input", "\\q"], "--uart-input: unknown escape \\q at position 0"),
    (["--uart-input", "caf\u00e9\u2603"], "write its UTF-8 bytes as \\xNN escapes (here: \\xe2\\x98\\x83)"),
    (["--events", "/nonexistent-dir/ev.jsonl"], "directory /nonexistent-dir does not exist"),
])
def test_bad_values_are_usage_errors(capsys, elf_dir, argv, message):
    try:
        code = main(["run", str(elf_dir / "uart.elf"), *argv])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err, err


def test_press_after_the_end_warns(capsys, elf_dir):
    code, _, err = run_cli(capsys, "run", str(elf_dir / "uart.elf"), "--seconds", "0.01", "--press", "15@0.5")
    assert code == 0
    assert "warning: --press 15@0.5 is at or after the end of the run (0.01 s): it will not happen" in err


def test_outputs_never_overwrite_the_inputs(capsys, elf_dir, tmp_path):
    elf = tmp_path / "fw.elf"
    elf.write_bytes((elf_dir / "uart.elf").read_bytes())
    for argv in (["--events", str(elf)], ["--vcd", str(tmp_path / "a.vcd"), "--events", str(tmp_path / "a.vcd")]):
        with pytest.raises(SystemExit) as info:
            main(["run", str(elf), "--seconds", "0.01", *argv])
        assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"--events {elf}: that is the firmware ELF; writing it would destroy it" in err
    assert f"--vcd {tmp_path / 'a.vcd'}: --events writes the same file" in err
    assert elf.read_bytes() == (elf_dir / "uart.elf").read_bytes()
