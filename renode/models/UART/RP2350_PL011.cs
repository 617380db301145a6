// UART0/UART1 of the RP2350 for Renode: an Arm PL011 as the RP2350 has it.
// Same behaviour as the engine's peripherals/uart_pl011.py.
//
// Not Renode's UART.PL011 (nor a subclass): it raises no RX timeout (RTRIS), so
// firmware sleeping on RX level OR timeout (uart-echo) never wakes for one byte; its
// TX is instantaneous (TXFE always 1, TXFF/BUSY never set); it decodes no XOR/SET/CLR
// aliases (the HAL uses them on IMSC/ICR); its interrupt state is private. This
// model implements IUART directly, like UARTBase does.
// A character occupies the line for (start + data + parity + stop) bit periods at
// 16 * (IBRD + FBRD/64) / clk_peri (divisor latched by LCR_H; RP2350_UartLine.cs).
// FIFOs are 32 deep (FEN) or 1. RX timeout = 32 bit periods.

using System;
using System.Collections.Generic;

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.Miscellaneous;
using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.UART
{
    public class RP2350_PL011 : RP2350Block, IUART
    {
        public RP2350_PL011(IMachine machine, RP2350_Clocks clocks = null, long clkPeriHz = 150000000) : base(machine)
        {
            IRQ = new GPIO();
            frPoll = new RP2350Poll(Time);
            clkPeri = () => (ulong)clkPeriHz;
            Add("UARTDR", 0x000, read: PeekDr, onRead: ReadDr, write: WriteDr);
            Add("UARTRSR", 0x004, read: () => rsr, write: v => rsr = 0); // any write to UARTECR clears the errors
            Add("UARTFR", 0x018, reset: 0x90, mask: 0, read: ReadFr, onRead: PollFr);
            Add("UARTILPR", 0x020, mask: 0xFF);
            Add("UARTIBRD", 0x024, mask: 0xFFFF);
            Add("UARTFBRD", 0x028, mask: 0x3F);
            Add("UARTLCR_H", 0x02C, mask: 0xFF, write: WriteLcrH);
            Add("UARTCR", 0x030, reset: 0x300, mask: 0xFF87, write: WriteCr);
            Add("UARTIFLS", 0x034, reset: 0x12, mask: 0x3F);
            Add("UARTIMSC", 0x038, mask: 0x7FF, write: v => { Reg(0x38).Value = v & 0x7FF; UpdateIrq(); });
            Add("UARTRIS", 0x03C, mask: 0, read: () => ris);
            Add("UARTMIS", 0x040, mask: 0, read: () => ris & Reg(0x38).Value);
            Add("UARTICR", 0x044, mask: 0, read: () => 0, write: v => { ris &= ~v; UpdateIrq(); });
            Add("UARTDMACR", 0x048, mask: 0x7); // no DMA engine: accepted, inert
            var ids = new uint[] { 0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };
            for(var i = 0; i < ids.Length; i++)
            {
                Add("ID" + i, 0xFE0 + 4 * i, reset: ids[i], mask: 0);
            }
            if(clocks != null)
            {
                clkPeri = () => clocks.FreqHz("peri");
                clocks.FrequencyChanged += TxKick; // a transmission may wait for clk_peri
            }
        }

        public GPIO IRQ { get; private set; }

        /// Guest -> outside: a byte whose stop bit has left the wire.
        public event Action<byte> CharReceived;

        /// TX line or RTS changed (the GPIO controller follows them).
        public event Action LinesChanged;

        /// Outside -> guest: bytes arrive one character time apart, at the
        /// receiver's rate (115200 before the divisor is set) so they frame.
        public void WriteChar(byte value)
        {
            rxLine.Enqueue(value);
            if(rxEvent == null)
            {
                RxNext();
            }
        }

        public uint BaudRate
        {
            get
            {
                var hz = clkPeri();
                return div64 != 0 && hz > 0 ? (uint)(hz * 4 / div64) : 0;
            }
        }

        public Bits StopBits { get { return (Reg(0x2C).Value & LcrStp2) != 0 ? Bits.Two : Bits.One; } }

        public Parity ParityBit { get { return RP2350_UartFrame.ParityOf(Reg(0x2C).Value); } }

        public bool Txd { get; private set; } = true;   // idle line is high
        public bool RtsN { get; private set; } = true;

        /// Characters that arrived while the receiver was off.
        public int RxDropped { get; private set; }

        public override void Reset()
        {
            foreach(var ev in new[] { txEvent, rxEvent, rtEvent })
            {
                if(ev != null)
                {
                    ev.Cancel();
                }
            }
            txEvent = rxEvent = rtEvent = null;
            base.Reset();
            txFifo.Clear();
            rxFifo.Clear();
            rxLine.Clear();
            txShift = null;
            txBurst = new RP2350_UartBurst();
            rxBurst = new RP2350_UartBurst();
            overrun = false;
            div64 = 0;
            ris = rsr = 0;
            SetLines(true, true);
            UpdateIrq();
        }

        private int Depth { get { return (Reg(0x2C).Value & LcrFen) != 0 ? FifoDepth : 1; } }

        private ulong FrameBits
        {
            get
            {
                var lcr = Reg(0x2C).Value;
                return 1 + (5 + (lcr >> 5 & 3)) + ((lcr & LcrPen) != 0 ? 1u : 0u) + ((lcr & LcrStp2) != 0 ? 2u : 1u);
            }
        }

        private bool Enabled(uint direction)
        {
            var cr = Reg(0x30).Value;
            return (cr & CrUarten) != 0 && (cr & direction) != 0;
        }

        private int Level(int sel, int dflt)
        {
            switch(sel)
            {
            case 0: return 4;
            case 1: return 8;
            case 2: return 16;
            case 3: return 24;
            case 4: return 28;
            default: return dflt;
            }
        }

        private int TxLevel { get { return Depth > 1 ? Level((int)(Reg(0x34).Value & 7), 16) : 0; } }
        private int RxLevel { get { return Depth > 1 ? Level((int)(Reg(0x34).Value >> 3 & 7), 16) : 1; } }

        private void UpdateIrq() { IRQ.Set((ris & Reg(0x38).Value) != 0); }

        private void SetLines(bool txd, bool rtsN)
        {
            if(txd != Txd || rtsN != RtsN)
            {
                Txd = txd;
                RtsN = rtsN;
                LinesChanged?.Invoke();
            }
        }

        private ulong? BitNs()
        {
            var hz = clkPeri();
            if(div64 == 0 || hz == 0)
            {
                return null;
            }
            return (div64 * RP2350Math.NsPerS + 4 * hz - 1) / (4 * hz);
        }

        // -- transmit ---------------------------------------------------------------
        private void TxKick()
        {
            if(txShift != null || txFifo.Count == 0 || !Enabled(CrTxe) || InReset)
            {
                return;
            }
            var hz = clkPeri();
            if(div64 == 0 || hz == 0)
            {
                return; // no baud clock: the byte waits (FrequencyChanged retries)
            }
            var before = txFifo.Count;
            txShift = txFifo.Dequeue();
            var level = TxLevel;
            if(before > level && level >= txFifo.Count)
            {
                ris |= IntTx; // FIFO fell to the trigger level
                UpdateIrq();
            }
            var end = txBurst.NextEnd(Time.NowNs, FrameBits, div64, hz);
            txEvent = Time.At(end, TxDone, "uart.tx");
        }

        private void TxDone()
        {
            var b = txShift;
            txShift = null;
            txEvent = null;
            if(b != null)
            {
                CharReceived?.Invoke(b.Value);
                if((Reg(0x30).Value & CrLbe) != 0)
                {
                    RxReceive(b.Value); // loopback: TX feeds RX
                }
            }
            TxKick();
        }

        private void WriteDr(uint value)
        {
            if(txFifo.Count >= Depth)
            {
                return; // TX FIFO full: the write is lost
            }
            txFifo.Enqueue((byte)value);
            if(txFifo.Count > TxLevel && (ris & IntTx) != 0)
            {
                ris &= ~IntTx; // filled above the trigger level
                UpdateIrq();
            }
            TxKick();
        }

        // -- receive ------------------------------------------------------------------
        private void RxNext()
        {
            rxEvent = null;
            if(rxLine.Count == 0)
            {
                return;
            }
            ulong d, rate;
            var hz = clkPeri();
            if(div64 != 0 && hz > 0)
            {
                d = div64;
                rate = hz;
            }
            else
            {
                d = 4; // bit time 1/baud = div64 / (4 * rate) with div64 = 4
                rate = DefaultInjectBaud;
            }
            var end = rxBurst.NextEnd(Time.NowNs, FrameBits, d, rate);
            rxEvent = Time.At(end, () => { RxReceive(rxLine.Dequeue()); RxNext(); }, "uart.rx");
        }

        private void RxReceive(uint entry)
        {
            if(!Enabled(CrRxe) || InReset)
            {
                RxDropped++;
                return;
            }
            if(rxFifo.Count >= Depth)
            {
                overrun = true; // shift register overwritten, FIFO kept
                rsr |= RsrOe;
                ris |= IntOe;
            }
            else
            {
                overrun = false; // a new character made it into the FIFO
                rxFifo.Enqueue(entry);
                var errors = entry >> 8;
                ris |= ((errors & 1) != 0 ? IntFe : 0) | ((errors & 2) != 0 ? IntPe : 0) | ((errors & 4) != 0 ? IntBe : 0);
                if(rxFifo.Count == RxLevel)
                {
                    ris |= IntRx; // FIFO reached the trigger level
                }
            }
            StartRxTimeout();
            UpdateIrq();
        }

        private void StartRxTimeout()
        {
            if(rtEvent != null)
            {
                rtEvent.Cancel();
                rtEvent = null;
            }
            var bit = BitNs();
            if(bit != null)
            {
                rtEvent = Time.In(32 * bit.Value, () =>
                {
                    rtEvent = null;
                    if(rxFifo.Count > 0)
                    {
                        ris |= IntRt;
                        UpdateIrq();
                    }
                }, "uart.rt");
            }
        }

        private uint PeekDr()
        {
            return (rxFifo.Count > 0 ? rxFifo.Peek() : 0) | (overrun ? DrOe : 0);
        }

        private uint ReadDr()
        {
            var value = PeekDr();
            if(rxFifo.Count > 0)
            {
                rxFifo.Dequeue();
                rsr = (rsr & RsrOe) | (value >> 8 & 0x7); // FE/PE/BE of this character
                if(rxFifo.Count < RxLevel)
                {
                    ris &= ~IntRx;
                }
                if(rxFifo.Count == 0)
                {
                    ris &= ~IntRt;
                }
                UpdateIrq();
            }
            return value;
        }

        // -- control --------------------------------------------------------------------
        private uint ReadFr()
        {
            var depth = Depth;
            int tx = txFifo.Count, rx = rxFifo.Count;
            uint fr = tx == 0 ? FrTxfe : tx >= depth ? FrTxff : 0;
            fr |= rx == 0 ? FrRxfe : rx >= depth ? FrRxff : 0;
            if(tx > 0 || txShift != null)
            {
                fr |= FrBusy;
            }
            return fr;
        }

        /// FR as a bus read sees it: a tight poll while TXFF or BUSY (the console's
        /// "wait for room" and "wait until sent") skips to the next TX step.
        private uint PollFr()
        {
            var fr = ReadFr();
            var pending = (fr & (FrTxff | FrBusy)) != 0 && txEvent != null;
            frPoll.Read(pending, pending ? txEvent.At : 0);
            return fr;
        }

        private void WriteLcrH(uint value)
        {
            Reg(0x2C).Value = value & 0xFF;
            // the divisor registers take effect on an LCR_H write
            div64 = (ulong)Reg(0x24).Value << 6 | Reg(0x28).Value;
            SetLines((value & LcrBrk) == 0, RtsN);
            TxKick();
        }

        private void WriteCr(uint value)
        {
            Reg(0x30).Value = value & 0xFF87;
            SetLines(Txd, (value & CrRts) == 0);
            TxKick();
        }

        private Func<ulong> clkPeri;
        private readonly Queue<byte> txFifo = new Queue<byte>();
        private readonly Queue<uint> rxFifo = new Queue<uint>(); // error bits [11:8] + data
        private readonly Queue<byte> rxLine = new Queue<byte>(); // written, not yet on the wire
        private byte? txShift;
        private RP2350Event txEvent;
        private readonly RP2350Poll frPoll;
        private RP2350Event rxEvent;
        private RP2350Event rtEvent;
        private RP2350_UartBurst txBurst = new RP2350_UartBurst();
        private RP2350_UartBurst rxBurst = new RP2350_UartBurst();
        private bool overrun;
        private ulong div64; // latched (IBRD << 6) | FBRD
        private uint ris;
        private uint rsr;

        private const int FifoDepth = 32;
        private const ulong DefaultInjectBaud = 115200;
        private const uint FrBusy = 1u << 3, FrRxfe = 1u << 4, FrTxff = 1u << 5, FrRxff = 1u << 6, FrTxfe = 1u << 7;
        private const uint LcrBrk = 1, LcrPen = 2, LcrStp2 = 8, LcrFen = 16;
        private const uint CrUarten = 1, CrLbe = 1u << 7, CrTxe = 1u << 8, CrRxe = 1u << 9, CrRts = 1u << 11;
        private const uint IntRx = 1u << 4, IntTx = 1u << 5, IntRt = 1u << 6, IntFe = 1u << 7, IntPe = 1u << 8, IntBe = 1u << 9, IntOe = 1u << 10;
        private const uint DrOe = 1u << 11, RsrOe = 1u << 3;
    }
}
