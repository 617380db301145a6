// RP2350 IO_BANK0 and the GPIO controller (SIO registers + bank-0 pin levels)
// for Renode. Same behaviour as the engine's peripherals/io_bank0.py, sio.py
// and gpio.py. Pin N of the GPIO controller is GPIO N: `25 -> led@0` sees the
// pad level, `button ... -> gpio@15` drives the pin from outside.

using System;
using System.Collections.Generic;

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Peripherals.Miscellaneous;
using Antmicro.Renode.Peripherals.Python;
using Antmicro.Renode.Peripherals.RP2350;
using Antmicro.Renode.Peripherals.UART;

namespace Antmicro.Renode.Peripherals.Miscellaneous
{
    /// <summary>
    /// IO_BANK0 (0x40028000): GPIOn_CTRL function select and overrides, GPIOn_STATUS,
    /// INTR (level bits live, edge bits latched, W1C) and per-target INTE/INTF/INTS;
    /// IrqProc0/IrqProc1/IrqDormantWake are the OR over pins after IRQOVER.
    /// </summary>
    public class RP2350_IOBank0 : RP2350Block
    {
        public RP2350_IOBank0(IMachine machine) : base(machine)
        {
            IrqProc0 = new GPIO();
            IrqProc1 = new GPIO();
            IrqDormantWake = new GPIO();
            signals = new[] { IrqProc0, IrqProc1, IrqDormantWake };
            for(var n = 0; n < NumPins; n++)
            {
                var pin = n;
                Add("GPIO" + n + "_STATUS", 8 * n, mask: 0, read: () => padStatus[pin] | (PinIrq(0, pin) ? StatusIrqToProc : 0));
                Add("GPIO" + n + "_CTRL", 8 * n + 4, reset: CtrlReset, mask: CtrlMask, write: v => WriteCtrl(pin, v));
            }
            for(var t = 0; t < 3; t++)
            {
                for(var word = 0; word < 2; word++)
                {
                    int tt = t, ww = word;
                    Add("IRQSUMMARY_SECURE" + word, 0x200 + 0x10 * t + 4 * word, mask: 0, read: () => Summary(tt, ww));
                    Add("IRQSUMMARY_NONSECURE" + word, 0x200 + 0x10 * t + 8 + 4 * word, mask: 0, read: () => 0);
                }
            }
            for(var w = 0; w < 6; w++)
            {
                var word = w;
                Add("INTR" + w, IntrBase + 4 * w, mask: 0, read: () => Raw(word), write: v => { edges[word] &= ~v; UpdateIrqs(); }, w1c: Edges);
                var valid = 8 * w + 8 <= NumPins ? 0xFFFFFFFFu : (1u << (4 * (NumPins - 8 * w))) - 1;
                for(var t = 0; t < 3; t++)
                {
                    int tt = t;
                    Add("INTE" + w, Targets[t, 0] + 4 * w, mask: 0, read: () => inte[tt, word], write: v => { inte[tt, word] = v & valid; UpdateIrqs(); });
                    Add("INTF" + w, Targets[t, 1] + 4 * w, mask: 0, read: () => intf[tt, word], write: v => { intf[tt, word] = v & valid; UpdateIrqs(); });
                    Add("INTS" + w, Targets[t, 2] + 4 * w, mask: 0, read: () => Ints(tt, word));
                }
            }
        }

        public GPIO IrqProc0 { get; private set; }
        public GPIO IrqProc1 { get; private set; }
        public GPIO IrqDormantWake { get; private set; }

        /// Pin n's GPIOn_CTRL changed (-1: all pins); the GPIO controller listens.
        public event Action<int> CtrlChanged;

        public uint Ctrl(int n) { return Reg(8 * n + 4).Value; }

        public uint Funcsel(int n) { return Reg(8 * n + 4).Value & 0x1F; }

