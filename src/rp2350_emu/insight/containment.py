"""Guest containment checked by the engine, not by the firmware's word (docs/loader.md).

While a guest runs on the loader, two things must hold:

1. **Firmware memory**: no byte of RAM outside the allowed ranges changes
   unless firmware code outside the interpreter wrote it.
2. **Peripherals**: no peripheral register is written by the interpreter.

"The interpreter" is every function of the `pulley_interpreter` crate, found
by symbol (with its st_size) in the ELF: the code that executes the guest's
instructions. Everything else in the firmware (the host functions, Wasmtime's
runtime and libcalls, the allocator, UART logging, the timer and interrupt
handlers) is the firmware's own code and may write its statics and the
peripherals while the guest runs: that is what a host function is for.

The window opens at the first entry into the interpreter (`Vm::call_run` when
it is a function of its own, else `Interpreter::run`: before the guest's first
instruction) and closes at `finish()`. Allowed ranges, written by anyone:

* the heap arena (found as `report` finds it, `find_heap_arena`): the guest's
  linear memory, the Pulley VM state and stack, Wasmtime's store all live there;
* the stack below the caller's frame record at the window's start (its frame
  pointer r7, else the SP): the frames of the call chain that runs the guest
  (Wasmtime's entry, the interpreter, host functions, interrupt handlers) come
  and go there, and the caller's locals receive the interpreter's result;
  nothing else of the firmware's lives there at that moment, so whatever is
  written there is scratch. The frame record and every frame above it (the
  loader's own) are watched;
* Wasmtime's thread-local slot (`TLS`, 8 bytes, set by `wasmtime_tls_set` on
  every entry and exit): a Unicorn write hook on it makes the busywait loader
  image diverge (a HardFault in Wasmtime's trap handling, measured), so it is
  neither hooked nor compared.

Everything else writable (`.data`, `.bss` outside the arena, the callers'
frames from that record up, the scratch SRAM banks) is snapshotted at the start and
watched by a Unicorn write hook that records each write's PC; the peripheral
ranges are watched the same way. At `finish()`:

* a write to the watched RAM or a peripheral from an interpreter PC is a
  violation (address, data symbol, PC, code symbol);
* a byte that differs from the snapshot but that no core store wrote (a
  change made behind the core's back) is a violation too: the snapshot
  catches what the hook cannot see.

The hooks only exist inside the window, and the arena and the scratch stack
(where nearly every guest store lands) carry none, so a checked run costs
little beyond the firmware's own writes to its statics.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from unicorn import UC_HOOK_MEM_WRITE
from unicorn import arm_const as A

from rp2350_emu.errors import ConfigError
from rp2350_emu.insight.measure import find_heap_arena

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.platform.machine import Machine

#: the interpreter's functions: defined in the `pulley_interpreter` crate (v0 or legacy mangling)
_INTERPRETER = re.compile(r"18pulley_interpreter|pulley_interpreter::")
#: where the interpreter is entered, outermost first: `Vm::call_run` (when it is a function
#: of its own) or the loop `match_loop::<impl Interpreter>::run`; the first entry opens the window
_ENTRIES = (re.compile(r"18pulley_interpreter.*2Vm8call_run(E|$|17h)|pulley_interpreter::interp::Vm::call_run$"),
            re.compile(r"18pulley_interpreter.*10match_loop.*11Interpreter3run(E|$|17h)|match_loop.*Interpreter.*::run$"))
#: Wasmtime's thread-local slot (the firmware's `TLS` static, set by `wasmtime_tls_set`), left unwatched
_TLS = re.compile(r"3TLS$|::TLS$")
#: peripheral address ranges (APB/AHB peripherals, SIO, the PPB): [begin, end)
PERIPHERALS = ((0x4000_0000, 0x6000_0000), (0xD000_0000, 0xE000_0000), (0xE000_0000, 0xE010_0000))


@dataclass(frozen=True)
class Violation:
    kind: str  # "ram-write", "mmio-write" (by an interpreter PC) or "ram-changed" (no core store)
    address: int
    size: int
    symbol: str  # what lives at `address` ("" if unnamed)
    pc: int | None = None
    pc_symbol: str = ""

    def text(self) -> str:
        at = f"0x{self.address:08x}" + (f" ({self.symbol})" if self.symbol else "")
        if self.pc is None:
            return f"{self.kind}: {self.size} B at {at} changed with no store by the core"
        return f"{self.kind}: {self.size} B at {at} written from pc 0x{self.pc:08x} ({self.pc_symbol})"


@dataclass
class ContainmentReport:
    violations: list[Violation] = field(default_factory=list)
    started: bool = False  # the guest ran (the window opened)
    ram_writes: int = 0  # allowed writes to watched RAM (firmware code outside the interpreter)
    mmio_writes: int = 0  # allowed peripheral writes (ditto)
    watched_bytes: int = 0  # RAM snapshotted and compared

    @property
    def ok(self) -> bool:
        return self.started and not self.violations


def _subtract(ranges: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for begin, end in ranges:
        pieces = [(begin, end)]
        for hb, he in holes:
            pieces = [p for b, e in pieces for p in ((b, min(e, hb)), (max(b, he), e)) if p[0] < p[1]]
        out += pieces
    return out


class ContainmentChecker:
    """Arm before the guest starts (`arm()`), call `finish()` after it ended."""

    def __init__(self, machine: Machine, heap: tuple[int, int] | None = None) -> None:
        symbols = machine.symbols
        if symbols is None:
            raise ConfigError("no ELF loaded: the containment check needs the firmware's symbols")
        self.machine, self.cpu = machine, machine.cpu
        self.heap_base, self.heap_size = heap if heap is not None else find_heap_arena(machine)
        self.stack_bottom = symbols.address("_stack_end")
        self.stack_top = symbols.address("_stack_start")
        self.scratch_top: int | None = None  # the top of the scratch stack, once the window opened
        spans = sorted((address, address + symbols.size_of(name)) for name, address in symbols.items()
                       if _INTERPRETER.search(name) and symbols.size_of(name) > 0)
        if not spans:
            raise ConfigError(f"{machine.image.path if machine.image else 'the ELF'}: no pulley_interpreter "
                              "functions found; the containment check applies to Pulley guests only")
        self._starts = [b for b, _ in spans]
        self._spans = spans
        plain = [(name.split(".llvm.")[0], address) for name, address in symbols.items()]
        entries = [a for pattern in _ENTRIES for name, a in plain if pattern.search(name)]
        if not entries:
            raise ConfigError("the ELF has no pulley_interpreter Vm::call_run or Interpreter::run: nothing to "
                              "open the check's window at")
        self.run_entry = entries[0]
        self.unwatched = [(a, a + symbols.size_of(name)) for name, a in symbols.items()
                          if _TLS.search(name.split(".llvm.")[0])]
        self.report = ContainmentReport()
        self._hooks: list[int] = []
        self._watched: list[tuple[int, int]] = []
        self._snapshot: list[bytes] = []
        self._written: set[int] = set()  # watched RAM bytes a core store wrote (allowed or not)

    def in_interpreter(self, pc: int) -> bool:
        i = bisect_right(self._starts, pc) - 1
        return i >= 0 and pc < self._spans[i][1]

    def arm(self) -> ContainmentChecker:
        self.cpu.add_address_hook(self.run_entry, self._open)
        return self

    def _open(self, _pc: int) -> None:
        """The first entry into the interpreter: snapshot, then watch."""
        cpu = self.cpu
        cpu.remove_address_hook(self.run_entry, self._open)
        uc = cpu.uc
        sp = uc.reg_read(A.UC_ARM_REG_SP)
        fp = uc.reg_read(A.UC_ARM_REG_R7)  # the caller's frame pointer: its saved {r7, lr} record
        if sp < fp < self.stack_top:
            sp = fp  # the caller's locals (where the interpreter returns its result) are scratch too
        self.scratch_top = sp
        self._watched = _subtract(sorted(cpu.ram_ranges), [(self.heap_base, self.heap_base + self.heap_size),
                                                           (self.stack_bottom, sp), *self.unwatched])
        self._snapshot = [bytes(uc.mem_read(b, e - b)) for b, e in self._watched]
        self.report.started = True
        self.report.watched_bytes = sum(e - b for b, e in self._watched)
        for b, e in self._watched:
            self._hooks.append(uc.hook_add(UC_HOOK_MEM_WRITE, self._on_ram, begin=b, end=e - 1))
        for b, e in PERIPHERALS:
            self._hooks.append(uc.hook_add(UC_HOOK_MEM_WRITE, self._on_mmio, begin=b, end=e - 1))

    def _on_ram(self, uc: object, _access: int, address: int, size: int, _value: int, _ud: object) -> None:
        self.note_write(self.cpu.uc.reg_read(A.UC_ARM_REG_PC), address, size, mmio=False)

    def _on_mmio(self, uc: object, _access: int, address: int, size: int, _value: int, _ud: object) -> None:
        self.note_write(self.cpu.uc.reg_read(A.UC_ARM_REG_PC), address, size, mmio=True)

    def note_write(self, pc: int, address: int, size: int, mmio: bool) -> None:
        """One store by the core (the hooks call this; so may a test planting one)."""
        pc &= ~1
        if not mmio:
            self._written.update(range(address, address + size))
        if self.in_interpreter(pc):
            symbolize = self.machine.symbolize
            self.report.violations.append(Violation("mmio-write" if mmio else "ram-write", address, size,
                                                    symbolize(address), pc, symbolize(pc)))
        elif mmio:
            self.report.mmio_writes += 1
        else:
            self.report.ram_writes += 1

    def finish(self) -> ContainmentReport:
        """Remove the hooks and compare the watched RAM with the snapshot."""
        uc = self.cpu.uc
        if not self.report.started:
            self.cpu.remove_address_hook(self.run_entry, self._open)
        for hook in self._hooks:
            uc.hook_del(hook)
        self._hooks = []
        for (b, e), before in zip(self._watched, self._snapshot, strict=True):
            now = bytes(uc.mem_read(b, e - b))
            if now == before:
                continue
            i = 0
            while i < len(now):
                if now[i] != before[i] and b + i not in self._written:
                    j = i
                    while j < len(now) and now[j] != before[j] and b + j not in self._written:
                        j += 1
                    self.report.violations.append(Violation("ram-changed", b + i, j - i,
                                                            self.machine.symbolize(b + i)))
                    i = j
                else:
                    i += 1
        return self.report
