"""Platform descriptions (.repl): every mistake is one line with file:line, refused before the run."""

from __future__ import annotations

import shutil

import pytest

from tests.reliability.helpers import REPO, assert_clean, cli, contents, one_line

CPU = REPO / "platforms" / "cpus" / "rp2350.repl"
HEAD = f'using "{CPU}"\n'

# (id, the board file after `using` the SoC, the line the error must name, key words)
CASES: list[tuple[str, str, int, list[str]]] = [
    ("bad-string-escape", 'led: Miscellaneous.LED @ gpio 25\n    label: "a\\qb"\n', 3,
     ["bad escape \\q", 'expected \\" or \\\\']),
    ("unknown-entry-reference", "uart9: UART.RP2350_PL011 @ sysbus <0x40080000, +0x4000>\n    clocks: nosuch\n",
     3, ["uart9.clocks refers to 'nosuch', which is not an entry"]),
    ("unknown-irq-destination", "button: Miscellaneous.Button @ gpio 15\n    -> nosuch@15\n", 3,
     ["IRQ destination 'nosuch' is not an entry"]),
    ("button-gpio-99", "button: Miscellaneous.Button @ gpio 99\n    -> gpio@99\n", 2,
     ["button @ gpio 99: gpio has pins 0-47"]),
    ("led-gpio-99", "led: Miscellaneous.LED @ gpio 99\n", 2, ["led @ gpio 99: gpio has pins 0-47"]),
    ("button-to-gpio-99", "button: Miscellaneous.Button @ gpio 15\n    -> gpio@99\n", 3,
     ["-> gpio@99: gpio has pins 0-47"]),
    ("gpio-output-99", "led: Miscellaneous.LED @ gpio 25\ngpio:\n    99 -> led@0\n", 4,
     ["gpio: 99 -> led@0: gpio has pins 0-47"]),
    ("typo-attribute-builtin", "button: Miscellaneous.Button @ gpio 15\n    invret: true\n    -> gpio@15\n", 3,
     ["button (Miscellaneous.Button) has no constructor parameter 'invret'", "expected one of: invert"]),
    ("typo-attribute-model", "uart0:\n    baudrat: 115200\n", 3,
     ["uart0 (UART.RP2350_PL011) has no constructor parameter 'baudrat'", "clkPeriHz"]),
    ("typo-attribute-led", "led: Miscellaneous.LED @ gpio 25\n    colour: 3\n", 3,
     ["has no constructor parameter 'colour'"]),
    ("mapping-overlaps-flash", "flash2: Memory.MappedMemory @ sysbus 0x10000000\n    size: 0x1000\n", 2,
     ["flash2: 0x10000000 +0x1000 overlaps flash", "rp2350.repl:"]),
    ("mapping-overlaps-uart", "uart9: UART.RP2350_PL011 @ sysbus <0x40070000, +0x4000>\n", 2,
     ["uart9: 0x40070000 +0x4000 overlaps uart0", "expected a free address range"]),
    ("memory-size-0", "ram2: Memory.MappedMemory @ sysbus 0x30000000\n    size: 0\n", 2,
     ["ram2: mapping 0x30000000 +0x0 is empty"]),
    ("memory-unaligned", "ram2: Memory.MappedMemory @ sysbus 0x30000100\n    size: 0x1000\n", 2,
     ["is not 4 KiB aligned", "0x1000-aligned"]),
    ("memory-past-4GiB", "ram2: Memory.MappedMemory @ sysbus 0xFFFFF000\n    size: 0x2000\n", 2,
     ["runs past the 4 GiB address space"]),
    ("memory-no-size", "ram2: Memory.MappedMemory @ sysbus 0x30000000\n", 2,
     ["ram2 needs '@ sysbus 0xADDR' and 'size: 0x...'"]),
    ("unknown-type", "foo: Miscellaneous.Nothing @ sysbus 0x50000000\n", 2,
     ["no model for foo (Miscellaneous.Nothing", "expected one of:"]),
    ("bad-indent", "led: Miscellaneous.LED @ gpio 25\n   invert: true\n", 3,
     ["indentation of 3 spaces, expected 4"]),
    ("unterminated-string", 'led: Miscellaneous.LED @ gpio 25\n    label: "abc\n', 3,
     ['unterminated string, expected a closing "']),
    ("bad-number", "ram2: Memory.MappedMemory @ sysbus 0xZZ\n", 2, ["unexpected character"]),
    ("not-on-a-gpio", "led: Miscellaneous.LED @ gpio9 25\n", 2,
     ["led must be registered on a GPIO controller with a pin number, e.g. '@ gpio 25'"]),
    ("never-created", "thing:\n    size: 3\n", 2, ["entry 'thing' is never created"]),
    ("mips-zero", "cpu:\n    PerformanceInMips: 0\n", 3, ["PerformanceInMips 0, expected a positive number"]),
    ("nvic-line-999", "uart0:\n    -> nvic@999\n", 3, ["nvic@999, expected 0..51"]),
    ("created-twice", "led: Miscellaneous.LED @ gpio 25\nled: Miscellaneous.LED @ gpio 24\n", 3,
     ["entry 'led' is created twice (first at"]),
    ("using-missing", 'using "nosuch.repl"\n', 2, ["using 'nosuch.repl': file not found (looked in"]),
    ("using-itself", 'using "board.repl"\n', 2, ["using 'board.repl' includes a file already being read",
                                                "'using' cycle"]),
    ("using-after-entry", 'led: Miscellaneous.LED @ gpio 25\nusing "x.repl"\n', 3,
     ["'using' after an entry, expected all 'using' lines first"]),
    ("unbalanced-bracket", "resets:\n    blocks: [uart0\n", 3, ["expected a closing bracket"]),
    ("unterminated-comment", "/* open\n", 2, ["unterminated /* comment"]),
    ("cpu-type", 'cpu:\n    cpuType: "cortex-m0"\n', 3, ["cpuType 'cortex-m0', expected \"cortex-m33\""]),
]


