"""WIT-boundary call trace: every host import the guest calls, with timing.

The firmware implements each WIT import as a Rust trait method
(`<Host as embedded::platform::gpio::Host>::set_high`, kept out of line with
`#[inline(never)]`). The tracer finds those functions in the ELF's symbol
table and puts a CPU address hook (a Unicorn exit, no per-instruction cost)
on each entry. At an entry it reads the arguments, then moves the hook to
the return address in LR; at the return it reads the result and re-arms the
entry. So a traced run costs two stops per host call and nothing else.

Calling convention, as rustc builds these methods with fat LTO: the unused
`&mut self` of the zero-sized `Host` is removed (LLVM dead-argument
elimination, the methods are internal), so parameters start at r0. A
`wasmtime::Result<()>` comes back in r0 (0 = Ok); a `Result<u8>` or
`Result<bool>` is 8 bytes and comes back through a hidden result pointer in
r0 (tag byte at +0, 0 = Ok; value byte at +1), which shifts the parameters
to r1. `WitImport` records which case each import is; the tracer checks the
result tag and marks a call whose tag is neither Ok nor Err as `abi?`.

Firmware written elsewhere may implement the host traits on a type of its
own (found the same way: the symbol ends with the trait path) or let them be
inlined. An inlined import is still seen at Wasmtime's lowered host
trampoline for it (`StaticHostFn::cabi_entrypoint` of the closure
`add_to_linker_instance` registers, the n-th closure being the interface's
n-th function): its time is traced, its arguments are not (they sit in
Wasmtime's value storage), so such calls carry `via: "trampoline"`. An
import found neither way is listed in `unseen`.

Per call: virtual start time and duration, core cycles (idle time
included), instructions executed inside the host function (interrupt
handlers that ran meanwhile included) and instructions since the previous
host call returned (the guest, Pulley and Wasmtime's call path).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from unicorn import arm_const as A

from rp2350_emu.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.platform.machine import Machine


@dataclass(frozen=True)
class WitImport:
    """One WIT import and how its Rust host method passes values."""

    name: str  # "gpio.set-high"
    params: tuple[tuple[str, str], ...]  # (WIT name, type), in order
    result: str | None = None  # "u8" / "bool": returned through a result pointer in r0
    plain: bool = False  # not a host import but a plain function: r0 is its return value

    @property
    def interface(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def method(self) -> str:
        return self.name.split(".", 1)[1].replace("-", "_")


#: the `embedded:platform` imports (wit/platform.wit)
WIT_IMPORTS: tuple[WitImport, ...] = (
    WitImport("gpio.set-high", (("pin", "u32"),)),
    WitImport("gpio.set-low", (("pin", "u32"),)),
    WitImport("button.is-pressed", (("pin", "u32"),), "bool"),
    WitImport("timing.delay-ms", (("ms", "u32"),)),
    WitImport("uart.read-byte", (), "u8"),
    WitImport("uart.write-byte", (("byte", "u8"),)),
    WitImport("servo.set-angle", (("degrees", "u32"),)),
)


@dataclass
class WitCall:
    seq: int
    call: str  # "gpio.set-high"
    args: dict[str, int]
    ret: int | bool | None
    ok: bool  # the host function returned Ok
    t_ns: int  # virtual time at entry
    dur_ns: int
    cycles: int  # core cycles from entry to return, idle time included
    insns: int  # instructions executed meanwhile (host function and interrupt handlers)
    gap_insns: int  # instructions since the previous traced call returned (or since tracing began)
    gap_ns: int
    gap_cycles: int
    abi_ok: bool = True
    via: str = "method"  # "method": the host trait method; "trampoline": Wasmtime's, no arguments

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    def text(self) -> str:
        args = ", ".join(str(v) for v in self.args.values())
        ret = "" if self.ret is None else f" -> {int(self.ret) if isinstance(self.ret, bool) else self.ret}"
        return f"{self.call}({args}){ret}"


def _v0_suffix(path: Iterable[str]) -> str:
    """Identifiers of a path as they end a v0-mangled symbol (`4gpio4Host8set_high`)."""
    return "".join(f"{len(part)}{part}" for part in path)


def _matches(symbol: str, path: tuple[str, ...]) -> bool:
    name = symbol.split(".llvm.", 1)[0]
    if name.startswith("_R"):  # Rust v0 mangling: identifiers are length-prefixed, in order
        return name.endswith(_v0_suffix(path))
    if name.startswith("_ZN"):  # legacy mangling: `..`-joined trait path, then `17h<hash>E`
        legacy = re.sub(r"17h[0-9a-f]{16}E$", "", name)
        return legacy.endswith(("..".join(path[:-1]) + "$GT$" + _v0_suffix(path[-1:]), _v0_suffix(path)))
    return name.endswith("::".join(path))  # already demangled


def find_function(machine: Machine, path: tuple[str, ...]) -> int | None:
    """Address of the one function whose name ends with `path`, None if absent."""
    symbols = machine.symbols
    if symbols is None:
        raise ConfigError("no ELF loaded: no symbols to trace")
    found = {address for name, address in symbols.items() if _matches(name, path)}
    if len(found) > 1:
        raise ConfigError(f"{'::'.join(path)}: {len(found)} functions match in the ELF, expected one")
    return found.pop() if found else None


def import_path(imp: WitImport) -> tuple[str, ...]:
    return ("embedded", "platform", imp.interface, "Host", imp.method)


def loader_path(imp: WitImport) -> tuple[str, ...]:
    """The loader image's host function (firmware/src/loader/host.rs): `loader::host::<interface>::<method>`,
    the same arguments and results as the embedded images' `Host` methods."""
    return ("loader", "host", imp.interface, imp.method)


