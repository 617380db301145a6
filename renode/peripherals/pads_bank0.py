# PADS_BANK0 (0x40038000) of the RP2350: pad control for GPIO0-47.
#
# Run by Renode's PythonPeripheral (IronPython 2.7) through the C# wrapper
# Python.RP2350_PadsBank0 (renode/models/Python/RP2350_PadsBank0.cs); the built-in
# engine's twin is src/rp2350_emu/peripherals/pads_bank0.py. Keep this file to
# the Python 2.7 subset that CPython 3 also runs (tests/renode runs it there).
#
# Renode runs the whole file on every access; `regs` persists between runs.
# Every GPIO pad resets to 0x116 (ISO=1, IE=0, 4 mA, PDE=1, SCHMITT=1): a pad is
# isolated and its input off until software configures it. The block decodes
# the RP2350 atomic aliases (+0x1000 XOR, +0x2000 SET, +0x3000 CLR), and a
# narrow write is replicated across the word as on the APB.

NUM_PINS = 48
PAD_RESET = 0x116
SWD_RESET = 0x05A
PAD_MASK = 0x1FF


def pads_reset():
    values = {0x00: 0, 0xC4: SWD_RESET, 0xC8: SWD_RESET}
    for n in range(NUM_PINS):
        values[0x04 + 4 * n] = PAD_RESET
    return values


def pads_mask(word):
    if word == 0x00:
        return 0x1  # VOLTAGE_SELECT
    return PAD_MASK


def pads_replicate(value, length):
    if length == 1:
        return (value & 0xFF) * 0x01010101
    if length == 2:
        return (value & 0xFFFF) * 0x00010001
    return value & 0xFFFFFFFF


if request.IsInit:
    regs = pads_reset()
elif request.IsRead:
    offset = request.Offset & 0xFFF  # an alias read reads the register
    word = offset & ~3
    if word in regs:
        shift = (offset & 3) * 8
        request.Value = (regs[word] >> shift) & ((1 << (8 * request.Length)) - 1)
    else:
        self.Log(LogLevel.Warning, "PADS_BANK0: unmodelled read at +0x%x" % request.Offset)
        request.Value = 0
elif request.IsWrite:
    alias = request.Offset & 0x3000
    word = request.Offset & 0xFFC
    if word in regs:
        value = pads_replicate(request.Value, request.Length)
        current = regs[word]
        if alias == 0x1000:
            value = current ^ value
        elif alias == 0x2000:
            value = current | value
        elif alias == 0x3000:
            value = current & ~value
        mask = pads_mask(word)
        regs[word] = (current & ~mask) | (value & mask)
    else:
        self.Log(LogLevel.Warning, "PADS_BANK0: unmodelled write at +0x%x" % request.Offset)
