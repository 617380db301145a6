// Runs the shared register tables (tests/conformance/tables/*.txt) against the C#
// models, compiled with the Renode API stubs, under mono. The chip is wired as
// tests/peripherals/helpers.py build_chip wires the engine's models.
// Usage: mono driver.exe TABLE... ; prints one line per failing step
// ("file:line: message") and exits 1 if any failed.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Peripherals.CPU;
using Antmicro.Renode.Peripherals.GPIOPort;
using Antmicro.Renode.Peripherals.Miscellaneous;
using Antmicro.Renode.Peripherals.Timers;
using Antmicro.Renode.Peripherals.UART;
using Antmicro.Renode.Time;

namespace RP2350Tests
{
    /// IMachine with a manual clock, as Renode's Machine behaves for the models:
    /// ScheduleAction runs the action when virtual time reaches now + delay.
    public sealed class FakeMachine : IMachine
    {
        public ulong Now;

        public void ScheduleAction(TimeInterval delay, Action<TimeInterval> action, string name = null)
        {
            queue.Add(Tuple.Create(Now + delay.TotalNanoseconds, seq++, action));
        }

        public TimeStamp ElapsedVirtualTime { get { return new TimeStamp(TimeInterval.FromNanoseconds(Now)); } }

        /// Accesses are a CPU's while a table says `cpu on` (models may then skip its time).
        public IBusController SystemBus { get { return Bus; } }

        public IClockSource ClockSource
        {
            get
            {
                // as Renode's: the time to the nearest scheduled entry
                var next = queue.Count > 0 ? queue.Min(e => e.Item1) : ulong.MaxValue;
                clock.NearestLimitIn = TimeInterval.FromNanoseconds(next == ulong.MaxValue ? next : next - Now);
                return clock;
            }
        }

        public readonly FakeBus Bus = new FakeBus();

        public bool TryGetAnyName(IPeripheral peripheral, out string name)
        {
            return Names.TryGetValue(peripheral, out name);
        }

        public void AdvanceTo(ulong t)
        {
            while(true)
            {
                var due = queue.Where(e => e.Item1 <= t).OrderBy(e => e.Item1).ThenBy(e => e.Item2).FirstOrDefault();
                if(due == null)
                {
                    break;
                }
                queue.Remove(due);
                Now = due.Item1;
                due.Item3(TimeInterval.FromNanoseconds(Now));
            }
            Now = Math.Max(Now, t);
        }

        public readonly Dictionary<IPeripheral, string> Names = new Dictionary<IPeripheral, string>();
        private readonly BaseClockSource clock = new BaseClockSource();
        private readonly List<Tuple<ulong, long, Action<TimeInterval>>> queue = new List<Tuple<ulong, long, Action<TimeInterval>>>();
        private long seq;
    }

    /// The system bus as the models see it: which CPU (if any) is accessing now.
    public sealed class FakeBus : IBusController
    {
        public BaseCPU Cpu;

        public bool TryGetCurrentCPU(out ICPU cpu)
        {
            cpu = Cpu;
            return cpu != null;
        }
    }

    public static class Driver
    {
        public static int Main(string[] args)
        {
            var failures = 0;
            foreach(var path in args)
            {
                failures += RunTable(path);
            }
            Console.WriteLine(failures == 0 ? "all tables passed" : failures + " step(s) failed");
            return failures == 0 ? 0 : 1;
        }

