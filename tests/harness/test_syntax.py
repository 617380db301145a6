"""Renode's time-interval strings and monitor script syntax."""

from __future__ import annotations

import pytest

from rp2350_emu.monitor.script import ScriptSyntaxError, split_statements, tokenize
from rp2350_emu.time.units import parse_interval, seconds_to_ns


@pytest.mark.parametrize(("text", "ns"), [
    ("00:00:01", 1_000_000_000),
    ("1", 1_000_000_000),
    ("0.01", 10_000_000),
    ("01:02:03.5", (3600 + 120 + 3) * 1_000_000_000 + 500_000_000),
    ("2:30", 150_000_000_000),
    ("5s", 5_000_000_000),     # unit suffixes are ignored by Renode's unanchored pattern ...
    ("1ms", 1_000_000_000),    # ... so "1ms" is one second there, and here
    ("0.000000001", 1),
])
def test_interval_strings_mean_what_renode_means(text: str, ns: int) -> None:
    assert parse_interval(text) == ns


def test_interval_without_digits_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a time interval"):
        parse_interval("soon")


def test_keyword_seconds_are_exact_nanoseconds() -> None:
    assert seconds_to_ns(0.1) == 100_000_000
    assert seconds_to_ns("0.3") == 300_000_000
    assert seconds_to_ns(8) == 8_000_000_000


def test_tokens_are_typed() -> None:
    kinds = [(t.kind, t.value) for t in tokenize('sysbus WriteDoubleWord 0x20000000 42 "s" @a/b.elf true <0x10, 0x20>')]
    assert kinds == [("word", "sysbus"), ("word", "WriteDoubleWord"), ("int", 0x20000000), ("int", 42),
                     ("string", "s"), ("path", "a/b.elf"), ("bool", True), ("range", (0x10, 0x20))]
    assert tokenize("<0x100 0x10>")[0].value == (0x100, 0x10F)  # <start size>


def test_assignment_and_variable_with_path_tail() -> None:
    (assign,) = tokenize("$bin?=@build/blinky.elf")
    assert assign.kind == "assign"
    name, only_if_unset, value = assign.value
    assert (name, only_if_unset, value.kind, value.value) == ("bin", True, "path", "build/blinky.elf")
    (var,) = tokenize("$ORIGIN/../platforms/rp2350.repl")
    assert var.kind == "var" and var.value == ("ORIGIN", "/../platforms/rp2350.repl")


def test_comments_and_headers_are_skipped_and_lines_counted() -> None:
    source = ":name: x\n# comment\n\nmach create  # trailing\nmacro reset\n\"\"\"\n  sysbus LoadELF $bin\n\"\"\"\nstart\n"
    statements = split_statements(source, "x.resc")
    assert [(s.line, s.text.split()[0]) for s in statements] == [(4, "mach"), (5, "macro"), (9, "start")]
    assert tokenize(statements[0].text) == tokenize("mach create")
    assert "sysbus LoadELF $bin" in str(tokenize(statements[1].text)[2].value)


@pytest.mark.parametrize(("source", "expected"), [
    ('log "unterminated', "unterminated string"),
    ("macro m\n\"\"\"\nstart\n", 'unterminated """'),
    ("sysbus ReadByte <1, x>", "bad range"),
    ("include @", "expected a path"),
    ("$x=", "expects exactly one value"),
])
def test_syntax_errors_say_where_and_what_is_expected(source: str, expected: str) -> None:
    with pytest.raises(ScriptSyntaxError) as info:
        for st in split_statements(source, "bad.resc"):
            tokenize(st.text, st.where)
    assert expected in str(info.value)
    assert "bad.resc:" in str(info.value)
