/* Start-up of the bench kernel image (bench_kernels.py): vectors, the
   RP2350 IMAGE_DEF, and a parameter block the bench patches in the ELF file
   (which kernel, how many iterations, where the stack goes, how to stop).
   The stack is the only RAM used: 0x20000000 on the RP2350, 0x38000000 on
   mps2-an505 (its Secure SRAM alias). */
#include <stdint.h>

uint32_t kernel_crc32(uint32_t iters, uint8_t *buf);
uint32_t kernel_dispatch(uint32_t iters);
uint32_t kernel_store(uint32_t iters, uint32_t *x, uint8_t *mem);

struct params {
    uint32_t magic[2];  /* "KPARAMS!": where the bench finds the block */
    uint32_t kernel;    /* 0 crc32, 1 dispatch, 2 store */
    uint32_t iters;
    uint32_t stack_top;
    uint32_t semihosting;  /* 1: SYS_EXIT through semihosting (QEMU); 0: stop at `kernel_halt` */
};

__attribute__((section(".params"), used))
const volatile struct params params = {{0x4150524b, 0x21534d41}, 0, 1, 0x20080000, 0};

__attribute__((noinline, used)) void kernel_halt(uint32_t result)
{
    for (;;)
        __asm__ volatile("" : : "r"(result));
}

__attribute__((noinline)) static void semihosting_exit(void)
{
    register uint32_t r0 __asm__("r0") = 0x18;     /* SYS_EXIT */
    register uint32_t r1 __asm__("r1") = 0x20026;  /* ADP_Stopped_ApplicationExit: status 0 */
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}

__attribute__((noinline, used)) void kernel_main(void)
{
    uint32_t space[64 + 16];
    uint32_t result;
    switch (params.kernel) {
    case 0: result = kernel_crc32(params.iters, (uint8_t *)space); break;
    case 1: result = kernel_dispatch(params.iters); break;
    default: result = kernel_store(params.iters, space + 64, (uint8_t *)space); break;
    }
    if (params.semihosting)
        semihosting_exit();
    kernel_halt(result);
}

__attribute__((naked)) void Reset_Handler(void)
{
    __asm__ volatile("ldr r0, =params\n ldr r0, [r0, #16]\n mov sp, r0\n bl kernel_main\n b .\n");
}

__attribute__((section(".vectors"), used))
void (*const vector_table[16])(void) = {(void (*)(void))0x20080000, Reset_Handler};

/* RP2350 picobin block: IMAGE_TYPE = Secure Arm EXE for RP2350, LAST, a self link, end */
__attribute__((section(".image_def"), used))
const uint32_t image_def[5] = {0xffffded3, 0x10210142, 0x000001ff, 0x00000000, 0xab123579};
