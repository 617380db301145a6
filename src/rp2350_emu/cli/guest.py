"""`rp2350-emu guest` (compile, package, info) and the loader options of `run`
(--guest, --upload).

compile wraps the firmware's host AOT tool (firmware/tools/cwasm), which is
built from the same engine_config.rs as the firmware: there is no second copy
of the engine settings here. `register(subparsers)` adds the subcommand;
`add_run_options(run)`, `prepare(args, machine)` and `upload(...)` are what
`run` calls.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rp2350_emu.cli.usage import UsageError
from rp2350_emu.errors import ConfigError

UPLOAD_HELP = ("after the loader's 'ready for upload' line, send this guest over UART0 with upload protocol 1 "
               "(ack/nak, resends); a bare .cwasm is packaged first")


def register(subparsers: Any) -> None:
    guest = subparsers.add_parser("guest", help="compile and package WebAssembly guests for the loader image",
                                  description="Guests for build/loader.elf (docs/loader.md): AOT compilation "
                                  "with the firmware's own engine settings, and the package format.")
    sub = guest.add_subparsers(dest="guest_command", required=True, parser_class=type(guest))
    comp = sub.add_parser("compile", help="AOT-compile a component (.wasm) into a loader package (.cwasm)",
                          description="Runs firmware/tools/cwasm (built by `make cwasm-tool`): the engine "
                          "configuration is the firmware's engine_config.rs. The default output is a loader "
                          "package (40-byte header + artifact); --image writes a bare artifact for an "
                          "embedded image instead.")
    comp.add_argument("wasm", type=Path, help="component, e.g. build/wasm/blinky.wasm")
    comp.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.cwasm")
    comp.add_argument("--world", help="check the imports against this WIT world (default: every interface "
                      "the loader has)")
    comp.add_argument("--image", action="store_true",
                      help="a bare artifact for the embedded images' engine (no fuel); needs --world")
    comp.add_argument("--wit", type=Path, metavar="DIR", help="WIT directory (default: the repository's wit/)")
    comp.set_defaults(func=cmd_compile)
    pack = sub.add_parser("package", help="wrap a bare loader-engine .cwasm in the package header",
                          description="Adds the 40-byte header (lengths, CRC-32s, engine fingerprint) to an "
                          "artifact compiled for the loader's engine.")
    pack.add_argument("cwasm", type=Path, help="bare Wasmtime artifact")
    pack.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.cwasm")
    pack.add_argument("--fingerprint", metavar="HEX", help="engine fingerprint, 32 hex digits (default: "
                      "build/cwasm/loader.fingerprint)")
    pack.set_defaults(func=cmd_package)
    info = sub.add_parser("info", help="what a package says (sizes, CRCs, fingerprint) and whether it fits")
    info.add_argument("cwasm", type=Path, help="package or bare artifact")
    info.set_defaults(func=cmd_info)


def cmd_compile(args: argparse.Namespace) -> int:
    from rp2350_emu.guests import tool

    blob = tool.compile_guest(args.wasm, args.output, target="image" if args.image else "loader",
                              world=args.world, wit=args.wit)
    kind = "artifact for the embedded images" if args.image else "loader package"
    print(f"{args.output}: {kind}, {len(blob)} bytes")
    warning = None if args.image else tool.fingerprint_warning(blob)
    if warning:
        print(f"rp2350-emu: warning: {warning}", file=sys.stderr)
    return 0


def cmd_package(args: argparse.Namespace) -> int:
    from rp2350_emu.guests.package import build_package, read_fingerprint
    from rp2350_emu.guests.session import ARTIFACT_MAGIC
    from rp2350_emu.guests.tool import LOADER_FINGERPRINT, loader_fingerprint

    data = _read(args.cwasm)
    if data[:4] != ARTIFACT_MAGIC:
        raise ConfigError(f"{args.cwasm}: not a bare Wasmtime artifact (no ELF magic)")
    fingerprint = read_fingerprint(args.fingerprint) if args.fingerprint else loader_fingerprint()
    if fingerprint is None:
        raise ConfigError(f"no fingerprint: give --fingerprint HEX or build {LOADER_FINGERPRINT} (make cwasm)")
    if args.output.resolve() == args.cwasm.resolve():
        raise ConfigError(f"-o {args.output}: that is the input; writing it would destroy it")
    blob = build_package(data, fingerprint)
    args.output.write_bytes(blob)
    print(f"{args.output}: loader package, {len(blob)} bytes")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from rp2350_emu.guests.package import HEADER_LEN, PARTITION_LEN, PackageError, open_package, parse_header
    from rp2350_emu.guests.tool import loader_fingerprint
    from rp2350_emu.guests.upload import MAX_UPLOAD

    data = _read(args.cwasm)
    try:
        header = parse_header(data)
    except PackageError as exc:
        raise ConfigError(f"{args.cwasm}: {exc}") from None
    print(f"{args.cwasm}: loader package, {len(data)} bytes ({HEADER_LEN}-byte header, "
          f"{header.payload_len}-byte payload, CRC-32 {header.payload_crc:#010x})")
    built = loader_fingerprint()
    match = "" if built is None else (" (the built loader's)" if built == header.fingerprint
                                      else " (NOT the built loader's: it will refuse it)")
    print(f"engine fingerprint: {header.fingerprint.hex()}{match}")
    try:
        open_package(data)
        print("checks: header and payload CRC good")
    except PackageError as exc:
        print(f"checks: {exc}")
    print(f"fits: flash partition {'yes' if len(data) <= PARTITION_LEN else 'no'} ({PARTITION_LEN} bytes), "
          f"upload {'yes' if len(data) <= MAX_UPLOAD else 'no'} ({MAX_UPLOAD} bytes)")
    return 0


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror}") from None


# -- run --guest / --upload ------------------------------------------------------------------------

def add_run_options(run: argparse.ArgumentParser) -> None:
    group = run.add_argument_group("loader image (build/loader.elf, docs/loader.md)")
    group.add_argument("--guest", metavar="X.cwasm", help="place this guest in the loader's flash partition "
                       "(0x10200000) before the run; a bare .cwasm is packaged first")
    group.add_argument("--upload", metavar="X.cwasm", help=UPLOAD_HELP)


def prepare(args: argparse.Namespace, machine: Any) -> bytes | None:
    """Checks --guest/--upload, places a --guest; returns the blob to upload (or None)."""
    guest, upload_path = getattr(args, "guest", None), getattr(args, "upload", None)
    if not guest and not upload_path:
        return None
    if args.restore:
        raise UsageError("--guest/--upload: not with --restore (the snapshot holds the flash and RAM)")
    if upload_path and (getattr(args, "uart_pty", None) or getattr(args, "uart_tcp", None)):
        raise UsageError("--upload: UART0 is taken by the upload; leave out --uart-pty/--uart-tcp")
    from rp2350_emu.guests.session import guest_blob, place_in_flash
    from rp2350_emu.guests.upload import MAX_UPLOAD

    if guest:
        blob, warnings = _blob(guest, "--guest", guest_blob)
        _warn(warnings)
        place_in_flash(machine, blob)
    if not upload_path:
        return None
    blob, warnings = _blob(upload_path, "--upload", guest_blob)
    if len(blob) > MAX_UPLOAD:
        raise ConfigError(f"--upload {upload_path}: {len(blob)} bytes, the loader takes at most {MAX_UPLOAD} "
                          "over UART (use --guest for the flash partition)")
    _warn(warnings)
    return blob


def _blob(path: str, option: str, guest_blob: Any) -> tuple[bytes, list[str]]:
    try:
        return guest_blob(path)
    except ConfigError as exc:
        raise ConfigError(f"{option} {exc}") from None


def _warn(warnings: list[str]) -> None:
    for text in warnings:
        print(f"rp2350-emu: warning: {text}", file=sys.stderr)


def upload(machine: Any, blob: bytes, deadline_ns: int, stop: Any) -> bool:
    """Uploads during `run`: progress on stderr; False (after one line) if it failed."""
    from rp2350_emu.guests.session import run_until_verdict, upload_over_uart
    from rp2350_emu.guests.upload import UploadError

    marks = {25, 50, 75}

    def progress(done: int, total: int) -> None:
        pct = done * 100 // total
        for mark in sorted(marks):
            if pct >= mark:
                marks.discard(mark)
                sys.stdout.flush()
                print(f"rp2350-emu: upload: {done} of {total} bytes ({mark}%)", file=sys.stderr)

    try:
        result = upload_over_uart(machine, blob, deadline_ns=deadline_ns, progress=progress, stop=stop)
    except UploadError as exc:
        if stop():
            return True  # a check on UART0 decided the run: its verdict speaks
        sys.stdout.flush()
        print(f"rp2350-emu: upload failed: {exc}", file=sys.stderr)
        return False
    sys.stdout.flush()
    print(f"rp2350-emu: upload: {result.size} bytes in {result.frames} frames, {result.retries} resent, "
          f"{result.duration_ns / 1e6:.1f} ms of virtual time", file=sys.stderr)
    # --uart-input goes to the guest, not to the loader still deserialising it
    run_until_verdict(machine, deadline_ns)
    return True
