"""`DebugTarget` over the built-in engine (platform.machine.Machine + core.cpu.CortexM33).

Breakpoints, watchpoints and stepping are Unicorn hooks that exist only
while something needs them, so a run without a debugger pays nothing:

* a breakpoint is a UC_HOOK_CODE on its one address; it ends the slice
  *before* the instruction (CortexM33.halt_before_current), which leaves
  the instruction count, and so virtual time, exactly where an undisturbed
  run would be at that instruction;
* a watchpoint is a UC_HOOK_MEM_READ/WRITE on the watched range; it ends
  the slice right *after* the accessing instruction (CortexM33.request_exit).
  Stopping inside the instruction would make Unicorn roll it back and run
  it again on resume, repeating the access: a peripheral write or FIFO pop
  twice, an exclusive store that succeeds but then reports failure. The
  Cortex-M33 DWT also reports data watchpoints after the access;
* a single step is a UC_HOOK_CODE on every address, added for the step
  only (with a flush of the translated code, which does not see hooks
  added after it was translated); the step ends before the second
  instruction, or as soon as an exception is taken (the handler's first
  instruction is then next). A breakpoint drops only the translations of
  its own address.

Hooks do nothing unless this target is running the core, so the monitor's
own runner can advance the machine without tripping over them.

Debugger memory reads of peripherals use the models' side-effect-free
`peek` (reading UART DR from GDB does not pop the RX FIFO); writes go
through the models like a firmware write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from unicorn import UC_HOOK_CODE, UC_HOOK_MEM_READ, UC_HOOK_MEM_WRITE
from unicorn import arm_const as A

from rp2350_emu.errors import EmulationError
from rp2350_emu.gdb.target import (
    SIGILL,
    SIGINT,
    SIGSEGV,
    SIGTRAP,
    MemoryRegion,
    MonitorUnavailable,
    StopEvent,
    StopReason,
    TargetMemoryError,
    WatchKind,
)

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.platform.machine import Machine

#: the .repl memory that GDB should treat as flash (hardware breakpoints)
FLASH_NAME = "flash"
FLASH_BLOCK = 0x1000  # RP2350 flash erase sector

_UC_REGS: dict[str, int] = {f"r{i}": getattr(A, f"UC_ARM_REG_R{i}") for i in range(13)}
_UC_REGS.update({name: getattr(A, f"UC_ARM_REG_{name.upper()}") for name in
                 ("sp", "lr", "pc", "xpsr", "msp", "psp", "primask", "basepri", "faultmask", "control",
                  "fpscr")})
_UC_REGS.update({f"d{i}": getattr(A, f"UC_ARM_REG_D{i}") for i in range(16)})

_WATCH_HOOKS = {WatchKind.WRITE: UC_HOOK_MEM_WRITE, WatchKind.READ: UC_HOOK_MEM_READ,
                WatchKind.ACCESS: UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE}
_WATCH_REASONS = {WatchKind.WRITE: StopReason.WATCH, WatchKind.READ: StopReason.RWATCH,
                  WatchKind.ACCESS: StopReason.AWATCH}


def fault_signal(message: str) -> int:
    """The signal a fault is shown as: SIGILL for bad instructions, SIGTRAP
    for a BKPT in the firmware, SIGSEGV for everything else (bad accesses,
    unmodeled registers, lockup)."""
    text = message.lower()
    if "bkpt" in text:
        return SIGTRAP
    if any(key in text for key in ("undefined instruction", "undefinstr", "invstate", "nocp", "coprocessor")):
        return SIGILL
    return SIGSEGV


class EngineTarget:
    """The engine's core as a DebugTarget."""

    def __init__(self, machine: Machine, monitor: Callable[[str], str] | None = None) -> None:
        self.machine = machine
        self.cpu = machine.cpu
        self.uc = machine.cpu.uc
        self._monitor = monitor
        self._breaks: dict[int, set[bool]] = {}  # address -> {hardware?}
        self._break_hooks: dict[int, Any] = {}
        self._watches: dict[tuple[int, int, WatchKind], Any] = {}
        self._active = False  # hooks act only while run() is executing
        self._armed = False
        self._stepping = False
        self._step_seen = False
        self._step_hook: Any = None
        self._skip_pc: int | None = None
        self._stop: StopEvent | None = None
        self.cpu.exception_listeners.append(self._on_exception)

    # -- registers --------------------------------------------------------------------------
    def read_register(self, name: str) -> int:
        value = self.uc.reg_read(_UC_REGS[name])
        return value & ~1 if name == "pc" else value

    def write_register(self, name: str, value: int) -> None:
        if name == "pc":
            value |= 1  # Unicorn takes the Thumb bit with the address
        self.uc.reg_write(_UC_REGS[name], value)

    # -- memory -----------------------------------------------------------------------------
    def memory_regions(self) -> list[MemoryRegion]:
        regions = []
        for region in self.machine.bus.regions:
            if region.kind == "mmio":
                kind = "ram"  # peripherals: readable and writable, no breakpoints there anyway
            elif region.kind == "rom":
                kind = "flash" if region.name == FLASH_NAME else "rom"
            else:
                kind = "ram"
            regions.append(MemoryRegion(region.base, region.size, kind, region.name, FLASH_BLOCK))
        return sorted(regions, key=lambda r: r.start)

    def read_memory(self, address: int, length: int) -> bytes:
        out = bytearray()
        addr = address
        while len(out) < length:
            region = self.machine.bus.region_at(addr)
            if region is None:
                break
            want = min(length - len(out), region.end - addr)
            if region.kind == "mmio":
                chunk = self._peek_mmio(region.device, addr - region.base, want)
            else:
                chunk = bytes(self.uc.mem_read(addr, want))
            out += chunk
            addr += len(chunk)
            if len(chunk) < want:
                break
        if not out and length:
            raise TargetMemoryError(f"nothing readable at 0x{address:08x}")
        return bytes(out)

    @staticmethod
    def _peek_mmio(device: Any, offset: int, length: int) -> bytes:
        """Register words through `peek` (no side effects); stops at the first
        offset the model does not know."""
        out = bytearray()
        while len(out) < length:
            word_at = (offset + len(out)) & ~3
            try:
                word = int(device.peek(word_at)) & 0xFFFFFFFF
            except Exception:  # noqa: BLE001 - an unmodeled register ends the readable range
                break
            raw = word.to_bytes(4, "little")
            start = (offset + len(out)) - word_at
            out += raw[start:start + length - len(out)]
        return bytes(out)

    def write_memory(self, address: int, data: bytes) -> None:
        addr, rest = address, memoryview(bytes(data))
        while rest:
            region = self.machine.bus.region_at(addr)
            if region is None:
                raise TargetMemoryError(f"nothing mapped at 0x{addr:08x}")
            n = min(len(rest), region.end - addr)
            if region.kind == "mmio":
                self._write_mmio(region.device, addr - region.base, bytes(rest[:n]))
            else:
                self.uc.mem_write(addr, bytes(rest[:n]))
                # code may live there: drop translations of the bytes just changed
                self.uc.ctl_remove_cache(addr, addr + n)
            addr += n
            rest = rest[n:]

    @staticmethod
    def _write_mmio(device: Any, offset: int, data: bytes) -> None:
        pos = 0
        while pos < len(data):
            at = offset + pos
            width = 4 if not at & 3 and len(data) - pos >= 4 else 2 if not at & 1 and len(data) - pos >= 2 else 1
            value = int.from_bytes(data[pos:pos + width], "little")
            try:
                device.write(at, value, width)
            except Exception as exc:
                raise TargetMemoryError(f"{getattr(device, 'name', 'peripheral')}+0x{at:x}: {exc}") from exc
            pos += width

    # -- breakpoints and watchpoints --------------------------------------------------------
    def add_breakpoint(self, address: int, hardware: bool) -> bool:
        address &= ~1
        kinds = self._breaks.setdefault(address, set())
        kinds.add(hardware)
        if address not in self._break_hooks:
            self._break_hooks[address] = self.uc.hook_add(UC_HOOK_CODE, self._on_break, begin=address,
                                                          end=address)
            self.uc.ctl_remove_cache(address, address + 4)
        return True

    def remove_breakpoint(self, address: int, hardware: bool) -> bool:
        address &= ~1
        kinds = self._breaks.get(address)
        if kinds is None:
            return True  # removing what is not there is not an error for GDB
        kinds.discard(hardware)
        if not kinds:
            del self._breaks[address]
            self.uc.hook_del(self._break_hooks.pop(address))
            self.uc.ctl_remove_cache(address, address + 4)
        return True

    def add_watchpoint(self, address: int, length: int, kind: WatchKind) -> bool:
        if length <= 0:
            return False
        key = (address, length, kind)
        if key not in self._watches:
            self._watches[key] = self.uc.hook_add(_WATCH_HOOKS[kind], self._on_watch, user_data=kind,
                                                  begin=address, end=address + length - 1)
        return True

    def remove_watchpoint(self, address: int, length: int, kind: WatchKind) -> bool:
        handle = self._watches.pop((address, length, kind), None)
        if handle is not None:
            self.uc.hook_del(handle)
        return True

    def clear_debug_state(self) -> None:
        for address in list(self._breaks):
            for hardware in list(self._breaks.get(address, ())):
                self.remove_breakpoint(address, hardware)
        for key in list(self._watches):
            self.remove_watchpoint(*key)

    # -- run control ------------------------------------------------------------------------
    @property
    def now_ns(self) -> int:
        return self.machine.now_ns

    def resume(self, step: bool) -> None:
        self._stop = None
        self._armed = True
        self._stepping = step
        self._step_seen = False
        pc = self.read_register("pc")
        # continuing from a breakpoint must run the instruction under it
        self._skip_pc = pc if pc in self._breaks else None
        if step and self._step_hook is None:
            self._step_hook = self.uc.hook_add(UC_HOOK_CODE, self._on_step_insn)
            # code translated before the hook existed would not call it: the
            # step could run on for thousands of instructions
            self.uc.ctl_flush_tb()

    def run(self, budget_ns: int) -> StopEvent | None:
        if not self._armed:
            raise RuntimeError("run() without resume()")
        self._active = True
        try:
            self.machine.run_until(lambda: self._stop is not None, max(int(budget_ns), 1))
        except EmulationError as exc:
            message = " ".join(str(exc).split())
            self._stop = StopEvent(StopReason.FAULT, fault_signal(message), message=message)
        finally:
            self._active = False
        stop = self._stop
        if stop is not None:
            self._disarm()
        return stop

    def halt(self) -> StopEvent:
        self._disarm()
        return StopEvent(StopReason.INTERRUPT, SIGINT)

    def _disarm(self) -> None:
        self._armed = False
        self._stepping = False
        self._skip_pc = None
        if self._step_hook is not None:
            self.uc.hook_del(self._step_hook)
            self._step_hook = None

    # -- hooks (called by Unicorn inside a slice) -------------------------------------------
    def _on_break(self, uc: Any, address: int, _size: int, _ud: Any) -> None:
        if not self._active or self._stepping or self._stop is not None:
            return
        if address == self._skip_pc:
            self._skip_pc = None
            return
        kinds = self._breaks.get(address)
        if not kinds:
            return
        reason = StopReason.HW_BREAK if True in kinds else StopReason.SW_BREAK
        self._stop = StopEvent(reason, SIGTRAP)
        self.cpu.halt_before_current()

    def _on_step_insn(self, uc: Any, _address: int, _size: int, _ud: Any) -> None:
        if not self._active or not self._stepping:
            return
        if self._step_seen or self._stop is not None:
            self._stop = self._stop or StopEvent(StopReason.STEP, SIGTRAP)
            self.cpu.halt_before_current()
        else:
            self._step_seen = True

    def _on_watch(self, uc: Any, _access: int, address: int, _size: int, _value: int,
                  kind: WatchKind) -> None:
        if not self._active or self._stop is not None:
            return
        self._stop = StopEvent(_WATCH_REASONS[kind], SIGTRAP, address=address)
        self.cpu.request_exit()  # after this instruction, never inside it (see the module doc)

    def _on_exception(self, kind: str, _exception: int, _t_ns: int) -> None:
        # a step that takes an exception ends at the handler's first instruction
        if self._active and self._stepping and kind == "enter" and self._stop is None:
            self._stop = StopEvent(StopReason.STEP, SIGTRAP)

    def close(self) -> None:
        """Take every hook and listener off the machine (the server is going away)."""
        self.clear_debug_state()
        self._disarm()
        if self._on_exception in self.cpu.exception_listeners:
            self.cpu.exception_listeners.remove(self._on_exception)

    # -- monitor ----------------------------------------------------------------------------
    def monitor(self, command: str) -> str:
        if self._monitor is None:
            raise MonitorUnavailable("monitor not available: this engine was started without one")
        return self._monitor(command)

