/* Loop shapes for the loop skipper (tests/engine/test_loops.py). Each phase
   toggles GPIO25 at its start and end; every phase must end at the same
   virtual time and leave the same memory with skipping on and off.
   Skippable: an unrolled poll, a poll over two registers, a poll with
   interrupts masked, a RAM flag an interrupt handler sets, a countdown.
   Not skippable: a loop that changes memory behind registers it clobbers,
   a poll of a free-running counter. */
#include "test.h"

#define XOSC_CTRL REG(0x40048000)
#define XOSC_STATUS REG(0x40048004)
#define XOSC_STARTUP REG(0x4004800C)
#define IO_CTRL(n) REG(0x40028004 + 8 * (n))
#define PAD(n) REG(0x40038004 + 4 * (n))
#define SIO_OE_SET REG(0xD0000038)
#define SIO_OUT_XOR REG(0xD0000028)
#define STABLE (1u << 31)

volatile uint32_t ram_counter, flag, systicks, countdown_left;

void SysTick_Handler(void)
{
    systicks++;
    flag = 1;
}

static void mark(void) { SIO_OUT_XOR = 1u << 25; }

static void xosc_restart(void)
{
    XOSC_CTRL = 0xD1EAA0;                      /* disable: STABLE drops */
    while (XOSC_STATUS & STABLE) {}
    XOSC_STARTUP = 47;                         /* ~1 ms */
    XOSC_CTRL = 0xAA0;
    XOSC_CTRL = 0xFABAA0;
}

int main(void)
{
    PAD(25) = 0x56;
    IO_CTRL(25) = 5;
    SIO_OE_SET = 1u << 25;

    /* 1: the same register at four PCs, as LLVM unrolls `while !stable {}` */
    xosc_restart();
    mark();
    __asm__ volatile(
        "1: ldr r2, [%0]\n tst r2, %1\n bne 2f\n"
        "   ldr r2, [%0]\n tst r2, %1\n bne 2f\n"
        "   ldr r2, [%0]\n tst r2, %1\n bne 2f\n"
        "   ldr r2, [%0]\n tst r2, %1\n beq 1b\n"
        "2:\n" :: "r"(&XOSC_STATUS), "r"(STABLE) : "r2", "cc", "memory");
    mark();

    /* 2: two registers per pass, as read_raw reads UARTFR then UARTRSR */
    xosc_restart();
    mark();
    __asm__ volatile(
        "1: ldr r2, [%0]\n ldr r3, [%1]\n tst r2, %2\n beq 1b\n"
        :: "r"(&XOSC_STATUS), "r"(&XOSC_CTRL), "r"(STABLE) : "r2", "r3", "cc", "memory");
    mark();

    /* 3: the same poll inside a critical section */
    xosc_restart();
    mark();
    __asm__ volatile("cpsid i" ::: "memory");
    while (!(XOSC_STATUS & STABLE)) {}
    __asm__ volatile("cpsie i" ::: "memory");
    mark();

    /* 4: a flag set by an interrupt handler: no MMIO in the loop at all */
    mark();
    SYST_RVR = 299999;                         /* 2 ms */
    SYST_CVR = 0;
    SYST_CSR = 7;
    while (!flag) {}
    SYST_CSR = 0;
    mark();

    /* 5: a countdown, as cortex_m::asm::delay compiles to */
    mark();
    uint32_t n = 100000;
    __asm__ volatile(".p2align 3\n 1: subs %0, #1\n bne 1b" : "+l"(n) :: "cc");
    countdown_left = n;
    mark();

    /* 6: not idle: each pass increments a RAM counter, then clobbers the register */
    xosc_restart();
    mark();
    __asm__ volatile(
        "1: ldr r3, [%2]\n adds r3, #1\n str r3, [%2]\n movs r3, #0\n"
        "   ldr r2, [%0]\n tst r2, %1\n beq 1b\n"
        :: "r"(&XOSC_STATUS), "r"(STABLE), "r"(&ram_counter) : "r2", "r3", "cc", "memory");
    mark();

    /* 7: not idle: a free-running counter (SysTick CVR) decides when it ends */
    mark();
    SYST_RVR = 0xFFFFFF;
    SYST_CVR = 0;
    SYST_CSR = 5;                              /* processor clock, no interrupt */
    while (SYST_CVR == 0) {}
    while (SYST_CVR > 0xFFFFFF - 30000) {}
    SYST_CSR = 0;
    mark();

    done = 1;
    return 0;
}
