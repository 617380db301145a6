// RP2350 PWM for Renode: Timers.RP2350_PWM at 0x400A8000.
// Same behaviour as the engine's peripherals/pwm.py, port by port, with the same
// integer maths so the shared tables give the same values on both. Nothing counts
// on a poll: each slice keeps an anchor (clk_sys cycle, counter position, divider
// accumulator) and the counter at any time, or the time of any future count,
// follows in closed form. Events exist only where something can see a change: an
// output edge on a pin whose FUNCSEL is PWM, and the next wrap while INTR is clear.

using System;
using System.Collections.Generic;

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.Miscellaneous;
using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.Timers
{
    /// <summary>
    /// PWM (0x400A8000): 12 slices of a 16-bit counter with two compare outputs
    /// (datasheet 12.5). Fractional divider (8.4, first-order sigma-delta, INT 0 = 256),
    /// trailing-edge or phase-correct counting, DIVMODE LEVEL/RISE/FALL on the B input,
    /// EN alias, INTR (W1C) with IRQ0/IRQ1 INTE/INTF/INTS; outputs 0 and 1 are
    /// PWM_IRQ_WRAP_0/1. The GPIO controller routes the outputs to pins (FUNCSEL 4)
    /// through Routed / OutputChanged / InputLevel / InputChanged.
    /// </summary>
    public class RP2350_PWM : RP2350Block, INumberedGPIOOutput
    {
        public RP2350_PWM(IMachine machine, RP2350_Clocks clocks = null, long clkSysHz = 150000000) : base(machine)
        {
            var outputs = new Dictionary<int, IGPIO>();
            for(var k = 0; k < 2; k++)
            {
                irqs[k] = new GPIO();
                outputs[k] = irqs[k];
            }
            Connections = new System.Collections.ObjectModel.ReadOnlyDictionary<int, IGPIO>(outputs);
            clkSys = () => (ulong)clkSysHz;
            sys = new RP2350CycleCounter(Time, clkSys());
            for(var i = 0; i < NumSlices; i++)
            {
                slices[i] = new Slice(this, i);
            }
            for(var i = 0; i < NumSlices; i++)
            {
                var n = i;
                var b = SliceStride * i;
                Add("CH" + i + "_CSR", b, read: () => slices[n].Csr, write: v => WriteCsr(n, v));
                Add("CH" + i + "_DIV", b + 4, reset: 0x10, read: () => slices[n].Div, write: v => WriteDiv(n, v));
                Add("CH" + i + "_CTR", b + 8, read: () => ReadCtr(n), write: v => Change(n, s => s.AnchorPos = v & 0xFFFF));
                Add("CH" + i + "_CC", b + 12, read: () => slices[n].Cc, write: v => Change(n, s => s.Cc = v));
                Add("CH" + i + "_TOP", b + 16, reset: 0xFFFF, read: () => slices[n].Top,
                    write: v => Change(n, s => s.Top = v & 0xFFFF));
            }
            Add("EN", En, read: ReadEn, write: WriteEn);
            Add("INTR", Intr, mask: 0, read: () => intr, write: WriteIntr, w1c: All);
            for(var k = 0; k < 2; k++)
            {
                var n = k;
                var at = k == 0 ? Irq0Inte : Irq1Inte;
                Add("IRQ" + k + "_INTE", at, read: () => inte[n], write: v => { inte[n] = v & All; UpdateIrqs(); });
                Add("IRQ" + k + "_INTF", at + 4, read: () => intf[n], write: v => { intf[n] = v & All; UpdateIrqs(); });
                Add("IRQ" + k + "_INTS", at + 8, mask: 0, read: () => Ints(n));
            }
            if(clocks != null)
            {
                clkSys = () => clocks.FreqHz("sys");
                clocks.FrequencyChanged += ClkSysChanged;
                ClkSysChanged();
            }
        }

        public IReadOnlyDictionary<int, IGPIO> Connections { get; private set; }

        /// Which outputs drive a pin: (slice, channel) -> bool. The GPIO controller sets it;
        /// without it no output edge is worth an event.
        public Func<int, int, bool> Routed { get; set; }

        /// The input level of a slice's B pin(s). The GPIO controller sets it.
        public Func<int, bool> InputLevel { get; set; }

        /// Run when an output of a slice may have changed level (the GPIO controller recomputes its pins).
        public event Action<int> OutputChanged;

        /// Slice of GPIO n: GPIO0-31 -> slices 0-7 (twice), GPIO32-47 -> 8-11; its channel is the low bit of n (A on even pins).
        public static int SliceOf(int gpio)
        {
            return gpio < 32 ? (gpio >> 1) & 7 : 8 + ((gpio >> 1) & 3);
        }

        /// Level of output A (0) or B (1) of a slice now.
        public bool Output(int slice, int channel)
        {
            var s = slices[slice];
            return s.Output(channel, s.PositionNow());
        }

        /// True when the slice's B pin is the counter's input (DIVMODE LEVEL/RISE/FALL), not an output.
        public bool BIsInput(int slice)
        {
            return slices[slice].DivMode != DivmodeDiv;
        }

        /// A pin's FUNCSEL moved to or from this slice: edges may now matter (or not).
        public void RoutingChanged(int slice)
        {
            Reschedule(slices[slice]);
        }

        /// The B pin's input level changed (the GPIO controller calls this).
        public void InputChanged(int slice, bool level)
        {
            var s = slices[slice];
            if(level == s.Gate)
            {
                return;
            }
            var mode = s.DivMode;
            s.Reanchor();
            s.Gate = level;
            if(s.Enabled && ((mode == DivmodeRise && level) || (mode == DivmodeFall && !level)))
            {
                // one edge = one count, as the engine's pwm.py has it (datasheet 12.5.2.5 runs
                // the divider in this mode too); folded in at the next reanchor
                s.ExtraTicks = 1;
            }
            if(mode != DivmodeDiv)
            {
                Reschedule(s);
                NotifyOutput(slice);
            }
        }

        public override void Reset()
        {
            base.Reset();
            for(var i = 0; i < NumSlices; i++)
            {
                if(slices[i].Event != null)
                {
                    slices[i].Event.Cancel();
                }
                // a fresh slice, anchored now: the counter restarts from 0 here
                slices[i] = new Slice(this, i) { AnchorCycle = CycleNow() };
            }
            intr = 0;
            inte[0] = inte[1] = intf[0] = intf[1] = 0;
            UpdateIrqs();
            for(var i = 0; i < NumSlices; i++)
            {
                NotifyOutput(i);
            }
        }

        private long CycleNow()
        {
            return (long)sys.Now();
        }

        private void ClkSysChanged()
        {
            var hz = clkSys();
            if(hz == sys.Hz)
            {
                return;
            }
            // fold the counts so far at the old rate, then count on from here at the new one
            foreach(var s in slices)
            {
                s.Reanchor();
            }
            sys.SetHz(hz);
            foreach(var s in slices)
            {
                s.AnchorCycle = CycleNow();
                Reschedule(s);
            }
        }

        // -- registers ---------------------------------------------------------------------

        private void Change(int i, Action<Slice> apply)
        {
            var s = slices[i];
            s.Reanchor(); // the progress so far belongs to the old settings
            apply(s);
            Reschedule(s);
            NotifyOutput(i);
        }

        private void WriteCsr(int i, uint value)
        {
            Change(i, s =>
            {
                s.Csr = value & 0x3F; // PH_ADV/PH_RET act once and read back 0
                s.Gate = InputLevel != null && InputLevel(i);
                if((value & CsrPhAdv) != 0 && s.Enabled)
                {
                    s.AnchorPos = s.PositionAfter(1);
                }
                if((value & CsrPhRet) != 0 && s.Enabled && s.AnchorPos > 0)
                {
                    s.AnchorPos -= 1;
                }
            });
        }

        private void WriteDiv(int i, uint value)
        {
            Change(i, s =>
            {
                s.Div = value & 0xFFF;
                // The accumulator kept from a larger divisor may hold whole counts of the
                // new one: they would come out as a burst, and the next count would fall on
                // a cycle already past, an event firing again and again at the same ns.
                // Keep less than one count: at most one is due, at the next cycle. (Not in
                // the engine's pwm.py yet, which has that burst and that hang.)
                s.AnchorAcc = Math.Min(s.AnchorAcc, s.Divisor() - 1);
            });
        }

        private uint ReadCtr(int i)
        {
            var s = slices[i];
            return (uint)s.ValueOf(s.PositionNow());
        }

        private uint ReadEn()
        {
            uint en = 0;
            foreach(var s in slices)
            {
                if(s.Enabled)
                {
                    en |= 1u << s.Index;
                }
            }
            return en;
        }

        private void WriteEn(uint value)
        {
            foreach(var s in slices)
            {
                var want = (value >> s.Index & 1) != 0;
                if(want != s.Enabled)
                {
                    Change(s.Index, x => x.Csr = (x.Csr & ~CsrEn) | (want ? CsrEn : 0));
                }
            }
        }

        private void WriteIntr(uint value)
        {
            var cleared = intr & value & All;
            intr &= ~value & All;
            UpdateIrqs();
            foreach(var s in slices)
            {
                if((cleared >> s.Index & 1) != 0)
                {
                    Reschedule(s); // the next wrap can be seen again
                }
            }
        }

        private uint Ints(int k)
        {
            return (intr & inte[k]) | intf[k];
        }

        private void UpdateIrqs()
        {
            for(var k = 0; k < 2; k++)
            {
                irqs[k].Set(Ints(k) != 0);
            }
        }

        private void NotifyOutput(int i)
        {
            var handler = OutputChanged;
            if(handler != null)
            {
                handler(i);
            }
        }

        // -- events ----------------------------------------------------------------------------

        /// One event per slice: the earliest visible change (a routed edge, or the next
        /// wrap while INTR is clear).
        private void Reschedule(Slice s)
        {
            if(s.Event != null)
            {
                s.Event.Cancel();
                s.Event = null;
            }
            if(!s.Enabled || InReset)
            {
                return;
            }
            long nowTicks, acc;
            s.TicksAt(CycleNow(), out nowTicks, out acc);
            var targets = new List<long>();
            if((intr >> s.Index & 1) == 0)
            {
                targets.Add(0); // the wrap
            }
            for(var channel = 0; channel < 2; channel++)
            {
                if(channel == 1 && s.DivMode != DivmodeDiv)
                {
                    continue; // B is an input
                }
                if(Routed != null && Routed(s.Index, channel))
                {
                    targets.AddRange(s.EdgePositions(channel));
                }
            }
            long? best = null;
            foreach(var target in targets)
            {
                var k = s.TicksToPosition(nowTicks, target);
                var at = k.HasValue ? s.CycleOfTick(k.Value) : null;
                if(at.HasValue && (!best.HasValue || at.Value < best.Value))
                {
                    best = at;
                }
            }
            if(!best.HasValue)
            {
                return;
            }
            // a cycle before the counter's origin is "already due", as the engine's time_of says
            var when = sys.TimeOf((ulong)Math.Max(best.Value, 0));
            if(when.HasValue)
            {
                s.Event = Time.At(when.Value, () => Fire(s), "pwm.ch" + s.Index);
            }
        }

        private void Fire(Slice s)
        {
            s.Event = null;
            if(s.PositionNow() == 0 && (intr >> s.Index & 1) == 0)
            {
                intr |= 1u << s.Index;
                UpdateIrqs();
            }
            NotifyOutput(s.Index);
            Reschedule(s);
        }

        /// One slice's counter, anchored at a clk_sys cycle (engine: pwm.py Slice).
        private sealed class Slice
        {
            public Slice(RP2350_PWM pwm, int index)
            {
                this.pwm = pwm;
                Index = index;
            }

            public readonly int Index;
            public uint Csr;
            public uint Div = 0x10;
            public uint Cc;
            public uint Top = 0xFFFF;
            public long AnchorCycle;  // clk_sys cycle of the anchor
            public long AnchorAcc;    // divider accumulator there (1/16 counts)
            public long AnchorPos;    // counter position there (phase-correct: 0..2*TOP+1)
            public long ExtraTicks;   // edges counted in RISE/FALL mode since the anchor
            public bool Gate;         // the B input's level (LEVEL/RISE/FALL)
            public RP2350Event Event;

            public bool Enabled { get { return (Csr & CsrEn) != 0; } }

            public int DivMode { get { return (int)(Csr >> 4 & 3); } }

            private bool PhaseCorrect { get { return (Csr & CsrPhCorrect) != 0; } }

            /// Counts per period (positions of the counter).
            public long Period { get { return ((long)Top + 1) * (PhaseCorrect ? 2 : 1); } }

            public long Divisor()
            {
                long integer = Div >> 4 & 0xFF, frac = Div & 0xF;
                return (integer == 0 ? 256 : integer) * 16 + frac;
            }

            private bool FreeRunning()
            {
                var mode = DivMode;
                return Enabled && (mode == DivmodeDiv || (mode == DivmodeLevel && Gate));
            }

            /// Counts since the anchor, and the accumulator, at clk_sys cycle `cycle`.
            public void TicksAt(long cycle, out long ticks, out long acc)
            {
                ticks = ExtraTicks;
                acc = AnchorAcc;
                if(FreeRunning() && cycle > AnchorCycle)
                {
                    // both operands are >= 0, so C#'s truncating / and % are Python's floor ones
                    var total = 16 * (cycle - AnchorCycle) + AnchorAcc;
                    var d = Divisor();
                    ticks += total / d;
                    acc = total % d;
                }
            }

            /// Counter position `ticks` counts after the anchor.
            public long PositionAfter(long ticks)
            {
                long pos = AnchorPos, period = Period;
                if(pos >= period)
                {
                    // TOP was lowered below the counter: it runs on to 0xFFFF first
                    var toWrap = 0x10000 - pos;
                    if(ticks < toWrap)
                    {
                        return pos + ticks;
                    }
                    return (ticks - toWrap) % period;
                }
                return (pos + ticks) % period;
            }

            /// The CTR value at a position (phase-correct: up, then down).
            public long ValueOf(long pos)
            {
                var period = Period;
                if(PhaseCorrect && Top < pos && pos < period)
                {
                    return period - 1 - pos;
                }
                return pos;
            }

            public long PositionNow()
            {
                long ticks, acc;
                TicksAt(pwm.CycleNow(), out ticks, out acc);
                return PositionAfter(ticks);
            }

            /// Fold the progress so far into the anchor (before a register change).
            public void Reanchor()
            {
                var cycle = pwm.CycleNow();
                long ticks, acc;
                TicksAt(cycle, out ticks, out acc);
                AnchorPos = PositionAfter(ticks);
                AnchorCycle = cycle;
                AnchorAcc = acc;
                ExtraTicks = 0;
            }

            /// The clk_sys cycle at which count `k` after the anchor happens (free-running only).
            public long? CycleOfTick(long k)
            {
                if(k <= ExtraTicks)
                {
                    return AnchorCycle;
                }
                if(!FreeRunning())
                {
                    return null;
                }
                var need = (k - ExtraTicks) * Divisor() - AnchorAcc;
                return AnchorCycle + CeilDiv(need, 16);
            }

            /// Smallest count k > after (counts since the anchor) at which the position is `target`.
            public long? TicksToPosition(long after, long target)
            {
                long pos = AnchorPos, period = Period;
                var k = after + 1;
                if(pos >= period)
                {
                    // running on to 0xFFFF before the first wrap
                    var toWrap = 0x10000 - pos;
                    if(k < toWrap && pos + k <= target && target <= 0xFFFF)
                    {
                        return target - pos;
                    }
                    if(target >= period)
                    {
                        return null;
                    }
                    k = Math.Max(k, toWrap);
                    return k + FloorMod(target - (k - toWrap), period);
                }
                if(target >= period)
                {
                    return null;
                }
                return k + FloorMod(target - (pos + k), period);
            }

            /// Level of output A (0) or B (1) at a position.
            public bool Output(int channel, long pos)
            {
                var compare = (Cc >> (16 * channel)) & 0xFFFF;
                var level = ValueOf(pos) < compare;
                return level != ((Csr & (channel == 1 ? CsrBInv : CsrAInv)) != 0);
            }

            /// Positions at which output `channel` can change level.
            public long[] EdgePositions(int channel)
            {
                long compare = (Cc >> (16 * channel)) & 0xFFFF;
                if(compare == 0 || compare > Top)
                {
                    return new long[0]; // 0 % or 100 %: no edges
                }
                if(PhaseCorrect)
                {
                    return new[] { compare, Period - compare };
                }
                return new[] { 0L, compare };
            }

            // Python's floor semantics, which the engine's maths relies on for negative operands
            private static long FloorMod(long a, long b)
            {
                var r = a % b;
                return r < 0 ? r + b : r;
            }

            private static long CeilDiv(long a, long b)
            {
                // C# division truncates toward zero: that is already the ceiling for a < 0
                return a >= 0 ? (a + b - 1) / b : a / b;
            }

            private readonly RP2350_PWM pwm;
        }

        public const int NumSlices = 12;
        /// IO_BANK0 GPIOn_CTRL.FUNCSEL value that puts a slice output on the pin
        public const uint Funcsel = 4;

        private const long SliceStride = 0x14;
        private const long En = 0xF0, Intr = 0xF4, Irq0Inte = 0xF8, Irq1Inte = 0x104;
        private const uint CsrEn = 1, CsrPhCorrect = 2, CsrAInv = 4, CsrBInv = 8, CsrPhRet = 1 << 6, CsrPhAdv = 1 << 7;
        private const int DivmodeDiv = 0, DivmodeLevel = 1, DivmodeRise = 2, DivmodeFall = 3;
        private const uint All = (1u << NumSlices) - 1;

        private readonly GPIO[] irqs = new GPIO[2];
        private readonly Slice[] slices = new Slice[NumSlices];
        private readonly RP2350CycleCounter sys;
        private readonly uint[] inte = new uint[2];
        private readonly uint[] intf = new uint[2];
        private Func<ulong> clkSys;
        private uint intr;
    }
}
