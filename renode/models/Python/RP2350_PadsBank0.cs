// RP2350 PADS_BANK0 for Renode: Python.RP2350_PadsBank0, Renode's PythonPeripheral running renode/peripherals/pads_bank0.py.
// This subclass only (1) finds the script next to the models (RP2350Scripts,
// renode/models/RP2350/RP2350Scripts.cs), and (2) adds what a PythonPeripheral
// cannot: a change notification for the GPIO controller and a reset line for
// RESETS.

using System;

using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.Python
{
    /// <summary>PADS_BANK0 (0x40038000), behaviour in renode/peripherals/pads_bank0.py.</summary>
    public class RP2350_PadsBank0 : PythonPeripheral, IDoubleWordPeripheral, IWordPeripheral, IBytePeripheral, IRP2350Resettable
    {
        public RP2350_PadsBank0() : base(0x4000, true, filename: RP2350Scripts.Find("pads_bank0.py"))
        {
        }

        /// GPIOn's pad register changed (-1: all pads, after a reset).
        public event Action<int> PadChanged;

        public new void WriteDoubleWord(long offset, uint value) { Write(offset, () => base.WriteDoubleWord(offset, value)); }
        public new void WriteWord(long offset, ushort value) { Write(offset, () => base.WriteWord(offset, value)); }
        public new void WriteByte(long offset, byte value) { Write(offset, () => base.WriteByte(offset, value)); }

        public new void Reset()
        {
            base.Reset();
            PadChanged?.Invoke(-1);
        }

        public void HoldReset(bool held)
        {
            if(held)
            {
                this.held = true;
                Reset();
            }
            else
            {
                this.held = false;
            }
        }

        private void Write(long offset, Action write)
        {
            if(held)
            {
                return; // registers held at their reset values
            }
            var pad = (int)((offset & 0xFFF) - 4) / 4;
            var isPad = (offset & 0xFFF) >= 4 && pad < 48;
            var before = isPad ? base.ReadDoubleWord(4 + 4 * pad) : 0;
            write();
            if(isPad && base.ReadDoubleWord(4 + 4 * pad) != before)
            {
                PadChanged?.Invoke(pad);
            }
        }

        private bool held;
    }
}
