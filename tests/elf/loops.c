/* Loop shapes for the loop skipper (tests/engine/test_loops.py). Each phase
   toggles GPIO25 at its start and end; every phase must end at the same
   virtual time and leave the same memory with skipping on and off.
   Skippable: an unrolled poll, a poll over two registers, a poll with
   interrupts masked, a RAM flag an interrupt handler sets, a countdown.
   Not skippable: a loop that changes memory behind registers it clobbers,
   a poll of a free-running counter.
   Then polls with a timeout on TIMER0 (core/clockpoll.py): a plain one and
   one in an rp-hal style critical section (spinlock claim, owner byte,
   release), a signed deadline compare and a timeout across the 32-bit wrap
   of the count are skippable; one that stores the time and one that tests a
   bit of it are not. */
#include "test.h"

#define XOSC_CTRL REG(0x40048000)
#define XOSC_STATUS REG(0x40048004)
#define XOSC_STARTUP REG(0x4004800C)
#define IO_CTRL(n) REG(0x40028004 + 8 * (n))
#define PAD(n) REG(0x40038004 + 4 * (n))
#define SIO_OE_SET REG(0xD0000038)
#define SIO_OUT_XOR REG(0xD0000028)
#define STABLE (1u << 31)
#define TICKS_TIMER0_CTRL REG(0x40108018)
#define TICKS_TIMER0_CYCLES REG(0x4010801C)
#define TIMER0_TIMEHW REG(0x400B0000)
#define TIMER0_TIMELW REG(0x400B0004)
#define TIMER0_TIMERAWL REG(0x400B0028)
#define SPINLOCK31 REG(0xD000017C)
#define TIMEOUT_US 3000

volatile uint32_t ram_counter, flag, systicks, countdown_left, last_seen, timeouts;
volatile uint8_t lock_owner;
/* phase 14: r0-r3 as each SysTick interrupt found them (its stacked frame) */
#define FRAMES 40
volatile uint32_t recording, frames_seen, frames[4 * FRAMES];

void systick_body(const uint32_t *frame)
{
    systicks++;
    flag = 1;
    if (recording && frames_seen < FRAMES) {
        for (int i = 0; i < 4; i++)
            frames[4 * frames_seen + i] = frame[i];
        frames_seen++;
    }
}

/* the frame is at MSP on entry: hand it to the body, which returns from the exception */
__attribute__((naked)) void SysTick_Handler(void)
{
    __asm__ volatile("mrs r0, msp\n b systick_body");
}

static void mark(void) { SIO_OUT_XOR = 1u << 25; }

static int timed_out(uint32_t t0)
{
    if (TIMER0_TIMERAWL - t0 < TIMEOUT_US)
        return 0;
    timeouts++;
    return 1;
}

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

    /* 8-11: XOSC off, so STABLE never comes: the timeout ends each poll */
    TICKS_TIMER0_CYCLES = 12;                  /* clk_ref 12 MHz / 12: 1 us ticks */
    TICKS_TIMER0_CTRL = 1;
    XOSC_CTRL = 0xD1EAA0;
    while (XOSC_STATUS & STABLE) {}

    /* 8: a status poll with a timeout */
    mark();
    uint32_t t0 = TIMER0_TIMERAWL;
    while (!(XOSC_STATUS & STABLE) && !timed_out(t0)) {}
    mark();

    /* 9: the same, each pass in a spinlock critical section */
    mark();
    t0 = TIMER0_TIMERAWL;
    for (;;) {
        while (!SPINLOCK31) {}
        lock_owner = 1;
        uint32_t status = XOSC_STATUS;
        lock_owner = 0;
        SPINLOCK31 = 1;
        if ((status & STABLE) || timed_out(t0))
            break;
    }
    mark();

    /* 10: not idle: every pass stores the time it read */
    mark();
    t0 = TIMER0_TIMERAWL;
    do {
        last_seen = TIMER0_TIMERAWL;
    } while (last_seen - t0 < TIMEOUT_US && !(XOSC_STATUS & STABLE));
    mark();

    /* 11: not skipped: the loop tests a bit of the time, not a difference */
    mark();
    while (!(XOSC_STATUS & STABLE) && !(TIMER0_TIMERAWL & (1u << 12))) {}
    mark();

    /* 12: a deadline compared signed, as embedded timer crates write it */
    mark();
    uint32_t deadline = TIMER0_TIMERAWL + TIMEOUT_US;
    while ((int32_t)(deadline - TIMER0_TIMERAWL) > 0 && !(XOSC_STATUS & STABLE)) {}
    mark();

    /* 13: a timeout that spans the wrap of TIMERAWL (the count set to 2^32 - 1 ms) */
    TIMER0_TIMELW = 0xFFFFFC18;
    TIMER0_TIMEHW = 0;
    mark();
    t0 = TIMER0_TIMERAWL;
    while (!(XOSC_STATUS & STABLE) && !timed_out(t0)) {}
    mark();

    /* 14: the difference of the previous pass's read is computed before the next read
       (a value carried over two pass boundaries), with SysTick interrupts every 100 us:
       the registers each interrupt sees must be the ones running every pass gives */
    mark();
    recording = 1;
    SYST_RVR = 14999;
    SYST_CVR = 0;
    SYST_CSR = 7;
    t0 = TIMER0_TIMERAWL;
    /* in r1 and r2: registers the exception frame holds, so the handler sees them */
    register uint32_t seen __asm__("r1") = t0;
    register uint32_t waited __asm__("r2");
    __asm__ volatile("" : "+l"(t0));           /* t0 and seen in two registers */
    __asm__ volatile(
        "1: subs %1, %0, %3\n cmp %1, %4\n bhs 2f\n ldr %0, [%2]\n b 1b\n 2:"
        : "+l"(seen), "=&l"(waited) : "l"(&TIMER0_TIMERAWL), "l"(t0), "l"(TIMEOUT_US) : "cc", "memory");
    SYST_CSR = 0;
    recording = 0;
    mark();

    done = 1;
    return 0;
}