        private static int RunTable(string path)
        {
            var lines = File.ReadAllLines(path);
            if(lines.Any(l => l.StartsWith("# impls:", StringComparison.Ordinal) && !l.Contains("csharp")))
            {
                return 0; // a table for other implementations only
            }
            var m = new FakeMachine();
            var xosc = new RP2350_XOSC(m);
            var pllSys = new RP2350_PLL(m, xosc);
            var pllUsb = new RP2350_PLL(m, xosc);
            var clocks = new RP2350_Clocks(m, xosc, pllSys, pllUsb);
            var ticks = new RP2350_Ticks(m, clocks);
            var timer0 = new RP2350_Timer(m, 0, ticks, clocks);
            var timer1 = new RP2350_Timer(m, 1, ticks, clocks);
            var watchdog = new RP2350_Watchdog(m, ticks);
            var io = new RP2350_IOBank0(m);
            var pads = new RP2350_PadsBank0(m);
            var eppb = new RP2350_EPPB(m);
            var uart0 = new RP2350_PL011(m, clocks);
            var uart1 = new RP2350_PL011(m, clocks);
            var pwm = new RP2350_PWM(m, clocks);
            var gpio = new RP2350_GPIO(m, io, pads, uart0, uart1, pwm);
            var blocks = new Dictionary<string, IPeripheral>
            {
                { "io_bank0", io }, { "pads_bank0", pads }, { "pll_sys", pllSys }, { "pll_usb", pllUsb },
                { "timer0", timer0 }, { "timer1", timer1 }, { "uart0", uart0 }, { "uart1", uart1 }, { "pwm", pwm },
            };
            foreach(var kv in blocks)
            {
                m.Names[kv.Value] = "sysbus." + kv.Key;
            }
            var resets = new RP2350_Resets(m, blocks.Values.ToArray());
            var bus = new Dictionary<string, IDoubleWordPeripheral>
            {
                { "xosc", xosc }, { "pll_sys", pllSys }, { "pll_usb", pllUsb }, { "clocks", clocks }, { "ticks", ticks },
                { "timer0", timer0 }, { "timer1", timer1 }, { "watchdog", watchdog }, { "io_bank0", io },
                { "pads_bank0", pads }, { "eppb", eppb }, { "sio", gpio }, { "uart0", uart0 }, { "uart1", uart1 }, { "resets", resets },
                { "pwm", pwm },
            };
            var sent = new Dictionary<string, List<byte>> { { "uart0", new List<byte>() }, { "uart1", new List<byte>() } };
            uart0.CharReceived += b => sent["uart0"].Add(b);
            uart1.CharReceived += b => sent["uart1"].Add(b);
            var resetsRequested = new List<string>();
            watchdog.ResetRequested += why => resetsRequested.Add(why);

            var failures = 0;
            ulong skipped = 0;
            for(var i = 0; i < lines.Length; i++)
            {
                var text = lines[i].Split('#')[0].Trim();
                if(text.Length == 0)
                {
                    continue;
                }
                var f = text.Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
                string error = null;
                try
                {
                    switch(f[0])
                    {
                    case "w":
                        bus[f[1]].WriteDoubleWord(Num(f[2]), (uint)Num(f[3]));
                        break;
                    case "w16":
                        ((IWordPeripheral)bus[f[1]]).WriteWord(Num(f[2]), (ushort)Num(f[3]));
                        break;
                    case "w8":
                        ((IBytePeripheral)bus[f[1]]).WriteByte(Num(f[2]), (byte)Num(f[3]));
                        break;
                    case "r":
                    case "r16":
                    case "r8":
                    {
                        var mask = f.Length > 4 ? (uint)Num(f[4]) : 0xFFFFFFFFu;
                        var offset = Num(f[2]);
                        var got = (f[0] == "r" ? bus[f[1]].ReadDoubleWord(offset)
                            : f[0] == "r16" ? ((IWordPeripheral)bus[f[1]]).ReadWord(offset)
                            : ((IBytePeripheral)bus[f[1]]).ReadByte(offset)) & mask;
                        if(got != (uint)Num(f[3]))
                        {
                            error = string.Format("read {0}+{1}: got 0x{2:X}, expected {3}", f[1], f[2], got, f[3]);
                        }
                        break;
                    }
                    case "t":
                        m.AdvanceTo(m.Now + (ulong)Num(f[1]));
                        break;
                    case "irq":
                    {
                        var level = Irq(f[1], f[2], timer0, timer1, io, gpio, uart0, uart1, clocks, pllSys, pllUsb, pwm);
                        if(level != (f[3] == "1"))
                        {
                            error = string.Format("irq {0} {1}: got {2}", f[1], f[2], level ? 1 : 0);
                        }
                        break;
                    }
                    case "pin":
                        if(gpio.PinLevel((int)Num(f[1])) != (f[2] == "1"))
                        {
                            error = "pin " + f[1] + " level is not " + f[2];
                        }
                        break;
                    case "drive":
                        if(f[2] == "-")
                        {
                            gpio.ReleasePin((int)Num(f[1]));
                        }
                        else
                        {
                            gpio.OnGPIO((int)Num(f[1]), f[2] == "1");
                        }
                        break;
                    case "rx":
                        foreach(var b in Hex(f[2]))
                        {
                            ((IUART)bus[f[1]]).WriteChar(b);
                        }
                        break;
                    case "tx":
                    {
                        var got = BitConverter.ToString(sent[f[1]].ToArray()).Replace("-", "").ToLowerInvariant();
                        var want = f[2] == "-" ? "" : f[2].ToLowerInvariant();
                        sent[f[1]].Clear();
                        if(got != want)
                        {
                            error = string.Format("tx {0}: sent '{1}', expected '{2}'", f[1], got, want);
                        }
                        break;
                    }
                    case "cpu":
                        m.Bus.Cpu = f[1] == "on" ? new BaseCPU() : null;
                        break;
                    case "skipped":
                        if(skipped != (ulong)Num(f[1]))
                        {
                            error = string.Format("CPU time skipped: {0} ns, expected {1}", skipped, f[1]);
                        }
                        skipped = 0;
                        break;
                    case "bootrom":
                        resets.BootromState();
                        break;
                    case "wdreset":
                    {
                        var got = string.Join(",", resetsRequested);
                        resetsRequested.Clear();
                        if(got != (f[1] == "-" ? "" : f[1]))
                        {
                            error = "watchdog resets requested: '" + got + "', expected " + f[1];
                        }
                        break;
                    }
                    default:
                        error = "unknown step '" + f[0] + "'";
                        break;
                    }
                }
                catch(Exception e)
                {
                    error = e.GetType().Name + ": " + e.Message;
                }
                if(m.Bus.Cpu != null && m.Bus.Cpu.Skipped > 0)
                {
                    // Renode's CPU lets the skipped time pass before its next instruction
                    var skip = m.Bus.Cpu.Skipped;
                    m.Bus.Cpu.Skipped = 0;
                    skipped += skip;
                    m.AdvanceTo(m.Now + skip);
                }
                if(error != null)
                {
                    Console.WriteLine("{0}:{1}: {2}", path, i + 1, error);
                    failures++;
                }
            }
            return failures;
        }

