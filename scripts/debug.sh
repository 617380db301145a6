#!/usr/bin/env bash
# `make debug GUEST=blinky`: boot a firmware image in the built-in engine,
# halted at its reset vector with a GDB server, and attach gdb-multiarch.
#
#   scripts/debug.sh GUEST|ELF [GDB ARGS...]
#
# GUEST is a name under build/ (blinky, button, uart-echo, trap) or a path
# to an ELF. Extra arguments go to gdb (e.g. -batch -ex 'break main' -ex c).
# GDB_PORT picks the port (default 3333; 0 = any free one). The engine's
# console (UART lines, pin changes) goes to build/debug-NAME.log, not into
# GDB's terminal: `tail -f` it in another window. Quitting GDB stops the
# engine.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-${GUEST:-blinky}}
[ $# -gt 0 ] && shift
case "$target" in
    */* | *.elf) elf=$target ;;
    *) elf=build/$target.elf ;;
esac
if [ ! -f "$elf" ]; then
    echo "debug.sh: $elf not found (build it with: make firmware)" >&2
    exit 1
fi
gdb=$(command -v gdb-multiarch || true)
if [ -z "$gdb" ]; then
    echo "debug.sh: gdb-multiarch not found (make setup installs it)" >&2
    exit 1
fi
engine_cmd=(.venv/bin/rp2350-emu)
[ -x "${engine_cmd[0]}" ] || engine_cmd=(python3 -m rp2350_emu.cli)

mkdir -p build
log=build/debug-$(basename "$elf" .elf).log
"${engine_cmd[@]}" run "$elf" --gdb "${GDB_PORT:-3333}" --wait-gdb >"$log" 2>&1 &
engine=$!
trap 'kill "$engine" 2>/dev/null || true; wait "$engine" 2>/dev/null || true' EXIT

# the engine says where it listens once the image is loaded
port=""
for _ in $(seq 1 300); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n 1)
    [ -n "$port" ] && break
    if ! kill -0 "$engine" 2>/dev/null; then
        echo "debug.sh: the engine exited:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "debug.sh: the engine did not open its GDB port within 30 s; its log:" >&2
    cat "$log" >&2
    exit 1
fi
echo "debug.sh: engine on 127.0.0.1:$port, console in $log" >&2
"$gdb" -q -ex "target remote 127.0.0.1:$port" "$@" "$elf"
