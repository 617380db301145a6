/* Bench kernels: the same object code runs in the engine, in bare Unicorn and
   in QEMU (bench_kernels.py). They use no .data or .bss: memory comes in as
   pointer arguments (the start-up passes a stack buffer), so one image runs
   on the RP2350 memory map and on QEMU's mps2-an505. Each kernel's
   instruction count is linear in `iters`. */
#include <stdint.h>

/* CRC-32 (bitwise, reflected) over 256 bytes, `iters` times: a tight loop
   of ALU instructions and byte loads. */
uint32_t kernel_crc32(uint32_t iters, uint8_t *buf)
{
    uint32_t seed = 0x12345678, crc = 0xFFFFFFFF;
    for (int i = 0; i < 256; i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = (uint8_t)(seed >> 16);
    }
    while (iters--) {
        for (int i = 0; i < 256; i++) {
            crc ^= buf[i];
            for (int k = 0; k < 8; k++)
                crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
        }
    }
    return ~crc;
}

/* A bytecode interpreter with a jump table (one indirect branch per
   operation), its state in registers: the shape of Pulley's dispatch. */
uint32_t kernel_dispatch(uint32_t iters)
{
    static const uint8_t prog[] = {0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 0, 2, 1, 3, 5, 4, 6};
    static void *const tab[] = {&&op0, &&op1, &&op2, &&op3, &&op4, &&op5, &&op6};
    uint32_t a = 1, b = 2, c = 3;
    const uint8_t *pc;
again:
    if (!iters--)
        return a + b + c;
    pc = prog;
    goto *tab[*pc++];
op0: a += b;                     goto *tab[*pc++];
op1: b ^= a << 3;                goto *tab[*pc++];
op2: c = c * 7 + a;              goto *tab[*pc++];
op3: a = (a >> 1) | (c << 31);   goto *tab[*pc++];
op4: b += c;                     goto *tab[*pc++];
op5: c ^= b;                     goto *tab[*pc++];
op6: goto again;
}

/* Pulley-like: the interpreter's registers live in memory (`x`, 16 words)
   and every operation loads its operands from there and stores its result
   back; two operations load from and store to a linear memory (`mem`, 256
   bytes). Most instructions are loads and stores. */
enum { ADD, XOR, SHL, ADDI, LOAD, STORE, LOOP };
uint32_t kernel_store(uint32_t iters, uint32_t *x, uint8_t *mem)
{
    static const uint8_t prog[] = {
        ADDI, 1, 1, 3,  ADD, 2, 1, 0,  XOR, 3, 2, 1,  STORE, 3, 1,  SHL, 4, 3, 2,
        LOAD, 5, 2,  ADD, 6, 5, 4,  ADDI, 0, 0, 1,  STORE, 6, 0,  XOR, 7, 6, 3,
        ADD, 1, 7, 1,  LOAD, 2, 6,  ADDI, 8, 2, 5,  STORE, 8, 3,  LOOP};
    static void *const tab[] = {&&op_add, &&op_xor, &&op_shl, &&op_addi, &&op_load, &&op_store,
                                &&op_loop};
    const uint8_t *pc;
    for (int i = 0; i < 16; i++)
        x[i] = (uint32_t)i * 0x9E3779B9u;
    for (int i = 0; i < 256; i++)
        mem[i] = (uint8_t)i;
again:
    if (!iters--)
        return x[0] ^ x[1] ^ x[5] ^ x[8];
    pc = prog;
    goto *tab[*pc];
op_add:   x[pc[1]] = x[pc[2]] + x[pc[3]];                       pc += 4; goto *tab[*pc];
op_xor:   x[pc[1]] = x[pc[2]] ^ x[pc[3]];                       pc += 4; goto *tab[*pc];
op_shl:   x[pc[1]] = x[pc[2]] << (x[pc[3]] & 31);               pc += 4; goto *tab[*pc];
op_addi:  x[pc[1]] = x[pc[2]] + pc[3];                          pc += 4; goto *tab[*pc];
op_load:  x[pc[1]] = *(uint32_t *)(mem + (x[pc[2]] & 0xFC));     pc += 3; goto *tab[*pc];
op_store: *(uint32_t *)(mem + (x[pc[2]] & 0xFC)) = x[pc[1]];     pc += 3; goto *tab[*pc];
op_loop:  goto again;
}
