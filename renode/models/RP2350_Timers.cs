// RP2350 TICKS, TIMER0/TIMER1, WATCHDOG and RESETS for Renode. Same behaviour
// as the engine's peripherals/ticks.py, timer.py, watchdog.py and resets.py.
// Counts are functions of virtual time; alarms are events at the exact ns.

using System;
using System.Collections.Generic;

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.Miscellaneous;
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

    /// <summary>
    /// WATCHDOG (0x400D8000): counts down once per TICKS WATCHDOG tick. Expiry or
    /// CTRL.TRIGGER records REASON and raises `ResetRequested`; SCRATCH0-7 and REASON
    /// survive a watchdog reset. Whether Renode then resets the machine is up to
    /// the platform (not wired here: the firmware never lets it expire).
    /// </summary>
    public class RP2350_Watchdog : RP2350Block
    {
        public RP2350_Watchdog(IMachine machine, RP2350_Ticks ticks = null) : base(machine)
        {
            Add("CTRL", 0x00, reset: 0x07000000, read: ReadCtrl, write: WriteCtrl);
            Add("LOAD", 0x04, mask: 0, read: () => 0, write: v => Reanchor(v & TimeMask));
            Add("REASON", 0x08, mask: 0, read: () => reason);
            for(var i = 0; i < 8; i++)
            {
                Add("SCRATCH" + i, 0x0C + 4 * i);
            }
            if(ticks != null)
            {
                tick = ticks.Generator("watchdog");
                tick.Changed += Schedule;
                anchorTick = TicksNow();
                Schedule();
            }
        }

        /// "timer" or "force"
        public event Action<string> ResetRequested;

        public override void Reset()
        {
            WatchdogReset();
            for(var i = 0; i < 8; i++)
            {
                Reg(0x0C + 4 * i).Value = 0;
            }
            reason = 0;
        }

        /// Reset after a watchdog event: SCRATCH0-7 and REASON survive.
        public void WatchdogReset()
        {
            var scratch = new uint[8];
            for(var i = 0; i < 8; i++)
            {
                scratch[i] = Reg(0x0C + 4 * i).Value;
            }
            if(ev != null)
            {
                ev.Cancel();
                ev = null;
            }
            base.Reset();
            for(var i = 0; i < 8; i++)
            {
                Reg(0x0C + 4 * i).Value = scratch[i];
            }
            time = 0;
            anchorTick = TicksNow();
        }

        private bool Enabled { get { return (Reg(0x00).Value & CtrlEnable) != 0; } }

        private ulong TicksNow() { return tick != null ? tick.CountAt(Time.NowNs) : 0; }

        private uint Remaining()
        {
            if(!Enabled)
            {
                return time;
            }
            var elapsed = TicksNow() - anchorTick;
            return elapsed >= time ? 0 : (uint)(time - elapsed);
        }

        private void Reanchor(uint value)
        {
            time = value & TimeMask;
            anchorTick = TicksNow();
            Schedule();
        }

        private void Schedule()
        {
            if(ev != null)
            {
                ev.Cancel();
                ev = null;
            }
            if(!Enabled || tick == null)
            {
                return;
            }
            var when = tick.TimeOf(anchorTick + time);
            if(when != null)
            {
                ev = Time.At(when.Value, Expire, "watchdog.timeout");
            }
        }

        private void Expire()
        {
            ev = null;
            if(Enabled && Remaining() == 0)
            {
                Fire(ReasonTimer, "timer");
            }
        }

        private void Fire(uint why, string name)
        {
            reason = why;
            ResetRequested?.Invoke(name);
        }

        private uint ReadCtrl()
        {
            return (Reg(0x00).Value & (CtrlEnable | CtrlPauseBits)) | Remaining();
        }

        private void WriteCtrl(uint value)
        {
            var t = Remaining();
            Reg(0x00).Value = value & (CtrlEnable | CtrlPauseBits);
            Reanchor(t); // enabling continues from TIME, disabling freezes it
            if((value & CtrlTrigger) != 0)
            {
                Fire(ReasonForce, "force");
            }
        }

        private uint time;
        private ulong anchorTick;
        private uint reason;
        private RP2350Event ev;
        private readonly RP2350TickGenerator tick;

        private const uint CtrlTrigger = 1u << 31, CtrlEnable = 1u << 30, CtrlPauseBits = 0x07000000;
        private const uint TimeMask = 0xFFFFFF, ReasonTimer = 1, ReasonForce = 2;
    }

    /// <summary>
    /// RESETS (0x40020000). RESET bit = 1 holds a block in reset, RESET_DONE = 1 once
    /// it is out. `blocks` are the controlled peripherals; their bit comes from their
    /// name on the machine (io_bank0, pll_sys, uart0, ...), as in the engine.
    /// </summary>
    public class RP2350_Resets : RP2350Block
    {
        public RP2350_Resets(IMachine machine, IPeripheral[] blocks = null) : base(machine)
        {
            Add("RESET", 0x0, reset: AllBlocks, write: WriteReset);
            Add("WDSEL", 0x4, mask: AllBlocks);
            Add("RESET_DONE", 0x8, mask: 0, read: () => ~Reg(0x0).Value & AllBlocks);
            pending = new List<IPeripheral>(blocks ?? new IPeripheral[0]);
            foreach(var block in pending)
            {
                var r = block as IRP2350Resettable;
                if(r != null)
                {
                    r.HoldReset(true); // every bit is set at power-on
                }
            }
        }

        /// Put `block` under reset bit `bit` (tests; the platform uses names).
        public void Attach(int bit, IRP2350Resettable block)
        {
            List<IRP2350Resettable> list;
            if(!attached.TryGetValue(bit, out list))
            {
                attached[bit] = list = new List<IRP2350Resettable>();
            }
            list.Add(block);
            block.HoldReset((Reg(0x0).Value >> bit & 1) != 0);
        }

        public override void Reset()
        {
            var old = Reg(0x0).Value;
            base.Reset();
            Apply(old, Reg(0x0).Value);
        }

        /// What the A2 bootrom leaves behind on a flash boot (engine: Resets.bootrom_state).
        public void BootromState()
        {
            WriteReset(BootromResetValue);
        }

        /// A watchdog reset pulses every block selected in WDSEL.
        public void WatchdogReset()
        {
            ResolveNames();
            var wdsel = Reg(0x4).Value;
            foreach(var kv in attached)
            {
                if((wdsel >> kv.Key & 1) != 0)
                {
                    foreach(var block in kv.Value)
                    {
                        block.Reset();
                    }
                }
            }
        }

        public static readonly Dictionary<string, int> Bits = new Dictionary<string, int>
        {
            { "adc", 0 }, { "busctrl", 1 }, { "dma", 2 }, { "hstx", 3 }, { "i2c0", 4 }, { "i2c1", 5 },
            { "io_bank0", 6 }, { "io_qspi", 7 }, { "jtag", 8 }, { "pads_bank0", 9 }, { "pads_qspi", 10 },
            { "pio0", 11 }, { "pio1", 12 }, { "pio2", 13 }, { "pll_sys", 14 }, { "pll_usb", 15 }, { "pwm", 16 },
            { "sha256", 17 }, { "spi0", 18 }, { "spi1", 19 }, { "syscfg", 20 }, { "sysinfo", 21 }, { "tbman", 22 },
            { "timer0", 23 }, { "timer1", 24 }, { "trng", 25 }, { "uart0", 26 }, { "uart1", 27 }, { "usbctrl", 28 },
        };

        public const uint AllBlocks = 0x1FFFFFFF;
        public const uint BootromResetValue = 0x0D7DF93F;

        // Names exist only once the platform has registered every peripheral, after
        // this constructor ran: resolve them on first use.
        private void ResolveNames()
        {
            if(pending.Count == 0)
            {
                return;
            }
            foreach(var block in pending.ToArray())
            {
                string name;
                var r = block as IRP2350Resettable;
                if(r == null || !machine.TryGetAnyName(block, out name))
                {
                    continue;
                }
                var shortName = name.Substring(name.LastIndexOf('.') + 1);
                int bit;
                if(!Bits.TryGetValue(shortName, out bit))
                {
                    throw new ArgumentException("RESETS has no bit for block '" + shortName + "'");
                }
                pending.Remove(block);
                Attach(bit, r);
            }
        }

        private void Apply(uint old, uint now)
        {
            ResolveNames();
            var changed = old ^ now;
            if(changed == 0)
            {
                return;
            }
            foreach(var kv in attached)
            {
                if((changed >> kv.Key & 1) != 0)
                {
                    foreach(var block in kv.Value)
                    {
                        block.HoldReset((now >> kv.Key & 1) != 0);
                    }
                }
            }
        }

        private void WriteReset(uint value)
        {
            var reg = Reg(0x0);
            var old = reg.Value;
            reg.Value = value & AllBlocks;
            Apply(old, reg.Value);
        }

        private readonly List<IPeripheral> pending;
        private readonly Dictionary<int, List<IRP2350Resettable>> attached = new Dictionary<int, List<IRP2350Resettable>>();
    }
}

