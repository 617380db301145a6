"""LED keywords: LED testers and their state, hold, blink and duty-cycle assertions."""

from __future__ import annotations

from rp2350_emu.errors import HarnessError
from rp2350_emu.harness.testers.led import LedTester, validate
from rp2350_emu.robotlib.args import Param as P
from rp2350_emu.robotlib.keyword import OPT_F, TESTER, keyword, ns, pick
from rp2350_emu.time.units import seconds_to_ns


class LedKeywords:
    """Mixin of RenodeKeywords (library.py)."""

    @keyword("Set Default LED Timeout", P("timeout", "float"))
    def set_default_led_timeout(self, timeout: float) -> None:
        self.led_timeout_s = timeout

    @keyword("Create LED Tester", P("led", "str"), P("defaultTimeout", OPT_F, None),
             P("machine", "str", None))
    def create_led_tester(self, led: str, defaultTimeout: float | None, machine: str | None) -> int:
        handle = self.emulation.machine(machine)
        parts = self._peripheral_path(led, "LED").split(".")
        entry = handle.gpio_devices.get(parts[-1])
        if entry is None or entry.kind != "LED" or (len(parts) == 2 and parts[0] != entry.controller) \
                or len(parts) > 2:
            raise HarnessError(f"Peripheral for machine {handle.name} not found or of wrong type: {led}")
        device = handle.led(parts[-1])
        for index, tester in enumerate(self.led_testers):
            if tester.led is device:
                return index
        seconds = self.led_timeout_s if defaultTimeout is None else defaultTimeout
        validate(seconds, "defaultTimeout", allow_zero=True)
        self.led_testers.append(LedTester(self.emulation, device, seconds_to_ns(seconds)))
        return len(self.led_testers) - 1

    def _led(self, tester_id: int | None) -> LedTester:
        return pick(self.led_testers, tester_id, "LED tester", "Create LED Tester")

    @keyword("Assert LED State", P("state", "bool"), P("timeout", OPT_F, None), TESTER,
             P("pauseEmulation", "bool", False))
    def assert_led_state(self, state: bool, timeout: float | None, testerId: int | None,
                         pauseEmulation: bool) -> None:
        tester = self._led(testerId)
        if timeout is not None:
            validate(timeout, "timeout", allow_zero=True)
        tester.assert_state(state, ns(timeout), pauseEmulation)

    @keyword("Assert And Hold LED State", P("initialState", "bool"), P("timeoutAssert", "float"),
             P("timeoutHold", "float"), TESTER, P("pauseEmulation", "bool", False))
    def assert_and_hold_led_state(self, initialState: bool, timeoutAssert: float, timeoutHold: float,
                                  testerId: int | None, pauseEmulation: bool) -> None:
        tester = self._led(testerId)
        validate(timeoutAssert, "timeoutAssert", allow_zero=True)
        validate(timeoutHold, "timeoutHold")
        tester.assert_and_hold(initialState, seconds_to_ns(timeoutAssert), seconds_to_ns(timeoutHold),
                               pauseEmulation)

    @keyword("Assert LED Is Blinking", P("testDuration", "float"), P("onDuration", "float"),
             P("offDuration", "float"), P("tolerance", "float", 0.05), TESTER,
             P("pauseEmulation", "bool", False))
    def assert_led_is_blinking(self, testDuration: float, onDuration: float, offDuration: float,
                               tolerance: float, testerId: int | None, pauseEmulation: bool) -> None:
        tester = self._led(testerId)
        validate(testDuration, "testDuration")
        validate(onDuration, "onDuration", single=False)
        validate(offDuration, "offDuration", single=False)
        tester.assert_blinking(seconds_to_ns(testDuration), float(onDuration), float(offDuration),
                               float(tolerance), pauseEmulation)

    @keyword("Assert LED Duty Cycle", P("testDuration", "float"), P("expectedDutyCycle", "float"),
             P("tolerance", "float", 0.05), TESTER, P("pauseEmulation", "bool", False))
    def assert_led_duty_cycle(self, testDuration: float, expectedDutyCycle: float, tolerance: float,
                              testerId: int | None, pauseEmulation: bool) -> None:
        tester = self._led(testerId)
        validate(testDuration, "testDuration")
        validate(expectedDutyCycle, "expectedDutyCycle", low=0, high=1, single=False)
        validate(tolerance, "tolerance", low=0, high=1, single=False)
        tester.assert_duty_cycle(seconds_to_ns(testDuration), float(expectedDutyCycle), float(tolerance),
                                 pauseEmulation)
