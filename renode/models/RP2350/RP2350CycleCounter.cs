// Shared by the RP2350 models for Renode: a clock's cycle count over virtual time, and what a timer counts.

namespace Antmicro.Renode.Peripherals.RP2350
{
    /// <summary>
    /// Cycles of one clock since an arbitrary origin; the frequency is piecewise
    /// constant and a change folds the count so far into the anchor
    /// (engine: peripherals/timebase.py CycleCounter).
    /// </summary>
    public sealed class RP2350CycleCounter
    {
        public RP2350CycleCounter(RP2350Time time, ulong hz)
        {
            this.time = time;
            anchorNs = time.NowNs;
            Hz = hz;
        }

        public ulong Hz { get; private set; }

        public ulong CyclesAt(ulong tNs)
        {
            if(Hz == 0 || tNs <= anchorNs)
            {
                return anchor;
            }
            return anchor + RP2350Math.CyclesIn(tNs - anchorNs, Hz);
        }

        public ulong Now() { return CyclesAt(time.NowNs); }

        public ulong NowNs { get { return time.NowNs; } }

        /// Earliest time the count reaches `cycle`; null: never.
        public ulong? TimeOf(ulong cycle)
        {
            if(cycle <= anchor)
            {
                return anchorNs;
            }
            if(Hz == 0)
            {
                return null;
            }
            return anchorNs + RP2350Math.NsFor(cycle - anchor, Hz);
        }

        public bool SetHz(ulong hz)
        {
            if(hz == Hz)
            {
                return false;
            }
            var now = time.NowNs;
            anchor = CyclesAt(now);
            anchorNs = now;
            Hz = hz;
            return true;
        }

        private ulong anchor;
        private ulong anchorNs;
        private readonly RP2350Time time;
    }

    /// <summary>Something that counts (tick generator, clk_sys): what a timer counts.</summary>
    public interface IRP2350CountSource
    {
        ulong CountAt(ulong tNs);
        ulong? TimeOf(ulong n);
    }
}
