"""A stand-in engine meeting the `Engine` protocol, for harness unit tests.

Firmware is modelled in Python on the project's Scheduler, chosen by the
fake firmware file's stem (`blinky`, `button`, `uart-echo`, `trap`, `chatty`
under data/fake-firmware/), so keyword semantics can be tested in
milliseconds and independently of the CPU model. UART bytes take 10 bit
times at 115200 baud each way, like the real wire. LEDs and buttons come
from the .repl, read the way the built-in engine reads them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path

from rp2350_emu.errors import ConfigError, EmulationError
from rp2350_emu.platform.events import Event, EventLog
from rp2350_emu.platform.pins import PinDeviceSpec, pin_device_specs
from rp2350_emu.platform.repl.parser import parse_repl
from rp2350_emu.time.scheduler import Scheduler

BYTE_NS = 10 * 1_000_000_000 // 115200
LED_PIN = 25
BUTTON_PIN = 15


class FakeUart:
    def __init__(self, machine: FakeEngine, name: str) -> None:
        self.machine = machine
        self.name = name
        self._listeners: list[Callable[[int], None]] = []
        self._tx: deque[int] = deque()
        self._tx_busy = False
        self._rx_free_at = 0
        self._rx_listeners: list[Callable[[int], None]] = []
        self.firmware_rx: Callable[[int], None] | None = None  # the fake firmware's receive handler
        self.rx_enabled = True

    def on_tx(self, callback: Callable[[int], None]) -> None:
        self._listeners.append(callback)

    def on_rx(self, callback: Callable[[int], None]) -> None:
        self._rx_listeners.append(callback)

    def inject(self, data: bytes) -> None:
        sched = self.machine.scheduler
        t = max(sched.now_ns, self._rx_free_at)
        for byte in data:
            t += BYTE_NS
            sched.schedule_at(t, lambda b=byte: self._rx(b), "uart-rx")
        self._rx_free_at = t

    def _rx(self, byte: int) -> None:
        self.machine.events.record(Event(self.machine.now_ns, "uart-rx", {"uart": self.name, "byte": byte}))
        for listener in self._rx_listeners:
            listener(byte)
        if self.firmware_rx:
            self.firmware_rx(byte)

    def send(self, data: bytes) -> None:
        self._tx.extend(data)
        if not self._tx_busy:
            self._next()

    def _next(self) -> None:
        if not self._tx:
            self._tx_busy = False
            return
        self._tx_busy = True
        byte = self._tx.popleft()
        self.machine.scheduler.schedule_in(BYTE_NS, lambda: self._done(byte), "uart-tx")

    def _done(self, byte: int) -> None:
        self.machine.events.record(Event(self.machine.now_ns, "uart-tx", {"uart": self.name, "byte": byte}))
        for cb in self._listeners:
            cb(byte)
        self._next()


class FakePin:
    def __init__(self, machine: FakeEngine, n: int) -> None:
        self.machine = machine
        self.n = n
        self._output = False
        self._driven: bool | None = None
        self.pull_up = n == BUTTON_PIN

    @property
    def level(self) -> bool:
        if self._driven is not None:
            return self._driven
        return self._output if self.n == LED_PIN else self.pull_up

    def drive(self, level: bool | None) -> None:
        before = self.level
        self._driven = None if level is None else bool(level)
        self._changed(before)

    def set_output(self, level: bool) -> None:
        before = self.level
        self._output = level
        self._changed(before)

    def _changed(self, before: bool) -> None:
        if self.level != before:
            self.machine.events.record(Event(self.machine.now_ns, "pin", {"pin": self.n, "level": int(self.level)}))


class FakeGpio:
    def __init__(self, machine: FakeEngine) -> None:
        self._pins = {n: FakePin(machine, n) for n in range(48)}

    def pin(self, n: int) -> FakePin:
        return self._pins[n]

    def add_listener(self, listener: Callable[[int, bool], None]) -> None:
        """Pin changes reach the harness through the engine's events instead."""


class FakeCpu:
    def __init__(self) -> None:
        self.pc = 0x10000150
        self.sp = 0x20082000
        self.vtor = 0
        self.mips = 150

    def reg(self, name: str) -> int:
        return {"pc": self.pc, "sp": self.sp}.get(name, 0)


class FakeBus:
    def __init__(self) -> None:
        self.mem: dict[int, int] = {0x20000000: 0x147}

    def read(self, address: int, size: int) -> int:
        return self.mem.get(address, 0) & ((1 << (8 * size)) - 1)

    def write(self, address: int, value: int, size: int) -> None:
        self.mem[address] = value


