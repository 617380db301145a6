"""CLOCKS (0x40010000): clock generators, frequency counter, resus.

Frequencies are derived, not configured: `freq_hz("peri")` follows the
XOSC/PLL objects and the CTRL/DIV registers, and `listeners` run whenever a
generated frequency changes so TICKS/TIMER/UART can re-time themselves.

clk_ref and clk_sys have glitchless muxes: SELECTED is one-hot of the source
actually in use. Switching to a source that is not running leaves SELECTED
at 0 (and the output stopped) until that source starts, as the mux needs
edges from the new clock to finish the switch. The other generators read a
hard-wired SELECTED of 0x1 and report ENABLED (bit 28) = ENABLE and not KILL.

CLK_SYS_CTRL resets to 0x41 (SRC = aux, AUXSRC = ROSC), as corrected in
pico-sdk 2.2.0 `clocks.h`; older headers and the rp235x-pac SVD say 0x0.
Either way clk_sys runs from the ROSC at power-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rp2350_emu.mmio.block import Peripheral
from rp2350_emu.mmio.register import Register
from rp2350_emu.mmio.signal import Signal
from rp2350_emu.peripherals.timebase import Listeners

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.time.scheduler import Event, Scheduler

CTRL_ENABLED = 1 << 28
CTRL_ENABLE = 1 << 11
CTRL_KILL = 1 << 10
CLK_SYS_CTRL_RESET = 0x41

# auxiliary source names by AUXSRC value, per generator (RP2350 clocks.h)
_GPOUT_AUX = ("pll_sys", "gpin0", "gpin1", "pll_usb", "pll_usb_ref", "rosc", "xosc", "lposc",
              "sys", "usb", "adc", "ref", "peri", "hstx", "otp")
_AUX: dict[str, tuple[str, ...]] = {
    "gpout0": _GPOUT_AUX, "gpout1": _GPOUT_AUX, "gpout2": _GPOUT_AUX, "gpout3": _GPOUT_AUX,
    "ref": ("pll_usb", "gpin0", "gpin1", "pll_usb_ref"),
    "sys": ("pll_sys", "pll_usb", "rosc", "xosc", "gpin0", "gpin1"),
    "peri": ("sys", "pll_sys", "pll_usb", "rosc_ph", "xosc", "gpin0", "gpin1"),
    "hstx": ("sys", "pll_sys", "pll_usb", "gpin0", "gpin1"),
    "usb": ("pll_usb", "pll_sys", "rosc_ph", "xosc", "gpin0", "gpin1"),
    "adc": ("pll_usb", "pll_sys", "rosc_ph", "xosc", "gpin0", "gpin1"),
}
# generator: (CTRL offset, writable CTRL bits, AUXSRC shift, AUXSRC width, DIV mask, DIV INT width)
_GEN: dict[str, tuple[int, int, int, int, int, int]] = {
    "gpout0": (0x00, 0x00131DE0, 5, 4, 0xFFFFFFFF, 16),
    "gpout1": (0x0C, 0x00131DE0, 5, 4, 0xFFFFFFFF, 16),
    "gpout2": (0x18, 0x00131DE0, 5, 4, 0xFFFFFFFF, 16),
    "gpout3": (0x24, 0x00131DE0, 5, 4, 0xFFFFFFFF, 16),
    "ref": (0x30, 0x00000063, 5, 2, 0x00FF0000, 8),
    "sys": (0x3C, 0x000000E1, 5, 3, 0xFFFFFFFF, 16),
    "peri": (0x48, 0x00000CE0, 5, 3, 0x00030000, 2),
    "hstx": (0x54, 0x00130CE0, 5, 3, 0x00030000, 2),
    "usb": (0x60, 0x00130CE0, 5, 3, 0x000F0000, 4),
    "adc": (0x6C, 0x00130CE0, 5, 3, 0x000F0000, 4),
}
GLITCHLESS = ("ref", "sys")
# FC0_SRC value -> clock name
_FC0_SRC = (None, "pll_sys", "pll_usb", "rosc", "rosc_ph", "xosc", "gpin0", "gpin1", "ref", "sys",
            "peri", "usb", "adc", "hstx", "lposc", "otp", "pll_usb")

FC0_PASS, FC0_DONE, FC0_RUNNING = 1 << 0, 1 << 4, 1 << 8
FC0_FAIL, FC0_SLOW, FC0_FAST, FC0_DIED = 1 << 16, 1 << 20, 1 << 24, 1 << 28
RESUS_CLEAR, RESUS_FRCE, RESUS_ENABLE = 1 << 16, 1 << 12, 1 << 8


class Clocks(Peripheral):
    """Clock generators. kwargs: xosc, pll_sys, pll_usb (objects with
    .freq_hz and .listeners), rosc_hz (12 MHz nominal; silicon varies),
    lposc_hz (32768), gpin0_hz / gpin1_hz (0)."""

    def __init__(self, name: str, scheduler: Scheduler, **kwargs: Any) -> None:
        super().__init__(name, scheduler)
        self.scheduler: Scheduler = scheduler
        self.listeners = Listeners()
        self.irq = Signal(f"{name}.irq")
        self._fixed = {
            "rosc": int(kwargs.get("rosc_hz", 12_000_000)),
            "lposc": int(kwargs.get("lposc_hz", 32_768)),
            "gpin0": int(kwargs.get("gpin0_hz", 0)),
            "gpin1": int(kwargs.get("gpin1_hz", 0)),
            "otp": 0,
        }
        self._xosc: Any = None
        self._pll_sys: Any = None
        self._pll_usb: Any = None
        self._freqs: dict[str, int] = {}
        self._sel: dict[str, int | None] = {}  # glitchless mux: source in use, None = switching
        self._resussed = False
        self._fc0_event: Event | None = None
        self._fc0_status = 0
        self._fc0_result = 0
        for gen, (off, wmask, *_rest) in _GEN.items():
            ctrl_reset = CLK_SYS_CTRL_RESET if gen == "sys" else 0
            self.add(Register(f"CLK_{gen.upper()}_CTRL", off, reset=ctrl_reset, mask=wmask,
                              read=self._ctrl_reader(gen), write=self._cfg_writer(off)))
            self.add(Register(f"CLK_{gen.upper()}_DIV", off + 4, reset=0x00010000, mask=_GEN[gen][4],
                              write=self._cfg_writer(off + 4)))
            self.add(Register(f"CLK_{gen.upper()}_SELECTED", off + 8, reset=1, mask=0,
                              read=self._selected_reader(gen)))
        for off, reg_name in ((0x78, "DFTCLK_XOSC_CTRL"), (0x7C, "DFTCLK_ROSC_CTRL"),
                              (0x80, "DFTCLK_LPOSC_CTRL")):
            self.add(Register(reg_name, off, mask=0x3))
        self.add(Register("CLK_SYS_RESUS_CTRL", 0x84, reset=0xFF, mask=0x000111FF,
                          write=Clocks._write_resus))
        self.add(Register("CLK_SYS_RESUS_STATUS", 0x88, mask=0, read=lambda p: int(p._resussed)))
        self.add(Register("FC0_REF_KHZ", 0x8C, mask=0x000FFFFF))
        self.add(Register("FC0_MIN_KHZ", 0x90, mask=0x01FFFFFF))
        self.add(Register("FC0_MAX_KHZ", 0x94, reset=0x01FFFFFF, mask=0x01FFFFFF))
        self.add(Register("FC0_DELAY", 0x98, reset=1, mask=0x7))
        self.add(Register("FC0_INTERVAL", 0x9C, reset=8, mask=0xF))
        self.add(Register("FC0_SRC", 0xA0, mask=0xFF, write=Clocks._write_fc0_src))
        self.add(Register("FC0_STATUS", 0xA4, mask=0, read=lambda p: p._fc0_status))
        self.add(Register("FC0_RESULT", 0xA8, mask=0, read=lambda p: p._fc0_result))
        self.add(Register("WAKE_EN0", 0xAC, reset=0xFFFFFFFF))
        self.add(Register("WAKE_EN1", 0xB0, reset=0x7FFFFFFF, mask=0x7FFFFFFF))
        self.add(Register("SLEEP_EN0", 0xB4, reset=0xFFFFFFFF))
        self.add(Register("SLEEP_EN1", 0xB8, reset=0x7FFFFFFF, mask=0x7FFFFFFF))
        # awake, every branch enabled by WAKE_EN is running
        self.add(Register("ENABLED0", 0xBC, mask=0, read=lambda p: p.registers[0xAC].value))
        self.add(Register("ENABLED1", 0xC0, mask=0, read=lambda p: p.registers[0xB0].value))
        self.add(Register("INTR", 0xC4, mask=0, read=lambda p: int(p._resussed)))
        self.add(Register("INTE", 0xC8, mask=1, write=self._cfg_writer(0xC8)))
        self.add(Register("INTF", 0xCC, mask=1, write=self._cfg_writer(0xCC)))
        self.add(Register("INTS", 0xD0, mask=0, read=Clocks._read_ints))
        self._reset_muxes()
        self.connect(kwargs.get("xosc"), kwargs.get("pll_sys"), kwargs.get("pll_usb"))

    # -- wiring -------------------------------------------------------------------
    def connect(self, xosc: Any = None, pll_sys: Any = None, pll_usb: Any = None) -> None:
        """Attach the oscillator/PLL objects whose outputs feed the generators."""
        for attr, source in (("_xosc", xosc), ("_pll_sys", pll_sys), ("_pll_usb", pll_usb)):
            if source is not None:
                setattr(self, attr, source)
                source.listeners.add(self._recompute)
        self._recompute()

    # -- public -------------------------------------------------------------------
    def freq_hz(self, clock: str) -> int:
        """Frequency of a generated clock ("ref", "sys", "peri", "usb", "adc",
        "hstx", "gpout0".."gpout3", "clk_" prefix optional) or of a source
        ("xosc", "rosc", "pll_sys", "pll_usb", "lposc", "gpin0", "gpin1")."""
        clock = clock.removeprefix("clk_")
        return self._freqs[clock]

    # -- frequency model ---------------------------------------------------------------
    def _source_hz(self) -> dict[str, int]:
        xosc = self._xosc.freq_hz if self._xosc is not None else 0
        freqs = dict(self._fixed)
        freqs.update(rosc_ph=self._fixed["rosc"], xosc=xosc, pll_usb_ref=xosc,
                     pll_sys=self._pll_sys.freq_hz if self._pll_sys is not None else 0,
                     pll_usb=self._pll_usb.freq_hz if self._pll_usb is not None else 0)
        return freqs

    def _ctrl(self, gen: str) -> int:
        return self.registers[_GEN[gen][0]].value

    def _aux_hz(self, gen: str, freqs: dict[str, int]) -> int:
        _off, _w, shift, width, _dm, _dw = _GEN[gen]
        aux = self._ctrl(gen) >> shift & ((1 << width) - 1)
        names = _AUX[gen]
        return freqs.get(names[aux], 0) if aux < len(names) else 0

    def _divide(self, gen: str, hz: int) -> int:
        div = self.registers[_GEN[gen][0] + 4].value
        int_width = _GEN[gen][5]
        integer = div >> 16 & ((1 << int_width) - 1) or 1 << int_width  # INT 0 means max+1
        frac = div & 0xFFFF if int_width == 16 else 0
        return hz * 65536 // ((integer << 16) | frac)

    def _glitchless_inputs(self, gen: str, freqs: dict[str, int]) -> list[int]:
        aux = self._aux_hz(gen, freqs)
        if gen == "ref":
            return [freqs["rosc_ph"], aux, freqs["xosc"], freqs["lposc"]]
        return [freqs["ref"], aux]

    def _recompute(self) -> None:
        freqs = self._source_hz()
        for gen in GLITCHLESS:
            inputs = self._glitchless_inputs(gen, freqs)
            src = self._ctrl(gen) & (3 if gen == "ref" else 1)
            if self._sel[gen] != src and inputs[src] > 0:
                self._sel[gen] = src  # the mux completes the switch once the new clock runs
            sel = self._sel[gen]
            freqs[gen] = self._divide(gen, inputs[sel]) if sel is not None else 0
        self._check_resus(freqs)
        for gen in ("peri", "hstx", "usb", "adc", "gpout0", "gpout1", "gpout2", "gpout3"):
            ctrl = self._ctrl(gen)
            running = ctrl & CTRL_ENABLE and not ctrl & CTRL_KILL
            freqs[gen] = self._divide(gen, self._aux_hz(gen, freqs)) if running else 0
        if freqs != self._freqs:
            self._freqs = freqs
            self.listeners()

    def _check_resus(self, freqs: dict[str, int]) -> None:
        resus = self.registers[0x84].value
        if not self._resussed and (resus & RESUS_FRCE or (resus & RESUS_ENABLE and not freqs["sys"])):
            self._resussed = True
            self._update_irq()
        if self._resussed:
            freqs["sys"] = freqs["ref"]  # resus forces clk_sys onto clk_ref

    def _reset_muxes(self) -> None:
        self._sel = {gen: self._ctrl(gen) & (3 if gen == "ref" else 1) for gen in GLITCHLESS}

    # -- registers ---------------------------------------------------------------------
    def _ctrl_reader(self, gen: str) -> Callable[[Peripheral], int]:
        off = _GEN[gen][0]
        if gen in GLITCHLESS:
            return lambda p: p.registers[off].value
        def read(p: Peripheral) -> int:
            value = p.registers[off].value
            return value | CTRL_ENABLED if value & CTRL_ENABLE and not value & CTRL_KILL else value
        return read

    def _selected_reader(self, gen: str) -> Callable[[Peripheral], int]:
        if gen not in GLITCHLESS:
            return lambda p: 1
        def read(p: Peripheral) -> int:
            sel = self._sel[gen]
            return 0 if sel is None else 1 << sel
        return read

    def _cfg_writer(self, off: int) -> Callable[[Peripheral, int], None]:
        def write(p: Peripheral, value: int) -> None:
            reg = self.registers[off]
            old, reg.value = reg.value, value & reg.mask
            gen = next((g for g in GLITCHLESS if _GEN[g][0] == off), None)
            if gen is not None and (old ^ reg.value) & (3 if gen == "ref" else 1):
                self._sel[gen] = None  # switching: SELECTED reads 0 until the new source runs
            if off in (0xC8, 0xCC):
                self._update_irq()
            self._recompute()
        return write

    def _write_resus(self, value: int) -> None:
        self.registers[0x84].value = value & 0x000111FF
        if value & RESUS_CLEAR and not value & RESUS_FRCE:
            self._resussed = False
            self._update_irq()
        self._recompute()

    def _read_ints(self) -> int:
        return (int(self._resussed) & self.registers[0xC8].value) | self.registers[0xCC].value

    def _update_irq(self) -> None:
        self.irq.set(bool(self._read_ints()))

    # -- frequency counter ----------------------------------------------------------------
    def _write_fc0_src(self, value: int) -> None:
        self.registers[0xA0].value = value & 0xFF
        if self._fc0_event is not None:
            self._fc0_event.cancel()
            self._fc0_event = None
        if not value & 0xFF:
            self._fc0_status &= ~FC0_RUNNING
            return
        self._fc0_status = FC0_RUNNING
        interval_ns = (1 << self.registers[0x9C].value) * 1000  # "call it 1us * 2**interval"
        self._fc0_event = self.scheduler.schedule_in(interval_ns, self._fc0_done, f"{self.name}.fc0")

    def _fc0_done(self) -> None:
        self._fc0_event = None
        src = self.registers[0xA0].value
        name = _FC0_SRC[src] if src < len(_FC0_SRC) else None
        src_hz = self._freqs.get(name, 0) if name else 0
        ref_hz = self._freqs["ref"]
        if not src_hz or not ref_hz:
            self._fc0_status = FC0_DONE | FC0_DIED | FC0_FAIL
            self._fc0_result = 0
            return
        # the counter times its gate with clk_ref and trusts REF_KHZ for its rate
        result = src_hz * self.registers[0x8C].value * 32 // ref_hz  # 1/32 kHz units
        khz = result >> 5
        self._fc0_result = min(result, 0x3FFFFFFF)
        status = FC0_DONE
        if khz < self.registers[0x90].value:
            status |= FC0_FAIL | FC0_SLOW
        elif khz > self.registers[0x94].value:
            status |= FC0_FAIL | FC0_FAST
        else:
            status |= FC0_PASS
        self._fc0_status = status

    def reset(self) -> None:
        if self._fc0_event is not None:
            self._fc0_event.cancel()
            self._fc0_event = None
        super().reset()
        self._fc0_status = self._fc0_result = 0
        self._resussed = False
        self._reset_muxes()
        self._update_irq()
        self._recompute()
