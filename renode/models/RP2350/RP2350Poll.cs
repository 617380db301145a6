// Shared by the RP2350 models for Renode: skips the CPU through a tight poll of a register that cannot change yet.

namespace Antmicro.Renode.Peripherals.RP2350
{
    /// <summary>
    /// One register a CPU may spin on (XOSC STATUS until STABLE, UART FR while TXFF or
    /// BUSY). Each CPU read says whether the bit it waits for is still pending and
    /// when the model will change it. Two pending reads within MaxGapNs of each other
    /// are a tight poll loop: the CPU then skips to that time (RP2350Time.SkipCpuUntil,
    /// never past another scheduled event). A loop that does other work between reads
    /// reads less often and runs as is; so does any read from the monitor or a
    /// debugger (no CPU). Why: each MMIO read costs ~8 us of host time in Renode,
    /// and the firmware's waits are pure polls (`while !STABLE {}`), so skipping
    /// them changes how many times the loop runs, never when it ends.
    /// </summary>
    public sealed class RP2350Poll
    {
        /// At 150 MIPS, 1 us is 150 instructions: far more than a poll loop's body.
        public const ulong MaxGapNs = 1000;

        public RP2350Poll(RP2350Time time)
        {
            this.time = time;
        }

        /// A read of the register: `pending` = the awaited change has not happened, due at `changeAtNs`.
        public void Read(bool pending, ulong changeAtNs)
        {
            if(!time.CpuAccessing())
            {
                return; // the monitor or a debugger looking: not part of any loop
            }
            if(!pending)
            {
                lastNs = null;
                return;
            }
            var now = time.NowNs;
            var tight = lastNs != null && now - lastNs.Value <= MaxGapNs;
            lastNs = now;
            if(tight)
            {
                // the next read comes right after the skipped time: still the same loop
                lastNs = now + time.SkipCpuUntil(changeAtNs);
            }
        }

        private ulong? lastNs;
        private readonly RP2350Time time;
    }
}
