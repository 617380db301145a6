// Shared by TICKS, WATCHDOG and TIMER for Renode: one TICKS tick generator (namespace Miscellaneous).

using System;

using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.Miscellaneous
{
    /// <summary>One TICKS generator: clk_ref cycles divided by CYCLES while enabled.</summary>
    public sealed class RP2350TickGenerator : IRP2350CountSource
    {
        public RP2350TickGenerator(RP2350CycleCounter clkRef)
        {
            reference = clkRef;
        }

        public event Action Changed;

        public bool Enabled { get; private set; }
        public uint Cycles { get; private set; }
        public bool Running { get { return Enabled && Cycles > 0; } }

        public ulong CountAt(ulong tNs)
        {
            if(!Running)
            {
                return tickBase;
            }
            return tickBase + (reference.CyclesAt(tNs) - cycleBase) / Cycles;
        }

        public ulong? TimeOf(ulong n)
        {
            if(n <= tickBase)
            {
                return 0;
            }
            if(!Running)
            {
                return null;
            }
            return reference.TimeOf(cycleBase + (n - tickBase) * Cycles);
        }

        /// COUNT: clk_ref cycles left before the next tick.
        public uint RemainingCycles()
        {
            if(!Running)
            {
                return 0;
            }
            var done = (reference.Now() - cycleBase) % Cycles;
            return (uint)(Cycles - done);
        }

        public void Configure(bool enabled, uint cycles)
        {
            if(enabled == Enabled && cycles == Cycles)
            {
                return;
            }
            tickBase = CountAt(reference.NowNs);
            cycleBase = reference.Now(); // the down-counter reloads on enable / CYCLES change
            Enabled = enabled;
            Cycles = cycles;
            Changed?.Invoke();
        }

        public void RateChanged()
        {
            if(Running)
            {
                Changed?.Invoke();
            }
        }

        private ulong tickBase;
        private ulong cycleBase;
        private readonly RP2350CycleCounter reference;
    }
}
