"""How a machine resets: at power-on, on Renode's `machine Reset`, and on AIRCR.SYSRESETREQ.

Power-on (`reset()`, the Python API): time 0, no events, memories cleared and
the image rebooted. Renode's `machine Reset` (`reset(keep_time=True)`) resets
every block and the core but keeps time, the event log and the contents of
every memory (Renode 1.16.1 keeps flash and SRAM); the core then starts from
the vector table at VTOR (reset value 0) the next time it runs, unless the
reset macro booted an image first (`sysbus LoadELF`). With nothing there the
core halts, as Renode's does, and time still goes on.
"""

from __future__ import annotations

import logging
import struct

from unicorn import UcError
from unicorn import arm_const as A

from rp2350_emu.peripherals.roles import Resettable
from rp2350_emu.platform.pins import Button

#: core registers a `machine Reset` clears (the core loads SP and PC when it next runs)
CLEARED = (*range(A.UC_ARM_REG_R0, A.UC_ARM_REG_R12 + 1), A.UC_ARM_REG_LR, A.UC_ARM_REG_MSP, A.UC_ARM_REG_PSP,
           A.UC_ARM_REG_PC)
#: what Renode 1.16.1 logs when a Cortex-M core leaves reset with no vector table to start from
NO_VECTORS = "PC does not lay in memory or PC and SP are equal to zero. CPU was halted."


class Resetting:
    """Mixin of Machine (machine.py): the three resets. It uses Machine's memories, devices,
    scheduler, core and `_boot`; it does not import machine.py (no cycle)."""

    def reset(self, keep_time: bool = False) -> None:
        """Power-on reset, or with `keep_time` Renode's `machine Reset` (module docstring)."""
        now, cycles = self.scheduler.now_ns, self.cpu.cycles
        self.scheduler.clear()
        self.cpu.reset_state()
        if keep_time:
            self.scheduler.now_ns, self.cpu.cycles = now, cycles
        else:
            for base, size in self.memories.values():
                self.cpu.uc.mem_write(base, bytes(size))
        self.scs.reset()
        for device in self.devices.values():
            for model in {id(device.model): device.model, id(device.bus_model): device.bus_model}.values():
                if isinstance(model, Resettable):
                    model.reset()
        for pin_device in self.pin_devices.values():
            if isinstance(pin_device, Button):
                pin_device.release()
        if not keep_time:
            self.events.clear()  # the power-on state is the start, not a change
            self._uart_text.clear()
            if self.image is not None:
                self._boot()
        else:
            for reg in CLEARED:  # what Renode's reset leaves in the core until it starts
                self.cpu.regs.write(reg, 0)
            self._start_from_vectors = True

    def _core_leaves_reset(self) -> None:
        """Renode's `machine Reset` without a boot since: SP and PC from the vector table at VTOR."""
        self._start_from_vectors = False
        vtor = self.cpu.vtor
        try:
            sp, pc = struct.unpack("<II", self.cpu.uc.mem_read(vtor, 8))
        except UcError:
            sp = pc = 0
        if pc == 0 and sp == 0 or not self._in_memory(pc & ~1):
            logging.getLogger("rp2350_emu.cpu").error(NO_VECTORS)
            self.cpu.sleeping = "halted"
            return
        self.cpu.boot(vtor, sp, pc)

    def _in_memory(self, address: int) -> bool:
        return any(base <= address < base + size for base, size in self.memories.values())

    def _request_system_reset(self) -> None:
        """AIRCR.SYSRESETREQ: peripherals and core reset, SRAM kept, time goes on."""
        def do_reset() -> None:
            self.scs.reset()
            for device in self.devices.values():
                if isinstance(device.model, Resettable):
                    device.model.reset()
            if self.image is not None:
                self._boot()
        self.cpu.request_exit()
        self.scheduler.schedule_in(0, do_reset, "sysresetreq")
