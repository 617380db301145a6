"""UART keyword semantics, each checked against what Renode does (Renode's
RenodeKeywords.cs, UartKeywords.cs, TerminalTester.cs); the LED, log and
emulation keywords are in test_keywords_board.py.

The fake firmware timings: boot at 1 ms; a UART byte takes 86.805 us
(10 bits at 115200); blinky toggles GPIO25 every 500 ms starting on; chatty
prints `tick N` (with colour codes and a NUL) every 100 ms.
"""

from __future__ import annotations

import pytest

from rp2350_emu.errors import HarnessError
from rp2350_emu.robotlib.args import ArgumentMismatch
from tests.harness.helpers import boot, kw

BYTE_NS = 86_805


def now(lib) -> int:
    return lib.emulation.now_ns


# -- timeouts are virtual ---------------------------------------------------------------------------

def test_timeout_is_virtual_time_and_exact(lib) -> None:
    boot(lib, "blinky")
    kw(lib, "Create Terminal Tester", "sysbus.uart0", "timeout=2")
    with pytest.raises(HarnessError, match="timed out after 2.000000 s of virtual time"):
        kw(lib, "Wait For Line On Uart", "never printed")
    assert now(lib) == 2_000_000_000


def test_wait_stops_at_the_match_and_reports_its_virtual_timestamp(lib) -> None:
    boot(lib, "blinky")
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    first = kw(lib, "Wait For Line On Uart", "GPIO25 Off")
    # "GPIO25 On\r\n" (11 bytes) then "GPIO25 Off\r\n" (12 bytes) sent from 501 ms
    assert first.Timestamp == pytest.approx((501_000_000 + 12 * BYTE_NS) / 1e6, abs=1e-6)
    assert now(lib) == 501_000_000 + 12 * BYTE_NS
    assert lib.emulation.started  # waits start the emulation and leave it running


def test_default_uart_timeout_applies_to_testers_created_later(lib) -> None:
    boot(lib, "uart-echo")
    kw(lib, "Set Default Uart Timeout", "0.25")
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    with pytest.raises(HarnessError):
        kw(lib, "Wait For Line On Uart", "x")
    assert now(lib) == 250_000_000


def test_timeout_zero_checks_only_what_is_buffered(lib) -> None:
    boot(lib, "blinky")
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    with pytest.raises(HarnessError):
        kw(lib, "Wait For Line On Uart", "GPIO25 On", "timeout=0")
    assert now(lib) == 0 and not lib.emulation.started
    kw(lib, "Execute Command", 'emulation RunFor "0.1"')
    assert kw(lib, "Wait For Line On Uart", "GPIO25 On", "timeout=0").Line == "GPIO25 On"


# -- matching and consumption -------------------------------------------------------------------------

def test_match_consumes_the_line_and_all_earlier_ones(lib) -> None:
    boot(lib, "chatty")
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    kw(lib, "Execute Command", 'emulation RunFor "0.35"')  # tick 1..4 buffered
    assert kw(lib, "Wait For Line On Uart", "tick 3", "timeout=0").Line == "tick 3"
    # tick 1 and 2 went with it; tick 4 is next
    assert kw(lib, "Wait For Next Line On Uart", "timeout=0").Line == "tick 4"
    with pytest.raises(HarnessError):
        kw(lib, "Wait For Line On Uart", "tick 2", "timeout=0")


def test_lines_drop_cr_nul_and_colour_codes(lib) -> None:
    boot(lib, "chatty")
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    line = kw(lib, "Wait For Next Line On Uart").Line
    assert line == "tick 1"


def test_substring_by_default_regex_on_request_with_groups(lib) -> None:
    boot(lib, "chatty")
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    with pytest.raises(HarnessError):  # as a substring "tick \d" never appears
        kw(lib, "Wait For Line On Uart", r"tick \d", "timeout=0.15")
    # nothing was consumed by the failed wait: the oldest line matches now
    result = kw(lib, "Wait For Line On Uart", r"ti(c)k (\d+)", "treatAsRegex=true")
    assert result.Groups == ["c", "1"]
    named = kw(lib, "Wait For Line On Uart", r"tick (?<n>\d+)", "treatAsRegex=true")  # .NET group syntax
    assert named.Groups == ["2"]