#: `...8platform4gpio22add_to_linker_instance<generics>E` + closure disambiguator + `...15cabi_entrypoint`
_TRAMPOLINE = re.compile(r"8platform(\d+)([A-Za-z_]\w*?)22add_to_linker_instance.*?7HasSelf\w*?_EE(?:s(\w*?)_)?0"
                         r".*15cabi_entrypoint")
_BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _closure_index(disambiguator: str | None) -> int:
    """v0 `s<base62>_` closure numbering: none -> 0, `s_` -> 1, `s0_` -> 2, ..."""
    if disambiguator is None:
        return 0
    if disambiguator == "":
        return 1
    value = 0
    for ch in disambiguator:
        value = value * 62 + _BASE62.index(ch)
    return value + 2


def find_trampolines(machine: Machine) -> dict[tuple[str, int], int]:
    """(interface, function index within it) -> address of Wasmtime's lowered host trampoline."""
    symbols = machine.symbols
    if symbols is None:
        raise ConfigError("no ELF loaded: no symbols to trace")
    found: dict[tuple[str, int], int] = {}
    for name, address in symbols.items():
        if not name.startswith("_R") or "cabi_entrypoint" not in name:
            continue
        m = _TRAMPOLINE.search(name.split(".llvm.", 1)[0])
        if m is None or len(m.group(2)) != int(m.group(1)):
            continue
        found.setdefault((m.group(2), _closure_index(m.group(3))), address)
    return found


def interface_functions(imports: tuple[WitImport, ...]) -> dict[str, list[WitImport]]:
    """The imports of each interface, in WIT order (the order bindgen registers them)."""
    out: dict[str, list[WitImport]] = {}
    for imp in imports:
        out.setdefault(imp.interface, []).append(imp)
    return out


class _Site:
    """Tracing state of one function: entry hook, or return hook while inside."""

    def __init__(self, tracer: WitTracer, imp: WitImport, entry: int, via: str = "method") -> None:
        self.tracer, self.imp, self.entry, self.via = tracer, imp, entry, via
        self.return_address: int | None = None
        self.start: tuple[int, int, int, int, tuple[int, ...]] | None = None  # cycles, insns, idle, gap, regs

    def on_entry(self, _pc: int) -> None:
        cpu = self.tracer.cpu
        regs = tuple(cpu.uc.reg_read_batch((A.UC_ARM_REG_R0, A.UC_ARM_REG_R1, A.UC_ARM_REG_R2,
                                             A.UC_ARM_REG_R3)))
        insns = self.tracer.executed()
        self.start = (cpu.cycles, insns, insns - self.tracer.last_return_insns,
                      cpu.cycles - self.tracer.last_return_cycles, regs)
        self.return_address = cpu.uc.reg_read(A.UC_ARM_REG_LR) & ~1
        cpu.remove_address_hook(self.entry, self.on_entry)  # not re-entered before it returns
        cpu.add_address_hook(self.return_address, self.on_return)

    def on_return(self, _pc: int) -> None:
        tracer, cpu = self.tracer, self.tracer.cpu
        assert self.start is not None and self.return_address is not None
        cycles0, insns0, gap_insns, gap_cycles, regs = self.start
        cpu.remove_address_hook(self.return_address, self.on_return)
        cpu.add_address_hook(self.entry, self.on_entry)
        imp = self.imp
        if self.via == "trampoline":
            insns = tracer.executed()
            call = WitCall(len(tracer.calls), imp.name, {}, None, cpu.uc.reg_read(A.UC_ARM_REG_R0) & 0xFF != 0,
                           cpu.ns_of(cycles0), cpu.ns_of(cpu.cycles) - cpu.ns_of(cycles0), cpu.cycles - cycles0,
                           insns - insns0, gap_insns, cpu.ns_of(gap_cycles), gap_cycles, True, "trampoline")
            tracer.last_return_insns, tracer.last_return_cycles = insns, cpu.cycles
            self.start = None
            tracer.record(call)
            return
        first = 1 if imp.result else 0  # the result pointer comes first
        # a u8 parameter arrives in a full register: only its low byte is defined
        args = {name: regs[first + i] & (0xFF if kind == "u8" else 0xFFFFFFFF)
                for i, (name, kind) in enumerate(imp.params)}
        ret: int | bool | None = None
        abi_ok = True
        if imp.plain:
            ok, ret = True, cpu.uc.reg_read(A.UC_ARM_REG_R0)
        elif imp.result:
            tag, value = bytes(cpu.uc.mem_read(regs[0], 2))
            ok = tag == 0
            abi_ok = tag in (0, 1)
            if ok:
                ret = bool(value) if imp.result == "bool" else value
        else:
            ok = cpu.uc.reg_read(A.UC_ARM_REG_R0) == 0
        insns = tracer.executed()
        call = WitCall(len(tracer.calls), imp.name, args, ret, ok, cpu.ns_of(cycles0),
                       cpu.ns_of(cpu.cycles) - cpu.ns_of(cycles0), cpu.cycles - cycles0, insns - insns0,
                       gap_insns, cpu.ns_of(gap_cycles), gap_cycles, abi_ok)
        tracer.last_return_insns, tracer.last_return_cycles = insns, cpu.cycles
        self.start = None
        tracer.record(call)