        private static bool Irq(string block, string line, RP2350_Timer t0, RP2350_Timer t1, RP2350_IOBank0 io, RP2350_GPIO gpio,
            RP2350_PL011 u0, RP2350_PL011 u1, RP2350_Clocks clocks, RP2350_PLL ps, RP2350_PLL pu, RP2350_PWM pwm)
        {
            switch(block)
            {
            case "timer0": return t0.Connections[(int)Num(line)].IsSet;
            case "timer1": return t1.Connections[(int)Num(line)].IsSet;
            case "io_bank0": return new[] { io.IrqProc0, io.IrqProc1, io.IrqDormantWake }[(int)Num(line)].IsSet;
            case "sio": return gpio.FifoIrq.IsSet;
            case "uart0": return u0.IRQ.IsSet;
            case "uart1": return u1.IRQ.IsSet;
            case "clocks": return clocks.IRQ.IsSet;
            case "pll_sys": return ps.IRQ.IsSet;
            case "pll_usb": return pu.IRQ.IsSet;
            case "pwm": return pwm.Connections[(int)Num(line)].IsSet;
            }
            throw new ArgumentException("no IRQ for " + block);
        }

        private static long Num(string s)
        {
            s = s.Replace("_", "");
            return s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Convert.ToInt64(s.Substring(2), 16) : long.Parse(s);
        }

        private static IEnumerable<byte> Hex(string s)
        {
            for(var i = 0; i + 1 < s.Length; i += 2)
            {
                yield return Convert.ToByte(s.Substring(i, 2), 16);
            }
        }
    }
}
