// RP2350 extended PPB for Renode: Miscellaneous.RP2350_EPPB at 0xE0080000.
// Same registers as the engine's peripherals/eppb.py. A C# model, not a
// PythonPeripheral script, so the platform can be saved (see RP2350_PadsBank0).

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.Miscellaneous
{
    /// <summary>
    /// Extended PPB (0xE0080000, datasheet 3.7.5): NMI_MASK0/1 and SLEEPCTRL.
    /// Registers only: the engine also routes the masked IRQs to the NMI, which
    /// Renode's NVIC has no input for. A PPB block: no atomic aliases, and a narrow
    /// write reaches only its own byte lanes (the other lanes are written as zero).
    /// </summary>
    public class RP2350_EPPB : RP2350Block
    {
        public RP2350_EPPB(IMachine machine) : base(machine, 0x1000, atomicAliases: false)
        {
            Add("NMI_MASK0", 0x0);
            Add("NMI_MASK1", 0x4, mask: 0xFFFFF);
            Add("SLEEPCTRL", 0x8, reset: 0x2, mask: 0x7);
        }

        protected override void WriteSized(long offset, uint value, int width)
        {
            if(width != 4)
            {
                // RP2350Block replicated the narrow value across the word: keep only its own lanes
                var lanes = (uint)(((1UL << (8 * width)) - 1) << (int)(8 * (offset & 3)));
                value &= lanes;
                offset &= ~3L;
            }
            base.WriteSized(offset, value, 4);
        }
    }
}
