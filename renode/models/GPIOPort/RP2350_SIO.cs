// SIO registers of the RP2350 GPIO controller for Renode: a block inside GPIOPort.RP2350_GPIO, not a .repl entry.
// Same behaviour as the engine's peripherals/sio.py.

using System;
using System.Collections.Generic;

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.GPIOPort
{
    /// <summary>SIO registers of the GPIO controller (engine: peripherals/sio.py).</summary>
    public sealed class RP2350_SIO : RP2350Block
    {
        public RP2350_SIO(IMachine machine, RP2350_GPIO owner) : base(machine, 0x1000, atomicAliases: false)
        {
            this.owner = owner;
            FifoIrq = new GPIO();
            Add("CPUID", 0x000, mask: 0);
            Add("GPIO_IN", 0x004, mask: 0, read: () => (uint)inputs);
            Add("GPIO_HI_IN", 0x008, mask: 0, read: () => (uint)(inputs >> 32) & HiMask);
            var ops = new[] { "=", "set", "clr", "xor" };
            foreach(var pair in new[] { new[] { 0x10, 0 }, new[] { 0x30, 2 } })
            {
                for(var k = 0; k < 4; k++)
                {
                    for(var hi = 0; hi < 2; hi++)
                    {
                        int word = pair[1] + hi;
                        var op = ops[k];
                        Add("GPIO_" + (pair[0] + 8 * k + 4 * hi).ToString("X3"), pair[0] + 8 * k + 4 * hi, mask: 0,
                            read: () => op == "=" ? gpio[word] : 0u, write: v => WriteGpio(word, op, v));
                    }
                }
            }
            Add("FIFO_ST", 0x050, reset: FifoRdy, mask: 0, read: ReadFifoSt, write: v => { fifoFlags &= ~(v & (FifoWof | FifoRoe)); UpdateFifoIrq(); });
            Add("FIFO_WR", 0x054, mask: 0, read: () => 0, write: WriteFifoWr);
            Add("FIFO_RD", 0x058, mask: 0, read: () => fifoRx.Count > 0 ? fifoRx.Peek() : 0u, onRead: ReadFifoRd);
            Add("SPINLOCK_ST", 0x05C, mask: 0, read: () => spinlocks);
            for(var k = 0; k < 32; k++)
            {
                var bit = 1u << k;
                Add("SPINLOCK" + k, 0x100 + 4 * k, mask: 0, read: () => (spinlocks & bit) != 0 ? 0u : bit,
                    onRead: () => { if((spinlocks & bit) != 0) return 0u; spinlocks |= bit; return bit; },
                    write: v => spinlocks &= ~bit);
            }
        }

        public GPIO FifoIrq { get; private set; }

        public ulong Out { get { return gpio[0] | (ulong)gpio[1] << 32; } }
        public ulong Oe { get { return gpio[2] | (ulong)gpio[3] << 32; } }

        public void SetInput(int n, bool level)
        {
            if(level)
            {
                inputs |= 1UL << n;
            }
            else
            {
                inputs &= ~(1UL << n);
            }
        }

        /// Core 1's side: put a word in core 0's RX FIFO; false if it was full.
        public bool FifoPushRx(uint value)
        {
            if(fifoRx.Count >= FifoDepth)
            {
                return false;
            }
            fifoRx.Enqueue(value);
            UpdateFifoIrq();
            return true;
        }

        public override void Reset()
        {
            base.Reset();
            var old = Out | Oe;
            Array.Clear(gpio, 0, 4);
            spinlocks = 0;
            fifoTx.Clear();
            fifoRx.Clear();
            fifoFlags = 0;
            UpdateFifoIrq();
            if(old != 0)
            {
                owner.SioChanged(old);
            }
        }

        private void WriteGpio(int word, string op, uint value)
        {
            var mask = (word & 1) != 0 ? HiMask : 0xFFFFFFFFu;
            var old = gpio[word];
            uint now;
            switch(op)
            {
            case "=": now = value & mask; break;
            case "set": now = old | (value & mask); break;
            case "clr": now = old & ~value; break;
            default: now = old ^ (value & mask); break;
            }
            if(now == old)
            {
                return;
            }
            gpio[word] = now;
            var changed = (ulong)(old ^ now);
            owner.SioChanged((word & 1) != 0 ? changed << 32 : changed);
        }

        private uint ReadFifoSt()
        {
            var st = fifoFlags;
            if(fifoRx.Count > 0)
            {
                st |= FifoVld;
            }
            if(fifoTx.Count < FifoDepth)
            {
                st |= FifoRdy;
            }
            return st;
        }

        private void WriteFifoWr(uint value)
        {
            if(fifoTx.Count >= FifoDepth)
            {
                fifoFlags |= FifoWof; // write ignored
            }
            else
            {
                fifoTx.Enqueue(value);
            }
            UpdateFifoIrq();
        }

        private uint ReadFifoRd()
        {
            if(fifoRx.Count == 0)
            {
                fifoFlags |= FifoRoe;
                UpdateFifoIrq();
                return 0;
            }
            var value = fifoRx.Dequeue();
            UpdateFifoIrq();
            return value;
        }

        private void UpdateFifoIrq()
        {
            // SIO_IRQ_FIFO = VLD | WOF | ROE of this core's FIFO_ST
            FifoIrq.Set(fifoFlags != 0 || fifoRx.Count > 0);
        }

        private readonly RP2350_GPIO owner;
        private readonly uint[] gpio = new uint[4]; // OUT lo, OUT hi, OE lo, OE hi
        private ulong inputs;
        private uint spinlocks;
        private uint fifoFlags;
        private readonly Queue<uint> fifoTx = new Queue<uint>();
        private readonly Queue<uint> fifoRx = new Queue<uint>();

        private const uint HiMask = 0xFF00FFFF; // GPIO32-47 [15:0], USB DP/DM [25:24], QSPI [31:26]
        private const int FifoDepth = 8;
        private const uint FifoVld = 1, FifoRdy = 2, FifoWof = 4, FifoRoe = 8;
    }
}
