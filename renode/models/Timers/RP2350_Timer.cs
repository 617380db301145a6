// RP2350 TIMER0/TIMER1 for Renode: Timers.RP2350_Timer at 0x400B0000 / 0x400B8000.
// Same behaviour as the engine's peripherals/timer.py. Counts are functions of
// virtual time; alarms are events at the exact ns.

using System;
using System.Collections.Generic;

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.Miscellaneous;
using Antmicro.Renode.Peripherals.RP2350;

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