        public void SetPadStatus(int n, bool output, bool oe, bool inFromPad)
        {
            padStatus[n] = (output ? StatusOutToPad : 0) | (oe ? StatusOeToPad : 0) | (inFromPad ? StatusInFromPad : 0);
        }

        /// Pin n's input (after INOVER) is now `level`: latch edges, update IRQs.
        public void SetInput(int n, bool level)
        {
            var bit = 1UL << n;
            if(((inputs & bit) != 0) == level)
            {
                return;
            }
            inputs ^= bit;
            if(InReset)
            {
                return; // held in reset: the edge latches stay clear
            }
            edges[n / 8] |= (level ? EdgeHigh : EdgeLow) << (4 * (n % 8));
            UpdateIrqs();
        }

        public override void Reset()
        {
            base.Reset();
            Array.Clear(edges, 0, edges.Length);
            Array.Clear(inte, 0, inte.Length);
            Array.Clear(intf, 0, intf.Length);
            CtrlChanged?.Invoke(-1);
            UpdateIrqs();
        }

        private uint Raw(int w)
        {
            uint levels = 0;
            var b = (uint)(inputs >> (8 * w)) & 0xFF;
            for(var i = 0; i < 8; i++)
            {
                levels |= ((b >> i & 1) != 0 ? LevelHigh : LevelLow) << (4 * i);
            }
            return levels | edges[w];
        }

        private uint Ints(int t, int w) { return (Raw(w) & inte[t, w]) | intf[t, w]; }

        private bool PinIrq(int t, int n)
        {
            var pending = (Ints(t, n / 8) >> (4 * (n % 8)) & 0xF) != 0;
            var over = Ctrl(n) >> 28 & 3;
            return over == 1 ? !pending : over == 0 ? pending : over == 3;
        }

        private void UpdateIrqs()
        {
            for(var t = 0; t < 3; t++)
            {
                var any = false;
                for(var n = 0; n < NumPins && !any; n++)
                {
                    any = PinIrq(t, n);
                }
                signals[t].Set(any);
            }
        }

        private uint Summary(int t, int word)
        {
            uint bits = 0;
            for(var n = 32 * word; n < Math.Min(32 * word + 32, NumPins); n++)
            {
                if(PinIrq(t, n))
                {
                    bits |= 1u << (n - 32 * word);
                }
            }
            return bits;
        }

        private void WriteCtrl(int n, uint value)
        {
            var reg = Reg(8 * n + 4);
            var v = value & CtrlMask;
            if(v != reg.Value)
            {
                reg.Value = v;
                CtrlChanged?.Invoke(n);
                UpdateIrqs();
            }
        }

        public const int NumPins = 48;
        public const uint FuncSio = 5, FuncUart = 2, FuncUartAux = 11;

        private ulong inputs;
        private readonly uint[] padStatus = new uint[NumPins];
        private readonly uint[] edges = new uint[6];
        private readonly uint[,] inte = new uint[3, 6];
        private readonly uint[,] intf = new uint[3, 6];
        private readonly GPIO[] signals;

        private const uint CtrlReset = 0x1F, CtrlMask = 0x3003F01F;
        private const uint StatusOutToPad = 1u << 9, StatusOeToPad = 1u << 13, StatusInFromPad = 1u << 17, StatusIrqToProc = 1u << 26;
        private const uint LevelLow = 1, LevelHigh = 2, EdgeLow = 4, EdgeHigh = 8;
        private const uint Edges = 0xCCCCCCCC;
        private const long IntrBase = 0x230;
        // per target (proc0, proc1, dormant_wake): INTE, INTF, INTS base offsets
        private static readonly long[,] Targets = { { 0x248, 0x260, 0x278 }, { 0x290, 0x2A8, 0x2C0 }, { 0x2D8, 0x2F0, 0x308 } };
    }
}

