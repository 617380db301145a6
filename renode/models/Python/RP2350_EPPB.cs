// RP2350 extended PPB for Renode: Python.RP2350_EPPB, Renode's PythonPeripheral running renode/peripherals/eppb.py.
// This subclass only finds the script next to the models (RP2350Scripts,
// renode/models/RP2350/RP2350Scripts.cs).

namespace Antmicro.Renode.Peripherals.Python
{
    /// <summary>
    /// RP2350 extended PPB (0xE0080000): NMI_MASK0/1, SLEEPCTRL, in
    /// renode/peripherals/eppb.py. Storage only here: routing masked IRQs to the NMI
    /// is the engine's, Renode's NVIC has no such input.
    /// </summary>
    public class RP2350_EPPB : PythonPeripheral
    {
        public RP2350_EPPB() : base(0x1000, true, filename: RP2350Scripts.Find("eppb.py"))
        {
        }
    }
}