def test_match_next_line_only_accepts_the_oldest_line(lib) -> None:
    boot(lib, "chatty")
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    kw(lib, "Execute Command", 'emulation RunFor "0.25"')  # tick 1, tick 2 buffered
    with pytest.raises(HarnessError):
        kw(lib, "Wait For Line On Uart", "tick 2", "timeout=0.5", "matchNextLine=true")
    assert kw(lib, "Wait For Line On Uart", "tick 1", "timeout=0", "matchNextLine=true").Line == "tick 1"


def test_unfinished_line_matches_only_when_asked(lib) -> None:
    boot(lib, "uart-echo")
    kw(lib, "Execute Command", 'emulation RunFor "0.01"')
    kw(lib, "Create Terminal Tester", "sysbus.uart0", "timeout=0.1")
    kw(lib, "Write To Uart", "login: ")
    with pytest.raises(HarnessError):
        kw(lib, "Wait For Line On Uart", "login:")
    result = kw(lib, "Wait For Prompt On Uart", "login:")
    assert result.Line == "login: "


def test_wait_for_lines_needs_consecutive_lines(lib) -> None:
    boot(lib, "chatty")
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    result = kw(lib, "Wait For Lines On Uart", ["tick 2", "tick 3"])
    assert result.Line == "tick 3"
    with pytest.raises(HarnessError):
        kw(lib, "Wait For Lines On Uart", ["tick 4", "tick 6"], "timeout=0.5")


def test_failing_string_fails_the_wait(lib) -> None:
    boot(lib, "trap")
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    kw(lib, "Register Failing Uart String", "*** guest trap:")
    with pytest.raises(HarnessError, match="Test failing entry has been found on UART"):
        kw(lib, "Wait For Line On Uart", "never")
    assert now(lib) < 200_000_000  # failed at the trap report, not at the 8 s timeout


def test_should_not_be_on_uart_waits_the_full_timeout(lib) -> None:
    boot(lib, "blinky")
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    kw(lib, "Should Not Be On Uart", "panic", "timeout=1.5")
    assert now(lib) == 1_500_000_000
    with pytest.raises(HarnessError, match="Unexpected entry has been found on UART"):
        kw(lib, "Should Not Be On Uart", "GPIO25 Off", "timeout=2")


def test_uart_idle(lib) -> None:
    boot(lib, "uart-echo")
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    kw(lib, "Test If Uart Is Idle", "1")
    assert now(lib) == 1_000_000_000
    kw(lib, "Write To Uart", "x")
    with pytest.raises(HarnessError, match="UART is not idle"):
        kw(lib, "Test If Uart Is Idle", "1")


# -- writing ----------------------------------------------------------------------------------------------

def test_write_line_waits_for_the_echo(lib) -> None:
    boot(lib, "uart-echo")
    kw(lib, "Execute Command", 'emulation RunFor "0.01"')
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    start = now(lib)
    kw(lib, "Write Line To Uart", "hello")
    # 5 chars in, the 5th echoed back: the wait ends when 'o' has left the wire
    assert now(lib) == start + 5 * BYTE_NS + BYTE_NS
    kw(lib, "Write Line To Uart", "world", "waitForEcho=false")
    assert now(lib) == start + 6 * BYTE_NS  # no time passed


def test_write_line_fails_on_firmware_that_does_not_echo(lib) -> None:
    boot(lib, "blinky")
    kw(lib, "Create Terminal Tester", "sysbus.uart0", "timeout=0.2")
    with pytest.raises(HarnessError, match="Terminal tester failed"):
        kw(lib, "Write Line To Uart", "hello")


def test_create_terminal_tester_default_wait_for_echo_is_per_library(lib) -> None:
    boot(lib, "blinky")
    kw(lib, "Create Terminal Tester", "sysbus.uart0", "defaultWaitForEcho=false")
    kw(lib, "Write Line To Uart", "hello")  # does not wait, so no failure
    assert now(lib) == 0


def test_send_key_and_write_char(lib) -> None:
    boot(lib, "uart-echo")
    kw(lib, "Execute Command", 'emulation RunFor "0.01"')
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    kw(lib, "Write Char On Uart", "a")
    kw(lib, "Send Key To Uart", "0xD")
    assert kw(lib, "Wait For Next Line On Uart").Line == "a"


# -- testers and ids -------------------------------------------------------------------------------------

