// One slice of the RP2350 PWM for Renode (Timers.RP2350_PWM, cs): its
// counter in closed form from an anchor (engine: peripherals/pwm_slice.py).

using System;
using System.Collections.Generic;

using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.Timers
{
    /// One slice's counter, anchored at a clk_sys cycle (engine: peripherals/pwm_slice.py).
    public sealed class RP2350_PWMSlice
    {
        /// The CSR bits, the DIVMODE values and the counter's end, shared with RP2350_PWM.
        public const uint CsrEn = 1, CsrPhCorrect = 2, CsrAInv = 4, CsrBInv = 8, CsrPhRet = 1 << 6, CsrPhAdv = 1 << 7;
        public const int DivmodeDiv = 0, DivmodeLevel = 1, DivmodeRise = 2, DivmodeFall = 3;
        public const long CounterEnd = 0x10000; // the 16-bit counter overflows to 0 here

        /// `cycleNow`: the clk_sys cycle count now (the PWM block's counter)
        public RP2350_PWMSlice(Func<long> cycleNow, int index)
        {
            this.cycleNow = cycleNow;
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
            RawTicksAt(cycleNow(), out raw, out acc);
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
            RawTicksAt(cycleNow(), out raw, out acc);
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
            var cycle = cycleNow();
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

        private readonly Func<long> cycleNow;
    }
}
