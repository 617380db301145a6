// The line of the RP2350 PL011 for Renode (used by RP2350_PL011.cs, compiled before
// it): character timing and the frame's parity, as engine peripherals/uart_pl011.py.

using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.UART
{
    /// Times back-to-back characters from one origin so ns rounding never accumulates.
    public sealed class RP2350_UartBurst
    {
        public ulong NextEnd(ulong now, ulong frameBits, ulong d64, ulong hz)
        {
            if(endNs != now || keyDiv != d64 || keyHz != hz)
            {
                t0 = now; // line was idle: new burst
                bits = 0;
                keyDiv = d64;
                keyHz = hz;
            }
            bits += frameBits;
            // bit time = div64 / (4 hz) seconds
            var num = bits * d64;
            var den = 4 * hz;
            endNs = t0 + num / den * RP2350Math.NsPerS + (num % den * RP2350Math.NsPerS + den - 1) / den;
            return endNs;
        }

        private ulong t0;
        private ulong bits;
        private ulong keyDiv;
        private ulong keyHz;
        private ulong endNs = ulong.MaxValue;
    }

    /// The frame format of UARTLCR_H.
    public static class RP2350_UartFrame
    {
        public static Parity ParityOf(uint lcrH)
        {
            if((lcrH & 2) == 0) // PEN
            {
                return Parity.None;
            }
            var even = (lcrH & 4) != 0; // EPS
            if((lcrH & 0x80) != 0) // SPS: stick parity
            {
                return even ? Parity.Forced0 : Parity.Forced1;
            }
            return even ? Parity.Even : Parity.Odd;
        }
    }
}
