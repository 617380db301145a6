/* CPU-bound work for `rp2350-emu bench`: CRC-32 over 16 KiB of RAM, again
   and again, one UART line per round (the uart.c set-up, trimmed). */
#include "test.h"

#define RESETS_CLR REG(0x40023000)
#define RESETS_DONE REG(0x40020008)
#define CLK_PERI_CTRL REG(0x40010048)
#define IO_CTRL(n) REG(0x40028004 + 8 * (n))
#define PAD(n) REG(0x40038004 + 4 * (n))
#define UART0_DR REG(0x40070000)
#define UART0_FR REG(0x40070018)

static uint8_t buffer[16384];

static uint32_t crc32(const uint8_t *p, uint32_t n)
{
    uint32_t crc = 0xFFFFFFFF;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320 & -(crc & 1));
    }
    return ~crc;
}

static void put_hex(uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4) {
        while (UART0_FR & (1u << 5)) {}
        UART0_DR = "0123456789abcdef"[(v >> i) & 0xF];
    }
    while (UART0_FR & (1u << 5)) {}
    UART0_DR = '\n';
}

int main(void)
{
    CLK_PERI_CTRL = 1u << 11;
    RESETS_CLR = 1u << 26;
    while (!(RESETS_DONE & (1u << 26))) {}
    PAD(0) = 0x56;
    IO_CTRL(0) = 2;
    REG(0x40070024) = 6; REG(0x40070028) = 33; REG(0x4007002C) = 0x70; REG(0x40070030) = 0x301;
    for (uint32_t i = 0; i < sizeof buffer; i++)
        buffer[i] = (uint8_t)(i * 7);
    for (uint32_t round = 0;; round++) {
        buffer[round % sizeof buffer] ^= 1;
        put_hex(crc32(buffer, sizeof buffer));
    }
}
