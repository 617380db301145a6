// RP2350 XOSC (crystal oscillator) for Renode: Miscellaneous.RP2350_XOSC at 0x40048000.
// Same behaviour as the engine's peripherals/xosc.py (see its docstring for the
// datasheet reasoning); the frequency is derived, and the block raises
// `FrequencyChanged` so its consumers (PLL_SYS/PLL_USB, CLOCKS) re-time themselves.

using System;

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.Miscellaneous
{
    /// <summary>
    /// XOSC (0x40048000). CTRL holds two 12-bit magic fields; an invalid code keeps
    /// the field and sets STATUS.BADWRITE. STABLE rises STARTUP.DELAY x 256 (x4 with
    /// X4) crystal periods after enabling. The HAL polls STATUS through the whole
    /// 62.8 ms start-up (~3*10^6 reads at 150 MIPS, ~8 us each in Renode: 25 s of
    /// wall time), so a tight poll of STATUS before STABLE skips the CPU to the end
    /// of the start-up (RP2350Poll). STABLE still rises at the same virtual ns.
    /// </summary>
    public class RP2350_XOSC : RP2350Block, IRP2350ClockSource
    {
        public RP2350_XOSC(IMachine machine, long freqHz = 12000000, bool instantStartup = false) : base(machine)
        {
            crystalHz = (ulong)freqHz;
            statusPoll = new RP2350Poll(Time);
            this.instantStartup = instantStartup;
            Add("CTRL", 0x00, write: WriteCtrl);
            Add("STATUS", 0x04, mask: 0, read: ReadStatus, onRead: PollStatus,
                write: v => { if((v & StatusBadwrite) != 0) badwrite = false; });
            Add("DORMANT", 0x08, reset: WakeCode, write: WriteDormant);
            Add("STARTUP", 0x0C, mask: 0x00103FFF);
            Add("COUNT", 0x10, read: ReadCount, write: WriteCount);
        }

        public event Action FrequencyChanged;

        public bool Stable { get { return stable; } }

        public ulong FreqHz { get { return stable ? crystalHz : 0; } }

        public override void Reset()
        {
            CancelStartup();
            base.Reset();
            enabled = false;
            range = 0;
            dormant = false;
            badwrite = false;
            countEnd = null;
            SetStable(false);
        }

        /// Leave DORMANT (a wake-up event).
        public void Wake()
        {
            dormant = false;
            Reg(0x08).Value = WakeCode;
            Restart();
        }

        private void SetStable(bool value)
        {
            if(value != stable)
            {
                stable = value;
                FrequencyChanged?.Invoke();
            }
        }

        private void CancelStartup()
        {
            if(startupEvent != null)
            {
                startupEvent.Cancel();
                startupEvent = null;
            }
        }

        private void Restart()
        {
            CancelStartup();
            if(!enabled || dormant)
            {
                SetStable(false);
                return;
            }
            if(stable)
            {
                return;
            }
            var startup = Reg(0x0C).Value;
            var periods = (ulong)(startup & 0x3FFF) * 256 * ((startup >> 20 & 1) != 0 ? 4UL : 1UL);
            var delay = RP2350Math.NsFor(periods, crystalHz);
            if(instantStartup || delay == 0)
            {
                SetStable(true);
            }
            else
            {
                startupEvent = Time.In(delay, () => { startupEvent = null; SetStable(true); }, "xosc.stable");
            }
        }

        private void WriteCtrl(uint value)
        {
            var reg = Reg(0x00);
            uint enable = value >> 12 & 0xFFF, rng = value & 0xFFF;
            var fields = reg.Value;
            if(enable == EnableCode || enable == DisableCode)
            {
                fields = (fields & 0xFFF) | enable << 12;
                enabled = enable == EnableCode;
            }
            else
            {
                badwrite = true;
            }
            if(rng >= 0xAA0 && rng <= 0xAA3)
            {
                fields = (fields & ~0xFFFu) | rng;
                range = rng - 0xAA0;
            }
            else
            {
                badwrite = true;
            }
            reg.Value = fields;
            Restart();
        }

        private uint ReadStatus()
        {
            return (stable ? StatusStable : 0) | (badwrite ? StatusBadwrite : 0) | (enabled ? StatusEnabled : 0) | range;
        }

        /// STATUS as a bus read sees it: a tight poll for STABLE skips the rest of the start-up.
        private uint PollStatus()
        {
            var pending = !stable && startupEvent != null;
            statusPoll.Read(pending, pending ? startupEvent.At : 0);
            return ReadStatus();
        }

        private void WriteDormant(uint value)
        {
            if(value == DormantCode)
            {
                Reg(0x08).Value = value;
                dormant = true;
            }
            else
            {
                if(value != WakeCode)
                {
                    badwrite = true;
                }
                Reg(0x08).Value = WakeCode;
                dormant = false;
            }
            Restart();
        }

        private void WriteCount(uint value)
        {
            var count = value & 0xFFFF;
            if(count == 0)
            {
                countEnd = null;
                return;
            }
            count = Math.Max(count, 4);
            if(!stable)
            {
                countEnd = ulong.MaxValue; // not clocked: runs until the crystal does
                return;
            }
            countEnd = Time.NowNs + RP2350Math.NsFor(count, crystalHz);
        }

        private uint ReadCount()
        {
            if(countEnd == null)
            {
                return 0;
            }
            return countEnd == ulong.MaxValue || Time.NowNs < countEnd.Value ? 1u : 0u;
        }

        private bool enabled;
        private uint range;
        private bool stable;
        private bool dormant;
        private bool badwrite;
        private ulong? countEnd;
        private RP2350Event startupEvent;
        private readonly RP2350Poll statusPoll;
        private readonly ulong crystalHz;
        private readonly bool instantStartup;

        private const uint EnableCode = 0xFAB;
        private const uint DisableCode = 0xD1E;
        private const uint DormantCode = 0x636F6D61; // "coma"
        private const uint WakeCode = 0x77616B65; // "wake"
        private const uint StatusStable = 1u << 31;
        private const uint StatusBadwrite = 1u << 24;
        private const uint StatusEnabled = 1u << 12;
    }
}
