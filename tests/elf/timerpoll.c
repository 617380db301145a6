/* Busy-waits on registers whose value moves with time and no scheduled
   event: TIMER0's raw microsecond count and SysTick's current value. The
   engine must run these loops (or skip them exactly), never jump ahead to
   the next event. GPIO25 rises and falls around each wait. */
#include "test.h"

#define TICKS_TIMER0_CTRL REG(0x40108018)
#define TICKS_TIMER0_CYCLES REG(0x4010801C)
#define TIMER0_TIMERAWL REG(0x400B0028)
#define IO_CTRL(n) REG(0x40028004 + 8 * (n))
#define PAD(n) REG(0x40038004 + 4 * (n))
#define SIO_OE_SET REG(0xD0000038)
#define SIO_OUT_XOR REG(0xD0000028)

int main(void)
{
    PAD(25) = 0x56;
    IO_CTRL(25) = 5;
    SIO_OE_SET = 1u << 25;

    TICKS_TIMER0_CYCLES = 12;          /* clk_ref 12 MHz / 12: 1 µs ticks */
    TICKS_TIMER0_CTRL = 1;

    SIO_OUT_XOR = 1u << 25;
    uint32_t t0 = TIMER0_TIMERAWL;
    while (TIMER0_TIMERAWL - t0 < 1000) {}   /* 1 ms */
    SIO_OUT_XOR = 1u << 25;

    SYST_RVR = 0xFFFFFF;
    SYST_CVR = 0;
    SYST_CSR = 5;                      /* processor clock, no interrupt */
    SIO_OUT_XOR = 1u << 25;
    uint32_t s0 = SYST_CVR;
    while (((s0 - SYST_CVR) & 0xFFFFFF) < 150000) {}   /* 1 ms at 150 MHz */
    SIO_OUT_XOR = 1u << 25;
    done = 1;
    return 0;
}
