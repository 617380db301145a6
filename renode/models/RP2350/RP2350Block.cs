// Shared base of the RP2350 models for Renode: register table, atomic aliases, held reset.
// The register behaviour is the built-in engine's (src/rp2350_emu/mmio/block.py
// and peripherals/*.py), ported one to one so the shared tables in
// tests/conformance/tables/ give the same values on both.
// C# 7 subset on purpose (every file under renode/models/): Renode compiles them
// with Roslyn, our tests with mcs.

using System;
using System.Collections.Generic;

using Antmicro.Renode.Core;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals.Bus;

namespace Antmicro.Renode.Peripherals.RP2350
{
    /// <summary>One register: stored bits plus optional behaviour (engine: mmio/register.py Register).</summary>
    public sealed class RP2350Register
    {
        public string Name;
        public long Offset;
        public uint ResetValue;
        public uint Mask = 0xFFFFFFFF;
        public uint W1C;
        /// live value, no side effects
        public Func<uint> Read;
        /// read with side effects (FIFO pops); Read/Value is the peek
        public Func<uint> OnRead;
        public Action<uint> Write;
        public uint Value;
    }

    /// <summary>
    /// An RP2350 APB/AHB block: a register table, the XOR/SET/CLR aliases at
    /// +0x1000/+0x2000/+0x3000 (datasheet 2.1.3), narrow writes replicated across
    /// the word (2.1.4), and a reset line RESETS can hold.
    /// </summary>
    public abstract class RP2350Block : IDoubleWordPeripheral, IWordPeripheral, IBytePeripheral, IKnownSize, IRP2350Resettable
    {
        public const long AliasXor = 0x1000;
        public const long AliasSet = 0x2000;
        public const long AliasClr = 0x3000;

        protected RP2350Block(IMachine machine, long size = 0x4000, bool atomicAliases = true)
        {
            RP2350Snapshots.EnsureResolver();
            this.machine = machine;
            Time = RP2350Time.For(machine);
            this.size = size;
            this.atomicAliases = atomicAliases;
        }

        public long Size { get { return size; } }

        /// True while RESETS holds the block in reset.
        public bool InReset { get; private set; }

        public virtual void Reset()
        {
            foreach(var reg in registers.Values)
            {
                reg.Value = reg.ResetValue;
            }
        }

        /// Assert (true) or release (false) the block's reset line.
        public void HoldReset(bool held)
        {
            if(held)
            {
                InReset = true;
                Reset();
            }
            else if(InReset)
            {
                InReset = false;
                ResetReleased();
            }
        }

        public uint Peek(long offset)
        {
            if(atomicAliases)
            {
                offset &= 0xFFF;
            }
            var reg = Lookup(offset);
            if(reg == null)
            {
                return 0;
            }
            return reg.Read != null ? reg.Read() : reg.Value;
        }

        public uint ReadDoubleWord(long offset) { return ReadSized(offset, 4); }
        public ushort ReadWord(long offset) { return (ushort)ReadSized(offset, 2); }
        public byte ReadByte(long offset) { return (byte)ReadSized(offset, 1); }

        public void WriteDoubleWord(long offset, uint value) { WriteSized(offset, value, 4); }
        // APB registers see a narrow write replicated across the word lanes
        public void WriteWord(long offset, ushort value) { WriteSized(offset, (uint)value * 0x10001u, 2); }
        public void WriteByte(long offset, byte value) { WriteSized(offset, (uint)value * 0x01010101u, 1); }

        protected virtual void ResetReleased() { }

        protected RP2350Register Add(string name, long offset, uint reset = 0, uint mask = 0xFFFFFFFF,
            Func<uint> read = null, Func<uint> onRead = null, Action<uint> write = null, uint w1c = 0)
        {
            var reg = new RP2350Register
            {
                Name = name, Offset = offset, ResetValue = reset, Mask = mask, Read = read, OnRead = onRead,
                Write = write, W1C = w1c, Value = reset
            };
            registers[offset] = reg;
            return reg;
        }

        protected RP2350Register Reg(long offset)
        {
            return registers[offset];
        }

        protected virtual uint ReadSized(long offset, int width)
        {
            if(atomicAliases)
            {
                offset &= 0xFFF; // reading an alias reads the register
            }
            var reg = Lookup(offset);
            if(reg == null)
            {
                this.Log(LogLevel.Warning, "unmodelled read at +0x{0:X} ({1} bytes)", offset, width);
                return 0;
            }
            var fn = reg.OnRead ?? reg.Read;
            var word = fn != null ? fn() : reg.Value;
            if(width == 4 && (offset & 3) == 0)
            {
                return word;
            }
            var shift = (int)(offset & 3) * 8;
            return (uint)((word >> shift) & ((1UL << (width * 8)) - 1));
        }

        protected virtual void WriteSized(long offset, uint value, int width)
        {
            long alias = 0;
            if(atomicAliases)
            {
                alias = offset & 0x3000;
                offset &= 0xFFF;
            }
            var reg = Lookup(offset);
            if(reg == null)
            {
                this.Log(LogLevel.Warning, "unmodelled write of 0x{0:X} at +0x{1:X}", value, offset);
                return;
            }
            if(InReset)
            {
                return; // registers held at their reset values
            }
            if(alias != 0)
            {
                var current = Peek(offset);
                uint merged = alias == AliasXor ? current ^ value : alias == AliasSet ? current | value : current & ~value;
                if(reg.W1C != 0)
                {
                    // the alias names the W1C bits to act on, never "every bit reading 1"
                    var named = alias == AliasClr ? 0u : value;
                    merged = (merged & ~reg.W1C) | (named & reg.W1C);
                }
                value = merged;
            }
            if(reg.Write != null)
            {
                reg.Write(value);
            }
            else
            {
                reg.Value = ((reg.Value & ~reg.Mask) | (value & reg.Mask)) & ~(value & reg.W1C);
            }
        }

        private RP2350Register Lookup(long offset)
        {
            RP2350Register reg;
            return registers.TryGetValue(offset & ~3L, out reg) ? reg : null;
        }

        protected readonly RP2350Time Time;
        protected readonly IMachine machine;
        private readonly Dictionary<long, RP2350Register> registers = new Dictionary<long, RP2350Register>();
        private readonly long size;
        private readonly bool atomicAliases;
    }

    /// <summary>Blocks RESETS can hold: anything with HoldReset (our blocks, the UART, the pads wrapper).</summary>
    public interface IRP2350Resettable : IPeripheral
    {
        void HoldReset(bool held);
    }
}