@dataclass
class WitTracer:
    """Traces the WIT host imports (and any `extra` functions) of a machine.

    `extra`: label -> Rust path tail of other functions to time the same way
    (e.g. {"native.workload": ("native_workload",)}); they have no arguments.
    """

    machine: Machine
    imports: tuple[WitImport, ...] = WIT_IMPORTS
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)
    calls: list[WitCall] = field(default_factory=list)
    listeners: list[Callable[[WitCall], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cpu = self.machine.cpu
        self.sites: list[_Site] = []
        #: imports found neither as a host method nor at a Wasmtime trampoline: every import an
        #: image links has a trampoline, so these are not in its world
        self.unseen: list[str] = []
        trampolines: dict[tuple[str, int], int] | None = None
        for imp in self.imports:
            entry = find_function(self.machine, import_path(imp))
            if entry is None:
                entry = find_function(self.machine, loader_path(imp))
            if entry is not None:
                self.sites.append(_Site(self, imp, entry))
                continue
            if trampolines is None:
                trampolines = find_trampolines(self.machine)
            index = interface_functions(self.imports)[imp.interface].index(imp)
            entry = trampolines.get((imp.interface, index))
            if entry is not None:
                self.sites.append(_Site(self, imp, entry, via="trampoline"))
            else:
                self.unseen.append(imp.name)
        for label, path in self.extra.items():
            entry = find_function(self.machine, path)
            if entry is not None:
                self.sites.append(_Site(self, WitImport(label, (), plain=True), entry))
        if not any(site.imp in self.imports for site in self.sites):
            image = self.machine.image.path if self.machine.image is not None else "the ELF"
            raise ConfigError(f"{image}: no WIT host function found: neither a host method "
                              "(<T as embedded::platform::<interface>::Host>::<method>, any T, or the "
                              "loader's loader::host::<interface>::<method>) nor Wasmtime's "
                              "host trampoline (embedded::platform::<interface>::add_to_linker_instance); is "
                              "this a Wasmtime component host built from wit/platform.wit?")
        self.last_return_insns = self.executed()
        self.last_return_cycles = self.cpu.cycles
        self.active = False

    def executed(self) -> int:
        """Instructions run so far: by Unicorn, plus delay/poll loops accounted without running."""
        return self.cpu.instructions + self.cpu.fast_forwarded

    @property
    def traced(self) -> list[str]:
        return [site.imp.name for site in self.sites]

    def coverage(self) -> str:
        """One line: what is traced how, and what cannot be seen."""
        methods = [s.imp.name for s in self.sites if s.via == "method" and s.imp in self.imports]
        tramps = [s.imp.name for s in self.sites if s.via == "trampoline"]
        parts = [f"traced at the host methods: {', '.join(methods)}" if methods else "",
                 f"traced at Wasmtime's host trampolines, arguments not visible (the methods are inlined): "
                 f"{', '.join(tramps)}" if tramps else "",
                 f"not imported by this image: {', '.join(self.unseen)}" if self.unseen else ""]
        return "; ".join(p for p in parts if p)

    def start(self) -> WitTracer:
        if not self.active:
            self.active = True
            self.last_return_insns, self.last_return_cycles = self.executed(), self.cpu.cycles
            for site in self.sites:
                self.cpu.add_address_hook(site.entry, site.on_entry)
        return self

    def stop(self) -> None:
        if not self.active:
            return
        self.active = False
        for site in self.sites:
            self.cpu.remove_address_hook(site.entry, site.on_entry)
            if site.return_address is not None:
                self.cpu.remove_address_hook(site.return_address, site.on_return)
            site.start = site.return_address = None

    def record(self, call: WitCall) -> None:
        self.calls.append(call)
        for listener in self.listeners:
            listener(call)

    def of(self, name: str) -> list[WitCall]:
        return [c for c in self.calls if c.call == name]

    def write_jsonl(self, path: str | Path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.writelines(call.to_json() + "\n" for call in self.calls)


def read_jsonl(path: str | Path) -> list[WitCall]:
    with open(path, encoding="utf-8") as fh:
        return [WitCall(**json.loads(line)) for line in fh if line.strip()]

