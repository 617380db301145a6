"""`rp2350-emu test` as a renode-test stand-in: injection, options, results, failures."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.harness.helpers import DATA, REPO, RobotOutcome

MODERN = """\
*** Variables ***
${FW}      @DATA@/fake-firmware

*** Keywords ***
Boot
    [Arguments]    ${firmware}
    Execute Command    $bin=@${FW}/${firmware}.fake
    Execute Command    include @@DATA@/board.resc

*** Test Cases ***
Blinky Says On
    Boot    blinky
    Create Terminal Tester    sysbus.uart0
    ${line}=    Wait For Line On Uart    GPIO25 (\\\\w+)    treatAsRegex=true
    Should Be Equal    ${line.Groups[0]}    On
    Should Be True    ${line.Timestamp} > 1.0

Times Out
    Boot    uart-echo
    Create Terminal Tester    sysbus.uart0    timeout=0.5
    Wait For Line On Uart    this never comes

Runs After A Failure
    [Tags]    smoke
    Boot    blinky
    Create LED Tester    sysbus.gpio.led
    Assert LED Is Blinking    testDuration=2    onDuration=0.5    offDuration=0.5
"""

LEGACY = """\
*** Settings ***
Suite Setup       Setup
Suite Teardown    Teardown
Test Setup        Reset Emulation
Test Teardown     Test Teardown
Resource          ${RENODEKEYWORDS}

*** Test Cases ***
Legacy Style Works
    Execute Command    $bin=@@DATA@/fake-firmware/uart-echo.fake
    Execute Command    include @@DATA@/board.resc
    Execute Command    emulation RunFor "0.01"
    Create Terminal Tester    sysbus.uart0
    Write Line To Uart    hello
    Renode.Write Line To Uart    again
"""

CUSTOM_SETUP = """\
*** Settings ***
Suite Setup    Custom Suite Setup

*** Keywords ***
Custom Suite Setup
    Setup
    Set Suite Variable    ${BOARD}    @DATA@/board.resc

*** Test Cases ***
Button Follows
    Execute Command    $bin=@@DATA@/fake-firmware/button.fake
    Execute Command    include @${BOARD}
    Create LED Tester    sysbus.gpio.led    defaultTimeout=0.1
    Assert LED State    false
    Execute Command    sysbus.gpio.button Press
    Assert LED State    true
    Sleep    0.5s
    Assert And Hold LED State    true    0    0.2
    Execute Command    sysbus.gpio.button Release
    Assert LED State    false
    ${state}=    Execute Command    sysbus.gpio.led State
    Should Be Equal    ${state.rstrip()}    False
