"""`showAnalyzer` without a GUI: a UART's finished lines as log entries."""

from __future__ import annotations

from rp2350_emu.harness.devices import UartPort
from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.harness.log import LEVELS


class UartAnalyzer:
    """`showAnalyzer` without a GUI: each finished UART line becomes an Info log entry."""

    def __init__(self, emulation: Emulation, port: UartPort) -> None:
        self.emulation = emulation
        self.port = port
        self.line = ""
        self.last_t_ns = port.handle.now_ns
        port.subscribe(self._on_byte)

    def _on_byte(self, byte: int, t_ns: int) -> None:
        if byte == 0x0A:
            delta = t_ns - self.last_t_ns
            self.last_t_ns = t_ns
            self.emulation.log.log(LEVELS["Info"], self.port.name,
                                   f"[virt: {t_ns / 1e9:.6f}s (+{delta / 1e9:.6f}s)] {self.line}", t_ns)
            self.line = ""
        elif byte >= 0x20 and byte != 0x7F:
            self.line += chr(byte)

    def close(self) -> None:
        self.port.unsubscribe(self._on_byte)
