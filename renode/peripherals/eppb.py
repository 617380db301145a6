# RP2350 extended PPB (0xE0080000): NMI_MASK0, NMI_MASK1, SLEEPCTRL.
#
# Run by Renode's PythonPeripheral (IronPython 2.7) through the C# wrapper
# Python.RP2350_EPPB (renode/models/Python/RP2350_EPPB.cs); the built-in engine's
# twin is Eppb in src/rp2350_emu/peripherals/eppb.py. Python 2.7 subset that CPython 3 also
# runs. Registers only: the engine also routes masked IRQs to the NMI, which a
# PythonPeripheral cannot do (it has no GPIO outputs).
#
# A PPB block: no atomic aliases, and a narrow write reaches only its own byte
# lanes; the other lanes of the word are written as zero.

EPPB_RESET = {0x0: 0x0, 0x4: 0x0, 0x8: 0x2}
EPPB_MASK = {0x0: 0xFFFFFFFF, 0x4: 0xFFFFF, 0x8: 0x7}

if request.IsInit:
    regs = dict(EPPB_RESET)
elif request.IsRead:
    word = request.Offset & ~3
    if word in regs:
        shift = (request.Offset & 3) * 8
        request.Value = (regs[word] >> shift) & ((1 << (8 * request.Length)) - 1)
    else:
        self.Log(LogLevel.Warning, "EPPB: unmodelled read at +0x%x" % request.Offset)
        request.Value = 0
elif request.IsWrite:
    word = request.Offset & ~3
    if word in regs:
        lane = (request.Offset & 3) * 8
        value = (request.Value << lane) & ((((1 << (8 * request.Length)) - 1) << lane) & 0xFFFFFFFF)
        regs[word] = value & EPPB_MASK[word]
    else:
        self.Log(LogLevel.Warning, "EPPB: unmodelled write at +0x%x" % request.Offset)
