"""`Save @file` / `Load @file` for the built-in engine: the emulation's machines as snapshots.

Renode saves the whole emulation into one file and `Load` replaces the current
emulation with it (testers, monitor variables and macros are dropped; the
monitor has no machine selected until `mach set`). Here each machine is a
platform.snapshot capture (core, RAM, every model, the scheduler, the event
log). A single machine is written as a plain machine snapshot, so
`rp2350-emu run --restore FILE` continues a failed test's state; several
machines go into one emulation file that names each of them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rp2350_emu.errors import ConfigError, EmulationError, HarnessError
from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.platform import snapshot
from rp2350_emu.platform.machine import Machine

EMULATION_FORMAT = "rp2350-emu-emulation"
EMULATION_VERSION = 1


def save_emulation(emulation: Emulation, path: Path) -> Path:
    """Write every machine with firmware to `path` (Renode's `Save`)."""
    machines = {name: board for name, board in emulation.machines.items() if board.engine is not None}
    if not machines:
        raise HarnessError("Save: there is no machine with a platform to save")
    captured: dict[str, Any] = {}
    for name, board in machines.items():
        if not isinstance(board.engine, Machine):
            raise HarnessError(f"Save: machine '{name}' is not a built-in engine machine; only those can be saved")
        try:
            captured[name] = snapshot.capture(board.engine, note=f"machine {name}")
        except EmulationError as exc:
            raise HarnessError(f"Save: machine '{name}': {exc}") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    if len(captured) == 1:
        ((name, data),) = captured.items()
        data["machine_name"] = name
        text = json.dumps(data, separators=(",", ":"))
    else:
        current = emulation.current.name if emulation.current is not None else None
        text = json.dumps({"format": EMULATION_FORMAT, "version": EMULATION_VERSION, "current": current,
                           "machines": captured}, separators=(",", ":"))
    path.write_text(text, encoding="utf-8")
    return path


def read_emulation(path: Path) -> dict[str, dict[str, Any]]:
    """Machine name -> machine snapshot, from a file `save_emulation` (or `Save Machine Snapshot`) wrote."""
    try:
        data = snapshot.read_json(path)
    except ConfigError as exc:
        raise HarnessError(f"Load: {exc}") from None
    if isinstance(data, dict) and data.get("format") == EMULATION_FORMAT:
        if data.get("version") != EMULATION_VERSION:
            raise HarnessError(f"Load: {path}: emulation snapshot version {data.get('version')}, "
                               f"this engine reads {EMULATION_VERSION}")
        return dict(data["machines"])
    try:
        single = snapshot.load(path)
    except ConfigError as exc:
        raise HarnessError(f"Load: {exc}") from None
    return {str(single.get("machine_name") or "machine-0"): single}


def load_emulation(emulation: Emulation, path: Path) -> list[str]:
    """Replace the emulation with the saved one (Renode's `Load`); returns the machine names."""
    saved = read_emulation(path)
    restored: dict[str, Machine] = {}
    for name, data in saved.items():
        try:
            restored[name] = snapshot.restore(data)
        except (ConfigError, EmulationError) as exc:
            raise HarnessError(f"Load: {path}: machine '{name}': {exc}") from None
    emulation.clear()
    for name, machine in restored.items():
        board = emulation.create_machine(name)
        board.adopt(machine, restored=True)
        board.platform_path = Path(saved[name]["repl"])
        board.elf_paths = [Path(saved[name]["elf"])]
    emulation.current = None  # as in Renode: `mach set` selects one
    return list(restored)
