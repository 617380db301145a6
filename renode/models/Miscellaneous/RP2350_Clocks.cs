// RP2350 CLOCKS for Renode: Miscellaneous.RP2350_Clocks at 0x40010000.
// Same behaviour as the engine's peripherals/clocks.py (see its docstring for the
// datasheet reasoning); frequencies are derived, and the block raises
// `FrequencyChanged` so consumers (TICKS, TIMER, UART) re-time themselves.

using System;
using System.Collections.Generic;

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.Miscellaneous
{
    /// <summary>
    /// CLOCKS (0x40010000): generators, glitchless clk_ref/clk_sys muxes (SELECTED
    /// is one-hot of the source in use, 0 while switching to a stopped source),
    /// frequency counter FC0, resus. CLK_SYS_CTRL resets to 0x41 (pico-sdk 2.2.0).
    /// </summary>
    public class RP2350_Clocks : RP2350Block
    {
        public RP2350_Clocks(IMachine machine, RP2350_XOSC xosc = null, RP2350_PLL pllSys = null, RP2350_PLL pllUsb = null,
            long roscHz = 12000000, long lposcHz = 32768, long gpin0Hz = 0, long gpin1Hz = 0) : base(machine)
        {
            IRQ = new GPIO();
            fixedHz["rosc"] = (ulong)roscHz;
            fixedHz["lposc"] = (ulong)lposcHz;
            fixedHz["gpin0"] = (ulong)gpin0Hz;
            fixedHz["gpin1"] = (ulong)gpin1Hz;
            fixedHz["otp"] = 0;
            foreach(var gen in RP2350_ClockTree.GenOrder)
            {
                var g = RP2350_ClockTree.Gen[gen];
                var name = gen;
                Add("CLK_" + gen.ToUpper() + "_CTRL", g.Ctrl, reset: gen == "sys" ? ClkSysCtrlReset : 0u, mask: g.WMask,
                    read: CtrlReader(name), write: CfgWriter(g.Ctrl));
                Add("CLK_" + gen.ToUpper() + "_DIV", g.Ctrl + 4, reset: 0x00010000, mask: g.DivMask, write: CfgWriter(g.Ctrl + 4));
                Add("CLK_" + gen.ToUpper() + "_SELECTED", g.Ctrl + 8, reset: 1, mask: 0, read: SelectedReader(name));
            }
            Add("DFTCLK_XOSC_CTRL", 0x78, mask: 0x3);
            Add("DFTCLK_ROSC_CTRL", 0x7C, mask: 0x3);
            Add("DFTCLK_LPOSC_CTRL", 0x80, mask: 0x3);
            Add("CLK_SYS_RESUS_CTRL", 0x84, reset: 0xFF, mask: 0x000111FF, write: WriteResus);
            Add("CLK_SYS_RESUS_STATUS", 0x88, mask: 0, read: () => resussed ? 1u : 0u);
            Add("FC0_REF_KHZ", 0x8C, mask: 0x000FFFFF);
            Add("FC0_MIN_KHZ", 0x90, mask: 0x01FFFFFF);
            Add("FC0_MAX_KHZ", 0x94, reset: 0x01FFFFFF, mask: 0x01FFFFFF);
            Add("FC0_DELAY", 0x98, reset: 1, mask: 0x7);
            Add("FC0_INTERVAL", 0x9C, reset: 8, mask: 0xF);
            Add("FC0_SRC", 0xA0, mask: 0xFF, write: WriteFc0Src);
            Add("FC0_STATUS", 0xA4, mask: 0, read: () => fc0Status);
            Add("FC0_RESULT", 0xA8, mask: 0, read: () => fc0Result);
            Add("WAKE_EN0", 0xAC, reset: 0xFFFFFFFF);
            Add("WAKE_EN1", 0xB0, reset: 0x7FFFFFFF, mask: 0x7FFFFFFF);
            Add("SLEEP_EN0", 0xB4, reset: 0xFFFFFFFF);
            Add("SLEEP_EN1", 0xB8, reset: 0x7FFFFFFF, mask: 0x7FFFFFFF);
            Add("ENABLED0", 0xBC, mask: 0, read: () => Reg(0xAC).Value);
            Add("ENABLED1", 0xC0, mask: 0, read: () => Reg(0xB0).Value);
            Add("INTR", 0xC4, mask: 0, read: () => resussed ? 1u : 0u);
            Add("INTE", 0xC8, mask: 1, write: CfgWriter(0xC8));
            Add("INTF", 0xCC, mask: 1, write: CfgWriter(0xCC));
            Add("INTS", 0xD0, mask: 0, read: ReadInts);
            ResetMuxes();
            this.xosc = xosc;
            this.pllSys = pllSys;
            this.pllUsb = pllUsb;
            foreach(var source in new IRP2350ClockSource[] { xosc, pllSys, pllUsb })
            {
                if(source != null)
                {
                    source.FrequencyChanged += Recompute;
                }
            }
            Recompute();
        }

        public GPIO IRQ { get; private set; }

        /// Run whenever a generated frequency changes.
        public event Action FrequencyChanged;

        /// Frequency of a generated clock ("ref", "sys", "peri", ...; "clk_" prefix optional) or a source.
        public ulong FreqHz(string clock)
        {
            if(clock.StartsWith("clk_", StringComparison.Ordinal))
            {
                clock = clock.Substring(4);
            }
            return freqs[clock];
        }

        public override void Reset()
        {
            if(fc0Event != null)
            {
                fc0Event.Cancel();
                fc0Event = null;
            }
            base.Reset();
            fc0Status = fc0Result = 0;
            resussed = false;
            ResetMuxes();
            UpdateIrq();
            Recompute();
        }

        private Dictionary<string, ulong> SourceHz()
        {
            var f = new Dictionary<string, ulong>(fixedHz);
            var x = xosc != null ? xosc.FreqHz : 0;
            f["rosc_ph"] = fixedHz["rosc"];
            f["xosc"] = x;
            f["pll_usb_ref"] = x;
            f["pll_sys"] = pllSys != null ? pllSys.FreqHz : 0;
            f["pll_usb"] = pllUsb != null ? pllUsb.FreqHz : 0;
            return f;
        }

        private uint Ctrl(string gen) { return Reg(RP2350_ClockTree.Gen[gen].Ctrl).Value; }

        private ulong AuxHz(string gen, Dictionary<string, ulong> f)
        {
            var g = RP2350_ClockTree.Gen[gen];
            var aux = (int)(Ctrl(gen) >> g.AuxShift & ((1u << g.AuxWidth) - 1));
            var names = RP2350_ClockTree.Aux[gen];
            ulong hz;
            return aux < names.Length && f.TryGetValue(names[aux], out hz) ? hz : 0;
        }

        private ulong Divide(string gen, ulong hz)
        {
            var div = Reg(RP2350_ClockTree.Gen[gen].Ctrl + 4).Value;
            var intWidth = RP2350_ClockTree.Gen[gen].DivIntWidth;
            ulong integer = div >> 16 & (uint)((1UL << intWidth) - 1);
            if(integer == 0)
            {
                integer = 1UL << intWidth; // INT 0 means max+1
            }
            ulong frac = intWidth == 16 ? div & 0xFFFF : 0;
            return hz * 65536 / ((integer << 16) | frac);
        }

        private ulong[] GlitchlessInputs(string gen, Dictionary<string, ulong> f)
        {
            var aux = AuxHz(gen, f);
            if(gen == "ref")
            {
                return new[] { f["rosc_ph"], aux, f["xosc"], f["lposc"] };
            }
            return new[] { f["ref"], aux };
        }

        private void Recompute()
        {
            var f = SourceHz();
            foreach(var gen in RP2350_ClockTree.Glitchless)
            {
                var inputs = GlitchlessInputs(gen, f);
                var src = (int)(Ctrl(gen) & (gen == "ref" ? 3u : 1u));
                if(sel[gen] != src && inputs[src] > 0)
                {
                    sel[gen] = src; // the mux completes the switch once the new clock runs
                }
                f[gen] = sel[gen] >= 0 ? Divide(gen, inputs[sel[gen]]) : 0;
            }
            CheckResus(f);
            foreach(var gen in new[] { "peri", "hstx", "usb", "adc", "gpout0", "gpout1", "gpout2", "gpout3" })
            {
                var c = Ctrl(gen);
                var running = (c & CtrlEnable) != 0 && (c & CtrlKill) == 0;
                f[gen] = running ? Divide(gen, AuxHz(gen, f)) : 0;
            }
            if(!SameFreqs(f))
            {
                freqs = f;
                FrequencyChanged?.Invoke();
            }
        }

        private bool SameFreqs(Dictionary<string, ulong> f)
        {
            if(freqs.Count != f.Count)
            {
                return false;
            }
            foreach(var kv in f)
            {
                ulong old;
                if(!freqs.TryGetValue(kv.Key, out old) || old != kv.Value)
                {
                    return false;
                }
            }
            return true;
        }

        private void CheckResus(Dictionary<string, ulong> f)
        {
            var resus = Reg(0x84).Value;
            if(!resussed && ((resus & ResusFrce) != 0 || ((resus & ResusEnable) != 0 && f["sys"] == 0)))
            {
                resussed = true;
                UpdateIrq();
            }
            if(resussed)
            {
                f["sys"] = f["ref"]; // resus forces clk_sys onto clk_ref
            }
        }

        private void ResetMuxes()
        {
            foreach(var gen in RP2350_ClockTree.Glitchless)
            {
                sel[gen] = (int)(Ctrl(gen) & (gen == "ref" ? 3u : 1u));
            }
        }

        private Func<uint> CtrlReader(string gen)
        {
            var off = RP2350_ClockTree.Gen[gen].Ctrl;
            if(Array.IndexOf(RP2350_ClockTree.Glitchless, gen) >= 0)
            {
                return () => Reg(off).Value;
            }
            return () =>
            {
                var v = Reg(off).Value;
                return (v & CtrlEnable) != 0 && (v & CtrlKill) == 0 ? v | CtrlEnabled : v;
            };
        }

        private Func<uint> SelectedReader(string gen)
        {
            if(Array.IndexOf(RP2350_ClockTree.Glitchless, gen) < 0)
            {
                return () => 1;
            }
            return () => sel[gen] < 0 ? 0u : 1u << sel[gen];
        }

        private Action<uint> CfgWriter(long off)
        {
            return value =>
            {
                var reg = Reg(off);
                var old = reg.Value;
                reg.Value = value & reg.Mask;
                foreach(var gen in RP2350_ClockTree.Glitchless)
                {
                    if(RP2350_ClockTree.Gen[gen].Ctrl == off && ((old ^ reg.Value) & (gen == "ref" ? 3u : 1u)) != 0)
                    {
                        sel[gen] = -1; // switching: SELECTED reads 0 until the new source runs
                    }
                }
                if(off == 0xC8 || off == 0xCC)
                {
                    UpdateIrq();
                }
                Recompute();
            };
        }

        private void WriteResus(uint value)
        {
            Reg(0x84).Value = value & 0x000111FF;
            if((value & ResusClear) != 0 && (value & ResusFrce) == 0)
            {
                resussed = false;
                UpdateIrq();
            }
            Recompute();
        }

        private uint ReadInts()
        {
            return ((resussed ? 1u : 0u) & Reg(0xC8).Value) | Reg(0xCC).Value;
        }

        private void UpdateIrq()
        {
            IRQ.Set(ReadInts() != 0);
        }

        private void WriteFc0Src(uint value)
        {
            Reg(0xA0).Value = value & 0xFF;
            if(fc0Event != null)
            {
                fc0Event.Cancel();
                fc0Event = null;
            }
            if((value & 0xFF) == 0)
            {
                fc0Status &= ~Fc0Running;
                return;
            }
            fc0Status = Fc0Running;
            var intervalNs = (1UL << (int)Reg(0x9C).Value) * 1000; // "1us * 2**interval"
            fc0Event = Time.In(intervalNs, Fc0Done, "clocks.fc0");
        }

        private void Fc0Done()
        {
            fc0Event = null;
            var src = Reg(0xA0).Value;
            var name = src < RP2350_ClockTree.Fc0Src.Length ? RP2350_ClockTree.Fc0Src[src] : null;
            ulong srcHz = 0;
            if(name != null)
            {
                freqs.TryGetValue(name, out srcHz);
            }
            var refHz = freqs["ref"];
            if(srcHz == 0 || refHz == 0)
            {
                fc0Status = Fc0Done_ | Fc0Died | Fc0Fail;
                fc0Result = 0;
                return;
            }
            // the counter times its gate with clk_ref and trusts REF_KHZ for its rate
            var result = srcHz * Reg(0x8C).Value * 32 / refHz;
            var khz = result >> 5;
            fc0Result = (uint)Math.Min(result, 0x3FFFFFFFUL);
            var status = Fc0Done_;
            if(khz < Reg(0x90).Value)
            {
                status |= Fc0Fail | Fc0Slow;
            }
            else if(khz > Reg(0x94).Value)
            {
                status |= Fc0Fail | Fc0Fast;
            }
            else
            {
                status |= Fc0Pass;
            }
            fc0Status = status;
        }

        private readonly RP2350_XOSC xosc;
        private readonly RP2350_PLL pllSys;
        private readonly RP2350_PLL pllUsb;
        private readonly Dictionary<string, ulong> fixedHz = new Dictionary<string, ulong>();
        private Dictionary<string, ulong> freqs = new Dictionary<string, ulong>();
        private readonly Dictionary<string, int> sel = new Dictionary<string, int>(); // -1: switching
        private bool resussed;
        private RP2350Event fc0Event;
        private uint fc0Status;
        private uint fc0Result;

        private const uint CtrlEnabled = 1u << 28, CtrlEnable = 1u << 11, CtrlKill = 1u << 10;
        private const uint ClkSysCtrlReset = 0x41;
        private const uint Fc0Pass = 1u << 0, Fc0Done_ = 1u << 4, Fc0Running = 1u << 8;
        private const uint Fc0Fail = 1u << 16, Fc0Slow = 1u << 20, Fc0Fast = 1u << 24, Fc0Died = 1u << 28;
        private const uint ResusClear = 1u << 16, ResusFrce = 1u << 12, ResusEnable = 1u << 8;
    }
}
