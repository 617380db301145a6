/* SysTick in virtual time: a fast periodic tick, COUNTFLAG read-clear, then
   a slow tick with the core asleep in WFI between interrupts. */
#include "test.h"

volatile uint32_t ticks, phase;
volatile uint32_t countflag_first, countflag_second;

void SysTick_Handler(void)
{
    ticks++;
    if (phase == 0 && ticks == 5)
        SYST_CSR = 0;              /* stop after five fast ticks */
}

int main(void)
{
    /* 1: 1500 processor clocks per tick = 10 us at 150 MHz */
    SYST_RVR = 1499;
    SYST_CVR = 0;
    SYST_CSR = 7;                  /* ENABLE | TICKINT | CLKSOURCE = processor */
    while (ticks < 5)
        __asm__ volatile("wfi");
    note(ticks);

    /* 2: COUNTFLAG: set by the wrap, cleared by the first read */
    SYST_RVR = 99;
    SYST_CVR = 0;
    SYST_CSR = 5;                  /* no interrupt */
    while (SYST_CVR == 0) {}
    while (SYST_CVR != 0) {}       /* wrapped once */
    for (volatile int i = 0; i < 50; i++) {}
    countflag_first = SYST_CSR;
    countflag_second = SYST_CSR;
    SYST_CSR = 0;

    /* 3: the longest period (2^24 clocks = ~111.8 ms) slept through */
    phase = 1;
    ticks = 0;
    SYST_RVR = 0xFFFFFF;
    SYST_CVR = 0;
    SYST_CSR = 7;
    done = 1;
    for (;;)
        __asm__ volatile("wfi");
}
