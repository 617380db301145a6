/* Image for the GDB server tests (tests/gdb): named functions to break in
   and step through (one statement per line, so `next` has lines to go to),
   a static to watch, float registers in use, the LED on GPIO25 toggling
   every millisecond, and a fault on demand (the debugger sets `scenario`). */
#include "test.h"

#define IO_CTRL(n) REG(0x40028004 + 8 * (n))
#define PAD(n) REG(0x40038004 + 4 * (n))
#define RESETS_CLR REG(0x40023000)
#define RESETS_DONE REG(0x40020008)
#define SIO_OE_SET REG(0xD0000038)
#define SIO_OUT_XOR REG(0xD0000028)
#define UNMAPPED REG(0x30000000)

volatile uint32_t ticks;
volatile uint32_t checkpoint;
volatile uint32_t led_toggles;
volatile float gain = 1.5f;
/* 0: run forever; 1: write to an unmapped address (.noinit: the reset
   code leaves what the debugger wrote) */
volatile uint32_t scenario __attribute__((section(".noinit")));

__attribute__((noinline)) uint32_t scale(uint32_t x)
{
    uint32_t y = x * 3u + 1u;
    checkpoint = y;
    return y;
}

__attribute__((noinline)) void tick(void)
{
    ticks = ticks + 1u;
    checkpoint = scale(ticks);
}

__attribute__((noinline)) void led_toggle(void)
{
    SIO_OUT_XOR = 1u << 25;
    led_toggles = led_toggles + 1u;
}

/* the two-instruction loop the engine fast-forwards (as in uart.c) */
static void delay(uint32_t n)
{
    __asm__ volatile("1: subs %0, #1\n bne 1b" : "+l"(n) : : "cc");
}

__attribute__((noinline)) void crash(void)
{
    UNMAPPED = 0xdead;
}

static void led_setup(void)
{
    RESETS_CLR = (1u << 6) | (1u << 9);   /* IO_BANK0, PADS_BANK0 */
    while ((RESETS_DONE & ((1u << 6) | (1u << 9))) != ((1u << 6) | (1u << 9))) {}
    PAD(25) = 0x56;
    IO_CTRL(25) = 5;                      /* SIO */
    SIO_OE_SET = 1u << 25;
}

int main(void)
{
    enable_fpu();
    led_setup();
    for (;;) {
        tick();
        led_toggle();
        gain = gain * 1.25f;
        if (scenario == 1)
            crash();
        delay(75000);                     /* 1 ms at 150 MHz */
    }
}
