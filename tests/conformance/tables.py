"""Shared register tables: one behaviour, checked on each implementation.

A table (tests/conformance/tables/*.txt) is a sequence of steps on a freshly built
chip; `# impls: engine csharp` says which implementations it applies
to. Steps (numbers decimal or 0x hex, `#` starts a comment):

    w BLOCK OFF VALUE        bus write (32-bit; w8/w16: byte/halfword)
    r BLOCK OFF EXPECT [M]   bus read, (value & M) must equal EXPECT (r8/r16 narrow)
    t NS                     let NS nanoseconds of virtual time pass
    irq BLOCK N|- LEVEL      interrupt output N (or the single IRQ) is 0/1
    pin N LEVEL              pad level of GPIO N
    drive N 0|1|-            drive GPIO N from outside, or release it
    rx UART HEX              bytes written into the UART from outside
    tx UART HEX|-            bytes the UART sent since the last `tx` step
    bootrom                  RESETS as the bootrom leaves it
    wdreset WHY|-            watchdog resets requested since the last check

engine: src/rp2350_emu/peripherals (wired as tests/peripherals build_chip);
csharp: renode/models under mono (tests/conformance/csharp/Driver.cs).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
TABLES = sorted((REPO / "tests" / "conformance" / "tables").glob("*.txt"))
#: access width of each bus step
WIDTHS = {"w": 4, "w16": 2, "w8": 1, "r": 4, "r16": 2, "r8": 1}


@dataclass
class Step:
    line: int
    op: str
    args: list[str]


def parse(path: Path) -> tuple[set[str], list[Step]]:
    impls: set[str] = set()
    steps = []
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        if raw.startswith("# impls:"):
            impls = set(raw.split(":", 1)[1].split())
        text = raw.split("#", 1)[0].split()
        if text:
            steps.append(Step(number, text[0], text[1:]))
    return impls, steps


def num(text: str) -> int:
    return int(text.replace("_", ""), 0)


def _engine_chip() -> Any:
    from rp2350_emu.peripherals.eppb import Eppb
    from rp2350_emu.time.scheduler import Scheduler
    from tests.peripherals.helpers import build_chip

    chip = build_chip(Scheduler())
    chip.eppb = Eppb("eppb", chip.sched)
    return chip


def run_engine(path: Path) -> list[str]:
    """Run a table on the built-in engine's models; returns `file:line: what` failures."""
    chip = _engine_chip()
    blocks = {"xosc": chip.xosc, "pll_sys": chip.pll_sys, "pll_usb": chip.pll_usb, "clocks": chip.clocks,
              "ticks": chip.ticks, "timer0": chip.timer0, "timer1": chip.timer1, "watchdog": chip.watchdog,
              "io_bank0": chip.io, "pads_bank0": chip.pads, "sio": chip.sio, "uart0": chip.uart0,
              "uart1": chip.uart1, "resets": chip.resets, "eppb": chip.eppb, "pwm": chip.pwm}
    sent: dict[str, list[int]] = {"uart0": [], "uart1": []}
    chip.uart0.on_tx(sent["uart0"].append)
    chip.uart1.on_tx(sent["uart1"].append)
    wd: list[str] = []
    chip.watchdog.on_reset(wd.append)

    def irq(block: str, line: str) -> bool:
        model = blocks[block]
        if block in ("timer0", "timer1", "pwm"):
            return model.irqs[num(line)].level
        if block == "io_bank0":
            return (model.irq_proc0, model.irq_proc1, model.irq_dormant_wake)[num(line)].level
        if block == "sio":
            return model.fifo_irq.level
        return model.irq.level

    failures = []
    for step in parse(path)[1]:
        a = step.args
        try:
            error = _engine_step(chip, blocks, sent, wd, irq, step.op, a)
        except Exception as exc:  # noqa: BLE001 - report the table line, not a traceback
            error = f"{type(exc).__name__}: {exc}"
        if error:
            failures.append(f"{path.name}:{step.line}: {error}")
    return failures


def _engine_step(chip: Any, blocks: dict[str, Any], sent: dict[str, list[int]], wd: list[str],
                 irq: Any, op: str, a: list[str]) -> str | None:
    if op in ("w", "w16", "w8"):
        blocks[a[0]].write(num(a[1]), num(a[2]), WIDTHS[op])
    elif op in ("r", "r16", "r8"):
        mask = num(a[3]) if len(a) > 3 else 0xFFFFFFFF
        got = blocks[a[0]].read(num(a[1]), WIDTHS[op]) & mask
        if got != num(a[2]):
            return f"read {a[0]}+{a[1]}: got 0x{got:X}, expected {a[2]}"
    elif op == "t":
        chip.sched.advance_to(chip.sched.now_ns + num(a[0]))
    elif op == "irq":
        if irq(a[0], a[1]) != (a[2] == "1"):
            return f"irq {a[0]} {a[1]}: got {int(a[2] != '1')}"
    elif op == "pin":
        if chip.gpio.pin(num(a[0])).level != (a[1] == "1"):
            return f"pin {a[0]} level is not {a[1]}"
    elif op == "drive":
        chip.gpio.pin(num(a[0])).drive(None if a[1] == "-" else a[1] == "1")
    elif op == "rx":
        blocks[a[0]].inject(bytes.fromhex(a[1]))
    elif op == "tx":
        got, want = bytes(sent[a[0]]).hex(), "" if a[1] == "-" else a[1].lower()
        sent[a[0]].clear()
        if got != want:
            return f"tx {a[0]}: sent '{got}', expected '{want}'"
    elif op == "bootrom":
        chip.resets.bootrom_state()
    elif op == "wdreset":
        got = ",".join(wd)
        wd.clear()
        if got != ("" if a[0] == "-" else a[0]):
            return f"watchdog resets requested: '{got}', expected {a[0]}"
    else:
        return f"unknown step '{op}'"
    return None