def test_tester_ids_restart_and_reuse(lib) -> None:
    boot(lib, "chatty")
    assert kw(lib, "Create Terminal Tester", "sysbus.uart0") == 0
    assert kw(lib, "Create Terminal Tester", "sysbus.uart0", "timeout=1") == 0  # same UART: same tester
    assert kw(lib, "Create Terminal Tester", "sysbus.uart1") == 1
    with pytest.raises(HarnessError, match="more than one tester available - please specify ID"):
        kw(lib, "Wait For Next Line On Uart")
    assert kw(lib, "Wait For Next Line On Uart", "testerId=0").Line == "tick 1"
    kw(lib, "Set Default Tester", "0")
    assert kw(lib, "Wait For Next Line On Uart").Line == "tick 2"
    with pytest.raises(HarnessError, match="ID=5 was not found"):
        kw(lib, "Wait For Next Line On Uart", "testerId=5")
    kw(lib, "Reset Emulation")
    boot(lib, "chatty")
    assert kw(lib, "Create Terminal Tester", "sysbus.uart1") == 0


def test_characters_sent_before_the_tester_existed_are_not_seen(lib) -> None:
    boot(lib, "chatty")
    kw(lib, "Execute Command", 'emulation RunFor "0.15"')  # tick 1, tick 2 sent
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    assert kw(lib, "Wait For Next Line On Uart").Line == "tick 3"


def test_peripheral_names_need_the_sysbus_prefix(lib) -> None:
    boot(lib, "blinky")
    with pytest.raises(HarnessError, match="starting with 'sysbus.'"):
        kw(lib, "Create Terminal Tester", "uart0")
    with pytest.raises(HarnessError, match="not found or of wrong type: sysbus.uart7"):
        kw(lib, "Create Terminal Tester", "sysbus.uart7")
    with pytest.raises(HarnessError, match="not found or of wrong type"):
        kw(lib, "Create LED Tester", "sysbus.gpio.button")


# -- Renode's name=value argument rules ---------------------------------------------------------------

def test_named_arguments_use_exact_csharp_names(lib) -> None:
    boot(lib, "chatty")
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    with pytest.raises(ArgumentMismatch, match=r"no parameter named 'treatasregex' \(did you mean treatAsRegex"):
        kw(lib, "Wait For Line On Uart", "tick", "treatasregex=true")
    with pytest.raises(ArgumentMismatch, match="positional argument .* after named"):
        kw(lib, "Wait For Line On Uart", "timeout=1", "tick")
    with pytest.raises(ArgumentMismatch, match="expects true or false"):
        kw(lib, "Wait For Line On Uart", "tick", "treatAsRegex=yes")
    with pytest.raises(ArgumentMismatch, match="too many arguments"):
        kw(lib, "Start Emulation", "now")
    with pytest.raises(ArgumentMismatch, match="missing required argument 'content'"):
        kw(lib, "Wait For Line On Uart")


def test_positional_orders_follow_the_csharp_signatures(lib) -> None:
    boot(lib, "uart-echo")
    kw(lib, "Execute Command", 'emulation RunFor "0.01"')
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    # Wait For Line On Uart (content, timeout, ...): second positional is the timeout
    with pytest.raises(HarnessError):
        kw(lib, "Wait For Line On Uart", "x", "0.5")
    assert now(lib) == 10_000_000 + 500_000_000
    # Wait For Prompt On Uart (prompt, testerId, timeout): second positional is the tester id
    with pytest.raises(HarnessError, match="ID=3 was not found"):
        kw(lib, "Wait For Prompt On Uart", "x", "3")


def test_a_string_shaped_like_name_value_is_taken_as_named(lib) -> None:
    boot(lib, "blinky")
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    with pytest.raises(ArgumentMismatch, match="no parameter named 'GPIO25'"):
        kw(lib, "Wait For Line On Uart", "GPIO25=On")


def test_values_convert_like_renode(lib) -> None:
    boot(lib, "blinky")
    kw(lib, "Create Terminal Tester", "sysbus.uart0")
    kw(lib, "Wait For Line On Uart", "GPIO25", "timeout=1", "treatAsRegex=TRUE")  # bools case-insensitive
    kw(lib, "Wait For Line On Uart", "GPIO25", 2, None, False)  # Robot ${2} ${None} ${False}
    assert kw(lib, "Wait For Line On Uart", "GPIO25", "testerId=0x0").Line.startswith("GPIO25")

