/* WFE with the event register, and SLEEPONEXIT. */
#include "test.h"

volatile uint32_t ticks, thread_loops, wfe_passes;

void SysTick_Handler(void)
{
    ticks++;
    if (ticks == 3)
        SCB_SCR &= ~2u;            /* SLEEPONEXIT off: the thread runs again */
}

int main(void)
{
    /* 1: SEV sets the event register, so the next WFE falls through at once */
    __asm__ volatile("sev\n wfe" ::: "memory");
    wfe_passes++;
    note(ticks);                   /* 0: nothing had to wake the core */

    /* 2: SLEEPONEXIT: after each SysTick the core sleeps instead of
       returning to this loop, until the handler clears the bit */
    SCB_SCR |= 2u;
    SYST_RVR = 14999;              /* 100 us */
    SYST_CVR = 0;
    SYST_CSR = 7;
    for (;;) {
        thread_loops++;
        note(0x100 | ticks);
        if (ticks >= 3)
            break;
        __asm__ volatile("wfi");
    }
    SYST_CSR = 0;
    done = 1;
    return 0;
}
