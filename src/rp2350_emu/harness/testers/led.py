"""LED tester: Renode's LED assertions, every duration in virtual time.

The LED's change history comes from the engine's pin events, so an interval
is measured between the exact virtual instants of two transitions, not
between the moments the harness happened to look.
"""

from __future__ import annotations

import struct
from itertools import pairwise

from rp2350_emu.errors import HarnessError
from rp2350_emu.harness.devices import Led
from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.harness.testers.terminal import TesterFailure
from rp2350_emu.time.units import NS_PER_S, format_ns


def _state_name(state: bool) -> str:
    return "on" if state else "off"


def csharp_number(value: float, single: bool = False) -> str:
    """A number as Renode (mono) prints it in its messages: 15 significant digits; a C# `float`
    parameter is widened to double first (0.1 prints as 0.100000001490116)."""
    if single:
        value = struct.unpack("<f", struct.pack("<f", value))[0]
    return f"{value:.15g}"


def validate(value: float, name: str, allow_zero: bool = False, low: float | None = None,
             high: float | None = None, single: bool = True) -> None:
    """Renode's LEDTester.ValidateArgument, with its exception text (Robot shows `Type: message`)."""
    shown = csharp_number(value, single)
    if low is not None or high is not None:
        if value < (low if low is not None else value) or value > (high if high is not None else value):
            raise HarnessError(f"ArgumentException: Value must be in range [{csharp_number(low or 0)}; "
                               f"{csharp_number(high or 0)}], but was {shown}\nParameter name: {name}")
    elif value < 0 or (not allow_zero and value == 0):
        explanation = "not be negative" if allow_zero else "be positive"
        raise HarnessError(f"ArgumentException: Value must {explanation}, but was {shown}\nParameter name: {name}")


class LedTester:
    """A Renode `LEDTester` bound to one LED."""

    def __init__(self, emulation: Emulation, led: Led, default_timeout_ns: int) -> None:
        self.emulation = emulation
        self.led = led
        self.default_timeout_ns = default_timeout_ns

    def _finish(self, pause: bool) -> None:
        if pause:
            self.emulation.pause()

    def assert_state(self, state: bool, timeout_ns: int | None = None, pause: bool = False) -> None:
        timeout_ns = self.default_timeout_ns if timeout_ns is None else timeout_ns
        if self.led.state == state:
            self._finish(pause)
            return
        if timeout_ns > 0:  # Renode starts the emulation only when it has to wait
            self.emulation.start()
            self.emulation.advance(timeout_ns, lambda: self.led.state == state)
        if self.led.state != state:
            raise TesterFailure(f"LED assertion not met. Expected {_state_name(state)} within "
                                f"{format_ns(timeout_ns)}; it is {_state_name(self.led.state)} at virtual "
                                f"{format_ns(self.led.handle.now_ns)}.")
        self._finish(pause)

    def assert_and_hold(self, initial: bool, timeout_assert_ns: int, timeout_hold_ns: int,
                        pause: bool = False) -> None:
        if timeout_hold_ns <= 0:
            raise HarnessError(f"timeoutHold must be positive, but was {timeout_hold_ns / NS_PER_S}")
        self.emulation.start()
        changes = self.led.changes
        _ = self.led.state  # bring the history up to date before counting
        if self.led.state != initial:
            before = len(changes)
            self.emulation.advance(timeout_assert_ns, lambda: self.led.state == initial)
            if len(changes) == before:
                raise TesterFailure(f"Initial LED assertion not met. Expected {_state_name(initial)} within "
                                    f"{format_ns(timeout_assert_ns)}.")
            hold_from = changes[before][0]
            if len(changes) > before + 1:
                raise TesterFailure(f"LED changed state. It changed {len(changes) - before} times by virtual "
                                    f"{format_ns(changes[-1][0])}.")
        else:
            hold_from = self.led.handle.now_ns
        before = len(changes)
        left = hold_from + timeout_hold_ns - self.led.handle.now_ns
        if left > 0:
            self.emulation.advance(left, lambda: len(changes) > before)
        if len(changes) > before:
            raise TesterFailure(f"LED changed state. It went {_state_name(changes[before][1])} at virtual "
                                f"{format_ns(changes[before][0])}, {format_ns(changes[before][0] - hold_from)} "
                                f"into the {format_ns(timeout_hold_ns)} hold.")
        self._finish(pause)

    def assert_blinking(self, test_ns: int, on_s: float, off_s: float, tolerance: float = 0.05,
                        pause: bool = False) -> None:
        if test_ns <= 0 or on_s <= 0 or off_s <= 0:
            raise HarnessError("testDuration, onDuration and offDuration must be positive")
        changes = self.led.changes
        _ = self.led.state
        first = len(changes)
        bad: list[str] = []
        cursor = [first + 1]  # first transition only synchronises; later ones close an interval

        def check() -> bool:
            if bad:
                return True
            for i in range(cursor[0], len(changes)):
                cursor[0] = i + 1
                t, new_state = changes[i]
                dt = (t - changes[i - 1][0]) / NS_PER_S
                expected = off_s if new_state else on_s
                if not expected * (1 - tolerance) <= dt <= expected * (1 + tolerance):
                    bad.append(f"{'off' if new_state else 'on'} for {dt:.6f} s ending at virtual "
                               f"{format_ns(t)} (expected {expected} s ±{tolerance * 100:g}%)")
                    return True
            return False

        self.emulation.start()
        self.emulation.advance(test_ns, check)
        if len(changes) == first:
            raise TesterFailure("Expected blinking pattern not detected (LED state never changed)")
        if bad:
            raise TesterFailure("Expected blinking pattern not detected (State duration was out of "
                                f"specified range): {bad[0]}")
        self._finish(pause)

    def assert_duty_cycle(self, test_ns: int, expected: float, tolerance: float = 0.05,
                          pause: bool = False) -> None:
        """Renode's accounting: the first change in the window only synchronises; every later
        change closes a high or a low interval; the ratio is high / (high + low) of those. Both
        bounds are checked (Renode 1.16.1 checks only `percent < expected - tolerance * 100`)."""
        if not 0 <= expected <= 1 or not 0 <= tolerance <= 1:
            raise HarnessError("expectedDutyCycle and tolerance must be in [0; 1]")
        changes = self.led.changes
        _ = self.led.state  # bring the history up to date before counting
        first = len(changes)
        self.emulation.start()
        self.emulation.advance(test_ns)
        window = changes[first:]
        high = low = 0
        for (t0, _s), (t1, new_state) in pairwise(window):
            if new_state:
                low += t1 - t0
            else:
                high += t1 - t0
        if high + low == 0:
            raise TesterFailure(f"Fill assertion not met: the LED changed state {len(window)} time(s) in "
                                f"{format_ns(test_ns)}; a duty cycle needs two changes or more")
        percent = high / (high + low) * 100
        if abs(percent - expected * 100) > tolerance * 100:
            raise TesterFailure(f"Fill assertion not met: expected {expected} with tolerance "
                                f"{tolerance * 100:g}%, but got {percent:.15g}")
        self._finish(pause)
