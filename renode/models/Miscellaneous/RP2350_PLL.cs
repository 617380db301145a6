// RP2350 PLL_SYS / PLL_USB for Renode: Miscellaneous.RP2350_PLL at 0x40050000 / 0x40058000.
// Same behaviour as the engine's peripherals/pll.py (see its docstring for the
// datasheet reasoning); the frequency is derived, and the block raises
// `FrequencyChanged` so its consumer (CLOCKS) re-times itself.

using System;

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.Miscellaneous
{
    /// <summary>
    /// PLL_SYS / PLL_USB. Output = ref / REFDIV * FBDIV / (POSTDIV1 * POSTDIV2);
    /// CS.LOCK is live (powered, reference running, settings in range), lock is
    /// immediate, losing lock while powered sets the sticky LOCK_N.
    /// </summary>
    public class RP2350_PLL : RP2350Block, IRP2350ClockSource
    {
        public RP2350_PLL(IMachine machine, RP2350_XOSC xosc = null, long refHz = 0) : base(machine)
        {
            IRQ = new GPIO();
            Add("CS", 0x00, reset: 0x1, read: ReadCs, write: WriteCs);
            Add("PWR", 0x04, reset: 0x2D, mask: 0x2D, write: Cfg(0x04));
            Add("FBDIV_INT", 0x08, mask: 0xFFF, write: Cfg(0x08));
            Add("PRIM", 0x0C, reset: 0x00077000, mask: 0x00077000, write: Cfg(0x0C));
            Add("INTR", 0x10, read: () => lockN ? 1u : 0u, write: v => { if((v & 1) != 0) lockN = false; UpdateIrq(); }, w1c: 1);
            Add("INTE", 0x14, mask: 1, write: Cfg(0x14));
            Add("INTF", 0x18, mask: 1, write: Cfg(0x18));
            Add("INTS", 0x1C, mask: 0, read: ReadInts);
            if(xosc != null)
            {
                reference = () => xosc.FreqHz;
                xosc.FrequencyChanged += Update;
                Update();
            }
            else if(refHz != 0)
            {
                reference = () => (ulong)refHz;
                Update();
            }
        }

        public GPIO IRQ { get; private set; }

        public event Action FrequencyChanged;

        public bool Locked { get { return locked; } }

        /// Primary output in Hz (0 when not running).
        public ulong FreqHz { get { return outHz; } }

        public override void Reset()
        {
            base.Reset();
            lockN = false;
            locked = false;
            Update();
        }

        private Action<uint> Cfg(long offset)
        {
            return v => { var reg = Reg(offset); reg.Value = v & reg.Mask; Update(); };
        }

        private bool ComputeLock()
        {
            var pwr = Reg(0x04).Value;
            var refHz = reference();
            ulong refdiv = Reg(0x00).Value & 0x3F, fbdiv = Reg(0x08).Value;
            if((pwr & (PwrPd | PwrVcoPd)) != 0 || refHz == 0 || refdiv == 0 || fbdiv < 16 || fbdiv > 320)
            {
                return false;
            }
            if(refHz / refdiv < RefMinHz)
            {
                return false;
            }
            var vco = refHz * fbdiv / refdiv;
            return vco >= VcoMinHz && vco <= VcoMaxHz;
        }

        private ulong ComputeOutput()
        {
            if((Reg(0x00).Value & CsBypass) != 0)
            {
                return reference();
            }
            var prim = Reg(0x0C).Value;
            ulong pd1 = prim >> 16 & 7, pd2 = prim >> 12 & 7;
            if(!locked || (Reg(0x04).Value & PwrPostDivPd) != 0 || pd1 == 0 || pd2 == 0)
            {
                return 0;
            }
            ulong refdiv = Reg(0x00).Value & 0x3F;
            return reference() * Reg(0x08).Value / (refdiv * pd1 * pd2);
        }

        private void Update()
        {
            var nowLocked = ComputeLock();
            if(locked && !nowLocked && (Reg(0x04).Value & (PwrPd | PwrVcoPd)) == 0)
            {
                lockN = true; // lost lock while powered
            }
            locked = nowLocked;
            UpdateIrq();
            var output = ComputeOutput();
            if(output != outHz)
            {
                outHz = output;
                FrequencyChanged?.Invoke();
            }
        }

        private void UpdateIrq()
        {
            IRQ.Set(ReadInts() != 0);
        }

        private uint ReadCs()
        {
            return (Reg(0x00).Value & 0x13F) | (locked ? CsLock : 0) | (lockN ? CsLockN : 0);
        }

        private void WriteCs(uint value)
        {
            if((value & CsLockN) != 0)
            {
                lockN = false; // W1C
            }
            Reg(0x00).Value = value & 0x13F;
            Update();
        }

        private uint ReadInts()
        {
            return ((lockN ? 1u : 0u) & Reg(0x14).Value) | Reg(0x18).Value;
        }

        private bool locked;
        private bool lockN;
        private ulong outHz;
        private readonly Func<ulong> reference = () => 0;

        private const uint CsLock = 1u << 31;
        private const uint CsLockN = 1u << 30;
        private const uint CsBypass = 1u << 8;
        private const uint PwrVcoPd = 1u << 5;
        private const uint PwrPostDivPd = 1u << 3;
        private const uint PwrPd = 1u << 0;
        private const ulong VcoMinHz = 750000000, VcoMaxHz = 1600000000, RefMinHz = 5000000;
    }
}
