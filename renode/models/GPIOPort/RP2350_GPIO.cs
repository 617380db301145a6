// RP2350 GPIO controller for Renode: GPIOPort.RP2350_GPIO at SIO 0xD0000000 (SIO registers + bank-0 pin levels).
// Same behaviour as the engine's peripherals/gpio.py (its SIO registers:
// RP2350_SIO.cs). Pin N of the GPIO controller is GPIO N: `25 -> led@0` sees the
// pad level, `button ... -> gpio@15` drives the pin from outside.

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Peripherals.Miscellaneous;
using Antmicro.Renode.Peripherals.Timers;
using Antmicro.Renode.Peripherals.UART;

namespace Antmicro.Renode.Peripherals.GPIOPort
{
    /// <summary>
    /// The GPIO controller at SIO (0xD0000000): SIO registers as seen by core 0
    /// (CPUID, GPIO_IN/OUT/OE with the interleaved HI words and SET/CLR/XOR, FIFO,
    /// spinlocks; no bus aliases) and the bank-0 pin pipeline: FUNCSEL (SIO, UART,
    /// PWM output A/B) -> OUTOVER/OEOVER -> pad OD -> ISO latch; pad level = chip drive, else external drive,
    /// else pull (keeper/floating: last level); input seen with IE and not ISO.
    /// </summary>
    public class RP2350_GPIO : BaseGPIOPort, IDoubleWordPeripheral, IKnownSize
    {
        public RP2350_GPIO(IMachine machine, RP2350_IOBank0 ioBank0 = null, RP2350_PadsBank0 padsBank0 = null,
            RP2350_PL011 uart0 = null, RP2350_PL011 uart1 = null, RP2350_PWM pwm = null) : base(machine, NumPins)
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
            this.pwm = pwm;
            if(pwm != null)
            {
                pwm.Routed = PwmRouted;
                pwm.OutputChanged += PwmChanged;
                pwm.InputLevel = PwmBInput;
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
            if(pwm != null)
            {
                // FUNCSEL may have moved a pin to or from a PWM slice: its edges may now matter (or not)
                if(n >= 0)
                {
                    pwm.RoutingChanged(RP2350_PWM.SliceOf(n));
                }
                else
                {
                    for(var i = 0; i < RP2350_PWM.NumSlices; i++)
                    {
                        pwm.RoutingChanged(i);
                    }
                }
            }
        }

        /// The GPIOs that can carry slice `slice`'s outputs (A on the even ones).
        private static int[] PwmPins(int slice)
        {
            if(slice < 8)
            {
                return new[] { 2 * slice, 2 * slice + 1, 16 + 2 * slice, 17 + 2 * slice };
            }
            var first = 32 + 2 * (slice - 8);
            return new[] { first, first + 1, first + 8, first + 9 };
        }

        private bool IsPwm(int n)
        {
            return n < NumPins && io != null && io.Funcsel(n) == RP2350_PWM.Funcsel;
        }

        private bool PwmRouted(int slice, int channel)
        {
            foreach(var n in PwmPins(slice))
            {
                if((n & 1) == channel && IsPwm(n))
                {
                    return true;
                }
            }
            return false;
        }

        private void PwmChanged(int slice)
        {
            foreach(var n in PwmPins(slice))
            {
                if(IsPwm(n))
                {
                    Update(n);
                }
            }
        }

        private bool PwmBInput(int slice)
        {
            foreach(var n in PwmPins(slice))
            {
                if((n & 1) == 1 && IsPwm(n) && pins[n].Input)
                {
                    return true;
                }
            }
            return false;
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
            if(funcsel == RP2350_PWM.Funcsel)
            {
                var slice = RP2350_PWM.SliceOf(n);
                if(pwm == null || ((n & 1) == 1 && pwm.BIsInput(slice)))
                {
                    return; // B is the counter's input in the gated and edge modes
                }
                output = pwm.Output(slice, n & 1);
                oe = true;
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
                if((n & 1) == 1 && pwm != null && IsPwm(n))
                {
                    var slice = RP2350_PWM.SliceOf(n); // the slice sees the OR of its B pins
                    pwm.InputChanged(slice, PwmBInput(slice));
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
        private readonly RP2350_PWM pwm;

        private const uint PadIso = 1u << 8, PadOd = 1u << 7, PadIe = 1u << 6, PadPue = 1u << 3, PadPde = 1u << 2;
    }
}
