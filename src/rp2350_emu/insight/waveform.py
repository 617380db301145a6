"""Pin and UART waveforms: a VCD file (any waveform viewer) and a PNG plot.

`WaveRecorder` listens to a running machine: every GPIO pad change, every
UART character leaving (TX) and arriving (RX), stamped in virtual ns. The
UART model works per character, so the line's bits are drawn from each
character's end time and the line settings (start bit, LSB first, parity,
stop bits at the programmed baud): a bit-level TX/RX wire plus a byte-level
vector holding the character while it is on the wire.

Without a recorder, `Waveform.from_events` builds the same picture from
`machine.events` (pins and TX; RX bytes are logged when injected, not when
they arrive, so they are left out there).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rp2350_emu.peripherals.roles import UartDevice, UartOverruns
from rp2350_emu.time.units import NS_PER_S

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.platform.machine import Machine

DEFAULT_BAUD = 115_200


@dataclass
class UartLine:
    """Characters on one direction of a UART: (end of stop bit in ns, byte)."""

    chars: list[tuple[int, int]] = field(default_factory=list)
    bit_ns: float = NS_PER_S / DEFAULT_BAUD
    data_bits: int = 8
    parity: str | None = None  # "even" / "odd"
    stop_bits: int = 1

    @property
    def frame_bits(self) -> int:
        return 1 + self.data_bits + (1 if self.parity else 0) + self.stop_bits

    def frame_levels(self, byte: int) -> list[int]:
        """Line level for each bit time of one character."""
        data = [(byte >> i) & 1 for i in range(self.data_bits)]
        parity = []
        if self.parity:
            ones = sum(data) & 1
            parity = [ones if self.parity == "even" else ones ^ 1]
        return [0, *data, *parity] + [1] * self.stop_bits

    def frames(self) -> list[tuple[int, int, int]]:
        """(start ns, end ns, byte) per character; a frame never starts before the previous one ends."""
        out: list[tuple[int, int, int]] = []
        last_end = -1
        for end, byte in self.chars:
            start = max(end - round(self.frame_bits * self.bit_ns), last_end)
            out.append((start, end, byte))
            last_end = end
        return out


@dataclass
class Waveform:
    start_ns: int
    end_ns: int
    #: pin -> (level at start_ns, [(t_ns, level)] changes)
    pins: dict[int, tuple[int, list[tuple[int, int]]]] = field(default_factory=dict)
    #: "uart0.tx" / "uart0.rx" -> its characters
    uarts: dict[str, UartLine] = field(default_factory=dict)
    #: "uart0" -> receive overruns: (first loss ns, end ns, characters lost)
    overruns: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)

    @classmethod
    def from_events(cls, events: list[Any], end_ns: int, pins: dict[int, int] | None = None,
                    uart_settings: dict[str, UartLine] | None = None) -> Waveform:
        """From `(t_ns, kind, data)` events; `pins`: pin -> current level, for
        pins to show even if they never changed."""
        wave = cls(0, end_ns)
        changes: dict[int, list[tuple[int, int]]] = {}
        for t_ns, kind, data in ((e[0], e[1], e[2]) for e in events):
            if kind == "pin":
                changes.setdefault(int(data["pin"]), []).append((int(t_ns), int(data["level"])))
            elif kind == "uart-tx":
                key = f"{data['uart']}.tx"
                line = wave.uarts.get(key)
                if line is None:
                    template = (uart_settings or {}).get(key, UartLine())
                    line = wave.uarts[key] = UartLine([], template.bit_ns, template.data_bits,
                                                      template.parity, template.stop_bits)
                line.chars.append((int(t_ns), int(data["byte"])))
            elif kind == "uart-overrun":
                wave.overruns.setdefault(data["uart"], []).append((int(data["since_ns"]), int(t_ns),
                                                                   int(data["lost"])))
        for pin in pins or {}:
            changes.setdefault(pin, [])
        for pin, seen in sorted(changes.items()):
            if seen:
                initial = 1 - seen[0][1]  # an event is a change: the level before it was the other one
            else:
                initial = int((pins or {}).get(pin, 0))
            wave.pins[pin] = (initial, seen)
        return wave

    # -- VCD ---------------------------------------------------------------------------------
    def write_vcd(self, path: str | Path) -> None:
        from vcd import VCDWriter

        changes: list[tuple[int, int, Any, int | str]] = []  # (t, order, var, value)
        with open(path, "w", encoding="ascii") as fh:
            writer = VCDWriter(fh, timescale="1 ns", date="virtual time", comment="rp2350-emu")
            order = 0
            for pin, (initial, seen) in sorted(self.pins.items()):
                var = writer.register_var("rp2350.gpio", f"gpio{pin}", "wire", size=1, init=initial)
                for t, level in seen:
                    changes.append((t, order, var, level))
                    order += 1
            for key, line in sorted(self.uarts.items()):
                uart, direction = key.split(".")
                wire = writer.register_var(f"rp2350.{uart}", direction, "wire", size=1, init=1)
                byte_var = writer.register_var(f"rp2350.{uart}", f"{direction}_byte", "reg", size=8, init="z")
                for start, end, byte in line.frames():
                    changes.append((start, order, byte_var, byte))
                    changes.append((end, order + 1, byte_var, "z"))
                    previous = None
                    for i, level in enumerate(line.frame_levels(byte)):
                        if level != previous:  # a wire change only where the level changes
                            changes.append((min(start + round(i * line.bit_ns), end), order + 2, wire, level))
                            previous = level
                    order += 3
            for uart, overruns in sorted(self.overruns.items()):
                # a marker: rx_overrun is 1 while characters are being lost, rx_lost counts them
                flag = writer.register_var(f"rp2350.{uart}", "rx_overrun", "wire", size=1, init=0)
                count = writer.register_var(f"rp2350.{uart}", "rx_lost", "integer", size=32, init=0)
                total = 0
                for since, end, lost in overruns:
                    total += lost
                    changes.append((since, order, flag, 1))
                    changes.append((max(end, since + 1), order + 1, flag, 0))
                    changes.append((end, order + 2, count, total))
                    order += 3
            changes.sort(key=lambda c: (c[0], c[1]))
            for t, _order, var, value in changes:
                writer.change(var, max(t, 0), value)
            last = changes[-1][0] if changes else 0
            writer.close(max(self.end_ns, last))  # the dump runs to the end of the run

    # -- PNG ---------------------------------------------------------------------------------
    def plot_png(self, title: str = "") -> bytes:
        """Pin levels (and UART activity) over virtual time, as PNG bytes."""
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt

        rows = [(f"GPIO{pin}", "pin", data) for pin, data in sorted(self.pins.items())]
        rows += [(key.upper().replace(".", " "), "uart", line) for key, line in sorted(self.uarts.items())]
        height = 0.9 + 0.55 * max(len(rows), 1)
        fig, ax = plt.subplots(figsize=(10, height), dpi=80)
        scale, unit = _time_unit(self.end_ns - self.start_ns)
        span = (self.start_ns / scale, self.end_ns / scale)
        ticks = []
        for i, (label, kind, data) in enumerate(reversed(rows)):
            base = i * 1.5
            ticks.append((base + 0.5, label))
            if kind == "pin":
                initial, seen = data
                xs = [self.start_ns / scale] + [t / scale for t, _ in seen] + [self.end_ns / scale]
                ys = [initial] + [level for _, level in seen]
                ys.append(ys[-1])
                ax.step(xs, [base + y for y in ys], where="post", linewidth=1.4, color="tab:blue")
            else:
                spans = [(s / scale, max((e - s) / scale, span[1] / 2000)) for s, e, _ in data.frames()]
                ax.broken_barh(spans, (base + 0.1, 0.8), color="tab:orange")
        ax.set_yticks([t for t, _ in ticks], [label for _, label in ticks])
        ax.set_xlim(*span)
        ax.set_ylim(-0.4, max(len(rows), 1) * 1.5)
        ax.set_xlabel(f"virtual time ({unit})")
        ax.grid(axis="x", alpha=0.3)
        if title:
            ax.set_title(title, fontsize=10)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        return buf.getvalue()


class WaveRecorder:
    """Records pins and UART lines of a machine from now on (`rp2350-emu run --vcd`)."""

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self.start_ns = machine.now_ns
        gpio = machine.gpio
        self.initial = {n: int(gpio.pin(n).level) for n in range(len(gpio.pins))}
        self.changes: dict[int, list[tuple[int, int]]] = {}
        self.uarts: dict[str, UartLine] = {}
        self.overruns: dict[str, list[tuple[int, int, int]]] = {}
        gpio.add_listener(self._on_pin)
        for name, model in machine.peripherals.items():
            if isinstance(model, UartDevice):
                self.uarts[f"{name}.tx"] = UartLine()
                self.uarts[f"{name}.rx"] = UartLine()
                model.on_tx(lambda byte, key=f"{name}.tx": self._on_char(key, byte))
                model.on_rx(lambda byte, key=f"{name}.rx": self._on_char(key, byte))
            if isinstance(model, UartOverruns):
                model.on_overrun(lambda lost, since, uart=name: self.overruns.setdefault(uart, []).append(
                    (since, self.machine.now_ns, lost)))

    def _on_pin(self, pin: int, level: bool) -> None:
        self.changes.setdefault(pin, []).append((self.machine.now_ns, int(bool(level))))

    def _on_char(self, key: str, byte: int) -> None:
        self.uarts[key].chars.append((self.machine.now_ns, byte))

    def waveform(self, pins: list[int] | None = None) -> Waveform:
        """Pins that changed (plus `pins`), and the UART lines that carried characters,
        with the line settings the firmware programmed."""
        wave = Waveform(self.start_ns, self.machine.now_ns)
        for pin in sorted(set(self.changes) | set(pins or [])):
            wave.pins[pin] = (self.initial[pin], list(self.changes.get(pin, [])))
        for key, line in self.uarts.items():
            if line.chars:
                model = self.machine[key.split(".")[0]]
                wave.uarts[key] = uart_line_settings(model, line.chars)
        wave.overruns = {uart: list(seen) for uart, seen in self.overruns.items()}
        return wave


def uart_line_settings(model: Any, chars: list[tuple[int, int]] | None = None) -> UartLine:
    """A UartLine with a PL011's programmed baud and frame format (LCR_H)."""
    lcr = model.peek(0x2C)
    baud = model.baud or DEFAULT_BAUD
    parity = None if not lcr & 0x2 else ("even" if lcr & 0x4 else "odd")
    return UartLine(list(chars or []), NS_PER_S / baud, 5 + (lcr >> 5 & 3), parity, 2 if lcr & 0x8 else 1)


def _time_unit(span_ns: int) -> tuple[float, str]:
    if span_ns >= 2 * NS_PER_S:
        return NS_PER_S, "s"
    if span_ns >= 2_000_000:
        return 1_000_000, "ms"
    return 1_000, "µs"
