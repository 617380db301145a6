"""Machine snapshots: save the whole state to JSON, restore it, run on.

A snapshot holds the core registers, the RAM, the state of every model
(registers, FIFOs, anchors, signal levels), the scheduler's pending events,
the virtual time and the event log, plus the names and SHA-256 of the ELF
and .repl it was taken with. Restoring builds a fresh machine from that
.repl and ELF (which rebuilds all the wiring: bus, signals, listeners) and
then overwrites its state, so the restored machine continues exactly as
the original would have: same events at the same virtual times.

How model objects become data and back: snapshot_codec.py.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import zlib
from pathlib import Path
from typing import Any

from unicorn import arm_const as A

from rp2350_emu.errors import ConfigError, EmulationError
from rp2350_emu.inputs import text_file
from rp2350_emu.platform.events import Event as MachineEvent
from rp2350_emu.platform.machine import Machine
from rp2350_emu.platform.snapshot_check import check_snapshot
from rp2350_emu.platform.snapshot_codec import Decoder, Encoder
from rp2350_emu.time.scheduler import Event

FORMAT = "rp2350-emu-snapshot"
VERSION = 1

# Order matters on restore (see restore_cpu): CONTROL without nPRIV first so
# the banked stack pointers can be written, then IPSR, MSP, PSP, CONTROL.
CORE_REGS = {**{f"r{i}": getattr(A, f"UC_ARM_REG_R{i}") for i in range(13)},
             "lr": A.UC_ARM_REG_LR, "pc": A.UC_ARM_REG_PC}
SYSTEM_REGS = {"xpsr": A.UC_ARM_REG_XPSR, "primask": A.UC_ARM_REG_PRIMASK, "basepri": A.UC_ARM_REG_BASEPRI,
               "faultmask": A.UC_ARM_REG_FAULTMASK, "fpscr": A.UC_ARM_REG_FPSCR}
FP_REGS = {f"s{i}": getattr(A, f"UC_ARM_REG_S{i}") for i in range(32)}
#: CortexM33 attributes that are run state (the rest is wiring or derived)
CPU_STATE = ("cycles", "instructions", "fast_forwarded", "slices", "idle_ns", "sleeping", "event_register",
             "_wfe_resume_pc", "_stalls")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pack(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data, 6)).decode("ascii")


def _unpack(text: str) -> bytes:
    return zlib.decompress(base64.b64decode(text))



# -- save / restore -------------------------------------------------------------------------

def _roots(machine: Machine) -> dict[str, Any]:
    roots: dict[str, Any] = {f"peripherals.{n}": m for n, m in machine.peripherals.items()}
    for name, device in machine.devices.items():
        if device.bus_model is not None and device.bus_model is not device.model:
            roots[f"bus_models.{name}"] = device.bus_model
    roots.update({f"pins.{n}": d for n, d in machine.pin_devices.items()})
    return roots


def capture(machine: Machine, note: str = "") -> dict[str, Any]:
    """The machine's state as a JSON-able dict (see the module doc)."""
    if machine.image is None:
        raise EmulationError("snapshot: no firmware loaded")
    cpu, uc, sched = machine.cpu, machine.cpu.uc, machine.scheduler
    if cpu._in_slice:
        raise EmulationError("snapshot: the CPU is inside a slice (take snapshots between runs)")
    enc = Encoder(machine)
    models = {path: enc.value(obj, path) for path, obj in _roots(machine).items()}
    # the scheduler: every queued event (cancelled ones too: models may hold them)
    queued = list(sched._queue)
    for event in queued:
        enc.events.setdefault(event.seq, event)
    next_seq = next(sched._seq)
    sched._seq = itertools.count(next_seq)  # give the number back: the run goes on unchanged
    in_queue = {id(e) for e in queued}
    events = []
    for seq, event in sorted(enc.events.items()):
        queued_here = id(event) in in_queue
        events.append({"at_ns": event.at_ns, "seq": seq, "name": event.name, "cancelled": event.cancelled,
                       "queued": queued_here,
                       "callback": enc.callback(event.callback) if queued_here and not event.cancelled else None})
    regs = {name: uc.reg_read(reg) for name, reg in {**CORE_REGS, **SYSTEM_REGS, **FP_REGS}.items()}
    for name, reg in (("msp", A.UC_ARM_REG_MSP), ("psp", A.UC_ARM_REG_PSP), ("control", A.UC_ARM_REG_CONTROL),
                      ("ipsr", A.UC_ARM_REG_IPSR)):
        regs[name] = uc.reg_read(reg)
    ram = {}
    for name, (base, size) in machine.memories.items():
        if machine.bus.region_at(base) is not None and name != "flash":
            ram[name] = {"base": base, "size": size, "data": _pack(bytes(uc.mem_read(base, size)))}
    image = machine.image.path.resolve()
    repl = Path(machine.platform.files[0]).resolve() if machine.platform.files else None
    return {
        "format": FORMAT, "version": VERSION, "note": note,
        "elf": str(image), "elf_sha256": _sha256(image),
        "repl": str(repl) if repl else None, "repl_sha256": _sha256(repl) if repl else None,
        "cpu_hz": cpu.hz, "now_ns": sched.now_ns,
        "cpu": {"regs": regs, "state": {k: enc.value(getattr(cpu, k), f"$cpu.{k}") for k in CPU_STATE}},
        "ram": ram,
        "models": models,
        "scheduler": {"next_seq": next_seq, "events": events},
        "machine": {"events": [[e.t_ns, e.kind, e.data] for e in machine.events],
                    "uart_text": {k: base64.b64encode(bytes(v)).decode() for k, v in machine._uart_text.items()}},
    }


