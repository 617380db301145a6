/* Faults and bad accesses, one per run: the test writes `scenario` (in
   .noinit, untouched by the reset code) before it starts the core; left
   at 0 the image crashes on an undefined instruction. */
#include "test.h"

__attribute__((section(".noinit"))) volatile uint32_t scenario;
volatile uint32_t usage_cfsr, usage_count;

__attribute__((noinline)) void do_udf(void) { __asm__ volatile("udf #42"); }
__attribute__((noinline)) void do_fpu_without_cpacr(void)
{
    __asm__ volatile("vmov.f32 s0, #1.0\n vadd.f32 s1, s0, s0" ::: "s0", "s1");
}
__attribute__((noinline)) uint32_t bad_read(void) { return REG(0x400F0000); }  /* TRNG: not mapped */
__attribute__((noinline)) void bad_register(void) { REG(0xE000ED40) = 1; }       /* ID_PFR0: not modelled */
__attribute__((noinline)) void do_bkpt(void) { __asm__ volatile("bkpt #3"); }
__attribute__((noinline)) void svc_masked(void)
{
    __asm__ volatile("cpsid i\n svc #1" ::: "memory");
}
__attribute__((noinline)) void jump_nowhere(void) { ((void (*)(void))0x30000001)(); }
__attribute__((noinline)) void write_flash(void) { REG(0x10001000) = 0; }

/* 6: with USGFAULTENA the UsageFault handler runs and skips the udf */
__attribute__((naked)) void UsageFault_Handler(void)
{
    __asm__ volatile(
        "mrs r0, msp\n ldr r1, [r0, #24]\n adds r1, #2\n str r1, [r0, #24]\n"
        "b usage_c\n");
}
void usage_c(void)
{
    usage_cfsr = SCB_CFSR;
    SCB_CFSR = usage_cfsr;         /* write 1 to clear */
    usage_count++;
}

int main(void)
{
    switch (scenario) {
    case 0:                        /* the default: what the CLI tests run */
    case 1: do_udf(); break;
    case 2: do_fpu_without_cpacr(); break;
    case 3: note(bad_read()); break;
    case 4: bad_register(); break;
    case 5: do_bkpt(); break;
    case 6:
        SCB_SHCSR |= 1u << 18;     /* USGFAULTENA */
        do_udf();
        do_udf();
        break;
    case 7: svc_masked(); break;
    case 8: jump_nowhere(); break;
    case 9: write_flash(); break;
    case 10: enable_fpu(); do_fpu_without_cpacr(); break;
    }
    done = 1;
    return 0;
}
