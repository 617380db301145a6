// Runs the shared register tables (tests/conformance/tables/*.txt) against the C#
// models, compiled with the Renode API stubs, under mono. The chip is wired as
// tests/peripherals/periph_helpers.py build_chip wires the engine's models.
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
using Antmicro.Renode.Peripherals.Python;
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

        public IBusController SystemBus { get { return null; } }

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
        private readonly List<Tuple<ulong, long, Action<TimeInterval>>> queue = new List<Tuple<ulong, long, Action<TimeInterval>>>();
        private long seq;
    }

    /// Stand-in for renode/peripherals/pads_bank0.py (IronPython is not here; the
    /// script itself is run under CPython by tests/renode/test_python_peripherals.py).
    public sealed class PadsStandIn : IScriptStandIn
    {
        public void Init(PythonPeripheral p)
        {
            regs[0] = 0;
            for(var n = 0; n < 48; n++)
            {
                regs[4 + 4 * n] = 0x116;
            }
            regs[0xC4] = regs[0xC8] = 0x5A;
        }

        public uint Read(PythonPeripheral p, long offset, int length)
        {
            uint v;
            return regs.TryGetValue(offset & 0xFFC, out v) ? v >> (int)(8 * (offset & 3)) : 0;
        }

        public void Write(PythonPeripheral p, long offset, uint value, int length)
        {
            var word = offset & 0xFFC;
            var alias = offset & 0x3000;
            var cur = regs[word];
            value = alias == 0x1000 ? cur ^ value : alias == 0x2000 ? cur | value : alias == 0x3000 ? cur & ~value : value;
            var mask = word == 0 ? 1u : 0x1FFu;
            regs[word] = (cur & ~mask) | (value & mask);
        }

        private readonly Dictionary<long, uint> regs = new Dictionary<long, uint>();
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
            PythonPeripheral.Script = new PadsStandIn();
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
            var pads = new RP2350_PadsBank0();
            var uart0 = new RP2350_PL011(m, clocks);
            var uart1 = new RP2350_PL011(m, clocks);
            var gpio = new RP2350_GPIO(m, io, pads, uart0, uart1);
            var blocks = new Dictionary<string, IPeripheral>
            {
                { "io_bank0", io }, { "pads_bank0", pads }, { "pll_sys", pllSys }, { "pll_usb", pllUsb },
                { "timer0", timer0 }, { "timer1", timer1 }, { "uart0", uart0 }, { "uart1", uart1 },
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
                { "pads_bank0", pads }, { "sio", gpio }, { "uart0", uart0 }, { "uart1", uart1 }, { "resets", resets },
            };
            var sent = new Dictionary<string, List<byte>> { { "uart0", new List<byte>() }, { "uart1", new List<byte>() } };
            uart0.CharReceived += b => sent["uart0"].Add(b);
            uart1.CharReceived += b => sent["uart1"].Add(b);
            var resetsRequested = new List<string>();
            watchdog.ResetRequested += why => resetsRequested.Add(why);

            var failures = 0;
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
                    case "r":
                    {
                        var mask = f.Length > 4 ? (uint)Num(f[4]) : 0xFFFFFFFFu;
                        var got = bus[f[1]].ReadDoubleWord(Num(f[2])) & mask;
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
                        var level = Irq(f[1], f[2], timer0, timer1, io, gpio, uart0, uart1, clocks, pllSys, pllUsb);
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
                if(error != null)
                {
                    Console.WriteLine("{0}:{1}: {2}", path, i + 1, error);
                    failures++;
                }
            }
            return failures;
        }

        private static bool Irq(string block, string line, RP2350_Timer t0, RP2350_Timer t1, RP2350_IOBank0 io, RP2350_GPIO gpio,
            RP2350_PL011 u0, RP2350_PL011 u1, RP2350_Clocks clocks, RP2350_PLL ps, RP2350_PLL pu)
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