namespace Antmicro.Renode.Peripherals.GPIOPort
{
    /// <summary>
    /// The GPIO controller at SIO (0xD0000000): SIO registers as seen by core 0
    /// (CPUID, GPIO_IN/OUT/OE with the interleaved HI words and SET/CLR/XOR, FIFO,
    /// spinlocks; no bus aliases) and the bank-0 pin pipeline: FUNCSEL -> OUTOVER/
    /// OEOVER -> pad OD -> ISO latch; pad level = chip drive, else external drive,
    /// else pull (keeper/floating: last level); input seen with IE and not ISO.
    /// </summary>
    public class RP2350_GPIO : BaseGPIOPort, IDoubleWordPeripheral, IKnownSize
    {
        public RP2350_GPIO(IMachine machine, RP2350_IOBank0 ioBank0 = null, RP2350_PadsBank0 padsBank0 = null,
            RP2350_PL011 uart0 = null, RP2350_PL011 uart1 = null) : base(machine, NumPins)
        {
            sio = new RP2350_SIO(machine, this);
            FifoIrq = sio.FifoIrq;
            for(var n = 0; n < NumPins; n++)
            {
                pins[n] = new PinState();
            }
            io = ioBank0;
            pads = padsBank0;
            uarts[0] = uart0;
            uarts[1] = uart1;
            if(io != null)
            {
                io.CtrlChanged += PinChanged;
            }
            if(pads != null)
            {
                pads.PadChanged += PinChanged;
            }
            for(var i = 0; i < 2; i++)
            {
                if(uarts[i] != null)
                {
                    var index = i;
                    uarts[i].LinesChanged += () => UartChanged(index);
                }
            }
            UpdateAll();
        }

        public GPIO FifoIrq { get; private set; }

        public long Size { get { return 0x1000; } }

        /// Pad level of GPIO n (what an LED on it sees).
        public bool PinLevel(int n) { return pins[n].Level; }

        /// Driven from outside (Button, tests): OnGPIO(n, level).
        public override void OnGPIO(int number, bool value)
        {
            if(!CheckPinNumber(number))
            {
                return;
            }
            base.OnGPIO(number, value);
            pins[number].External = value;
            Update(number);
        }

        /// Release an external drive (the pin falls back to its pull).
        public void ReleasePin(int number)
        {
            pins[number].External = null;
            Update(number);
        }

        public uint ReadDoubleWord(long offset) { return sio.ReadDoubleWord(offset); }

        public void WriteDoubleWord(long offset, uint value) { sio.WriteDoubleWord(offset, value); }

        public override void Reset()
        {
            base.Reset();
            sio.Reset();
            foreach(var pin in pins)
            {
                pin.External = null;
                pin.Level = false;
            }
            UpdateAll();
        }

        internal void SioChanged(ulong changed)
        {
            for(var n = 0; n < NumPins; n++)
            {
                if((changed >> n & 1) != 0 && (io == null || io.Funcsel(n) == RP2350_IOBank0.FuncSio))
                {
                    Update(n);
                }
            }
        }

        private void PinChanged(int n)
        {
            if(n < 0)
            {
                UpdateAll();
            }
            else
            {
                Update(n);
            }
        }

        private void UartChanged(int index)
        {
            if(io == null)
            {
                return;
            }
            for(var n = 0; n < NumPins; n++)
            {
                int u;
                string role;
                if(UartFunction(n, io.Funcsel(n), out u, out role) && u == index)
                {
                    Update(n);
                }
            }
        }

        /// (UART index, role) that FUNCSEL selects on pin n, if any.
        public static bool UartFunction(int n, uint funcsel, out int index, out string role)
        {
            index = (n + 4) / 8 % 2; // GPIO0-3 UART0, 4-11 UART1, 12-19 UART0, ...
            var r = n & 3;
            role = null;
            if(funcsel == RP2350_IOBank0.FuncUart)
            {
                role = new[] { "tx", "rx", "cts", "rts" }[r];
            }
            else if(funcsel == RP2350_IOBank0.FuncUartAux && r >= 2)
            {
                role = r == 2 ? "tx" : "rx";
            }
            return role != null;
        }

