/* Bench kernel: a bytecode interpreter loop with a jump table, the shape of
   Pulley's dispatch (one indirect branch per operation). Bare Unicorn runs
   such code several times slower than a straight loop, so it is the fair
   yardstick for the engine's speed while the firmware interprets Wasm.
   The bytes in bench.py are this file built by tests/engine/test_bench_kernel.py's
   command; that test fails if they drift apart. */
#include <stdint.h>

static const uint8_t prog[] = {0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 0, 2, 1, 3, 5, 4, 6};

uint32_t run(uint32_t iters)
{
    uint32_t a = 1, b = 2, c = 3;
    static void *const tab[] = {&&op0, &&op1, &&op2, &&op3, &&op4, &&op5, &&op6};
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
