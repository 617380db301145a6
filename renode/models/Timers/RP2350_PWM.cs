// RP2350 PWM for Renode: Timers.RP2350_PWM at 0x400A8000.
// Same behaviour as the engine's peripherals/pwm.py and pwm_slice.py, port by port,
// with the same integer maths so the shared tables give the same values on both.
// Nothing counts on a poll: each slice keeps an anchor (clk_sys cycle, counter
// position, divider accumulator, the CC/TOP copies in force) and the counter at any
// time, or the time of any future count, follows in closed form. Events exist only
// where something can see a change: an output edge on a pin whose FUNCSEL is PWM,
// the wrap where written CC/TOP take over, and the next wrap while INTR is clear.
// The readings of the datasheet where it leaves a choice are the engine's (pwm.py doc):
// CC/TOP writes to a halted slice are in force at once; a halted slice holds its
// outputs; PH_ADV steps a halted slice and waits at full speed; PH_RET drops the next
// count and reads 1 until then.

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
    /// trailing-edge or phase-correct counting, double-buffered CC/TOP (taken at the
    /// wrap), PH_ADV/PH_RET, DIVMODE LEVEL/RISE/FALL on the B input (divided too),
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
                Add("CH" + i + "_CSR", b, read: () => slices[n].CsrValue(), write: v => WriteCsr(n, v));
                Add("CH" + i + "_DIV", b + 4, reset: 0x10, read: () => slices[n].Div, write: v => WriteDiv(n, v));
                Add("CH" + i + "_CTR", b + 8, read: () => (uint)slices[n].CtrNow(), write: v => Change(n, s => s.AnchorPos = v & 0xFFFF));
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

        /// The B input of a slice: the OR of its B pins on FUNCSEL 4. The GPIO controller sets it.
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
            return slices[slice].Output(channel);
        }

        /// True when the slice's B pin is the counter's input (DIVMODE LEVEL/RISE/FALL), not an output.
        public bool BIsInput(int slice)
        {
            return slices[slice].DivMode != DivmodeDiv;
        }

        /// A pin's FUNCSEL moved to or from this slice: B may read differently, edges may now matter (or not).
        public void RoutingChanged(int slice)
        {
            InputChanged(slice, InputLevel != null && InputLevel(slice));
            Reschedule(slices[slice]);
        }

        /// The slice's B input (the OR of its B pins) changed; the GPIO controller calls this.
        public void InputChanged(int slice, bool level)
        {
            var s = slices[slice];
            if(level == s.Gate)
            {
                return;
            }
            var mode = s.DivMode;
            Fold(s);
            s.Gate = level;
            if(s.Enabled && ((mode == DivmodeRise && level) || (mode == DivmodeFall && !level)))
            {
                // an edge is one divider input (12.5.2.5): a count once the accumulator reaches INT.FRAC
                var total = s.AnchorAcc + 16;
                var count = total / s.Divisor();
                s.AnchorAcc = total % s.Divisor();
                if(count != 0)
                {
                    Step(s);
                }
            }
            if(mode != DivmodeDiv)
            {
                Settle(s);
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
                Fold(s);
            }
            sys.SetHz(hz);
            foreach(var s in slices)
            {
                s.AnchorCycle = CycleNow();
                Reschedule(s);
            }
        }

        // -- the counter --------------------------------------------------------------------

        /// Re-anchor a slice now; a wrap on the way sets its INTR bit.
        private void Fold(Slice s)
        {
            if(s.Reanchor() && (intr >> s.Index & 1) == 0)
            {
                intr |= 1u << s.Index;
                UpdateIrqs();
            }
        }

        /// One count more, now (PH_ADV, or a B edge through the divider).
        private void Step(Slice s)
        {
            s.ExtraTicks += 1;
            Fold(s);
        }

        /// What a register change settles: a halted slice takes written CC/TOP at once, a
        /// waiting PH_ADV acts once the divider leaves it a cycle.
        private void Settle(Slice s)
        {
            if(!s.Enabled)
            {
                s.CcLive = s.Cc;
                s.TopLive = s.Top;
            }
            if(s.AdvPending && !s.FullSpeed())
            {
                s.AdvPending = false;
                Step(s);
            }
        }

        // -- registers ---------------------------------------------------------------------

        private void Change(int i, Action<Slice> apply)
        {
            var s = slices[i];
            Fold(s); // the progress so far belongs to the old settings
            apply(s);
            Settle(s);
            Reschedule(s);
            NotifyOutput(i);
        }

        private void WriteCsr(int i, uint value)
        {
            Change(i, s =>
            {
                if(((value ^ s.Csr) & CsrPhCorrect) != 0)
                {
                    s.AnchorPos = s.ValueOf(s.AnchorPos, s.TopLive); // the value stays, counting up
                }
                s.Csr = value & 0x3F;
                s.Gate = InputLevel != null && InputLevel(i);
                if(!s.Enabled)
                {
                    s.AdvPending = false;
                }
                if((value & CsrPhAdv) != 0)
                {
                    s.AdvPending = true; // acts in Settle unless at full speed
                }
                if((value & CsrPhRet) != 0 && s.Enabled)
                {
                    s.ExtraTicks = -1; // the divider's next count is dropped
                }
            });
        }

        private void WriteDiv(int i, uint value)
        {
            Change(i, s =>
            {
                s.Div = value & 0xFFF;
                // An accumulator kept from a larger divisor may hold whole counts of the new
                // one: a burst, then a next count in the past (an event due again and again at
                // one ns). The divider never has more than one count due.
                s.AnchorAcc = Math.Min(s.AnchorAcc, s.Divisor() - 1);
            });
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
                    WriteCsr(s.Index, (s.Csr & ~CsrEn) | (want ? CsrEn : 0));
                }
            }
        }

        private void WriteIntr(uint value)
        {
            foreach(var s in slices)
            {
                if((value >> s.Index & 1) != 0)
                {
                    Fold(s); // wraps before the clear belong to the flag being cleared
                }
            }
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

        /// One event per slice: the earliest visible change (a routed edge, the wrap where
        /// written CC/TOP take over, or the next wrap while INTR is clear).
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
            Fold(s);
            var channels = new List<int>();
            for(var channel = 0; channel < 2; channel++)
            {
                // B is an input in the gated and edge modes
                if(Routed != null && Routed(s.Index, channel) && !(channel == 1 && s.DivMode != DivmodeDiv))
                {
                    channels.Add(channel);
                }
            }
            var k = s.NextChange((intr >> s.Index & 1) == 0, channels);
            var at = k.HasValue ? s.CycleOfTick(k.Value) : null;
            if(!at.HasValue)
            {
                return;
            }
            var when = sys.TimeOf((ulong)at.Value); // always after the anchor: see CycleOfTick
            if(when.HasValue)
            {
                s.Event = Time.At(when.Value, () => Fire(s), "pwm.ch" + s.Index);
            }
        }

        private void Fire(Slice s)
        {
            s.Event = null;
            Reschedule(s); // folds: the wrap, if this is one, sets INTR and takes CC/TOP
            NotifyOutput(s.Index);
        }

        /// One slice's counter, anchored at a clk_sys cycle (engine: peripherals/pwm_slice.py).
        private sealed class Slice
        {
            public Slice(RP2350_PWM pwm, int index)
            {
                this.pwm = pwm;
                Index = index;
            }

            public readonly int Index;
            public uint Csr;            // EN, PH_CORRECT, A_INV, B_INV, DIVMODE
            public uint Div = 0x10;
            public uint Cc;             // as written (register reads)
            public uint Top = 0xFFFF;
            public uint CcLive;         // what the counter and outputs use (double buffer)
            public uint TopLive = 0xFFFF;
            public long AnchorCycle;    // clk_sys cycle of the anchor
            public long AnchorAcc;      // divider accumulator there (1/16 counts), below the divisor
            public long AnchorPos;      // counter position there
            public long ExtraTicks;     // B-edge counts since the anchor; -1: a PH_RET waits
            public bool AdvPending;     // PH_ADV written, no free cycle yet (full speed)
            public bool Gate;           // the B input's level (LEVEL/RISE/FALL)
            public bool HeldA, HeldB;   // compare levels when last running: a halted slice holds them
            public RP2350Event Event;

            public bool Enabled { get { return (Csr & CsrEn) != 0; } }

            public int DivMode { get { return (int)(Csr >> 4 & 3); } }

            private bool PhaseCorrect { get { return (Csr & CsrPhCorrect) != 0; } }

            private bool Pending { get { return Cc != CcLive || Top != TopLive; } }

            /// Counts per period (positions of the counter) with that TOP.
            public long PeriodOf(uint top)
            {
                return ((long)top + 1) * (PhaseCorrect ? 2 : 1);
            }

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

            /// Counting on every cycle: the divider leaves no cycle for a PH_ADV.
            public bool FullSpeed()
            {
                return FreeRunning() && Divisor() == 16;
            }

            public uint CsrValue()
            {
                long raw, acc;
                RawTicksAt(pwm.CycleNow(), out raw, out acc);
                return Csr | (raw < 0 ? CsrPhRet : 0) | (AdvPending ? CsrPhAdv : 0);
            }

            /// Counts since the anchor (-1 while a PH_RET still waits), and the accumulator, at `cycle`.
            public void RawTicksAt(long cycle, out long raw, out long acc)
            {
                raw = ExtraTicks;
                acc = AnchorAcc;
                if(FreeRunning() && cycle > AnchorCycle)
                {
                    // both operands are >= 0, so C#'s truncating / and % are Python's floor ones
                    var total = 16 * (cycle - AnchorCycle) + AnchorAcc;
                    var d = Divisor();
                    raw += total / d;
                    acc = total % d;
                }
            }

            private long TicksNow()
            {
                long raw, acc;
                RawTicksAt(pwm.CycleNow(), out raw, out acc);
                return Math.Max(raw, 0);
            }

            /// Counts from the anchor to the first wrap (where the written CC/TOP take over).
            private long FirstWrap()
            {
                var period = PeriodOf(TopLive);
                return AnchorPos < period ? period - AnchorPos : CounterEnd - AnchorPos;
            }

            /// Position, CC and TOP in force `ticks` counts after the anchor.
            private void StateAfter(long ticks, out long pos, out uint cc, out uint top)
            {
                var first = FirstWrap();
                if(ticks < first)
                {
                    pos = AnchorPos + ticks;
                    cc = CcLive;
                    top = TopLive;
                    return;
                }
                pos = (ticks - first) % PeriodOf(Top);
                cc = Cc;
                top = Top;
            }

            /// The CTR value at a position (phase-correct: up, then down).
            public long ValueOf(long pos, uint top)
            {
                var period = PeriodOf(top);
                if(PhaseCorrect && top < pos && pos < period)
                {
                    return period - 1 - pos;
                }
                return pos;
            }

            public long CtrNow()
            {
                long pos;
                uint cc, top;
                StateAfter(TicksNow(), out pos, out cc, out top);
                return ValueOf(pos, top);
            }

            /// Fold the progress so far into the anchor; true if the counter wrapped meanwhile.
            public bool Reanchor()
            {
                var cycle = pwm.CycleNow();
                long raw, acc;
                RawTicksAt(cycle, out raw, out acc);
                var ticks = Math.Max(raw, 0);
                var wrapped = ticks >= FirstWrap();
                long pos;
                uint cc, top;
                StateAfter(ticks, out pos, out cc, out top);
                if(wrapped)
                {
                    CcLive = cc;
                    TopLive = top;
                }
                AnchorPos = pos;
                AnchorCycle = cycle;
                AnchorAcc = acc;
                ExtraTicks = Math.Min(raw, 0);
                if(Enabled || ticks != 0)
                {
                    // the output register follows the counter while it moves
                    HeldA = Compare(0, pos, cc, top);
                    HeldB = Compare(1, pos, cc, top);
                }
                return wrapped;
            }

            /// The clk_sys cycle at which count `k` after the anchor happens (free-running only).
            /// After a fold k >= 1 and ExtraTicks <= 0, so it is always after the anchor.
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

            /// The compare level (before A_INV/B_INV): high while the counter is below CC.
            private bool Compare(int channel, long pos, uint cc, uint top)
            {
                return ValueOf(pos, top) < ((cc >> (16 * channel)) & 0xFFFF);
            }

            /// Level of output A (0) or B (1) now: the compare while running, else the held level.
            public bool Output(int channel)
            {
                bool level;
                if(Enabled)
                {
                    long pos;
                    uint cc, top;
                    StateAfter(TicksNow(), out pos, out cc, out top);
                    level = Compare(channel, pos, cc, top);
                }
                else
                {
                    level = channel == 1 ? HeldB : HeldA;
                }
                return level != ((Csr & (channel == 1 ? CsrBInv : CsrAInv)) != 0);
            }

            /// Positions at which output `channel` can change level, with that CC and TOP.
            private long[] EdgePositions(int channel, uint cc, uint top)
            {
                long compare = (cc >> (16 * channel)) & 0xFFFF;
                if(compare == 0 || compare > top)
                {
                    return new long[0]; // 0 % or 100 %: no edges
                }
                if(PhaseCorrect)
                {
                    return new[] { compare, PeriodOf(top) - compare };
                }
                return new[] { 0L, compare };
            }

            /// Counts after the anchor to the next count anything can see: the first wrap if
            /// `wrap` or written CC/TOP wait for it, else the next edge of a channel in `channels`.
            public long? NextChange(bool wrap, List<int> channels)
            {
                var first = FirstWrap();
                long? best = null;
                if(wrap || Pending)
                {
                    best = first;
                }
                foreach(var channel in channels)
                {
                    foreach(var target in EdgePositions(channel, CcLive, TopLive))
                    {
                        var k = target - AnchorPos;
                        if(0 < k && k < first && (!best.HasValue || k < best.Value))
                        {
                            best = k;
                        }
                    }
                    if(!Pending)
                    {
                        // later periods run on the written values
                        foreach(var target in EdgePositions(channel, Cc, Top))
                        {
                            if(!best.HasValue || first + target < best.Value)
                            {
                                best = first + target;
                            }
                        }
                    }
                }
                return best;
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
        private const long CounterEnd = 0x10000; // the 16-bit counter overflows to 0 here
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
