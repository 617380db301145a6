// PADS_BANK0 and EPPB: their register behaviour is the IronPython scripts in
// renode/peripherals/, run by Renode's own PythonPeripheral. These subclasses
// only (1) find the script next to this file, and (2) add what a
// PythonPeripheral cannot: a change notification for the GPIO controller and a
// reset line for RESETS.
//
// (1) is needed because PythonPeripheral's `filename` is opened relative to
// Renode's working directory (renode/renode#127), which under renode-test is
// Renode's own install directory, so `filename: "renode/peripherals/x.py"` in
// the .repl only works when Renode is started from this repository's root.
// Renode compiles this file from its absolute path (AdHocCompiler passes the
// path to the syntax tree), so [CallerFilePath] tells where renode/ is.

using System;
using System.IO;
using System.Runtime.CompilerServices;

using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.Python
{
    public static class RP2350Scripts
    {
        /// Absolute path of renode/peripherals/&lt;name&gt;: next to the compiled .cs,
        /// else under $RP2350_RENODE_DIR, else relative to the working directory.
        public static string Find(string name, [CallerFilePath] string compiledFrom = "")
        {
            var candidates = new[]
            {
                Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(compiledFrom))) ?? ".", "peripherals", name),
                Path.Combine(Environment.GetEnvironmentVariable("RP2350_RENODE_DIR") ?? "", "peripherals", name),
                Path.Combine("renode", "peripherals", name),
            };
            foreach(var candidate in candidates)
            {
                if(File.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
            throw new ArgumentException("RP2350 peripheral script " + name + " not found; looked at " + string.Join(", ", candidates));
        }
    }

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
