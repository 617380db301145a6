"""UART keywords: terminal testers, waits, writes, failing strings."""

from __future__ import annotations

from typing import Any

from rp2350_emu.errors import HarnessError
from rp2350_emu.harness.testers.terminal import END_LINE_OPTIONS, TerminalTester
from rp2350_emu.robotlib.args import Param as P
from rp2350_emu.robotlib.keyword import OPT_F, PAUSE, TESTER, keyword, ns, pick, result
from rp2350_emu.time.units import seconds_to_ns


class UartKeywords:
    """Mixin of RenodeKeywords (library.py)."""

    def _peripheral_path(self, path: str, what: str) -> str:
        if not path.startswith("sysbus."):
            raise HarnessError(f"Peripheral for machine not found or of wrong type: {path} ({what} names are "
                               f"full paths starting with 'sysbus.', e.g. sysbus.{path})")
        return path[len("sysbus."):]

    @keyword("Set Default Uart Timeout", P("timeout", "float"))
    def set_default_uart_timeout(self, timeout: float) -> None:
        self.uart_timeout_s = timeout

    @keyword("Create Terminal Tester", P("uart", "str"), P("timeout", OPT_F, None),
             P("machine", "str", None), P("endLineOption", "enum:" + "|".join(END_LINE_OPTIONS) + "?", None),
             P("defaultPauseEmulation", "bool?", None), P("defaultWaitForEcho", "bool?", None),
             P("defaultMatchNextLine", "bool?", None), P("binaryMode", "bool", False))
    def create_terminal_tester(self, uart: str, timeout: float | None, machine: str | None,
                               endLineOption: str | None, defaultPauseEmulation: bool | None,
                               defaultWaitForEcho: bool | None, defaultMatchNextLine: bool | None,
                               binaryMode: bool) -> int:
        handle = self.emulation.machine(machine)
        name = self._peripheral_path(uart, "UART")
        if not handle.has_uart(name):
            raise HarnessError(f"Peripheral for machine {handle.name} not found or of wrong type: {uart}")
        port = handle.uart(name)
        # Renode keeps these per keyword provider: each call overwrites them for all testers.
        self.default_pause = bool(defaultPauseEmulation)
        self.default_wait_for_echo = True if defaultWaitForEcho is None else defaultWaitForEcho
        self.default_match_next_line = bool(defaultMatchNextLine)
        for index, tester in enumerate(self.uart_testers):
            if tester.port is port:
                return index
        seconds = self.uart_timeout_s if timeout is None else timeout
        tester = TerminalTester(self.emulation, port, seconds_to_ns(seconds),
                                endLineOption or END_LINE_OPTIONS[0], binaryMode)
        self.uart_testers.append(tester)
        return len(self.uart_testers) - 1

    @keyword("Set Default Tester", P("id", "int?"))
    def set_default_tester(self, id: int | None) -> None:
        if id is not None and not 0 <= id < len(self.uart_testers):
            raise HarnessError(f"KeywordException: Tester #{id} was not found. Create a tester before setting it "
                               "as default")
        self.default_uart_tester = id

    def _uart(self, tester_id: int | None) -> TerminalTester:
        return pick(self.uart_testers, self.default_uart_tester if tester_id is None else tester_id,
                     "Terminal tester", "Create Terminal Tester")

    def _pause(self, value: bool | None) -> bool:
        return self.default_pause if value is None else value

    @keyword("Wait For Line On Uart", P("content", "str"), P("timeout", OPT_F, None), TESTER,
             P("treatAsRegex", "bool", False), P("includeUnfinishedLine", "bool", False), PAUSE,
             P("matchNextLine", "bool?", None))
    def wait_for_line_on_uart(self, content: str, timeout: float | None, testerId: int | None,
                              treatAsRegex: bool, includeUnfinishedLine: bool, pauseEmulation: bool | None,
                              matchNextLine: bool | None) -> Any:
        next_line = self.default_match_next_line if matchNextLine is None else matchNextLine
        return result(self._uart(testerId).wait_for_line(content, ns(timeout), treatAsRegex,
                                                          includeUnfinishedLine, self._pause(pauseEmulation),
                                                          next_line))

    @keyword("Wait For Prompt On Uart", P("prompt", "str"), TESTER, P("timeout", OPT_F, None),
             P("treatAsRegex", "bool", False), PAUSE)
    def wait_for_prompt_on_uart(self, prompt: str, testerId: int | None, timeout: float | None,
                                treatAsRegex: bool, pauseEmulation: bool | None) -> Any:
        return result(self._uart(testerId).wait_for_line(prompt, ns(timeout), treatAsRegex, True,
                                                          self._pause(pauseEmulation)))

    @keyword("Wait For Lines On Uart", P("content", "str[]"), P("timeout", OPT_F, None), TESTER,
             P("treatAsRegex", "bool", False), P("includeUnfinishedLine", "bool", False), PAUSE,
             P("matchFromNextLine", "bool", False))
    def wait_for_lines_on_uart(self, content: list[str], timeout: float | None, testerId: int | None,
                               treatAsRegex: bool, includeUnfinishedLine: bool, pauseEmulation: bool | None,
                               matchFromNextLine: bool) -> Any:
        return result(self._uart(testerId).wait_for_lines(content, ns(timeout), treatAsRegex,
                                                           includeUnfinishedLine, self._pause(pauseEmulation),
                                                           matchFromNextLine))

    @keyword("Wait For Next Line On Uart", P("timeout", OPT_F, None), TESTER, PAUSE)
    def wait_for_next_line_on_uart(self, timeout: float | None, testerId: int | None,
                                   pauseEmulation: bool | None) -> Any:
        return result(self._uart(testerId).wait_for_next_line(ns(timeout), self._pause(pauseEmulation)))

    @keyword("Wait For Bytes On Uart", P("content", "str"), P("timeout", OPT_F, None), TESTER,
             P("treatAsRegex", "bool", False), PAUSE, P("matchStart", "bool", False))
    def wait_for_bytes_on_uart(self, content: str, timeout: float | None, testerId: int | None,
                               treatAsRegex: bool, pauseEmulation: bool | None, matchStart: bool) -> Any:
        return result(self._uart(testerId).wait_for_bytes(content, ns(timeout), treatAsRegex,
                                                           self._pause(pauseEmulation), matchStart))

    @keyword("Should Not Be On Uart", P("content", "str"), P("timeout", OPT_F, None), TESTER,
             P("treatAsRegex", "bool", False), P("includeUnfinishedLine", "bool", False))
    def should_not_be_on_uart(self, content: str, timeout: float | None, testerId: int | None,
                              treatAsRegex: bool, includeUnfinishedLine: bool) -> None:
        self._uart(testerId).should_not_be_on_uart(content, ns(timeout), treatAsRegex, includeUnfinishedLine)

    @keyword("Write Line To Uart", P("content", "str", ""), TESTER, P("waitForEcho", "bool?", None),
             PAUSE)
    def write_line_to_uart(self, content: str, testerId: int | None, waitForEcho: bool | None,
                           pauseEmulation: bool | None) -> None:
        echo = self.default_wait_for_echo if waitForEcho is None else waitForEcho
        self._uart(testerId).write_line(content, echo, self._pause(pauseEmulation))

    @keyword("Write To Uart", P("content", "str"), TESTER)
    def write_to_uart(self, content: str, testerId: int | None) -> None:
        self._uart(testerId).write(content)

    @keyword("Write Char On Uart", P("c", "char"), TESTER)
    def write_char_on_uart(self, c: str, testerId: int | None) -> None:
        self._uart(testerId).write(c)

    @keyword("Send Key To Uart", P("c", "byte"), TESTER)
    def send_key_to_uart(self, c: int, testerId: int | None) -> None:
        self._uart(testerId).write(chr(c))

    @keyword("Test If Uart Is Idle", P("timeout", "float"), TESTER, PAUSE)
    def test_if_uart_is_idle(self, timeout: float, testerId: int | None, pauseEmulation: bool | None) -> None:
        self._uart(testerId).test_if_idle(seconds_to_ns(timeout), self._pause(pauseEmulation))

    @keyword("Write Char Delay", P("delay", "float"), TESTER)
    def write_char_delay(self, delay: float, testerId: int | None) -> None:
        self._uart(testerId).write_char_delay_ns = seconds_to_ns(delay)

    @keyword("Register Failing Uart String", P("pattern", "str"), P("treatAsRegex", "bool", False), TESTER)
    def register_failing_uart_string(self, pattern: str, treatAsRegex: bool, testerId: int | None) -> None:
        self._uart(testerId).failing.append((pattern, treatAsRegex))

    @keyword("Unregister Failing Uart String", P("pattern", "str"), P("treatAsRegex", "bool", False), TESTER)
    def unregister_failing_uart_string(self, pattern: str, treatAsRegex: bool, testerId: int | None) -> None:
        tester = self._uart(testerId)
        if (pattern, treatAsRegex) not in tester.failing:
            raise HarnessError(f"'{pattern}' is not a registered failing UART string")
        tester.failing.remove((pattern, treatAsRegex))

    @keyword("Get Terminal Tester Report", TESTER)
    def get_terminal_tester_report(self, testerId: int | None) -> str:
        return self._uart(testerId).report_text()

    @keyword("Clear Terminal Tester Report", TESTER)
    def clear_terminal_tester_report(self, testerId: int | None) -> None:
        self._uart(testerId).clear_report()
