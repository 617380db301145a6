// RP2350 PADS_BANK0 for Renode: Miscellaneous.RP2350_PadsBank0 at 0x40038000.
// Same behaviour as the engine's peripherals/pads_bank0.py. A C# model, not a
// PythonPeripheral script: a script's functions live in an IronPython scope that
// Renode cannot serialize, so `Save` failed on the whole platform.

using System;

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.Miscellaneous
{
    /// <summary>
    /// PADS_BANK0 (0x40038000): pad control for GPIO0-47, SWCLK, SWD. Every GPIO pad
    /// resets to 0x116 (ISO=1, IE=0, 4 mA, PDE=1, SCHMITT=1): isolated, input off,
    /// until software configures it. `PadChanged` tells the GPIO controller which
    /// pad changed (-1: all of them, after a reset), so it recomputes that pin.
    /// </summary>
    public class RP2350_PadsBank0 : RP2350Block
    {
        public RP2350_PadsBank0(IMachine machine) : base(machine)
        {
            Add("VOLTAGE_SELECT", 0x00, mask: 0x1);
            for(var n = 0; n < NumPins; n++)
            {
                var pin = n;
                var offset = 0x04 + 4 * n;
                Add("GPIO" + n, offset, reset: PadReset, mask: PadMask, write: v => WritePad(pin, offset, v));
            }
            Add("SWCLK", 0xC4, reset: SwdReset, mask: PadMask);
            Add("SWD", 0xC8, reset: SwdReset, mask: PadMask);
        }

        /// GPIOn's pad register changed (-1: all pads, after a reset).
        public event Action<int> PadChanged;

        /// The pad register of GPIOn.
        public uint Pad(int n)
        {
            return Reg(0x04 + 4 * n).Value;
        }

        public override void Reset()
        {
            base.Reset();
            PadChanged?.Invoke(-1);
        }

        private void WritePad(int pin, long offset, uint value)
        {
            var reg = Reg(offset);
            var pad = value & PadMask;
            if(pad != reg.Value)
            {
                reg.Value = pad;
                PadChanged?.Invoke(pin);
            }
        }

        public const int NumPins = 48;
        private const uint PadReset = 0x116;
        private const uint SwdReset = 0x05A;
        private const uint PadMask = 0x1FF;
    }
}
