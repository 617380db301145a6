"""The board the page shows: one emulation, run in steps on a thread of its own.

Only that thread touches the engine. Pages send commands (`submit`), which it
carries out between steps; what the board does (UART0 bytes, changes of the
watched pins, WIT calls) is collected as it happens and handed to the server
by `drain`, which also keeps a bounded history so a page opened later sees the
same board. Virtual time moves only while a page is connected and the board
is not paused; it is paced to wall time (a UART bridge attached to the
harness's emulation, as for a pty) unless "fast" is on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from queue import Empty, SimpleQueue
from typing import Any

from rp2350_emu.backends.engine import Engine
from rp2350_emu.guests.upload import READY_LINE, UploadError
from rp2350_emu.harness.bridges import UartBridge
from rp2350_emu.harness.emulation import Emulation, EmulationHalted
from rp2350_emu.time.units import NS_PER_MS, NS_PER_S, format_ns
from rp2350_emu.web.upload import LoaderUpload

log = logging.getLogger("rp2350_emu.web")

#: the pins the page charts: LED, button, UART0 TX/RX, servo PWM
WATCHED_PINS = (25, 15, 0, 1, 6)
LED_PIN, BUTTON_PIN = 25, 15
STEP_NS = 10 * NS_PER_MS  # virtual time between two looks at the commands
UART_KEPT = 64 * 1024  # bytes of terminal output a newly opened page is given
CHANGES_KEPT = 4000  # pin changes per pin kept for a newly opened page
CHANGES_PER_TICK = 2000  # pin changes per pin per message; more are counted, not sent
CALLS_KEPT = 500
#: a click is held at least this long in virtual time, so firmware that polls (every 10 ms) sees it
MIN_PRESS_NS = 50 * NS_PER_MS
MAX_RUN_TO_S = 365 * 24 * 3600


class WebUart(UartBridge):
    """UART0 as the page's terminal: output collected for the pages, input held until RX is on."""

    kind = "web"

    def __init__(self, on_output: Callable[[bytes], None]) -> None:
        super().__init__("uart0-web")
        self._on_output = on_output

    def send(self, data: bytes) -> None:
        self._on_output(data)

    def feed(self, data: bytes) -> None:
        """Host -> guest bytes (thread-safe); injected between slices once the receiver is enabled."""
        self._rx.put(bytes(data))


