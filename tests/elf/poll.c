/* Status polling: a pure wait on XOSC STABLE (skippable) and the same wait
   with an iteration counter (must really run). GPIO25 marks the phases. */
#include "test.h"

#define XOSC_CTRL REG(0x40048000)
#define XOSC_STATUS REG(0x40048004)
#define XOSC_STARTUP REG(0x4004800C)
#define IO_CTRL(n) REG(0x40028004 + 8 * (n))
#define PAD(n) REG(0x40038004 + 4 * (n))
#define SIO_OE_SET REG(0xD0000038)
#define SIO_OUT_XOR REG(0xD0000028)
#define STABLE (1u << 31)

volatile uint32_t counted;

static void start_xosc(void)
{
    XOSC_STARTUP = 47;                 /* 47 x 256 periods of 12 MHz = 1.0027 ms */
    XOSC_CTRL = 0xAA0;                 /* 1-15 MHz */
    XOSC_CTRL = 0xFABAA0;              /* enable */
}

int main(void)
{
    PAD(25) = 0x56;
    IO_CTRL(25) = 5;
    SIO_OE_SET = 1u << 25;

    SIO_OUT_XOR = 1u << 25;            /* rise: phase 1 starts */
    start_xosc();
    while (!(XOSC_STATUS & STABLE)) {}
    SIO_OUT_XOR = 1u << 25;            /* fall: stable seen */

    XOSC_CTRL = 0xD1EAA0;              /* disable, then the counted wait */
    while (XOSC_STATUS & STABLE) {}
    SIO_OUT_XOR = 1u << 25;            /* rise: phase 2 starts */
    start_xosc();
    uint32_t n = 0;
    while (!(XOSC_STATUS & STABLE))
        n++;
    counted = n;
    SIO_OUT_XOR = 1u << 25;            /* fall */
    done = 1;
    return 0;
}
