"""What a loop pass does to memory while the core verifies it (core/fastpath.py)."""

from __future__ import annotations

from typing import Any

from unicorn import UC_HOOK_MEM_WRITE


class MemoryWatch:
    """While active: MMIO reads are recorded, any MMIO write other than an INTERNAL one
    marks the pass dirty, and the first old value of every byte stored to is kept, so
    `changed()` tells whether the pass left memory as it found it (a hook on every
    writable memory region). `strict`: a store of a value other than the one there
    marks the pass dirty at once instead."""

    def __init__(self, cpu: Any, strict: bool = False) -> None:
        self.cpu = cpu
        self.strict = strict
        self.hooks: list[int] = []
        self.old: dict[int, int] = {}

    def __enter__(self) -> MemoryWatch:  # noqa: PYI034 - never subclassed
        cpu = self.cpu
        cpu._verifying = True
        cpu._pass_reads = []
        cpu._pass_dirty = False
        uc = cpu.uc
        old = self.old

        def on_write(_uc: Any, _access: int, address: int, size: int, value: int, _ud: Any) -> None:
            if address in old and size == 1:
                return
            current = uc.mem_read(address, size)
            for i in range(size):
                old.setdefault(address + i, current[i])

        def on_write_strict(_uc: Any, _access: int, address: int, size: int, value: int, _ud: Any) -> None:
            if not cpu._pass_dirty and int.from_bytes(uc.mem_read(address, size), "little") != \
                    value & ((1 << (8 * size)) - 1):
                cpu._pass_dirty = True

        hook = on_write_strict if self.strict else on_write

        for base, end in cpu.ram_ranges:
            self.hooks.append(uc.hook_add(UC_HOOK_MEM_WRITE, hook, begin=base, end=end - 1))
        return self

    def changed(self) -> bool:
        """Whether some byte stored to now differs from what it was before the pass."""
        uc = self.cpu.uc
        return any(uc.mem_read(address, 1)[0] != value for address, value in self.old.items())

    def __exit__(self, *_exc: object) -> None:
        for hook in self.hooks:
            self.cpu.uc.hook_del(hook)
        self.cpu._verifying = False
