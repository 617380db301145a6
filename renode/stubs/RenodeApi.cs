// Minimal stand-in for the part of Renode's API that renode/models/*.cs use, so
// that `mcs` can compile the models here (no Renode install) and a wrong name or
// signature fails in `make test` instead of at `include` time in Renode.
//
// NOT Renode code: only declarations, written from the public signatures in
// renode/renode-infrastructure @0c7d076 (2026-08-21); each block names the file
// it mirrors. Bodies are the least a test needs (GPIO keeps its level, the
// GPIO port keeps its connections). Members the models do not use are left out
// on purpose: using one means adding it here, from its source, first.
// C# 7 only (mono's mcs); Renode compiles the models with Roslyn (C# 12).

using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

// src/Emulator/Main/Peripherals/IEmulationElement.cs, IAnalyzable.cs,
// IPeripheral.cs, IKnownSize.cs
namespace Antmicro.Renode.Peripherals
{
    public interface IEmulationElement { }

    public interface IAnalyzable : IEmulationElement { }

    public interface IPeripheral : IEmulationElement, IAnalyzable
    {
        void Reset();
    }

    public interface IKnownSize : Bus.IBusPeripheral
    {
        long Size { get; }
    }
}

// src/Emulator/Main/Peripherals/Bus/IBusPeripheral.cs, IBytePeripheral.cs,
// IWordPeripheral.cs, IDoubleWordPeripheral.cs, IBusController.cs (TryGetCurrentCPU)
namespace Antmicro.Renode.Peripherals.Bus
{
    public interface IBusPeripheral : IPeripheral { }

    public interface IBytePeripheral : IBusPeripheral
    {
        byte ReadByte(long offset);
        void WriteByte(long offset, byte value);
    }

    public interface IWordPeripheral : IBusPeripheral
    {
        ushort ReadWord(long offset);
        void WriteWord(long offset, ushort value);
    }

    public interface IDoubleWordPeripheral : IBusPeripheral
    {
        uint ReadDoubleWord(long offset);
        void WriteDoubleWord(long offset, uint value);
    }

    public interface IBusController
    {
        bool TryGetCurrentCPU(out CPU.ICPU cpu);
    }
}

// src/Emulator/Main/Peripherals/CPU/ICPU.cs (SyncTime only),
// src/Emulator/Peripherals/Peripherals/CPU/BaseCPU.cs (SkipTime)
namespace Antmicro.Renode.Peripherals.CPU
{
    using Antmicro.Renode.Time;

    public interface ICPU : IPeripheral
    {
        void SyncTime();
    }

    public class BaseCPU : ICPU
    {
        public virtual void SyncTime() { }

        public virtual void Reset() { }

        // Renode: the CPU lets this much virtual time pass without executing
        // (rounded down to whole instructions); stub only: recorded
        public void SkipTime(TimeInterval amountOfTime) { Skipped += amountOfTime.TotalNanoseconds; }

        // stub only
        public ulong Skipped;
    }
}

// src/Emulator/Main/Time/TimeInterval.cs, TimeStamp.cs
namespace Antmicro.Renode.Time
{
    public struct TimeInterval
    {
        // Renode: 1 tick = 1 ns (TicksPerSecond = 10^9)
        public static TimeInterval FromNanoseconds(ulong v) { return new TimeInterval { ticks = v }; }
        public ulong TotalNanoseconds { get { return ticks; } }
        public ulong Ticks { get { return ticks; } }
        private ulong ticks;
    }

    public struct TimeStamp
    {
        public TimeStamp(TimeInterval interval) { TimeElapsed = interval; }
        public TimeInterval TimeElapsed { get; private set; }
    }

    // src/Emulator/Main/Time/IClockSource.cs, BaseClockSource.cs (NearestLimitIn)
    public interface IClockSource { }

    public class BaseClockSource : IClockSource
    {
        // Renode: virtual time from now to the machine's nearest clock entry
        public TimeInterval NearestLimitIn { get; set; }
    }
}

// src/Emulator/Main/Peripherals/IMachine.cs (the members the models call),
// src/Emulator/Main/Core/IGPIO.cs, GPIO.cs, IGPIOReceiver.cs, INumberedGPIOOutput.cs
namespace Antmicro.Renode.Core
{
    using Antmicro.Renode.Peripherals;
    using Antmicro.Renode.Peripherals.Bus;
    using Antmicro.Renode.Time;

    public interface IMachine
    {
        void ScheduleAction(TimeInterval delay, Action<TimeInterval> action, string name = null);
        TimeStamp ElapsedVirtualTime { get; }
        IBusController SystemBus { get; }
        IClockSource ClockSource { get; }
        bool TryGetAnyName(IPeripheral peripheral, out string name);
    }

