// RP2350 RESETS for Renode: Miscellaneous.RP2350_Resets at 0x40020000.
// Same behaviour as the engine's peripherals/resets.py.

using System;
using System.Collections.Generic;

using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.RP2350;

namespace Antmicro.Renode.Peripherals.Miscellaneous
{
    /// <summary>
    /// RESETS (0x40020000). RESET bit = 1 holds a block in reset, RESET_DONE = 1 once
    /// it is out. `blocks` are the controlled peripherals; their bit comes from their
    /// name on the machine (io_bank0, pll_sys, uart0, ...), as in the engine.
    /// </summary>
    public class RP2350_Resets : RP2350Block
    {
        public RP2350_Resets(IMachine machine, IPeripheral[] blocks = null) : base(machine)
        {
            Add("RESET", 0x0, reset: AllBlocks, write: WriteReset);
            Add("WDSEL", 0x4, mask: AllBlocks);
            Add("RESET_DONE", 0x8, mask: 0, read: () => ~Reg(0x0).Value & AllBlocks);
            pending = new List<IPeripheral>(blocks ?? new IPeripheral[0]);
            foreach(var block in pending)
            {
                var r = block as IRP2350Resettable;
                if(r != null)
                {
                    r.HoldReset(true); // every bit is set at power-on
                }
            }
        }

        /// Put `block` under reset bit `bit` (tests; the platform uses names).
        public void Attach(int bit, IRP2350Resettable block)
        {
            List<IRP2350Resettable> list;
            if(!attached.TryGetValue(bit, out list))
            {
                attached[bit] = list = new List<IRP2350Resettable>();
            }
            list.Add(block);
            block.HoldReset((Reg(0x0).Value >> bit & 1) != 0);
        }

        public override void Reset()
        {
            var old = Reg(0x0).Value;
            base.Reset();
            Apply(old, Reg(0x0).Value);
        }

        /// What the A2 bootrom leaves behind on a flash boot (engine: Resets.bootrom_state).
        public void BootromState()
        {
            WriteReset(BootromResetValue);
        }

        /// A watchdog reset pulses every block selected in WDSEL.
        public void WatchdogReset()
        {
            ResolveNames();
            var wdsel = Reg(0x4).Value;
            foreach(var kv in attached)
            {
                if((wdsel >> kv.Key & 1) != 0)
                {
                    foreach(var block in kv.Value)
                    {
                        block.Reset();
                    }
                }
            }
        }

        public static readonly Dictionary<string, int> Bits = new Dictionary<string, int>
        {
            { "adc", 0 }, { "busctrl", 1 }, { "dma", 2 }, { "hstx", 3 }, { "i2c0", 4 }, { "i2c1", 5 },
            { "io_bank0", 6 }, { "io_qspi", 7 }, { "jtag", 8 }, { "pads_bank0", 9 }, { "pads_qspi", 10 },
            { "pio0", 11 }, { "pio1", 12 }, { "pio2", 13 }, { "pll_sys", 14 }, { "pll_usb", 15 }, { "pwm", 16 },
            { "sha256", 17 }, { "spi0", 18 }, { "spi1", 19 }, { "syscfg", 20 }, { "sysinfo", 21 }, { "tbman", 22 },
            { "timer0", 23 }, { "timer1", 24 }, { "trng", 25 }, { "uart0", 26 }, { "uart1", 27 }, { "usbctrl", 28 },
        };

        public const uint AllBlocks = 0x1FFFFFFF;
        public const uint BootromResetValue = 0x0D7DF93F;

        // Names exist only once the platform has registered every peripheral, after
        // this constructor ran: resolve them on first use.
        private void ResolveNames()
        {
            if(pending.Count == 0)
            {
                return;
            }
            foreach(var block in pending.ToArray())
            {
                string name;
                var r = block as IRP2350Resettable;
                if(r == null || !machine.TryGetAnyName(block, out name))
                {
                    continue;
                }
                var shortName = name.Substring(name.LastIndexOf('.') + 1);
                int bit;
                if(!Bits.TryGetValue(shortName, out bit))
                {
                    throw new ArgumentException("RESETS has no bit for block '" + shortName + "'");
                }
                pending.Remove(block);
                Attach(bit, r);
            }
        }

        private void Apply(uint old, uint now)
        {
            ResolveNames();
            var changed = old ^ now;
            if(changed == 0)
            {
                return;
            }
            foreach(var kv in attached)
            {
                if((changed >> kv.Key & 1) != 0)
                {
                    foreach(var block in kv.Value)
                    {
                        block.HoldReset((now >> kv.Key & 1) != 0);
                    }
                }
            }
        }

        private void WriteReset(uint value)
        {
            var reg = Reg(0x0);
            var old = reg.Value;
            reg.Value = value & AllBlocks;
            Apply(old, reg.Value);
        }

        private readonly List<IPeripheral> pending;
        private readonly Dictionary<int, List<IRP2350Resettable>> attached = new Dictionary<int, List<IRP2350Resettable>>();
    }
}