class BoardSession:
    """One board shared by every page; `start()` runs it, `close()` ends it."""

    def __init__(self, engine: Engine, *, title: str = "", tracer: Any = None,
                 stop: Callable[[], bool] | None = None, end_ns: int | None = None) -> None:
        self.engine = engine
        self.title = title
        self.emulation = Emulation()
        self.board = self.emulation.adopt(engine)
        self.uart = WebUart(self._on_uart)
        self.uart.connect(self.board.uart("uart0"))
        self.emulation.attach_bridge(self.uart)
        self._stop, self._end_ns = stop, end_ns
        self._lock = threading.Lock()
        self._commands: SimpleQueue[tuple] = SimpleQueue()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.closing = False
        self.finished = threading.Event()  # --seconds reached or a --expect-uart check decided
        self.clients = 0
        self.paused = False
        self.fast = False
        self.run_to_ns: int | None = None
        self.halted: str | None = None
        self.now_ns = engine.now_ns
        self.levels = {pin: int(bool(engine.pin(pin).level)) for pin in WATCHED_PINS}
        specs = list(engine.pin_device_specs().values())
        self.led_invert = next((s.invert for s in specs if s.kind == "LED" and s.pin == LED_PIN), False)
        self._button = next((s.name for s in specs if s.kind == "Button" and s.pin == BUTTON_PIN), None)
        self.button_down = False
        self._pressed_at = 0
        self._release_due: int | None = None
        self.tracer = tracer
        self.trace_coverage = tracer.coverage() if tracer is not None else ""
        self.upload: LoaderUpload | None = None
        self.loader_ready = False
        self._line = bytearray()
        # collected since the last drain (emulation thread -> server)
        self._uart_new = bytearray()
        self._pins_new: dict[int, list[tuple[int, int]]] = {p: [] for p in WATCHED_PINS}
        self._pins_dropped = 0
        self._calls_new: list[dict] = []
        self._notices: list[str] = []
        self._upload_changed = False
        # what a page opened now is given
        self.uart_history = bytearray()
        self.pin_history: dict[int, deque[tuple[int, int]]] = {p: deque(maxlen=CHANGES_KEPT) for p in WATCHED_PINS}
        self.call_history: deque[dict] = deque(maxlen=CALLS_KEPT)
        self._speed: deque[tuple[float, int]] = deque()
        engine.events.listeners.append(self._on_event)
        if tracer is not None:
            tracer.listeners.append(self._on_call)

    # -- what the board does (emulation thread) ------------------------------------------
    def _on_event(self, event: Any) -> None:
        if event.kind == "pin" and event.data["pin"] in self._pins_new:
            pin, level = event.data["pin"], event.data["level"]
            with self._lock:
                self.levels[pin] = level
                changes = self._pins_new[pin]
                if len(changes) < CHANGES_PER_TICK:
                    changes.append((event.t_ns, level))
                else:
                    self._pins_dropped += 1

    def _on_uart(self, data: bytes) -> None:
        with self._lock:
            self._uart_new += data
        for byte in data:
            if byte != 0x0A:
                self._line.append(byte)
                continue
            line = self._line.decode("latin-1").rstrip("\r")
            self._line.clear()
            if line.strip() == READY_LINE:
                self.loader_ready = True
            if self.upload is not None and self.upload.on_line(line, self.engine.now_ns):
                self._upload_changed = True
        if len(self._line) > 4096:
            del self._line[:-256]

    def _on_call(self, call: Any) -> None:
        with self._lock:
            self._calls_new.append({"t_ns": call.t_ns, "text": call.text(), "dur_ns": call.dur_ns, "ok": call.ok})

    def notice(self, text: str) -> None:
        """A line for every page (and the log)."""
        log.info(text)
        with self._lock:
            self._notices.append(text)

    # -- commands (any thread) ------------------------------------------------------------
    def submit(self, command: tuple) -> None:
        self._commands.put(command)
        self._wake.set()

    def attach(self) -> None:
        self.submit(("clients", +1))

    def detach(self) -> None:
        self.submit(("clients", -1))

    def _apply(self, command: tuple) -> None:
        kind, *rest = command
        if kind == "clients":
            self.clients = max(0, self.clients + rest[0])
            self._resume_pacing()
        elif kind == "button":
            self._press(bool(rest[0]))
        elif kind == "uart":
            self.uart.feed(rest[0])
        elif kind == "pause":
            self.paused, self.run_to_ns = True, None
        elif kind == "resume":
            self.paused = False
            self._resume_pacing()
        elif kind == "fast":
            self.fast = bool(rest[0])
            self.emulation.advance_immediately = self.fast
            self._resume_pacing()
        elif kind == "step":
            self.paused, self.run_to_ns = True, None
            self._advance(rest[0])
        elif kind == "run-to":
            if rest[0] <= self.engine.now_ns:
                self.notice(f"run to {format_ns(rest[0])}: the board is already at {format_ns(self.engine.now_ns)}")
            else:
                self.run_to_ns, self.paused = rest[0], False
                self._resume_pacing()
        elif kind == "upload":
            self._start_upload(rest[0], rest[1])

    def _press(self, down: bool) -> None:
        now = self.engine.now_ns
        if down:
            self._pressed_at, self._release_due = now, None
        elif now - self._pressed_at < MIN_PRESS_NS:
            self._release_due = self._pressed_at + MIN_PRESS_NS  # released by _advance, on time
            return
        self.button_down = down
        if self._button is not None:
            button = self.board.button(self._button)
            button.press() if down else button.release()
        else:  # no Button in the .repl: pull the pin low, then let go
            self.engine.pin(BUTTON_PIN).drive(False if down else None)

    def _start_upload(self, name: str, blob: bytes) -> None:
        if self.upload is not None and self.upload.active:
            self.notice(f"upload {name}: {self.upload.name} is still being sent")
            return
        if not self.loader_ready:
            self.notice(f"upload {name}: the board has not printed '{READY_LINE}'; uploads go to the "
                        "loader image (build/loader.elf) while it waits for one")
            return
        try:
            self.upload = LoaderUpload(name, blob, self.uart.feed, self.engine.now_ns)
        except UploadError as exc:
            self.notice(f"upload: {exc}")
            return
        self.loader_ready = False
        self._upload_changed = True
        self.notice(f"upload {name}: {len(blob)} bytes to the loader")

    # -- the run (emulation thread) -----------------------------------------------------------
    def start(self) -> BoardSession:
        self._thread = threading.Thread(target=self._loop, name="rp2350-emu web board", daemon=True)
        self._thread.start()
        return self

    def _resume_pacing(self) -> None:
        self.emulation.pacer.reset()  # pacing starts again from now, not from before the pause

    @property
    def running(self) -> bool:
        return self.clients > 0 and not self.paused and self.halted is None and not self.finished.is_set()

    def _loop(self) -> None:
        while not self.closing:
            while True:
                try:
                    self._apply(self._commands.get_nowait())
                except Empty:
                    break
            if not self.running:
                self._wake.wait(0.05)
                self._wake.clear()
                continue
            step = STEP_NS if self.run_to_ns is None else min(STEP_NS, self.run_to_ns - self.engine.now_ns)
            self._advance(step)
            if self.run_to_ns is not None and self.engine.now_ns >= self.run_to_ns:
                self.paused, self.run_to_ns = True, None

    def _advance(self, ns: int) -> None:
        if self.halted is not None or ns <= 0:
            return
        end = self._end_ns
        if end is not None:
            ns = min(ns, end - self.engine.now_ns)
        try:
            while ns > 0 and self.halted is None:
                due = self._release_due
                chunk = ns if due is None else max(0, min(ns, due - self.engine.now_ns))
                before = self.engine.now_ns
                if chunk and self.emulation.advance(chunk, self._stop):
                    break
                ns -= self.engine.now_ns - before
                if due is not None and self.engine.now_ns >= due:
                    self._release_due = None
                    self._press(False)
        except EmulationHalted as exc:
            self.halted = str(exc)
            self.notice(f"the board stopped: {exc}")
        self.now_ns = self.engine.now_ns
        if self.upload is not None and self.upload.poll(self.now_ns):
            self._upload_changed = True
        if (end is not None and self.now_ns >= end) or (self._stop is not None and self._stop()):
            self.finished.set()

    def close(self) -> None:
        self.closing = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.engine.events.listeners.remove(self._on_event)
        if self.tracer is not None:
            self.tracer.listeners.remove(self._on_call)
        self.emulation.close()

    # -- for the pages (server thread) --------------------------------------------------------
    def _state(self) -> dict:
        if self.halted is not None:
            state = "halted"
        elif self.finished.is_set():
            state = "finished"
        elif self.clients == 0:
            state = "waiting"
        else:
            state = "paused" if self.paused else "running"
        return {"now_ns": self.now_ns, "state": state, "fast": self.fast, "run_to_ns": self.run_to_ns,
                "halted": self.halted, "levels": {str(p): v for p, v in self.levels.items()},
                "led": bool(self.levels[LED_PIN]) != self.led_invert, "button": self.button_down,
                "loader_ready": self.loader_ready,
                "upload": self.upload.describe() if self.upload is not None else None}

    def drain(self) -> dict:
        """What happened since the last drain, as one message for every page; kept as history."""
        with self._lock:
            uart, self._uart_new = bytes(self._uart_new), bytearray()
            pins = {p: c for p, c in self._pins_new.items() if c}
            self._pins_new = {p: [] for p in WATCHED_PINS}
            dropped, self._pins_dropped = self._pins_dropped, 0
            calls, self._calls_new = self._calls_new, []
            notices, self._notices = self._notices, []
            message = {"t": "tick", **self._state()}
        self.uart_history += uart
        if len(self.uart_history) > UART_KEPT:
            del self.uart_history[:-UART_KEPT]
        for pin, changes in pins.items():
            self.pin_history[pin].extend(changes)
        self.call_history.extend(calls)
        message.update(uart=uart.decode("latin-1"), pins={str(p): c for p, c in pins.items()},
                       calls=calls, notices=notices, dropped=dropped, speed=self._measure_speed())
        return message

    def snapshot(self) -> dict:
        """The first message a page gets: the board, and its history up to the last drain."""
        with self._lock:
            state = self._state()
        return {"t": "hello", "title": self.title, "pins": list(WATCHED_PINS), "led_pin": LED_PIN,
                "button_pin": BUTTON_PIN, "trace": self.tracer is not None, "trace_coverage": self.trace_coverage,
                "step_ns": STEP_NS, **state, "uart": self.uart_history.decode("latin-1"),
                "pins_history": {str(p): list(h) for p, h in self.pin_history.items()},
                "calls": list(self.call_history)}

    def _measure_speed(self) -> float | None:
        """Virtual time over wall time in the last two seconds (None while time stands)."""
        wall, samples = time.monotonic(), self._speed
        if not self.running:
            samples.clear()  # a pause does not count against the speed after it
            return None
        samples.append((wall, self.now_ns))
        while len(samples) > 2 and wall - samples[0][0] > 2.0:
            samples.popleft()
        (w0, v0) = samples[0]
        if wall - w0 < 0.2:
            return None
        return (self.now_ns - v0) / NS_PER_S / (wall - w0)


def run_to_ns(seconds: float) -> int:
    """A page's "run to" time, checked (finite, not negative, within a year)."""
    if not 0 <= seconds <= MAX_RUN_TO_S:
        raise ValueError(f"run-to {seconds!r}: expected 0..{MAX_RUN_TO_S} virtual seconds")
    return round(seconds * NS_PER_S)