    public interface IGPIO
    {
        bool IsSet { get; }
        void Set(bool value);
        void Toggle();
        void Connect(IGPIOReceiver destination, int destinationNumber);
    }

    public interface IGPIOReceiver : IPeripheral
    {
        void OnGPIO(int number, bool value);
    }

    public interface INumberedGPIOOutput : IPeripheral
    {
        IReadOnlyDictionary<int, IGPIO> Connections { get; }
    }

    public sealed class GPIO : IGPIO
    {
        public bool IsSet { get; private set; }

        public void Set(bool value)
        {
            if(IsSet == value)
            {
                return;
            }
            IsSet = value;
            foreach(var hook in hooks)
            {
                hook(value);
            }
            foreach(var end in ends)
            {
                end.Key.OnGPIO(end.Value, value);
            }
        }

        public void Toggle() { Set(!IsSet); }

        public void Connect(IGPIOReceiver destination, int destinationNumber)
        {
            ends.Add(new KeyValuePair<IGPIOReceiver, int>(destination, destinationNumber));
        }

        public void AddStateChangedHook(Action<bool> hook) { hooks.Add(hook); }

        private readonly List<Action<bool>> hooks = new List<Action<bool>>();
        private readonly List<KeyValuePair<IGPIOReceiver, int>> ends = new List<KeyValuePair<IGPIOReceiver, int>>();
    }
}

// src/Emulator/Main/Logging/LogLevel.cs, Logger.cs (the Log extension)
namespace Antmicro.Renode.Logging
{
    using Antmicro.Renode.Peripherals;

    public sealed class LogLevel
    {
        public static readonly LogLevel Noisy = new LogLevel();
        public static readonly LogLevel Debug = new LogLevel();
        public static readonly LogLevel Info = new LogLevel();
        public static readonly LogLevel Warning = new LogLevel();
        public static readonly LogLevel Error = new LogLevel();
    }

    public static class Logger
    {
        public static void Log(this IEmulationElement e, LogLevel type, string message, params object[] args)
        {
            if(type == LogLevel.Warning || type == LogLevel.Error)
            {
                Logged.Add(string.Format(message, args));
            }
        }

        // stub only: lets the test driver see warnings
        public static readonly List<string> Logged = new List<string>();
    }
}

// src/Emulator/Main/Peripherals/GPIOPort/BaseGPIOPort.cs
namespace Antmicro.Renode.Peripherals.GPIOPort
{
    using Antmicro.Renode.Core;

    public abstract class BaseGPIOPort : INumberedGPIOOutput, IGPIOReceiver
    {
        public virtual void OnGPIO(int number, bool value)
        {
            if(CheckPinNumber(number))
            {
                State[number] = value;
            }
        }

        public virtual void Reset()
        {
            foreach(var connection in Connections.Values)
            {
                connection.Set(false);
            }
            for(var i = 0; i < State.Length; ++i)
            {
                State[i] = false;
            }
        }

        public IReadOnlyDictionary<int, IGPIO> Connections { get; private set; }

        protected BaseGPIOPort(IMachine machine, int numberOfConnections)
        {
            var inner = new Dictionary<int, IGPIO>();
            NumberOfConnections = numberOfConnections;
            State = new bool[numberOfConnections];
            for(var i = 0; i < numberOfConnections; i++)
            {
                inner[i] = new GPIO();
            }
            this.machine = machine;
            Connections = new ReadOnlyDictionary<int, IGPIO>(inner);
        }

        protected bool CheckPinNumber(int number)
        {
            return number >= 0 && number < NumberOfConnections;
        }

        protected bool[] State;
        protected readonly int NumberOfConnections;
        protected readonly IMachine machine;
    }
}

// src/Emulator/Main/Peripherals/UART/IUART.cs. Renode declares IUART<T> where
// T : IBinaryInteger<T> (.NET 7 generic math, absent from mono) and
// IUART : IUART<byte>; the byte members below are what IUART requires.
namespace Antmicro.Renode.Peripherals.UART
{
    public enum Parity { Odd, Even, None, Forced1, Forced0, Multidrop, Unsupported }

    public enum Bits { None, One, Half, OneAndAHalf, Two }

    public interface IUART : IPeripheral
    {
        event Action<byte> CharReceived;
        void WriteChar(byte value);
        uint BaudRate { get; }
        Bits StopBits { get; }
        Parity ParityBit { get; }
    }
}
