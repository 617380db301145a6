/* UART0 + LED through the RP2350 peripheral models: prints a few lines,
   blinks GPIO25 with busy-wait delays, then echoes what it receives. */
#include "test.h"

#define RESETS_CLR REG(0x40023000)
#define RESETS_DONE REG(0x40020008)
#define CLK_PERI_CTRL REG(0x40010048)
#define IO_CTRL(n) REG(0x40028004 + 8 * (n))
#define PAD(n) REG(0x40038004 + 4 * (n))
#define UART0_DR REG(0x40070000)
#define UART0_FR REG(0x40070018)
#define UART0_IBRD REG(0x40070024)
#define UART0_FBRD REG(0x40070028)
#define UART0_LCR_H REG(0x4007002C)
#define UART0_CR REG(0x40070030)
#define UART0_IMSC REG(0x40070038)
#define SIO_OE_SET REG(0xD0000038)
#define SIO_OUT_XOR REG(0xD0000028)

/* the same two-instruction loop as cortex_m::asm::delay */
static void delay(uint32_t n)
{
    __asm__ volatile("1: subs %0, #1\n bne 1b" : "+l"(n) : : "cc");
}

static void putc_(char c)
{
    while (UART0_FR & (1u << 5)) {}    /* TXFF */
    UART0_DR = (uint8_t)c;
}

static void puts_(const char *s)
{
    while (*s)
        putc_(*s++);
}

int main(void)
{
    CLK_PERI_CTRL = 1u << 11;          /* clk_peri from clk_sys */
    RESETS_CLR = 1u << 26;             /* UART0 out of reset */
    while (!(RESETS_DONE & (1u << 26))) {}
    PAD(0) = 0x56; PAD(1) = 0x56; PAD(25) = 0x56;   /* IE, no ISO */
    IO_CTRL(0) = 2; IO_CTRL(1) = 2;    /* UART0 TX/RX */
    IO_CTRL(25) = 5;                   /* SIO */
    SIO_OE_SET = 1u << 25;
    UART0_IBRD = 6; UART0_FBRD = 33;   /* 115200 baud from 12 MHz */
    UART0_LCR_H = 0x70;                /* 8N1, FIFOs */
    UART0_CR = 0x301;
    for (int i = 0; i < 3; i++) {
        puts_("hello ");
        putc_('0' + i);
        putc_('\n');
        SIO_OUT_XOR = 1u << 25;
        delay(150000);                 /* 2 ms of subs/bne at 150 MHz */
    }
    done = 1;
    /* echo: sleep in WFI until the UART0 interrupt is pending; PRIMASK keeps
       it from being taken, it only wakes the core */
    __asm__ volatile("cpsid i" ::: "memory");
    UART0_IMSC = (1u << 4) | (1u << 6);   /* RX, RX timeout */
    enable_irq(33);
    for (;;) {
        while (UART0_FR & (1u << 4)) {     /* RXFE */
            NVIC_ICPR(1) = 1u << 1;        /* a still-asserted line re-pends */
            if (UART0_FR & (1u << 4))
                __asm__ volatile("wfi");
        }
        putc_((char)UART0_DR);
    }
}