namespace Antmicro.Renode.Peripherals.Timers
{
    /// <summary>
    /// TIMER0 (0x400B0000) / TIMER1 (0x400B8000): 64-bit counter of TICKS timer&lt;index&gt;
    /// ticks (SOURCE=0) or clk_sys cycles (SOURCE=1); four alarms on the low 32 bits,
    /// outputs 0-3 are the alarm interrupts (INTS).
    /// </summary>
    public class RP2350_Timer : RP2350Block, INumberedGPIOOutput
    {
        public RP2350_Timer(IMachine machine, int index = 0, RP2350_Ticks ticks = null, RP2350_Clocks clocks = null,
            long clkSysHz = 150000000) : base(machine)
        {
            this.index = index;
            var outputs = new Dictionary<int, IGPIO>();
            for(var i = 0; i < 4; i++)
            {
                irqs[i] = new GPIO();
                outputs[i] = irqs[i];
            }
            Connections = new System.Collections.ObjectModel.ReadOnlyDictionary<int, IGPIO>(outputs);
            clkSys = () => (ulong)clkSysHz;
            sys = new RP2350CycleCounter(Time, clkSys());
            tick = new Frozen();
            Add("TIMEHW", 0x00, write: WriteTimeHw);
            Add("TIMELW", 0x04, write: v => { if((Reg(0x34).Value & 1) == 0) timelw = v; });
            Add("TIMEHR", 0x08, mask: 0, read: () => latchedHigh);
            Add("TIMELR", 0x0C, mask: 0, read: () => (uint)Count(), onRead: ReadTimeLr);
            for(var i = 0; i < 4; i++)
            {
                var n = i;
                Add("ALARM" + i, 0x10 + 4 * i, write: v => { Reg(0x10 + 4 * n).Value = v; armed |= 1u << n; ScheduleAlarm(n); });
            }
            Add("ARMED", 0x20, mask: 0, read: () => armed, write: WriteArmed, w1c: 0xF);
            Add("TIMERAWH", 0x24, mask: 0, read: () => (uint)(Count() >> 32));
            Add("TIMERAWL", 0x28, mask: 0, read: () => (uint)Count());
            Add("DBGPAUSE", 0x2C, reset: 0x7, mask: 0x6); // no debugger: no effect
            Add("PAUSE", 0x30, mask: 1, write: ControlWriter(0x30));
            Add("LOCKED", 0x34, mask: 1, write: v => Reg(0x34).Value |= v & 1); // only a reset clears it
            Add("SOURCE", 0x38, mask: 1, write: ControlWriter(0x38));
            Add("INTR", 0x3C, mask: 0, read: () => intr, write: v => { intr &= ~v & 0xF; UpdateIrqs(); }, w1c: 0xF);
            Add("INTE", 0x40, mask: 0xF, write: ControlWriter(0x40));
            Add("INTF", 0x44, mask: 0xF, write: ControlWriter(0x44));
            Add("INTS", 0x48, mask: 0, read: Ints);
            if(ticks != null)
            {
                Reanchor();
                tick = ticks.Generator("timer" + index);
                ((RP2350TickGenerator)tick).Changed += RescheduleAll;
                baseSrc = tick.CountAt(Time.NowNs);
                RescheduleAll();
            }
            if(clocks != null)
            {
                clkSys = () => clocks.FreqHz("sys");
                clocks.FrequencyChanged += ClkSysChanged;
                ClkSysChanged();
            }
        }