"""


def test_modern_suite_gets_everything_injected_and_failures_do_not_stop_the_run(run_robot) -> None:
    outcome = run_robot({"modern.robot": MODERN})
    assert outcome.test_statuses() == {"Blinky Says On": "PASS", "Times Out": "FAIL",
                                       "Runs After A Failure": "PASS"}
    assert outcome.status == 1
    assert "robot: 2 passed, 1 failed, 0 skipped" in outcome.output
    assert "timed out after 0.500000 s of virtual time" in outcome.message("Times Out")
    for name in ("robot_output.xml", "log.html", "report.html"):
        assert (outcome.results / name).is_file()
    # the failing test left its UART transcript and pin history in logs/
    (log,) = (outcome.results / "logs").glob("*Times Out.log")
    assert "uart0" in log.read_text() or "machine-0" in log.read_text()


def test_legacy_and_custom_setup_styles(run_robot) -> None:
    outcome = run_robot({"legacy.robot": LEGACY, "custom.robot": CUSTOM_SETUP})
    assert outcome.test_statuses() == {"Legacy Style Works": "PASS", "Button Follows": "PASS"}
    assert outcome.status == 0


def test_include_exclude_and_default_tags(run_robot) -> None:
    suite = MODERN.replace("Times Out\n", "Times Out\n    [Tags]    excluded\n")
    outcome = run_robot({"tags.robot": suite})
    assert "Times Out" not in outcome.test_statuses()  # `excluded` is excluded by default
    outcome = run_robot({"tags.robot": MODERN}, include=["smoke"])
    assert outcome.test_statuses() == {"Runs After A Failure": "PASS"}
    outcome = run_robot({"tags.robot": MODERN}, exclude=["smoke"])
    assert set(outcome.test_statuses()) == {"Blinky Says On", "Times Out"}


def test_unstable_failures_become_skips(run_robot) -> None:
    suite = MODERN.replace("Times Out\n", "Times Out\n    [Tags]    unstable\n")
    outcome = run_robot({"unstable.robot": suite})
    assert outcome.test_statuses()["Times Out"] == "SKIP"
    assert outcome.status == 0


def test_fixture_repeat_and_variables(run_robot) -> None:
    outcome = run_robot({"fix.robot": MODERN}, fixture="Blinky*On")
    assert outcome.test_statuses() == {"Blinky Says On": "PASS"}
    outcome = run_robot({"fix.robot": MODERN}, fixture="Say", repeat=3)
    assert "robot: 3 passed, 0 failed" in outcome.output
    suite = MODERN.replace("timeout=0.5", "timeout=${SHORT}")
    outcome = run_robot({"vars.robot": suite}, variables=["SHORT:0.25"], fixture="Times")
    assert "timed out after 0.250000 s" in outcome.message("Times Out")


def test_default_uart_timeout_variable_is_used_by_setup(run_robot) -> None:
    suite = MODERN.replace("    timeout=0.5", "")
    outcome = run_robot({"t.robot": suite}, variables=["DEFAULT_UART_TIMEOUT:0.75"], fixture="Times")
    assert "timed out after 0.750000 s" in outcome.message("Times Out")


def test_wrong_argument_name_in_a_suite_is_reported(run_robot) -> None:
    suite = MODERN.replace("treatAsRegex=true", "treatAsregex=true")
    outcome = run_robot({"args.robot": suite}, fixture="Blinky")
    message = outcome.message("Blinky Says On")
    assert "Arguments types do not match any available keyword" in message
    assert "did you mean treatAsRegex" in message
    assert "Traceback" not in message


def test_test_timeout_is_wall_time(run_robot) -> None:
    outcome = run_robot({"wall.robot": MODERN}, test_timeout="30s", fixture="Blinky")
    assert outcome.test_statuses() == {"Blinky Says On": "PASS"}


def test_missing_file_is_reported_and_others_still_run(run_robot, tmp_path) -> None:
    from rp2350_emu.robotlib.runner import run_tests

    good = tmp_path / "good.robot"
    good.write_text(MODERN.replace("@DATA@", str(DATA)))
    import io

    out = io.StringIO()
    status = run_tests([str(tmp_path / "nope.robot"), str(good)], tmp_path / "r", fixture="Blinky",
                       console="dotted", stdout=out)
    assert status == 1
    assert "nope.robot: no such test file" in out.getvalue()
    assert "1 passed, 0 failed" in out.getvalue()


def test_command_line_entry(fake_factory, tmp_path) -> None:
    suite = tmp_path / "cli.robot"
    suite.write_text(MODERN.replace("@DATA@", str(DATA)))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "rp2350_emu.robotlib.runner", "-r", str(tmp_path / "out"),
                           "--fixture", "Blinky", str(suite)], capture_output=True, text=True, timeout=120, env=env,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "robot: 1 passed, 0 failed, 0 skipped" in proc.stdout


def test_renode_idioms_suite(fake_factory, tmp_path) -> None:
    """A suite in the style of Renode's own tests, not written against this harness's suites."""
    import io

    from rp2350_emu.robotlib.runner import run_tests

    out = io.StringIO()
    status = run_tests([str(DATA / "suites" / "renode_idioms.robot")], tmp_path, console="dotted", stdout=out)
    outcome = RobotOutcome(status, out.getvalue(), tmp_path)
    statuses = outcome.test_statuses()
    assert statuses.pop("Is Skipped By Tag") == "SKIP"
    assert set(statuses.values()) == {"PASS"}, {t: outcome.message(t) for t, s in statuses.items() if s != "PASS"}
    assert status == 0