def save(machine: Machine, path: str | Path, note: str = "") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(capture(machine, note), separators=(",", ":")), encoding="utf-8")
    return path


def read_json(path: str | Path) -> Any:
    """A snapshot file's JSON; a missing, unreadable, non-UTF-8 or non-JSON file is one ConfigError."""
    text = text_file(path)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{path}: not a snapshot: not JSON ({exc}); expected a file written by "
                          "--save-snapshot or the monitor's Save") from None


def load(path: str | Path) -> dict[str, Any]:
    data = read_json(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(f"{path}: not an rp2350-emu snapshot (expected format {FORMAT!r})")
    if data.get("version") != VERSION:
        raise ConfigError(f"{path}: snapshot version {data.get('version')}, this engine reads {VERSION}")
    check_snapshot(data, f"{path}: ")
    return data


def restore(snapshot: str | Path | dict[str, Any], *, elf: str | Path | None = None,
            repl: str | Path | None = None, source: str | Path | None = None) -> Machine:
    """A new machine in the snapshot's state. `elf` / `repl` override the
    recorded paths (the files must still hash the same); `source` is the file
    a snapshot given as data was read from (for messages)."""
    data = snapshot if isinstance(snapshot, dict) else load(snapshot)
    where = f"{source}: " if source else "" if isinstance(snapshot, dict) else f"{snapshot}: "
    if isinstance(snapshot, dict):
        check_snapshot(data)
    if not (repl or data["repl"]):
        raise ConfigError(f"{where}the snapshot names no .repl (taken from a platform in memory); give one")
    elf_path = Path(elf or data["elf"])
    repl_path = Path(repl or data["repl"])
    for what, p, saved, digest in (("ELF", elf_path, data["elf"], data["elf_sha256"]),
                                   (".repl", repl_path, data["repl"], data["repl_sha256"])):
        if not p.is_file():
            raise ConfigError(f"{where}the snapshot's {what} {p} does not exist")
        if digest and _sha256(p) != digest:
            if saved and p.resolve() != Path(saved).resolve():
                raise ConfigError(f"{where}the snapshot was taken with another {what} ({saved}); {p} is a "
                                  f"different one (SHA-256 differs): give that {what}, or take a new snapshot")
            raise ConfigError(f"{where}{p} changed since the snapshot was taken (SHA-256 differs); "
                              f"rebuild the state with the {what} it was taken with")
    machine = Machine.from_repl(repl_path, mips=data["cpu_hz"] / 1_000_000)
    machine.load_elf(elf_path)
    try:
        _restore_state(machine, data)
    except ConfigError as exc:
        raise ConfigError(where + str(exc).removeprefix("snapshot: ")) from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ConfigError(f"{where}not a usable snapshot: a saved model state does not fit this engine "
                          f"({type(exc).__name__}: {exc}); take a new snapshot") from None
    return machine


def _restore_state(machine: Machine, data: dict[str, Any]) -> None:
    cpu, uc, sched = machine.cpu, machine.cpu.uc, machine.scheduler
    # memory first: the core registers may point anywhere in it
    for name, mem in data["ram"].items():
        if machine.memories.get(name) != (mem["base"], mem["size"]):
            raise ConfigError(f"snapshot: memory {name} differs from the platform's")
        uc.mem_write(mem["base"], _unpack(mem["data"]))
    # the scheduler: recreate every event (callbacks resolved after the models)
    sched._queue.clear()
    events = {e["seq"]: Event(e["at_ns"], e["seq"], _never, e["name"], e["cancelled"])
              for e in data["scheduler"]["events"]}
    dec = Decoder(machine, events)
    for path, obj in _roots(machine).items():
        encoded = data["models"].get(path)
        if encoded is None:
            raise ConfigError(f"snapshot: no state for {path} (platform changed?)")
        dec.into(obj, encoded, path)
    for e in data["scheduler"]["events"]:
        event = events[e["seq"]]
        if e["callback"] is not None:
            event.callback = dec.callback(e["callback"])
        if e["queued"]:
            sched._queue.append(event)
    sched._queue.sort()  # a sorted list is a valid heap
    sched._seq = itertools.count(data["scheduler"]["next_seq"])
    sched.now_ns = data["now_ns"]
    _restore_cpu(cpu, data["cpu"], dec)
    machine.events[:] = [MachineEvent(t, kind, d) for t, kind, d in data["machine"]["events"]]
    machine._uart_text.clear()
    machine._uart_text.update({k: bytearray(base64.b64decode(v)) for k, v in data["machine"]["uart_text"].items()})


def _never() -> None:  # pragma: no cover - placeholder callback of events that never fire
    """Callback of a saved event that is no longer queued."""


def _restore_cpu(cpu: Any, data: dict[str, Any], dec: Decoder) -> None:
    uc = cpu.uc
    regs = data["regs"]
    # as on exception return: CONTROL without nPRIV (so the stack pointers can
    # be written), IPSR, both stack pointers, then CONTROL as saved
    uc.reg_write(A.UC_ARM_REG_CONTROL, regs["control"] & ~1)
    uc.reg_write(A.UC_ARM_REG_IPSR, regs["ipsr"])
    uc.reg_write(A.UC_ARM_REG_MSP, regs["msp"])
    uc.reg_write(A.UC_ARM_REG_PSP, regs["psp"])
    uc.reg_write(A.UC_ARM_REG_CONTROL, regs["control"])
    for name, reg in {**CORE_REGS, **SYSTEM_REGS, **FP_REGS}.items():
        if name != "pc":
            uc.reg_write(reg, regs[name])
    uc.reg_write(A.UC_ARM_REG_PC, regs["pc"] | 1)
    for name, encoded in data["state"].items():
        setattr(cpu, name, dec.value(encoded, getattr(cpu, name), f"$cpu.{name}"))
    cpu.reset_fast_paths()  # loop detection starts afresh; it holds no machine state
    cpu._exits_dirty = True  # exits are derived from CPACR and the scan: recomputed on the next run
    mismatched = [name for name, reg in {**CORE_REGS, **SYSTEM_REGS}.items()
                  if name != "pc" and uc.reg_read(reg) != regs[name]]
    if uc.reg_read(A.UC_ARM_REG_PC) & ~1 != regs["pc"] & ~1:
        mismatched.append("pc")
    if mismatched:
        raise EmulationError(f"snapshot: registers did not restore: {', '.join(mismatched)}")


def describe(data: dict[str, Any]) -> str:
    """One line: what the snapshot holds."""
    t = data["now_ns"]
    return (f"{Path(data['elf']).name} at virtual {t // 1_000_000_000}.{t % 1_000_000_000:09d} s, "
            f"{len(data['machine']['events'])} events, {len(data['scheduler']['events'])} scheduled"
            + (f" ({data['note']})" if data.get("note") else ""))

