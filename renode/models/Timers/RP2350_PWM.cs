// RP2350 PWM for Renode: Timers.RP2350_PWM at 0x400A8000, the same behaviour and
// integer maths as the engine's peripherals/pwm.py (the shared tables give the same
// values on both). Each slice (RP2350_PWMSlice.cs) counts in closed form from an
// anchor; events exist only where something can see a change: an output edge on a
// PWM pin, the wrap where written CC/TOP take over, the next wrap while INTR is clear.
// Where the datasheet leaves a choice, pwm.py's reading: CC/TOP written to a halted
// slice are in force at once, a halted slice holds its outputs, PH_ADV steps a halted
// slice, PH_RET drops the next count.

using System;
using System.Collections.Generic;

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.Miscellaneous;
using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.Timers
{
    /// <summary>
    /// PWM (0x400A8000): 12 slices of a 16-bit counter with two compare outputs
    /// (datasheet 12.5). Fractional divider (8.4, first-order sigma-delta, INT 0 = 256),
    /// trailing-edge or phase-correct counting, double-buffered CC/TOP (taken at the
    /// wrap), PH_ADV/PH_RET, DIVMODE LEVEL/RISE/FALL on the B input (divided too),
    /// EN alias, INTR (W1C) with IRQ0/IRQ1 INTE/INTF/INTS; outputs 0 and 1 are
    /// PWM_IRQ_WRAP_0/1. The GPIO controller routes the outputs to pins (FUNCSEL 4)
    /// through Routed / OutputChanged / InputLevel / InputChanged.
    /// </summary>
    public class RP2350_PWM : RP2350Block, INumberedGPIOOutput
    {
        public RP2350_PWM(IMachine machine, RP2350_Clocks clocks = null, long clkSysHz = 150000000) : base(machine)
        {
            var outputs = new Dictionary<int, IGPIO>();
            for(var k = 0; k < 2; k++)
            {
                irqs[k] = new GPIO();
                outputs[k] = irqs[k];
            }
            Connections = new System.Collections.ObjectModel.ReadOnlyDictionary<int, IGPIO>(outputs);
            clkSys = () => (ulong)clkSysHz;
            sys = new RP2350CycleCounter(Time, clkSys());
            for(var i = 0; i < NumSlices; i++)
            {
                slices[i] = new RP2350_PWMSlice(CycleNow, i);
            }
            for(var i = 0; i < NumSlices; i++)
            {
                var n = i;
                var b = SliceStride * i;
                Add("CH" + i + "_CSR", b, read: () => slices[n].CsrValue(), write: v => WriteCsr(n, v));
                Add("CH" + i + "_DIV", b + 4, reset: 0x10, read: () => slices[n].Div, write: v => WriteDiv(n, v));
                Add("CH" + i + "_CTR", b + 8, read: () => (uint)slices[n].CtrNow(), write: v => Change(n, s => s.AnchorPos = v & 0xFFFF));
                Add("CH" + i + "_CC", b + 12, read: () => slices[n].Cc, write: v => Change(n, s => s.Cc = v));
                Add("CH" + i + "_TOP", b + 16, reset: 0xFFFF, read: () => slices[n].Top,
                    write: v => Change(n, s => s.Top = v & 0xFFFF));
            }
            Add("EN", En, read: ReadEn, write: WriteEn);
            Add("INTR", Intr, mask: 0, read: () => intr, write: WriteIntr, w1c: All);
            for(var k = 0; k < 2; k++)
            {
                var n = k;
                var at = k == 0 ? Irq0Inte : Irq1Inte;
                Add("IRQ" + k + "_INTE", at, read: () => inte[n], write: v => { inte[n] = v & All; UpdateIrqs(); });
                Add("IRQ" + k + "_INTF", at + 4, read: () => intf[n], write: v => { intf[n] = v & All; UpdateIrqs(); });
                Add("IRQ" + k + "_INTS", at + 8, mask: 0, read: () => Ints(n));
            }
            if(clocks != null)
            {
                clkSys = () => clocks.FreqHz("sys");
                clocks.FrequencyChanged += ClkSysChanged;
                ClkSysChanged();
            }
        }

        public IReadOnlyDictionary<int, IGPIO> Connections { get; private set; }

        /// Which outputs drive a pin: (slice, channel) -> bool. The GPIO controller sets it;
        /// without it no output edge is worth an event.
        public Func<int, int, bool> Routed { get; set; }

        /// The B input of a slice: the OR of its B pins on FUNCSEL 4. The GPIO controller sets it.
        public Func<int, bool> InputLevel { get; set; }

        /// Run when an output of a slice may have changed level (the GPIO controller recomputes its pins).
        public event Action<int> OutputChanged;

        /// Slice of GPIO n: GPIO0-31 -> slices 0-7 (twice), GPIO32-47 -> 8-11; its channel is the low bit of n (A on even pins).
        public static int SliceOf(int gpio)
        {
            return gpio < 32 ? (gpio >> 1) & 7 : 8 + ((gpio >> 1) & 3);
        }

        /// Level of output A (0) or B (1) of a slice now.
        public bool Output(int slice, int channel)
        {
            return slices[slice].Output(channel);
        }

        /// True when the slice's B pin is the counter's input (DIVMODE LEVEL/RISE/FALL), not an output.
        public bool BIsInput(int slice)
        {
            return slices[slice].DivMode != RP2350_PWMSlice.DivmodeDiv;
        }

        /// A pin's FUNCSEL moved to or from this slice: B may read differently, edges may now matter (or not).
        public void RoutingChanged(int slice)
        {
            InputChanged(slice, InputLevel != null && InputLevel(slice));
            Reschedule(slices[slice]);
        }

        /// The slice's B input (the OR of its B pins) changed; the GPIO controller calls this.
        public void InputChanged(int slice, bool level)
        {
            var s = slices[slice];
            if(level == s.Gate)
            {
                return;
            }
            var mode = s.DivMode;
            Fold(s);
            s.Gate = level;
            if(s.Enabled && ((mode == RP2350_PWMSlice.DivmodeRise && level) || (mode == RP2350_PWMSlice.DivmodeFall && !level)))
            {
                // an edge is one divider input (12.5.2.5): a count once the accumulator reaches INT.FRAC
                var total = s.AnchorAcc + 16;
                var count = total / s.Divisor();
                s.AnchorAcc = total % s.Divisor();
                if(count != 0)
                {
                    Step(s);
                }
            }
            if(mode != RP2350_PWMSlice.DivmodeDiv)
            {
                Settle(s);
                Reschedule(s);
                NotifyOutput(slice);
            }
        }

        public override void Reset()
        {
            base.Reset();
            for(var i = 0; i < NumSlices; i++)
            {
                if(slices[i].Event != null)
                {
                    slices[i].Event.Cancel();
                }
                // a fresh slice, anchored now: the counter restarts from 0 here
                slices[i] = new RP2350_PWMSlice(CycleNow, i) { AnchorCycle = CycleNow() };
            }
            intr = 0;
            inte[0] = inte[1] = intf[0] = intf[1] = 0;
            UpdateIrqs();
            for(var i = 0; i < NumSlices; i++)
            {
                NotifyOutput(i);
            }
        }

        private long CycleNow()
        {
            return (long)sys.Now();
        }

        private void ClkSysChanged()
        {
            var hz = clkSys();
            if(hz == sys.Hz)
            {
                return;
            }
            // fold the counts so far at the old rate, then count on from here at the new one
            foreach(var s in slices)
            {
                Fold(s);
            }
            sys.SetHz(hz);
            foreach(var s in slices)
            {
                s.AnchorCycle = CycleNow();
                Reschedule(s);
            }
        }

        // -- the counter --------------------------------------------------------------------

        /// Re-anchor a slice now; a wrap on the way sets its INTR bit.
        private void Fold(RP2350_PWMSlice s)
        {
            if(s.Reanchor() && (intr >> s.Index & 1) == 0)
            {
                intr |= 1u << s.Index;
                UpdateIrqs();
            }
        }

        /// One count more, now (PH_ADV, or a B edge through the divider).
        private void Step(RP2350_PWMSlice s)
        {
            s.ExtraTicks += 1;
            Fold(s);
        }

        /// What a register change settles: a halted slice takes written CC/TOP at once, a
        /// waiting PH_ADV acts once the divider leaves it a cycle.
        private void Settle(RP2350_PWMSlice s)
        {
            if(!s.Enabled)
            {
                s.CcLive = s.Cc;
                s.TopLive = s.Top;
            }
            if(s.AdvPending && !s.FullSpeed())
            {
                s.AdvPending = false;
                Step(s);
            }
        }

        // -- registers ---------------------------------------------------------------------

        private void Change(int i, Action<RP2350_PWMSlice> apply)
        {
            var s = slices[i];
            Fold(s); // the progress so far belongs to the old settings
            apply(s);
            Settle(s);
            Reschedule(s);
            NotifyOutput(i);
        }

        private void WriteCsr(int i, uint value)
        {
            Change(i, s =>
            {
                if(((value ^ s.Csr) & RP2350_PWMSlice.CsrPhCorrect) != 0)
                {
                    s.AnchorPos = s.ValueOf(s.AnchorPos, s.TopLive); // the value stays, counting up
                }
                s.Csr = value & 0x3F;
                s.Gate = InputLevel != null && InputLevel(i);
                if(!s.Enabled)
                {
                    s.AdvPending = false;
                }
                if((value & RP2350_PWMSlice.CsrPhAdv) != 0)
                {
                    s.AdvPending = true; // acts in Settle unless at full speed
                }
                if((value & RP2350_PWMSlice.CsrPhRet) != 0 && s.Enabled)
                {
                    s.ExtraTicks = -1; // the divider's next count is dropped
                }
            });
        }

        private void WriteDiv(int i, uint value)
        {
            Change(i, s =>
            {
                s.Div = value & 0xFFF;
                // An accumulator kept from a larger divisor may hold whole counts of the new
                // one: a burst, then a next count in the past (an event due again and again at
                // one ns). The divider never has more than one count due.
                s.AnchorAcc = Math.Min(s.AnchorAcc, s.Divisor() - 1);
            });
        }

        private uint ReadEn()
        {
            uint en = 0;
            foreach(var s in slices)
            {
                if(s.Enabled)
                {
                    en |= 1u << s.Index;
                }
            }
            return en;
        }

        private void WriteEn(uint value)
        {
            foreach(var s in slices)
            {
                var want = (value >> s.Index & 1) != 0;
                if(want != s.Enabled)
                {
                    WriteCsr(s.Index, (s.Csr & ~RP2350_PWMSlice.CsrEn) | (want ? RP2350_PWMSlice.CsrEn : 0));
                }
            }
        }

        private void WriteIntr(uint value)
        {
            foreach(var s in slices)
            {
                if((value >> s.Index & 1) != 0)
                {
                    Fold(s); // wraps before the clear belong to the flag being cleared
                }
            }
            var cleared = intr & value & All;
            intr &= ~value & All;
            UpdateIrqs();
            foreach(var s in slices)
            {
                if((cleared >> s.Index & 1) != 0)
                {
                    Reschedule(s); // the next wrap can be seen again
                }
            }
        }

        private uint Ints(int k)
        {
            return (intr & inte[k]) | intf[k];
        }

        private void UpdateIrqs()
        {
            for(var k = 0; k < 2; k++)
            {
                irqs[k].Set(Ints(k) != 0);
            }
        }

        private void NotifyOutput(int i)
        {
            var handler = OutputChanged;
            if(handler != null)
            {
                handler(i);
            }
        }

        // -- events ----------------------------------------------------------------------------

        /// One event per slice: the earliest visible change (a routed edge, the wrap where
        /// written CC/TOP take over, or the next wrap while INTR is clear).
        private void Reschedule(RP2350_PWMSlice s)
        {
            if(s.Event != null)
            {
                s.Event.Cancel();
                s.Event = null;
            }
            if(!s.Enabled || InReset)
            {
                return;
            }
            Fold(s);
            var channels = new List<int>();
            for(var channel = 0; channel < 2; channel++)
            {
                // B is an input in the gated and edge modes
                if(Routed != null && Routed(s.Index, channel) && !(channel == 1 && s.DivMode != RP2350_PWMSlice.DivmodeDiv))
                {
                    channels.Add(channel);
                }
            }
            var k = s.NextChange((intr >> s.Index & 1) == 0, channels);
            var at = k.HasValue ? s.CycleOfTick(k.Value) : null;
            if(!at.HasValue)
            {
                return;
            }
            var when = sys.TimeOf((ulong)at.Value); // always after the anchor: see CycleOfTick
            if(when.HasValue)
            {
                s.Event = Time.At(when.Value, () => Fire(s), "pwm.ch" + s.Index);
            }
        }

        private void Fire(RP2350_PWMSlice s)
        {
            s.Event = null;
            Reschedule(s); // folds: the wrap, if this is one, sets INTR and takes CC/TOP
            NotifyOutput(s.Index);
        }

        public const int NumSlices = 12;
        /// IO_BANK0 GPIOn_CTRL.FUNCSEL value that puts a slice output on the pin
        public const uint Funcsel = 4;

        private const long SliceStride = 0x14;
        private const long En = 0xF0, Intr = 0xF4, Irq0Inte = 0xF8, Irq1Inte = 0x104;
        private const uint All = (1u << NumSlices) - 1;

        private readonly GPIO[] irqs = new GPIO[2];
        private readonly RP2350_PWMSlice[] slices = new RP2350_PWMSlice[NumSlices];
        private readonly RP2350CycleCounter sys;
        private readonly uint[] inte = new uint[2];
        private readonly uint[] intf = new uint[2];
        private Func<ulong> clkSys;
        private uint intr;
    }
}
