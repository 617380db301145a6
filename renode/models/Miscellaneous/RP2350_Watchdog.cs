// RP2350 WATCHDOG for Renode: Miscellaneous.RP2350_Watchdog at 0x400D8000.
// Same behaviour as the engine's peripherals/watchdog.py. Counts are functions of
// virtual time; the timeout is an event at the exact ns.

using System;

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.Miscellaneous
{
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
}
