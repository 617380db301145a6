"""The firmware's host AOT tool (firmware/tools/cwasm), driven from Python.

The tool is built in the firmware's Cargo workspace from the same
`engine_config.rs` that the firmware's `build.rs` and the loader use, with the
same Cargo.lock, so what it compiles is what the firmware deserialises: the
engine settings have one source of truth, and this module only runs the tool.

`compile_guest` writes a loader package (`cwasm package`: header + `.cwasm`)
or, for an embedded image, a bare artifact (`cwasm compile`). Every failure
is a `ToolError` with one line.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from rp2350_emu.errors import ConfigError
from rp2350_emu.guests.package import PackageError, parse_header, read_fingerprint

#: the make target that builds only the tool
TOOL_TARGET = "make cwasm-tool"
#: sources the tool compiles in directly (cargo relinks it when they change; newer means stale)
ENGINE_SOURCES = ("firmware/src/common/engine_config.rs", "firmware/src/common/package.rs")
LOADER_FINGERPRINT = Path("build") / "cwasm" / "loader.fingerprint"
TARGETS = ("loader", "image")


class ToolError(ConfigError):
    """The tool is missing, stale, or refused the input; the message is one line."""


def repo_root() -> Path:
    """The source tree this package runs from (the one with firmware/tools/cwasm)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "firmware" / "tools" / "cwasm").is_dir():
            return parent
    return Path.cwd()


def find_tool(root: Path | None = None) -> Path:
    """The built tool: $CWASM, else firmware/target/<host triple>/tool/cwasm."""
    override = os.environ.get("CWASM")
    if override:
        if not os.access(override, os.X_OK):
            raise ToolError(f"CWASM={override}: not an executable file (unset it to use the built tool)")
        return Path(override)
    root = root or repo_root()
    found = sorted((root / "firmware" / "target").glob("*/tool/cwasm"))
    found = [p for p in found if os.access(p, os.X_OK)]
    if not found:
        raise ToolError("the host AOT tool firmware/tools/cwasm is not built (expected "
                        f"firmware/target/<host>/tool/cwasm): run `{TOOL_TARGET}` once "
                        "(Wasmtime + Cranelift for this machine, usually 4-6 min on 2 cores)")
    tool = max(found, key=lambda p: p.stat().st_mtime)
    stale = [src for src in ENGINE_SOURCES
             if (root / src).is_file() and (root / src).stat().st_mtime > tool.stat().st_mtime]
    if stale:
        raise ToolError(f"{tool.relative_to(root)} is older than {stale[0]}: its engine settings may differ "
                        f"from the firmware's; run `{TOOL_TARGET}` to rebuild it")
    return tool


def run_tool(args: list[str], root: Path | None = None) -> str:
    """Runs the tool with `args`; its stdout, or a ToolError with its one-line message."""
    tool = find_tool(root)
    try:
        done = subprocess.run([str(tool), *args], capture_output=True, text=True, check=False)
    except OSError as exc:
        raise ToolError(f"{tool}: cannot run: {exc.strerror}") from None
    if done.returncode != 0:
        message = " ".join(done.stderr.split()) or f"exit status {done.returncode}"
        raise ToolError(message.split(" usage: ")[0])
    return done.stdout


def compile_guest(wasm: Path, output: Path, *, target: str = "loader", world: str | None = None,
                  wit: Path | None = None) -> bytes:
    """AOT-compiles the component `wasm` into `output`; returns the bytes written.

    target "loader": a package for the loader image (checked against `world`'s
    imports, or against every interface the loader has); "image": a bare
    artifact for an embedded image (needs `world`)."""
    if target not in TARGETS:
        raise ToolError(f"target {target!r}: one of {', '.join(TARGETS)}")
    if not wasm.is_file():
        raise ToolError(f"{wasm}: no such file (a component .wasm, e.g. build/wasm/blinky.wasm)")
    if output.resolve() == wasm.resolve():
        raise ToolError(f"-o {output}: that is the input; writing it would destroy it")
    if target == "image" and world is None:
        raise ToolError("an embedded image's artifact needs --world WORLD (the image's WIT world)")
    args = ["package" if target == "loader" else "compile", str(wasm), "-o", str(output)]
    if world is not None:
        args += ["--world", world]
    if wit is not None:
        args += ["--wit", str(wit)]
    run_tool(args)
    return output.read_bytes()


def loader_fingerprint(root: Path | None = None) -> bytes | None:
    """The fingerprint the built loader embeds (build/cwasm/loader.fingerprint), if there is one."""
    path = (root or repo_root()) / LOADER_FINGERPRINT
    if not path.is_file():
        return None
    try:
        return read_fingerprint(path.read_text(encoding="ascii", errors="replace"))
    except PackageError:
        return None


def fingerprint_warning(blob: bytes, root: Path | None = None) -> str | None:
    """A one-line warning when a package is for another engine than the built loader's."""
    expected = loader_fingerprint(root)
    try:
        header = parse_header(blob)
    except PackageError:
        return None
    if expected is not None and header.fingerprint != expected:
        return (f"the package's engine fingerprint {header.fingerprint.hex()} is not the built loader's "
                f"({expected.hex()}, {LOADER_FINGERPRINT}): the loader will refuse it; rebuild the loader "
                "or the tool")
    return None
