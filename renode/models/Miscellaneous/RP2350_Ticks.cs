// RP2350 TICKS for Renode: Miscellaneous.RP2350_Ticks at 0x40108000.
// Same behaviour as the engine's peripherals/ticks.py. Counts are functions of
// virtual time.

using System;
using System.Collections.Generic;

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.Miscellaneous
{
    /// <summary>TICKS (0x40108000): PROC0, PROC1, TIMER0, TIMER1, WATCHDOG, RISCV generators.</summary>
    public class RP2350_Ticks : RP2350Block
    {
        public RP2350_Ticks(IMachine machine, RP2350_Clocks clocks = null, long clkRefHz = 12000000) : base(machine)
        {
            refHz = () => (ulong)clkRefHz;
            clkRef = new RP2350CycleCounter(Time, refHz());
            for(var i = 0; i < Names.Length; i++)
            {
                var gen = new RP2350TickGenerator(clkRef);
                generators[Names[i]] = gen;
                long b = 0xC * i;
                Add(Names[i].ToUpper() + "_CTRL", b, read: () => gen.Enabled ? 3u : 0u, write: Writer(gen, b, b));
                Add(Names[i].ToUpper() + "_CYCLES", b + 4, mask: 0x1FF, write: Writer(gen, b, b + 4));
                Add(Names[i].ToUpper() + "_COUNT", b + 8, mask: 0, read: gen.RemainingCycles);
            }
            if(clocks != null)
            {
                refHz = () => clocks.FreqHz("ref");
                clocks.FrequencyChanged += ClockChanged;
                ClockChanged();
            }
        }

        public RP2350TickGenerator Generator(string name) { return generators[name]; }

        public override void Reset()
        {
            base.Reset();
            foreach(var gen in generators.Values)
            {
                gen.Configure(false, 0);
            }
        }

        private void ClockChanged()
        {
            if(clkRef.SetHz(refHz()))
            {
                foreach(var gen in generators.Values)
                {
                    gen.RateChanged();
                }
            }
        }

        private Action<uint> Writer(RP2350TickGenerator gen, long ctrl, long off)
        {
            return value =>
            {
                Reg(off).Value = value & (off == ctrl ? 1u : 0x1FFu);
                gen.Configure((Reg(ctrl).Value & 1) != 0, Reg(ctrl + 4).Value);
            };
        }

        private Func<ulong> refHz;
        private readonly RP2350CycleCounter clkRef;
        private readonly Dictionary<string, RP2350TickGenerator> generators = new Dictionary<string, RP2350TickGenerator>();
        private static readonly string[] Names = { "proc0", "proc1", "timer0", "timer1", "watchdog", "riscv" };
    }
}
