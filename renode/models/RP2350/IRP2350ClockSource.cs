// Shared by the RP2350 clock models for Renode: a clock source other blocks follow (namespace Miscellaneous).

using System;

namespace Antmicro.Renode.Peripherals.Miscellaneous
{
    /// <summary>A clock source other blocks can follow.</summary>
    public interface IRP2350ClockSource
    {
        ulong FreqHz { get; }
        event Action FrequencyChanged;
    }
}
