"""The command line: numbers, ports, paths and text, each refused with one line before anything runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.reliability.helpers import assert_clean, cli, contents, one_line

# (id, argv with {elf} = a copy of uart-echo.elf and {tmp} = the test's folder, status, key words)
NUMBERS = [
    ("seconds-nan", ["--seconds", "nan"], 2, ["--seconds", "'nan'", "not a finite number"]),
    ("seconds-inf", ["--seconds", "inf"], 2, ["--seconds", "'inf'", "not a finite number"]),
    ("seconds-minus-inf", ["--seconds=-inf"], 2, ["--seconds", "not a finite number"]),
    ("seconds-huge", ["--seconds", "1e300"], 2, ["--seconds", "1e300", "more than the"]),
    ("seconds-negative", ["--seconds=-1"], 2, ["--seconds", "must be more than zero"]),
    ("seconds-zero", ["--seconds", "0"], 2, ["--seconds", "'0' must be more than zero"]),
    ("seconds-empty", ["--seconds", ""], 2, ["--seconds", "not a number of seconds (e.g. 0.5)"]),
    ("seconds-word", ["--seconds", "soon"], 2, ["--seconds", "'soon'", "e.g. 0.5"]),
    ("seconds-unit", ["--seconds", "1s"], 2, ["--seconds", "'1s'", "e.g. 0.5"]),
    ("press-duration-inf", ["--press", "15@0.1:inf"], 2, ["--press '15@0.1:inf'", "duration", "finite"]),
    ("press-time-nan", ["--press", "15@nan"], 2, ["--press '15@nan'", "time", "finite"]),
    ("press-time-huge", ["--press", "15@1e300"], 2, ["--press '15@1e300'", "more than the"]),
    ("press-time-negative", ["--press", "15@-1"], 2, ["--press '15@-1'", "zero or more"]),
    ("press-duration-zero", ["--press", "15@0.1:0"], 2, ["--press '15@0.1:0'", "more than zero"]),
    ("press-pin-99", ["--press", "99@0.1"], 2, ["--press '99@0.1'", "pin 99 does not exist", "0-47"]),
    ("press-pin-word", ["--press", "x@0.1"], 2, ["--press 'x@0.1'", "expected PIN@SECONDS[:DURATION]"]),
    ("press-no-time", ["--press", "15"], 2, ["--press '15'", "e.g. 15@0.5:0.2"]),
    ("mips-zero", ["--mips", "0"], 2, ["--mips", "'0'", "greater than 0"]),
    ("mips-nan", ["--mips", "nan"], 2, ["--mips", "'nan'", "finite number"]),
    ("mips-negative", ["--mips=-5"], 2, ["--mips", "greater than 0"]),
    ("mips-huge", ["--mips", "1e9"], 2, ["--mips", "at most 10000"]),
    ("timeout-nan", ["--timeout", "nan", "--expect-uart", "x"], 2, ["--timeout", "not a finite number"]),
    ("timeout-zero", ["--timeout", "0", "--expect-uart", "x"], 2, ["--timeout", "more than zero"]),
    ("timeout-huge", ["--timeout", "1e20", "--expect-uart", "x"], 2, ["--timeout", "more than the"]),
]

PORTS = [
    ("uart-tcp-70000", ["--uart-tcp", "70000"], 2, ["--uart-tcp", "port 70000 is outside 0-65535"]),
    ("uart-tcp-negative", ["--uart-tcp=-1"], 2, ["--uart-tcp", "port -1 is outside 0-65535"]),
    ("uart-tcp-word", ["--uart-tcp", "abc"], 2, ["--uart-tcp", "'abc' is not a port number"]),
    ("uart-tcp-float", ["--uart-tcp", "80.5"], 2, ["--uart-tcp", "'80.5' is not a port number"]),
    ("gdb-70000", ["--gdb", "70000"], 2, ["--gdb", "port 70000 is outside 0-65535"]),
    ("gdb-negative", ["--gdb=-3"], 2, ["--gdb", "port -3 is outside 0-65535"]),
    ("gdb-word", ["--gdb", "gdb"], 2, ["--gdb", "'gdb' is not a port number"]),
    ("gdb-huge", ["--gdb", "99999999999999999999"], 2, ["--gdb", "is outside 0-65535"]),
]

PATHS = [
    ("events-missing-dir", ["--events", "{tmp}/no/e.jsonl"], 2, ["--events", "directory {tmp}/no does not exist"]),
    ("vcd-missing-dir", ["--vcd", "{tmp}/no/w.vcd"], 2, ["--vcd", "directory {tmp}/no does not exist"]),
    ("plot-missing-dir", ["--plot", "{tmp}/no/p.png"], 2, ["--plot", "directory {tmp}/no does not exist"]),
    ("trace-wit-missing-dir", ["--trace-wit", "{tmp}/no/w.jsonl"], 2,
     ["--trace-wit", "directory {tmp}/no does not exist"]),
    ("save-missing-dir", ["--save-snapshot", "{tmp}/no/s.json"], 2, ["--save-snapshot", "does not exist"]),
    ("events-a-directory", ["--events", "{tmp}"], 2, ["--events", "is a directory, expected a file name"]),
    ("vcd-a-directory", ["--vcd", "{tmp}"], 2, ["--vcd", "is a directory, expected a file name"]),
    ("events-over-the-elf", ["--events", "{elf}"], 2, ["--events", "that is the firmware ELF", "another file name"]),
    ("vcd-over-the-elf", ["--vcd", "{elf}"], 2, ["--vcd", "that is the firmware ELF"]),
    ("plot-over-the-elf", ["--plot", "{elf}"], 2, ["--plot", "that is the firmware ELF"]),
    ("snapshot-over-the-elf", ["--save-snapshot", "{elf}"], 2, ["--save-snapshot", "that is the firmware ELF"]),
    ("events-and-vcd-same", ["--events", "{tmp}/x", "--vcd", "{tmp}/x"], 2, ["--vcd", "{tmp}/x", "--events"]),
    ("repl-missing", ["--repl", "{tmp}/none.repl"], 2, ["{tmp}/none.repl", "cannot read platform file"]),
    ("repl-a-directory", ["--repl", "{tmp}"], 2, ["{tmp}", "platform file"]),
    ("restore-missing", ["--restore", "{tmp}/none.json"], 2, ["{tmp}/none.json", "no such file"]),
    ("elf-a-directory", ["ELF={tmp}"], 2, ["{tmp}: not a regular file"]),
    ("elf-missing", ["ELF={tmp}/none.elf"], 2, ["{tmp}/none.elf: no such file"]),
    ("no-elf", ["ELF="], 2, ["an ELF is needed (or --restore FILE)"]),
]

TEXT = [
    ("input-lone-backslash", ["--uart-input", "abc\\"], 2, ["--uart-input", "lone backslash", "write \\\\"]),
    ("input-euro", ["--uart-input", "price: \u20ac"], 2,
     ["--uart-input", "U+20AC", "is not a byte", "\\xe2\\x82\\xac"]),
    ("input-emoji", ["--uart-input", "\U0001f600"], 2, ["--uart-input", "U+1F600", "\\xf0\\x9f\\x98\\x80"]),
    ("input-unknown-escape", ["--uart-input", "\\q"], 2, ["--uart-input", "unknown escape \\q at position 0"]),
    ("input-short-hex", ["--uart-input", "ab\\x4"], 2, ["--uart-input", "\\x at position 2", "two hex digits"]),
    ("input-bad-hex", ["--uart-input", "\\xzz"], 2, ["--uart-input", "two hex digits (e.g. \\x7f)"]),
    ("expect-empty", ["--expect-uart", ""], 2, ["--expect-uart", "empty"]),
    ("fail-on-empty", ["--fail-on-uart", ""], 2, ["--fail-on-uart", "empty"]),
    ("expect-non-latin1", ["--expect-uart", "\u20ac"], 2, ["--expect-uart", "U+20AC"]),
    ("press-after-the-end", ["--seconds", "0.01", "--press", "15@5"], 0,
     ["warning: --press 15@5 is at or after the end of the run (0.01 s)"]),
]

CASES = [pytest.param(*case[1:], id=f"{family}:{case[0]}")
         for family, table in (("numbers", NUMBERS), ("ports", PORTS), ("paths", PATHS), ("text", TEXT))
         for case in table]


def _argv(args: list[str], elf: Path, tmp: Path) -> list[str]:
    elf_arg = [str(elf)]
    out = []
    for arg in args:
        if arg.startswith("ELF="):
            value = arg.removeprefix("ELF=").format(tmp=tmp)
            elf_arg = [value] if value else []
            continue
        out.append(arg.format(elf=elf, tmp=tmp))
    return ["run", *elf_arg, *out]


@pytest.mark.parametrize(("args", "code", "phrases"), CASES)
def test_run_refuses_with_one_line(firmware, tmp_path, args, code, phrases):
    elf = tmp_path / "fw.elf"
    shutil.copy(firmware["uart-echo"], elf)
    (tmp_path / "notes.txt").write_text("the user's notes\n")
    before = contents(tmp_path)
    outcome = cli(*_argv(args, elf, tmp_path))
    for phrase in phrases:
        assert_clean(outcome, code, phrase.format(tmp=tmp_path, elf=elf))
    if code:
        assert one_line(outcome).startswith("rp2350-emu"), outcome.err
    assert contents(tmp_path) == before  # nothing written, nothing lost

