"""Robot keywords: a bad argument names the keyword and the argument, never a bare ValueError."""

from __future__ import annotations

from pathlib import Path

import pytest

from rp2350_emu.errors import HarnessError
from rp2350_emu.robotlib.library import RenodeKeywords
from tests.reliability.helpers import REPO, assert_clean, assert_message, cli_process, no_hang

UART = "sysbus.uart0"

# (id, keyword, arguments, key words); the machine runs uart-echo.elf
CASES: list[tuple[str, str, list[object], list[str]]] = [
    ("timeout-negative", "Set Default Uart Timeout", ["timeout=-1"],
     ["Set Default Uart Timeout: argument timeout: -1 must be zero or more seconds", "'timeout=-1'"]),
    ("timeout-word", "Set Default Uart Timeout", ["timeout=soon"],
     ["Set Default Uart Timeout: timeout expects a number of seconds like 1 or 0.5, got 'soon'"]),
    ("timeout-unit", "Set Default Uart Timeout", ["1s"], ["timeout expects a number of seconds", "got '1s'"]),
    ("timeout-nan-text", "Set Default Uart Timeout", ["timeout=nan"], ["got 'nan'"]),
    ("timeout-nan-value", "Set Default Uart Timeout", [float("nan")],
     ["Set Default Uart Timeout: argument timeout: nan is not a finite number of seconds"]),
    ("timeout-inf-value", "Set Default Uart Timeout", [float("inf")], ["argument timeout: inf is not a finite"]),
    ("timeout-huge", "Set Default Uart Timeout", ["timeout=1e300"], ["argument timeout: 1e+300 seconds is more"]),
    ("timeout-case", "Set Default Uart Timeout", ["Timeout=1"],
     ["no parameter named 'Timeout' (did you mean timeout=...? names are case-sensitive)"]),
    ("too-many", "Set Default Uart Timeout", ["1", "2"], ["too many arguments (expected at most 1)"]),
    ("missing", "Wait For Line On Uart", [], ["Wait For Line On Uart: missing required argument 'content'"]),
    ("tester-timeout-negative", "Create Terminal Tester", [UART, "timeout=-5"],
     ["Create Terminal Tester: argument timeout: -5 must be zero or more"]),
    ("wait-timeout-negative", "Wait For Line On Uart", ["hello", "timeout=-1"],
     ["Wait For Line On Uart: argument timeout: -1"]),
    ("tester-id-word", "Wait For Line On Uart", ["hello", "testerId=abc"],
     ["testerId expects an integer (decimal or 0x hex), got 'abc'"]),
    ("tester-id-missing", "Wait For Line On Uart", ["hello", "testerId=7"],
     ["Tester for given ID=7 was not found", "Create Terminal Tester"]),
    ("idle-negative", "Test If Uart Is Idle", ["timeout=-2"], ["Test If Uart Is Idle: argument timeout: -2"]),
    ("char-delay-negative", "Write Char Delay", ["delay=-0.1"], ["Write Char Delay: argument delay: -0.1"]),
    ("blink-duration-negative", "Assert LED Is Blinking", ["testDuration=-1", "onDuration=0.1", "offDuration=0.1"],
     ["ArgumentException: Value must be positive, but was -1", "Parameter name: testDuration"]),  # Renode's text
    ("blink-duration-nan", "Assert LED Is Blinking", [float("nan"), "0.1", "0.1"],
     ["Assert LED Is Blinking: argument testDuration: nan is not a finite number"]),
    ("led-state-timeout-huge", "Assert LED State", ["true", "timeout=1e12"],
     ["Assert LED State: argument timeout: 1000000000000.0 seconds is more than"]),
    ("duty-nan-text", "Assert LED Duty Cycle", ["1", "nan"], ["expectedDutyCycle expects a number", "'nan'"]),
    ("led-timeout-negative", "Set Default LED Timeout", ["timeout=-3"], ["Set Default LED Timeout: argument timeout"]),
    ("pause-inf", "Wait For Pause", ["inf"], ["Wait For Pause: timeout expects a number of seconds", "'inf'"]),
    ("bool-word", "Create Terminal Tester", [UART, "binaryMode=maybe"], ["binaryMode expects true or false"]),
    ("bad-command", "Execute Command", ["frobnicate"], ["unknown command or object 'frobnicate'"]),
    ("bad-port", "Execute Command", ["machine StartGdbServer 70000"], ["port 70000 is outside 0-65535"]),
]


@pytest.fixture
def keywords(firmware):
    library = RenodeKeywords()
    library.run_keyword("Execute Command", [f"$bin=@{firmware['uart-echo']}"])
    library.run_keyword("Execute Command", [f"include @{REPO / 'renode' / 'rp2350.resc'}"])
    yield library
    library.emulation.close()


@pytest.mark.parametrize(("name", "args", "phrases"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_bad_keyword_argument_names_keyword_and_argument(keywords, name, args, phrases):
    if name.startswith(("Assert LED", "Create LED")):
        keywords.run_keyword("Create LED Tester", ["sysbus.gpio.led"])
    with no_hang(20), pytest.raises(HarnessError) as info:
        keywords.run_keyword(name, list(args))
    message = str(info.value)
    for phrase in phrases:
        if message.startswith("ArgumentException"):  # Renode's two-line text, kept as Renode writes it
            assert phrase in message and "Traceback" not in message, message
        else:
            assert_message(message, phrase)
    assert not isinstance(info.value, ValueError)


def test_a_suite_with_a_bad_timeout_fails_with_the_message(firmware, tmp_path):
    suite = tmp_path / "bad.robot"
    suite.write_text(
        "*** Test Cases ***\nNegative Timeout\n"
        f"    Execute Command    $bin=@{firmware['uart-echo']}\n"
        f"    Execute Command    include @{REPO / 'renode' / 'rp2350.resc'}\n"
        f"    Create Terminal Tester    {UART}    timeout=-1\n")
    outcome = cli_process("test", suite, "-r", tmp_path / "results", timeout=120)
    assert_clean(outcome, 1, "Create Terminal Tester: argument timeout: -1 must be zero or more seconds")
    assert "ValueError" not in outcome.text
    assert Path(tmp_path / "results" / "robot_output.xml").is_file()
