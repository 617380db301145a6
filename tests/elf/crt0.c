/* Minimal start-up for the test images: vector table, IMAGE_DEF, reset.
   Built with -mgeneral-regs-only so nothing here touches the FPU before a
   test decides to enable it. */
#include <stdint.h>

extern uint32_t __data_lma[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[];
int main(void);

/* an unexpected exception stops the emulator with "bkpt #238" */
void Default_Handler(void) { for (;;) __asm__ volatile("bkpt #0xee"); }

void Reset_Handler(void)
{
    for (uint32_t *src = __data_lma, *dst = __data_start; dst < __data_end;)
        *dst++ = *src++;
    for (uint32_t *dst = __bss_start; dst < __bss_end;)
        *dst++ = 0;
    main();
    for (;;) __asm__ volatile("wfi");
}

#define HANDLER(name) void name(void) __attribute__((weak, alias("Default_Handler")));
HANDLER(NMI_Handler) HANDLER(HardFault_Handler) HANDLER(MemManage_Handler)
HANDLER(BusFault_Handler) HANDLER(UsageFault_Handler) HANDLER(SecureFault_Handler)
HANDLER(SVC_Handler) HANDLER(DebugMon_Handler) HANDLER(PendSV_Handler) HANDLER(SysTick_Handler)
#define IRQ(n) HANDLER(IRQ##n##_Handler)
IRQ(0) IRQ(1) IRQ(2) IRQ(3) IRQ(4) IRQ(5) IRQ(6) IRQ(7) IRQ(8) IRQ(9) IRQ(10) IRQ(11) IRQ(12)
IRQ(13) IRQ(14) IRQ(15) IRQ(16) IRQ(17) IRQ(18) IRQ(19) IRQ(20) IRQ(21) IRQ(22) IRQ(23) IRQ(24)
IRQ(25) IRQ(26) IRQ(27) IRQ(28) IRQ(29) IRQ(30) IRQ(31) IRQ(32) IRQ(33) IRQ(34) IRQ(35) IRQ(36)
IRQ(37) IRQ(38) IRQ(39) IRQ(40) IRQ(41) IRQ(42) IRQ(43) IRQ(44) IRQ(45) IRQ(46) IRQ(47) IRQ(48)
IRQ(49) IRQ(50) IRQ(51)

#define V(n) IRQ##n##_Handler
__attribute__((section(".vectors"), used))
void (*const vector_table[16 + 52])(void) = {
    (void (*)(void))__stack_top, Reset_Handler, NMI_Handler, HardFault_Handler,
    MemManage_Handler, BusFault_Handler, UsageFault_Handler, SecureFault_Handler,
    0, 0, 0, SVC_Handler, DebugMon_Handler, 0, PendSV_Handler, SysTick_Handler,
    V(0), V(1), V(2), V(3), V(4), V(5), V(6), V(7), V(8), V(9), V(10), V(11), V(12), V(13),
    V(14), V(15), V(16), V(17), V(18), V(19), V(20), V(21), V(22), V(23), V(24), V(25), V(26),
    V(27), V(28), V(29), V(30), V(31), V(32), V(33), V(34), V(35), V(36), V(37), V(38), V(39),
    V(40), V(41), V(42), V(43), V(44), V(45), V(46), V(47), V(48), V(49), V(50), V(51),
};

#ifndef NO_IMAGE_DEF
/* RP2350 picobin block: IMAGE_TYPE = Secure Arm EXE for RP2350, then LAST,
   a self link and the end marker (datasheet 5.9.5) */
__attribute__((section(".image_def"), used))
const uint32_t image_def[5] = {0xffffded3, 0x10210142, 0x000001ff, 0x00000000, 0xab123579};
#endif