        private void FunctionOutput(int n, uint funcsel, out bool output, out bool oe)
        {
            output = oe = false;
            if(funcsel == RP2350_IOBank0.FuncSio)
            {
                output = (sio.Out >> n & 1) != 0;
                oe = (sio.Oe >> n & 1) != 0;
                return;
            }
            int u;
            string role;
            if(UartFunction(n, funcsel, out u, out role))
            {
                var uart = uarts[u];
                if(role == "tx")
                {
                    output = uart == null || uart.Txd;
                    oe = true;
                }
                else if(role == "rts")
                {
                    output = uart == null || uart.RtsN;
                    oe = true;
                }
            }
        }

        private uint Pad(int n)
        {
            // no pads model: plain IO
            return pads != null ? pads.ReadDoubleWord(0x04 + 4 * n) : 0x052u;
        }

        private void UpdateAll()
        {
            for(var n = 0; n < NumPins; n++)
            {
                Update(n);
            }
        }

        private void Update(int n)
        {
            var pin = pins[n];
            var ctrl = io != null ? io.Ctrl(n) : 0x1Fu;
            var pad = Pad(n);
            bool output, oe;
            FunctionOutput(n, ctrl & 0x1F, out output, out oe);
            uint outover = ctrl >> 12 & 3, oeover = ctrl >> 14 & 3;
            output = outover == 1 ? !output : outover == 0 ? output : outover == 3;
            oe = oeover == 1 ? !oe : oeover == 0 ? oe : oeover == 3;
            oe = oe && (pad & PadOd) == 0;
            var iso = (pad & PadIso) != 0;
            if(iso && !pin.Iso)
            {
                pin.IsoOe = pin.Oe; // isolation holds the pad as it was
                pin.IsoOut = pin.Out;
            }
            pin.Iso = iso;
            var driveOe = iso ? pin.IsoOe : oe;
            var driveOut = iso ? pin.IsoOut : output;
            pin.Oe = oe;
            pin.Out = output;
            bool level;
            if(driveOe)
            {
                level = driveOut;
            }
            else if(pin.External.HasValue)
            {
                level = pin.External.Value;
            }
            else if((pad & PadPue) != 0 && (pad & PadPde) == 0)
            {
                level = true;
            }
            else if((pad & PadPde) != 0 && (pad & PadPue) == 0)
            {
                level = false;
            }
            else
            {
                level = pin.Level; // bus keeper / floating: keeps its level
            }
            var inFromPad = level && (pad & PadIe) != 0 && !iso;
            var inover = ctrl >> 16 & 3;
            var chipIn = inover == 1 ? !inFromPad : inover == 0 ? inFromPad : inover == 3;
            if(io != null)
            {
                io.SetPadStatus(n, output, oe, inFromPad);
            }
            if(chipIn != pin.Input)
            {
                pin.Input = chipIn;
                sio.SetInput(n, chipIn);
                if(io != null)
                {
                    io.SetInput(n, chipIn);
                }
            }
            if(level != pin.Level)
            {
                pin.Level = level;
                Connections[n].Set(level);
            }
        }

        private sealed class PinState
        {
            public bool Out, Oe, Input, Level, IsoOe, IsoOut;
            public bool Iso = true;
            public bool? External;
        }

        public const int NumPins = 48;

        private readonly RP2350_SIO sio;
        private readonly PinState[] pins = new PinState[NumPins];
        private readonly RP2350_IOBank0 io;
        private readonly RP2350_PadsBank0 pads;
        private readonly RP2350_PL011[] uarts = new RP2350_PL011[2];

        private const uint PadIso = 1u << 8, PadOd = 1u << 7, PadIe = 1u << 6, PadPue = 1u << 3, PadPde = 1u << 2;
    }

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
