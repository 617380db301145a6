/* Shared helpers for the test images: register access and a result log
   the pytest side reads back through the ELF symbols. */
#include <stdint.h>

#define REG(addr) (*(volatile uint32_t *)(addr))
#define NVIC_ISER(n) REG(0xE000E100 + 4 * (n))
#define NVIC_ISPR(n) REG(0xE000E200 + 4 * (n))
#define NVIC_ICPR(n) REG(0xE000E280 + 4 * (n))
#define NVIC_IPR8(n) (*(volatile uint8_t *)(0xE000E400 + (n)))
#define SCB_ICSR REG(0xE000ED04)
#define SCB_SCR REG(0xE000ED10)
#define SCB_SHPR2 REG(0xE000ED1C)
#define SCB_SHPR3 REG(0xE000ED20)
#define SCB_SHCSR REG(0xE000ED24)
#define SCB_CFSR REG(0xE000ED28)
#define SCB_CPACR REG(0xE000ED88)
#define SYST_CSR REG(0xE000E010)
#define SYST_RVR REG(0xE000E014)
#define SYST_CVR REG(0xE000E018)

volatile uint32_t log_buf[64];
volatile uint32_t log_len;
volatile uint32_t done;

static inline void note(uint32_t v) { if (log_len < 64) log_buf[log_len++] = v; }
static inline void enable_irq(int n) { NVIC_ISER(n / 32) = 1u << (n % 32); }
static inline void pend_irq(int n) { NVIC_ISPR(n / 32) = 1u << (n % 32); }
static inline void enable_fpu(void)
{
    SCB_CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\n isb" ::: "memory");
}
