// The clock tree of the RP2350 CLOCKS block for Renode (used by RP2350_Clocks.cs,
// compiled before it): each generator's registers and its aux mux inputs, in the
// datasheet's order (engine: peripherals/clocks.py has the same tables).

using System.Collections.Generic;

namespace Antmicro.Renode.Peripherals.Miscellaneous
{
    /// One generator: its CTRL offset, writable CTRL bits, AUXSRC field, DIV layout.
    public struct RP2350_ClockGen
    {
        public long Ctrl;
        public uint WMask;
        public int AuxShift;
        public int AuxWidth;
        public uint DivMask;
        public int DivIntWidth;

        public RP2350_ClockGen(long ctrl, uint wmask, int auxShift, int auxWidth, uint divMask, int divIntWidth)
        {
            Ctrl = ctrl;
            WMask = wmask;
            AuxShift = auxShift;
            AuxWidth = auxWidth;
            DivMask = divMask;
            DivIntWidth = divIntWidth;
        }
    }

    public static class RP2350_ClockTree
    {
        public static readonly string[] Glitchless = { "ref", "sys" };
        public static readonly string[] GenOrder = { "gpout0", "gpout1", "gpout2", "gpout3", "ref", "sys", "peri", "hstx", "usb", "adc" };
        public static readonly string[] GpoutAux =
            { "pll_sys", "gpin0", "gpin1", "pll_usb", "pll_usb_ref", "rosc", "xosc", "lposc", "sys", "usb", "adc", "ref", "peri", "hstx", "otp" };
        public static readonly Dictionary<string, string[]> Aux = new Dictionary<string, string[]>
        {
            { "gpout0", GpoutAux }, { "gpout1", GpoutAux }, { "gpout2", GpoutAux }, { "gpout3", GpoutAux },
            { "ref", new[] { "pll_usb", "gpin0", "gpin1", "pll_usb_ref" } },
            { "sys", new[] { "pll_sys", "pll_usb", "rosc", "xosc", "gpin0", "gpin1" } },
            { "peri", new[] { "sys", "pll_sys", "pll_usb", "rosc_ph", "xosc", "gpin0", "gpin1" } },
            { "hstx", new[] { "sys", "pll_sys", "pll_usb", "gpin0", "gpin1" } },
            { "usb", new[] { "pll_usb", "pll_sys", "rosc_ph", "xosc", "gpin0", "gpin1" } },
            { "adc", new[] { "pll_usb", "pll_sys", "rosc_ph", "xosc", "gpin0", "gpin1" } },
        };
        public static readonly Dictionary<string, RP2350_ClockGen> Gen = new Dictionary<string, RP2350_ClockGen>
        {
            { "gpout0", new RP2350_ClockGen(0x00, 0x00131DE0, 5, 4, 0xFFFFFFFF, 16) },
            { "gpout1", new RP2350_ClockGen(0x0C, 0x00131DE0, 5, 4, 0xFFFFFFFF, 16) },
            { "gpout2", new RP2350_ClockGen(0x18, 0x00131DE0, 5, 4, 0xFFFFFFFF, 16) },
            { "gpout3", new RP2350_ClockGen(0x24, 0x00131DE0, 5, 4, 0xFFFFFFFF, 16) },
            { "ref", new RP2350_ClockGen(0x30, 0x00000063, 5, 2, 0x00FF0000, 8) },
            { "sys", new RP2350_ClockGen(0x3C, 0x000000E1, 5, 3, 0xFFFFFFFF, 16) },
            { "peri", new RP2350_ClockGen(0x48, 0x00000CE0, 5, 3, 0x00030000, 2) },
            { "hstx", new RP2350_ClockGen(0x54, 0x00130CE0, 5, 3, 0x00030000, 2) },
            { "usb", new RP2350_ClockGen(0x60, 0x00130CE0, 5, 3, 0x000F0000, 4) },
            { "adc", new RP2350_ClockGen(0x6C, 0x00130CE0, 5, 3, 0x000F0000, 4) },
        };
        public static readonly string[] Fc0Src =
            { null, "pll_sys", "pll_usb", "rosc", "rosc_ph", "xosc", "gpin0", "gpin1", "ref", "sys", "peri", "usb", "adc", "hstx", "lposc", "otp", "pll_usb" };
    }
}
