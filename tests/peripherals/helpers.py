"""Helpers for the peripheral tests: a fully wired chip and a poll loop."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest

from rp2350_emu.mmio.block import Peripheral
from rp2350_emu.peripherals import (
    Clocks,
    Gpio,
    IoBank0,
    PadsBank0,
    Pll,
    Pwm,
    Resets,
    Sio,
    Ticks,
    Timer,
    UartPl011,
    Watchdog,
    Xosc,
)
from rp2350_emu.time.scheduler import Scheduler


def build_chip(sched: Scheduler, **xosc_kwargs: object) -> SimpleNamespace:
    """Every model, wired the way the machine is expected to wire them."""
    xosc = Xosc("xosc", sched, **xosc_kwargs)
    pll_sys = Pll("pll_sys", sched, xosc=xosc)
    pll_usb = Pll("pll_usb", sched, xosc=xosc)
    clocks = Clocks("clocks", sched, xosc=xosc, pll_sys=pll_sys, pll_usb=pll_usb)
    ticks = Ticks("ticks", sched, clocks=clocks)
    timer0 = Timer("timer0", sched, index=0, ticks=ticks, clocks=clocks)
    timer1 = Timer("timer1", sched, index=1, ticks=ticks, clocks=clocks)
    watchdog = Watchdog("watchdog", sched, ticks=ticks)
    io = IoBank0("io_bank0", sched)
    pads = PadsBank0("pads_bank0", sched)
    sio = Sio("sio", sched)
    uart0 = UartPl011("uart0", sched, clocks=clocks)
    uart1 = UartPl011("uart1", sched, clocks=clocks)
    pwm = Pwm("pwm", sched, clocks=clocks)
    gpio = Gpio("gpio", sched, sio=sio, io_bank0=io, pads_bank0=pads, uart0=uart0, uart1=uart1, pwm=pwm)
    resets = Resets("resets", sched)
    for bit, block in (("pll_sys", pll_sys), ("pll_usb", pll_usb), ("timer0", timer0),
                       ("timer1", timer1), ("io_bank0", io), ("pads_bank0", pads),
                       ("uart0", uart0), ("uart1", uart1), ("pwm", pwm)):
        resets.attach(bit, block)
    return SimpleNamespace(xosc=xosc, pll_sys=pll_sys, pll_usb=pll_usb, clocks=clocks, ticks=ticks,
                           timer0=timer0, timer1=timer1, watchdog=watchdog, io=io, pads=pads, sio=sio,
                           uart0=uart0, uart1=uart1, gpio=gpio, pwm=pwm, resets=resets, sched=sched)


def poll(sched: Scheduler, block: Peripheral, offset: int, done: Callable[[int], bool],
         step_ns: int = 1_000, limit_ns: int = 200_000_000) -> int:
    """Read `offset` until done(value), advancing virtual time like a spin loop.

    Returns the virtual time at which the condition held; fails the test if it
    never does within limit_ns (a firmware poll loop would hang there)."""
    deadline = sched.now_ns + limit_ns
    while not done(block.read(offset)):
        if sched.now_ns >= deadline:
            pytest.fail(f"{block.name}+0x{offset:x} never satisfied the poll")
        sched.advance_to(sched.now_ns + step_ns)
    return sched.now_ns


def hal_init_clocks(c: SimpleNamespace) -> None:
    """Boot-path steps 6-15 (fact sheet 2.0): XOSC, ticks, PLLs, clk_ref/sys/usb/adc/peri."""
    s, x, clk = c.sched, c.xosc, c.clocks
    x.write(0x00, 0x00000AA0)
    x.write(0x0C, 0x00000B80)
    x.write(0x00, 0x00FAB000)
    poll(s, x, 0x04, lambda v: bool(v >> 31))
    for i in range(6):
        c.ticks.write(0x04 + 0xC * i, 12)
        c.ticks.write(0x00 + 0xC * i, 1)
    clk.write(0x84, 0)
    for pll, bit, fbdiv, prim in ((c.pll_sys, 14, 125, 0x00052000), (c.pll_usb, 15, 100, 0x00055000)):
        clk.write(0x3C, clk.read(0x3C) & ~1)
        poll(s, clk, 0x44, lambda v: v == 1)
        clk.write(0x30, clk.read(0x30) & ~3)
        poll(s, clk, 0x38, lambda v: v == 1)
        c.resets.write(0x0, c.resets.read(0x0) & ~(1 << bit))
        poll(s, c.resets, 0x8, lambda v, b=bit: bool(v >> b & 1))
        pll.write(0x04, 0x2D)
        pll.write(0x08, 0)
        pll.write(0x00, 0x1)
        pll.write(0x08, fbdiv)
        pll.write(0x04, pll.read(0x04) & ~0x21)
        poll(s, pll, 0x00, lambda v: bool(v >> 31))
        pll.write(0x0C, prim)
        pll.write(0x04, pll.read(0x04) & ~0x08)
    clk.write(0x30, (clk.read(0x30) & ~3) | 2)
    poll(s, clk, 0x38, lambda v: v == 0x4)
    clk.write(0x34, 0x00010000)
    clk.write(0x3C, clk.read(0x3C) & ~1)
    poll(s, clk, 0x44, lambda v: v == 0x1)
    clk.write(0x3C, clk.read(0x3C) & ~0xE0)
    clk.write(0x3C, clk.read(0x3C) | 1)
    poll(s, clk, 0x44, lambda v: v == 0x2)
    clk.write(0x40, 0x00010000)
    for ctrl in (0x60, 0x6C):  # clk_usb, clk_adc <- PLL_USB
        clk.write(ctrl, clk.read(ctrl) & ~0x800)
        clk.write(ctrl, clk.read(ctrl) & ~0xE0)
        clk.write(ctrl, clk.read(ctrl) | 0x800)
        clk.write(ctrl + 4, 0x00010000)
    clk.write(0x48, clk.read(0x48) & ~0x800)
    clk.write(0x48, clk.read(0x48) & ~0xE0)
    clk.write(0x48, clk.read(0x48) | 0x800)