        public IReadOnlyDictionary<int, IGPIO> Connections { get; private set; }

        /// The 64-bit timer value now.
        public ulong Count()
        {
            if(!Counting)
            {
                return baseCount;
            }
            return baseCount + Source.CountAt(Time.NowNs) - baseSrc;
        }

        public override void Reset()
        {
            for(var i = 0; i < 4; i++)
            {
                if(events[i] != null)
                {
                    events[i].Cancel();
                    events[i] = null;
                }
            }
            base.Reset();
            baseCount = 0;
            baseSrc = Source.CountAt(Time.NowNs);
            latchedHigh = timelw = armed = intr = 0;
            UpdateIrqs();
        }

        protected override void ResetReleased()
        {
            // held in reset the count stayed at 0; it starts from here
            baseSrc = Source.CountAt(Time.NowNs);
        }

        private IRP2350CountSource Source { get { return (Reg(0x38).Value & 1) != 0 ? (IRP2350CountSource)new SysSource(sys) : tick; } }

        private bool Counting { get { return (Reg(0x30).Value & 1) == 0 && !InReset; } }

        private void Reanchor()
        {
            baseCount = Count();
            baseSrc = Source.CountAt(Time.NowNs);
        }

        private ulong? TimeOfCount(ulong value)
        {
            if(!Counting)
            {
                return null;
            }
            return Source.TimeOf(baseSrc + (value - baseCount));
        }

