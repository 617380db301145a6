// RP2350 IO_BANK0 for Renode: Miscellaneous.RP2350_IOBank0 at 0x40028000.
// Same behaviour as the engine's peripherals/io_bank0.py.

using System;

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.Miscellaneous
{
    /// <summary>
    /// IO_BANK0 (0x40028000): GPIOn_CTRL function select and overrides, GPIOn_STATUS,
    /// INTR (level bits live, edge bits latched, W1C) and per-target INTE/INTF/INTS;
    /// IrqProc0/IrqProc1/IrqDormantWake are the OR over pins after IRQOVER.
    /// </summary>
    public class RP2350_IOBank0 : RP2350Block
    {
        public RP2350_IOBank0(IMachine machine) : base(machine)
        {
            IrqProc0 = new GPIO();
            IrqProc1 = new GPIO();
            IrqDormantWake = new GPIO();
            signals = new[] { IrqProc0, IrqProc1, IrqDormantWake };
            for(var n = 0; n < NumPins; n++)
            {
                var pin = n;
                Add("GPIO" + n + "_STATUS", 8 * n, mask: 0, read: () => padStatus[pin] | (PinIrq(0, pin) ? StatusIrqToProc : 0));
                Add("GPIO" + n + "_CTRL", 8 * n + 4, reset: CtrlReset, mask: CtrlMask, write: v => WriteCtrl(pin, v));
            }
            for(var t = 0; t < 3; t++)
            {
                for(var word = 0; word < 2; word++)
                {
                    int tt = t, ww = word;
                    Add("IRQSUMMARY_SECURE" + word, 0x200 + 0x10 * t + 4 * word, mask: 0, read: () => Summary(tt, ww));
                    Add("IRQSUMMARY_NONSECURE" + word, 0x200 + 0x10 * t + 8 + 4 * word, mask: 0, read: () => 0);
                }
            }
            for(var w = 0; w < 6; w++)
            {
                var word = w;
                Add("INTR" + w, IntrBase + 4 * w, mask: 0, read: () => Raw(word), write: v => { edges[word] &= ~v; UpdateIrqs(); }, w1c: Edges);
                var valid = 8 * w + 8 <= NumPins ? 0xFFFFFFFFu : (1u << (4 * (NumPins - 8 * w))) - 1;
                for(var t = 0; t < 3; t++)
                {
                    int tt = t;
                    Add("INTE" + w, Targets[t, 0] + 4 * w, mask: 0, read: () => inte[tt, word], write: v => { inte[tt, word] = v & valid; UpdateIrqs(); });
                    Add("INTF" + w, Targets[t, 1] + 4 * w, mask: 0, read: () => intf[tt, word], write: v => { intf[tt, word] = v & valid; UpdateIrqs(); });
                    Add("INTS" + w, Targets[t, 2] + 4 * w, mask: 0, read: () => Ints(tt, word));
                }
            }
        }

        public GPIO IrqProc0 { get; private set; }
        public GPIO IrqProc1 { get; private set; }
        public GPIO IrqDormantWake { get; private set; }

        /// Pin n's GPIOn_CTRL changed (-1: all pins); the GPIO controller listens.
        public event Action<int> CtrlChanged;

        public uint Ctrl(int n) { return Reg(8 * n + 4).Value; }

        public uint Funcsel(int n) { return Reg(8 * n + 4).Value & 0x1F; }

        public void SetPadStatus(int n, bool output, bool oe, bool inFromPad)
        {
            padStatus[n] = (output ? StatusOutToPad : 0) | (oe ? StatusOeToPad : 0) | (inFromPad ? StatusInFromPad : 0);
        }

        /// Pin n's input (after INOVER) is now `level`: latch edges, update IRQs.
        public void SetInput(int n, bool level)
        {
            var bit = 1UL << n;
            if(((inputs & bit) != 0) == level)
            {
                return;
            }
            inputs ^= bit;
            if(InReset)
            {
                return; // held in reset: the edge latches stay clear
            }
            edges[n / 8] |= (level ? EdgeHigh : EdgeLow) << (4 * (n % 8));
            UpdateIrqs();
        }

        public override void Reset()
        {
            base.Reset();
            Array.Clear(edges, 0, edges.Length);
            Array.Clear(inte, 0, inte.Length);
            Array.Clear(intf, 0, intf.Length);
            CtrlChanged?.Invoke(-1);
            UpdateIrqs();
        }

        private uint Raw(int w)
        {
            uint levels = 0;
            var b = (uint)(inputs >> (8 * w)) & 0xFF;
            for(var i = 0; i < 8; i++)
            {
                levels |= ((b >> i & 1) != 0 ? LevelHigh : LevelLow) << (4 * i);
            }
            return levels | edges[w];
        }

        private uint Ints(int t, int w) { return (Raw(w) & inte[t, w]) | intf[t, w]; }

        private bool PinIrq(int t, int n)
        {
            var pending = (Ints(t, n / 8) >> (4 * (n % 8)) & 0xF) != 0;
            var over = Ctrl(n) >> 28 & 3;
            return over == 1 ? !pending : over == 0 ? pending : over == 3;
        }

        private void UpdateIrqs()
        {
            for(var t = 0; t < 3; t++)
            {
                var any = false;
                for(var n = 0; n < NumPins && !any; n++)
                {
                    any = PinIrq(t, n);
                }
                signals[t].Set(any);
            }
        }

        private uint Summary(int t, int word)
        {
            uint bits = 0;
            for(var n = 32 * word; n < Math.Min(32 * word + 32, NumPins); n++)
            {
                if(PinIrq(t, n))
                {
                    bits |= 1u << (n - 32 * word);
                }
            }
            return bits;
        }

        private void WriteCtrl(int n, uint value)
        {
            var reg = Reg(8 * n + 4);
            var v = value & CtrlMask;
            if(v != reg.Value)
            {
                reg.Value = v;
                CtrlChanged?.Invoke(n);
                UpdateIrqs();
            }
        }

        public const int NumPins = 48;
        public const uint FuncSio = 5, FuncUart = 2, FuncUartAux = 11;

        private ulong inputs;
        private readonly uint[] padStatus = new uint[NumPins];
        private readonly uint[] edges = new uint[6];
        private readonly uint[,] inte = new uint[3, 6];
        private readonly uint[,] intf = new uint[3, 6];
        private readonly GPIO[] signals;

        private const uint CtrlReset = 0x1F, CtrlMask = 0x3003F01F;
        private const uint StatusOutToPad = 1u << 9, StatusOeToPad = 1u << 13, StatusInFromPad = 1u << 17, StatusIrqToProc = 1u << 26;
        private const uint LevelLow = 1, LevelHigh = 2, EdgeLow = 4, EdgeHigh = 8;
        private const uint Edges = 0xCCCCCCCC;
        private const long IntrBase = 0x230;
        // per target (proc0, proc1, dormant_wake): INTE, INTF, INTS base offsets
        private static readonly long[,] Targets = { { 0x248, 0x260, 0x278 }, { 0x290, 0x2A8, 0x2C0 }, { 0x2D8, 0x2F0, 0x308 } };
    }
}
