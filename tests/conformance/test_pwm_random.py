"""PWM, engine against C#: random register/pin/time sequences recorded on the engine, replayed on C#.

The hand-written table (tables/pwm.txt) says what the datasheet wants; this says the two models
agree everywhere else too (CC/TOP/DIV/CSR/CTR writes at any moment, aliases, B edges on either B
pin, FUNCSEL moves, resets), reading every register, both IRQs and the pins after each step.
"""

from __future__ import annotations

import random
from pathlib import Path

from tests.conformance.tables import _engine_chip, _engine_step
from tests.renode.helpers import run_driver

SEEDS = range(40)
BASE = 0x14 * 3  # slice 3: GPIO6/22 (A), GPIO7/23 (B)
OBSERVED = (BASE, BASE + 4, BASE + 8, BASE + 12, BASE + 16, 0xF0, 0xF4, 0x100, 0x10C)
CSRS = (1, 3, 5, 0xB, 0, 0x81, 0x41, 0x83, 0x43, 0x11, 0x21, 0x31, 0x13, 0x23, 0x80, 0x40, 0x33)


#: (share of the steps, what they write): register writes at any moment, the aliases, resets
WRITES = (
    (14, lambda r: f"w pwm {BASE} {r.choice(CSRS)}"),
    (6, lambda r: f"w pwm {BASE + 4} {r.choice([0x10, 0x18, 0x28, 0x40, 0, 0x1F, 0x35, 0xFF0, 0x11])}"),
    (8, lambda r: f"w pwm {BASE + 16} {r.choice([0, 1, 2, 5, 9, 11, 99, 200, 0xFFFF, r.randint(0, 300)])}"),
    (8, lambda r: f"w pwm {BASE + 12} {r.randint(0, 120) << 16 | r.randint(0, 120)}"),
    (4, lambda r: f"w pwm {BASE + 8} {r.choice([0, 1, 50, 98, 150, 250, 0xFFF0, r.randint(0, 400)])}"),
    (5, lambda r: f"w pwm {r.choice([0xF4, 0x20F4, 0x10F4, 0x30F4])} {r.choice([0x8, 0xFFF, 0])}"),
    (3, lambda r: f"w pwm {r.choice([0xF8, 0x104, 0x20F8, 0x30F8])} {r.choice([0x8, 0, 0xFFF])}"),
    (2, lambda r: f"w pwm {r.choice([0xF0, 0x20F0, 0x30F0, 0x10F0])} {r.choice([0x8, 0, 0x9])}"),
    (2, lambda r: f"w resets {r.choice([0x2000, 0x3000])} 0x10000"),
    (10, lambda r: f"drive {r.choice([7, 23])} {r.choice(['0', '1', '-'])}"),
    (34, lambda r: f"t {r.choice([1, 7, 83, 84, 100, 250, 999, 1000, 5000, r.randint(1, 20000)])}"),
)


def _random_step(rnd: random.Random, pins: list[int]) -> str:
    if pins and rnd.random() < 0.04:  # a FUNCSEL move to or from the slice
        return f"w io_bank0 {0x04 + 8 * rnd.choice(pins)} {rnd.choice([4, 5, 0x1F])}"
    write = rnd.choices([w for _, w in WRITES], weights=[n for n, _ in WRITES])[0]
    return write(rnd)


def record(seed: int) -> str:
    """One random table, its expectations read from the engine's models."""
    rnd = random.Random(seed)
    chip = _engine_chip()
    blocks = {"io_bank0": chip.io, "pads_bank0": chip.pads, "resets": chip.resets, "pwm": chip.pwm}
    lines = ["# impls: csharp", f"# recorded on the engine, seed {seed}"]

    def do(line: str) -> None:
        op, *args = line.split()
        error = _engine_step(chip, blocks, {}, [], lambda _b, n: chip.pwm.irqs[int(n)].level, op, args)
        assert error is None, (seed, line, error)
        lines.append(line)

    do("w resets 0x3000 0x10240")  # PWM, IO_BANK0, PADS_BANK0 out of reset
    pins = rnd.sample([6, 7, 22, 23], rnd.randint(0, 4))
    for n in pins:
        do(f"w io_bank0 {0x04 + 8 * n} 4")
        do(f"w pads_bank0 {0x04 + 4 * n} 0x56")
    for _ in range(rnd.randint(40, 200)):
        do(_random_step(rnd, pins))
        for off in OBSERVED:
            do(f"r pwm {off} {chip.pwm.read(off)}")
        for k in (0, 1):
            do(f"irq pwm {k} {int(chip.pwm.irqs[k].level)}")
        for n in (6, 7, 22, 23):
            do(f"pin {n} {int(chip.gpio.pin(n).level)}")
    return "\n".join(lines) + "\n"


def test_csharp_pwm_follows_the_engine_on_random_sequences(tmp_path: Path, driver_exe: Path) -> None:
    tables = []
    for seed in SEEDS:
        table = tmp_path / f"pwm_random_{seed}.txt"
        table.write_text(record(seed))
        tables.append(table)
    proc = run_driver(driver_exe, tables)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_a_disagreement_is_reported(tmp_path: Path, driver_exe: Path) -> None:
    text = record(0).splitlines()
    reads = [i for i, line in enumerate(text) if line.startswith(f"r pwm {BASE + 8} ")]
    line = text[reads[-1]].split()
    text[reads[-1]] = " ".join(line[:3] + [str(int(line[3]) ^ 1)])  # one CTR read made wrong
    table = tmp_path / "pwm_wrong.txt"
    table.write_text("\n".join(text) + "\n")
    proc = run_driver(driver_exe, [table])
    assert proc.returncode == 1 and f"pwm_wrong.txt:{reads[-1] + 1}: read pwm+{BASE + 8}" in proc.stdout
