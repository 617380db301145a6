/* Exception entry/return, NVIC priorities, masks, SVC and the FP frame.
   Every step appends to log_buf; test_exceptions.py checks the sequence. */
#include "test.h"

volatile uint32_t svc_lr, pendsv_lr, pendsv_stacked_s0, psp_svc_lr;
volatile float fp_after;

/* SVC: the immediate is in the halfword before the stacked PC; the stacked
   r0 is the return value */
__attribute__((naked)) void SVC_Handler(void)
{
    __asm__ volatile(
        "tst lr, #4\n ite eq\n mrseq r0, msp\n mrsne r0, psp\n"
        "mov r1, lr\n b svc_c\n");
}

void svc_c(uint32_t *frame, uint32_t lr)
{
    uint32_t imm = ((uint8_t *)frame[6])[-2];
    svc_lr = lr;
    note((lr & 0xFF) << 16 | 0x5C00 | imm);
    frame[0] += imm;
}

static uint32_t svc7(uint32_t x)
{
    register uint32_t r0 __asm__("r0") = x;
    __asm__ volatile("svc #7" : "+r"(r0) : : "memory");
    return r0;
}

/* svc #9 with r0 = 1 while thread mode runs on the PSP; the C code around
   it must not see the stack switch, so the whole dance is in assembly */
uint32_t process_stack[128];
__attribute__((naked)) uint32_t svc_on_psp(uint32_t *top)
{
    __asm__ volatile(
        "push {r4, lr}\n mrs r4, control\n msr psp, r0\n"
        "orr r1, r4, #2\n msr control, r1\n isb\n"
        "mov r0, #1\n svc #9\n"
        "msr control, r4\n isb\n pop {r4, pc}\n");
}

void IRQ5_Handler(void)
{
    note(0x105);
    pend_irq(6);   /* higher priority: preempts right here */
    pend_irq(7);   /* lower priority: waits, then tail-chains */
    note(0x1E5);
}
void IRQ6_Handler(void) { note(0x106); }
void IRQ7_Handler(void) { note(0x107); }
void IRQ8_Handler(void) { note(0x108); }
void IRQ9_Handler(void) { note(0x109); }
void IRQ10_Handler(void) { note(0x10A); }
void IRQ11_Handler(void) { note(0x10B); }

/* PendSV with an FP context: capture EXC_RETURN and the stacked s0, then
   clobber s0 (the return must restore it) */
__attribute__((naked)) void PendSV_Handler(void)
{
    __asm__ volatile(
        "ldr r0, =pendsv_lr\n str lr, [r0]\n"
        "mrs r1, msp\n ldr r2, [r1, #0x20]\n ldr r0, =pendsv_stacked_s0\n str r2, [r0]\n"
        "vmov.f32 s0, #2.0\n"
        "bx lr\n .ltorg\n");
}

/* long enough for a masked interrupt to have been taken if the mask leaked */
static void busy(void)
{
    for (volatile int i = 0; i < 1000; i++) {}
}

int main(void)
{
    /* 1: SVC from thread mode on MSP, no FP context yet */
    note(svc7(100));

    /* 2: preemption and tail-chaining by priority */
    NVIC_IPR8(5) = 0x80; NVIC_IPR8(6) = 0x40; NVIC_IPR8(7) = 0xC0;
    enable_irq(5); enable_irq(6); enable_irq(7);
    pend_irq(5);
    note(0xA0);

    /* 3: PRIMASK holds an interrupt back until cpsie */
    NVIC_IPR8(8) = 0x80; enable_irq(8);
    __asm__ volatile("cpsid i" ::: "memory");
    pend_irq(8);
    busy();
    note(0xA1);
    __asm__ volatile("cpsie i" ::: "memory");
    note(0xA2);

    /* 4: BASEPRI masks 0x80 and below but lets 0x20 through */
    NVIC_IPR8(9) = 0x80; NVIC_IPR8(10) = 0x20; enable_irq(9); enable_irq(10);
    __asm__ volatile("msr basepri, %0" : : "r"(0x40) : "memory");
    pend_irq(9);
    pend_irq(10);
    busy();
    note(0xA3);
    __asm__ volatile("msr basepri, %0" : : "r"(0) : "memory");
    note(0xA4);

    /* 5: FAULTMASK masks even priority 0 */
    NVIC_IPR8(11) = 0x00; enable_irq(11);
    __asm__ volatile("cpsid f" ::: "memory");
    pend_irq(11);
    busy();
    note(0xA5);
    __asm__ volatile("cpsie f" ::: "memory");
    note(0xA6);

    /* 6: SVC from thread mode on the process stack */
    note(svc_on_psp(&process_stack[128]));
    psp_svc_lr = svc_lr;

    /* 7: an FP context is stacked and restored around PendSV */
    enable_fpu();
    __asm__ volatile("vmov.f32 s0, #1.5" ::: "s0");
    SCB_SHPR3 = 0xFFu << 16;          /* PendSV lowest priority */
    SCB_ICSR = 1u << 28;              /* PENDSVSET */
    __asm__ volatile("dsb\n isb" ::: "memory");
    float s0;
    __asm__ volatile("vmov.f32 %0, s0" : "=t"(s0));
    fp_after = s0;
    note(0xA7);
    done = 1;
    return 0;
}
