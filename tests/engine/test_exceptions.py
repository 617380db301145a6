"""Exception entry/return, priorities, masks, SVC and FP frames (exceptions.c)."""

from __future__ import annotations

import struct

from tests.engine.helpers import result_log, run_to_done, word

ONE_AND_A_HALF = struct.unpack("<I", struct.pack("<f", 1.5))[0]


def run(boot):
    machine = boot("exceptions")
    trace: list[tuple[str, int, int]] = []
    machine.cpu.exception_listeners.append(lambda kind, exc, t: trace.append((kind, exc, t)))
    run_to_done(machine)
    return machine, trace


def test_sequence_of_handlers_and_masks(boot):
    machine, _ = run(boot)
    assert [hex(v) for v in result_log(machine)] == [hex(v) for v in [
        0xF95C07, 107,              # SVC #7 from thread/MSP: EXC_RETURN ...F9, r0 = 100 + 7
        0x105, 0x106, 0x1E5, 0x107,  # IRQ5 preempted by IRQ6, IRQ7 waits and tail-chains
        0xA0,
        0xA1, 0x108, 0xA2,          # PRIMASK: taken right after cpsie i
        0x10A, 0xA3, 0x109, 0xA4,   # BASEPRI 0x40: 0x20 passes, 0x80 waits for basepri 0
        0xA5, 0x10B, 0xA6,          # FAULTMASK holds even priority 0
        0xFD5C09, 10,               # SVC #9 from thread on PSP: EXC_RETURN ...FD
        0xA7,
    ]]


def test_tail_chain_has_no_return_to_thread_in_between(boot):
    _, trace = run(boot)
    irq = [(kind, exc) for kind, exc, _ in trace if exc in (21, 22, 23)]
    assert irq == [("enter", 21), ("enter", 22), ("exit", 22), ("exit", 21), ("enter", 23), ("exit", 23)]
    exit5 = next(t for kind, exc, t in trace if (kind, exc) == ("exit", 21))
    enter7 = next(t for kind, exc, t in trace if (kind, exc) == ("enter", 23))
    assert exit5 == enter7  # IRQ7 entered at the very instant IRQ5 returned


def test_fp_context_is_stacked_and_restored(boot):
    machine, _ = run(boot)
    assert word(machine, "pendsv_lr") == 0xFFFFFFE9  # thread, MSP, extended (FP) frame
    assert word(machine, "pendsv_stacked_s0") == ONE_AND_A_HALF  # s0 at frame + 0x20
    assert word(machine, "fp_after") == ONE_AND_A_HALF  # the handler's s0 = 2.0 was undone


def test_core_registers_after_return(boot):
    machine, _ = run(boot)
    cpu = machine.cpu
    assert cpu.current_exception() == 0
    assert cpu.reg("control") & 2 == 0  # back on MSP
    assert machine.scs.nvic.active == 0
    assert cpu.sp <= 0x20080000