        private void ClkSysChanged()
        {
            if(sys.SetHz(clkSys()) && (Reg(0x38).Value & 1) != 0)
            {
                RescheduleAll();
            }
        }

        private void RescheduleAll()
        {
            for(var i = 0; i < 4; i++)
            {
                ScheduleAlarm(i);
            }
        }

        private void ScheduleAlarm(int i)
        {
            if(events[i] != null)
            {
                events[i].Cancel();
                events[i] = null;
            }
            if((armed >> i & 1) == 0)
            {
                return;
            }
            var now = Count();
            var delta = (uint)(Reg(0x10 + 4 * i).Value - (uint)now);
            if(delta == 0)
            {
                Fire(i); // the comparator matches this very tick
                return;
            }
            var when = TimeOfCount(now + delta);
            if(when != null)
            {
                var n = i;
                events[i] = Time.At(when.Value, () => { events[n] = null; Fire(n); }, "timer" + index + ".alarm" + i);
            }
        }

        private void Fire(int i)
        {
            if((armed >> i & 1) == 0)
            {
                return;
            }
            armed &= ~(1u << i);
            intr |= 1u << i;
            UpdateIrqs();
        }

        private uint ReadTimeLr()
        {
            var value = Count();
            latchedHigh = (uint)(value >> 32); // TIMEHR returns this until the next TIMELR read
            return (uint)value;
        }

        private void WriteTimeHw(uint value)
        {
            if((Reg(0x34).Value & 1) != 0)
            {
                return; // LOCKED
            }
            baseCount = (ulong)value << 32 | timelw;
            baseSrc = Source.CountAt(Time.NowNs);
            RescheduleAll();
        }

        private void WriteArmed(uint value)
        {
            var disarm = value & armed & 0xF;
            armed &= ~disarm;
            for(var i = 0; i < 4; i++)
            {
                if((disarm >> i & 1) != 0)
                {
                    ScheduleAlarm(i);
                }
            }
        }

        private Action<uint> ControlWriter(long off)
        {
            return value =>
            {
                var reg = Reg(off);
                if(off == 0x30 || off == 0x38)
                {
                    Reanchor(); // the count so far belongs to the old source / pause state
                    reg.Value = value & reg.Mask;
                    baseSrc = Source.CountAt(Time.NowNs);
                    RescheduleAll();
                }
                else
                {
                    reg.Value = value & reg.Mask;
                    UpdateIrqs();
                }
            };
        }

        private uint Ints() { return (intr & Reg(0x40).Value) | Reg(0x44).Value; }

        private void UpdateIrqs()
        {
            var ints = Ints();
            for(var i = 0; i < 4; i++)
            {
                irqs[i].Set((ints >> i & 1) != 0);
            }
        }

        /// Count source of a timer with no tick wired: never advances.
        private sealed class Frozen : IRP2350CountSource
        {
            public ulong CountAt(ulong tNs) { return 0; }
            public ulong? TimeOf(ulong n) { return n == 0 ? (ulong?)0 : null; }
        }

        private sealed class SysSource : IRP2350CountSource
        {
            public SysSource(RP2350CycleCounter counter) { this.counter = counter; }
            public ulong CountAt(ulong tNs) { return counter.CyclesAt(tNs); }
            public ulong? TimeOf(ulong n) { return counter.TimeOf(n); }
            private readonly RP2350CycleCounter counter;
        }

        private readonly int index;
        private readonly GPIO[] irqs = new GPIO[4];
        private readonly RP2350Event[] events = new RP2350Event[4];
        private Func<ulong> clkSys;
        private readonly RP2350CycleCounter sys;
        private readonly IRP2350CountSource tick;
        private ulong baseCount;
        private ulong baseSrc;
        private uint latchedHigh;
        private uint timelw;
        private uint armed;
        private uint intr;
    }
}