class FakeEngine:
    def __init__(self, repl: str) -> None:
        self.repl = repl
        self.scheduler = Scheduler()
        self.events = EventLog()
        self.uart0 = FakeUart(self, "uart0")
        self.uart1 = FakeUart(self, "uart1")
        self.gpio = FakeGpio(self)
        self.cpu = FakeCpu()
        self.sysbus = FakeBus()
        self.cpu_name = "cpu"
        self.firmware = ""
        # LEDs and buttons from the .repl, as the built-in engine finds them
        self._pin_devices = pin_device_specs(parse_repl(repl), {"gpio"})

    @classmethod
    def from_repl(cls, path: str) -> FakeEngine:
        if not Path(path).is_file():
            raise ConfigError(f"{path}: platform file not found")
        return cls(path)

    def __getitem__(self, name: str) -> object:
        if name in ("uart0", "uart1", "gpio", "cpu"):
            return getattr(self, name)
        raise KeyError(name)

    def peripheral_names(self) -> list[str]:
        return ["uart0", "uart1", "gpio", "timer0", "timer1"]

    def pin_device_specs(self) -> dict[str, PinDeviceSpec]:
        return dict(self._pin_devices)

    def pin(self, n: int) -> FakePin:
        return self.gpio.pin(n)

    def symbol_address(self, name: str) -> int:
        raise KeyError(name)

    @property
    def now_ns(self) -> int:
        return self.scheduler.now_ns

    # -- running ------------------------------------------------------------------------
    def run_for(self, ns: int) -> None:
        self.run_until(lambda: False, ns)

    def run_until(self, predicate: Callable[[], bool], timeout_ns: int) -> bool:
        deadline = self.scheduler.now_ns + timeout_ns
        while True:
            nxt = self.scheduler.next_event_ns()
            if nxt is None or nxt > deadline:
                break
            self.scheduler.advance_to(nxt)
            if predicate():
                return True
        self.scheduler.advance_to(deadline)
        return predicate()

    def fault_at(self, t_ns: int) -> None:
        """Make the 'CPU' hit an unmodeled access at virtual time `t_ns`."""
        def fault() -> None:
            raise EmulationError(f"unmodeled read of 4 byte(s) at 0x40000000 at pc=0x{self.cpu.pc:08x}")
        self.scheduler.schedule_at(t_ns, fault, "fault")

    # -- firmware behaviours ----------------------------------------------------------------
    def load_elf(self, path: str) -> None:
        if not Path(path).is_file():
            raise ConfigError(f"{path}: ELF file not found")
        self.firmware = Path(path).stem
        boot = getattr(self, "_boot_" + self.firmware.replace("-", "_"), None)
        if boot is None:
            raise ConfigError(f"{path}: the fake machine has no firmware called {self.firmware}")
        self.scheduler.schedule_in(1_000_000, boot, "boot")

    def _print(self, text: str) -> None:
        self.uart0.send(text.replace("\n", "\r\n").encode())

    def _set_led(self, level: bool) -> None:
        pin = self.gpio.pin(LED_PIN)
        if pin.level != level:
            pin.set_output(level)
            self._print(f"GPIO25 {'On' if level else 'Off'}\n")

    def _boot_blinky(self) -> None:
        def toggle(level: bool) -> None:
            self._set_led(level)
            self.scheduler.schedule_in(500_000_000, lambda: toggle(not level), "blink")
        toggle(True)

    def _boot_button(self) -> None:
        def poll() -> None:
            self._set_led(not self.gpio.pin(BUTTON_PIN).level)
            self.scheduler.schedule_in(10_000_000, poll, "poll")
        poll()

    def _boot_uart_echo(self) -> None:
        def echo(byte: int) -> None:
            if byte in (0x0D, 0x0A):
                self.uart0.send(b"\r\n")
            elif byte in (0x08, 0x7F):
                self.uart0.send(b"\x08 \x08")
            else:
                self.uart0.send(bytes([byte]))
        self.uart0.firmware_rx = echo

    def _boot_trap(self) -> None:
        self._set_led(True)

        def off() -> None:
            self._set_led(False)
            self._print("\n*** guest trap: error while executing at wasm backtrace: unreachable\n")
        self.scheduler.schedule_in(100_000_000, off, "trap")

    def _boot_chatty(self) -> None:
        """Numbered lines every 100 ms, with colour codes and NULs mixed in."""
        count = [0]

        def line() -> None:
            count[0] += 1
            self.uart0.send(f"\x1b[32mtick {count[0]}\x1b[0m\x00\r\n".encode())
            self.scheduler.schedule_in(100_000_000, line, "tick")
        line()
