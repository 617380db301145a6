// Shared by the RP2350 models for Renode: virtual time in ns, cancellable events, exact ns/cycle maths.

using System;
using System.Runtime.CompilerServices;

using Antmicro.Renode.Core;
using Antmicro.Renode.Time;

namespace Antmicro.Renode.Peripherals.RP2350
{
    /// <summary>A cancellable scheduled action (Renode's ScheduleAction has no cancel).</summary>
    public sealed class RP2350Event
    {
        public ulong At;
        public bool Cancelled;
        public void Cancel() { Cancelled = true; }
    }

    /// <summary>
    /// Virtual time in ns, one per machine. Counters are computed from it in closed
    /// form (as the engine does), and events run at an exact ns.
    /// </summary>
    public sealed class RP2350Time
    {
        public static RP2350Time For(IMachine machine)
        {
            return Instances.GetValue(machine, m => new RP2350Time(m));
        }

        public ulong NowNs
        {
            get
            {
                // inside an event the time is the event's, even if the clock
                // source reports the end of the current instruction block
                ulong measured;
                CPU.ICPU cpu;
                if(machine.SystemBus != null && machine.SystemBus.TryGetCurrentCPU(out cpu))
                {
                    cpu.SyncTime();
                }
                measured = machine.ElapsedVirtualTime.TimeElapsed.TotalNanoseconds;
                var now = Math.Max(measured, eventTime);
                now = Math.Max(now, lastNow);
                lastNow = now;
                return now;
            }
        }

        public RP2350Event At(ulong atNs, Action action, string name)
        {
            var now = NowNs;
            var ev = new RP2350Event { At = Math.Max(atNs, now) };
            machine.ScheduleAction(TimeInterval.FromNanoseconds(ev.At - now), _ =>
            {
                if(ev.Cancelled)
                {
                    return;
                }
                var saved = eventTime;
                eventTime = ev.At;
                try
                {
                    action();
                }
                finally
                {
                    eventTime = saved;
                }
            }, name);
            return ev;
        }

        public RP2350Event In(ulong delayNs, Action action, string name)
        {
            return At(NowNs + delayNs, action, name);
        }

        /// <summary>
        /// For a register the CPU polls that cannot change before `untilNs`: let the
        /// reading CPU pass virtual time up to then without executing (Renode's
        /// BaseCPU.SkipTime, which also times SystemC bus transactions), but never
        /// past the machine's nearest clock entry, where another model may change
        /// something or raise an interrupt. Returns the ns skipped (0 when no CPU is
        /// reading: a monitor or debugger access).
        /// </summary>
        /// Whether a CPU is making the current access (not the monitor or a debugger).
        public bool CpuAccessing()
        {
            CPU.ICPU icpu;
            return machine.SystemBus != null && machine.SystemBus.TryGetCurrentCPU(out icpu) && icpu is CPU.BaseCPU;
        }

        public ulong SkipCpuUntil(ulong untilNs)
        {
            CPU.ICPU icpu;
            if(machine.SystemBus == null || !machine.SystemBus.TryGetCurrentCPU(out icpu))
            {
                return 0;
            }
            var cpu = icpu as CPU.BaseCPU;
            var now = NowNs; // syncs the CPU's time first
            if(cpu == null || untilNs <= now)
            {
                return 0;
            }
            var skip = untilNs - now;
            var clock = machine.ClockSource as BaseClockSource;
            if(clock != null)
            {
                skip = Math.Min(skip, clock.NearestLimitIn.TotalNanoseconds);
            }
            if(skip > 0)
            {
                cpu.SkipTime(TimeInterval.FromNanoseconds(skip));
            }
            return skip;
        }

        private RP2350Time(IMachine machine)
        {
            this.machine = machine;
        }

        private ulong eventTime;
        private ulong lastNow;
        private readonly IMachine machine;
        private static readonly ConditionalWeakTable<IMachine, RP2350Time> Instances = new ConditionalWeakTable<IMachine, RP2350Time>();
    }

    /// <summary>Exact ns/cycle conversions without 64-bit overflow (as the engine's integer maths).</summary>
    public static class RP2350Math
    {
        public const ulong NsPerS = 1000000000UL;

        /// floor(ns * hz / 1e9)
        public static ulong CyclesIn(ulong ns, ulong hz)
        {
            return ns / NsPerS * hz + ns % NsPerS * hz / NsPerS;
        }

        /// ceil(cycles * 1e9 / hz)
        public static ulong NsFor(ulong cycles, ulong hz)
        {
            var whole = cycles / hz;
            var rest = cycles % hz;
            return whole * NsPerS + (rest * NsPerS + hz - 1) / hz;
        }
    }
}