@pytest.mark.parametrize(("body", "line", "phrases"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_bad_repl_is_refused_with_file_and_line(firmware, tmp_path, body, line, phrases):
    board = tmp_path / "board.repl"
    board.write_text(HEAD + body)
    elf = tmp_path / "fw.elf"
    shutil.copy(firmware["uart-echo"], elf)
    before = contents(tmp_path)
    outcome = cli("run", elf, "--repl", board, "--seconds", "0.01", timeout=20)
    told = one_line(outcome)
    for phrase in phrases:
        assert_clean(outcome, 2, phrase)
    assert f"{board}:{line}:" in told, told
    assert told == outcome.err.strip()
    assert contents(tmp_path) == before


@pytest.mark.parametrize(("raw", "phrase"), [
    pytest.param(b"// caf\xe9\n" + HEAD.encode(), ":1: byte 0xe9 at offset 6 (column 7) is not UTF-8", id="latin-1"),
    pytest.param(HEAD.encode() + b"led: Miscellaneous.LED @ gpio 25\n    label: \"\xff\"\n",
                 ":3: byte 0xff at offset", id="bad-byte-in-string"),
    pytest.param(b"\xef\xbb" + HEAD.encode(), ":1: byte 0xef at offset 0", id="cut-bom"),
])
def test_non_utf8_repl_names_file_line_and_byte(firmware, tmp_path, raw, phrase):
    board = tmp_path / "board.repl"
    board.write_bytes(raw)
    outcome = cli("run", firmware["uart-echo"], "--repl", board, "--seconds", "0.01")
    assert_clean(outcome, 2, f"{board}{phrase}")
    assert "save the file as UTF-8" in outcome.err


def test_typo_in_an_updating_entry_names_the_file_of_the_typo(firmware, tmp_path):
    board = tmp_path / "mine.repl"
    board.write_text(f'using "{REPO / "platforms" / "boards" / "pico2.repl"}"\n\nbutton:\n    invret: true\n')
    outcome = cli("run", firmware["uart-echo"], "--repl", board, "--seconds", "0.01")
    assert_clean(outcome, 2, f"{board}:4: button (Miscellaneous.Button) has no constructor parameter 'invret'")
