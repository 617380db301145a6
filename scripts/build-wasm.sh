#!/usr/bin/env bash
# Build the guests for wasm32-unknown-unknown and wrap each core module as a
# component of its WIT world: build/wasm/<guest>.wasm.
# Usage: scripts/build-wasm.sh [guest...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/guests.sh
guests=("$@")
[ ${#guests[@]} -eq 0 ] && guests=("${ALL_GUESTS[@]}")

WASM_TOOLS=${WASM_TOOLS:-.venv/bin/wasm-tools}
if [ ! -x "$WASM_TOOLS" ]; then
    echo "build-wasm: $WASM_TOOLS not found; run 'make setup'" >&2
    exit 1
fi

packages=()
for g in "${guests[@]}"; do
    if [ -z "${WORLD[$g]+x}" ]; then
        echo "build-wasm: unknown guest '$g' (known: ${!WORLD[*]})" >&2
        exit 1
    fi
    packages+=(-p "guest-$g")
done

[ -d wasm-app/target/wasm32-unknown-unknown/release ] || \
    echo "build-wasm: first build of the guests for wasm32 (usually 1-2 min)"
(cd wasm-app && ../scripts/xcargo wasm32-unknown-unknown build --release -q "${packages[@]}")

mkdir -p build/wasm
for g in "${guests[@]}"; do
    core="wasm-app/target/wasm32-unknown-unknown/release/guest_${g//-/_}.wasm"
    embedded=$(mktemp --suffix=.wasm)
    "$WASM_TOOLS" component embed wit --world "${WORLD[$g]}" "$core" -o "$embedded"
    "$WASM_TOOLS" component new "$embedded" -o "build/wasm/$g.wasm.tmp"
    rm -f "$embedded"
    # Replace only on change so the firmware's build script does not rerun.
    if cmp -s "build/wasm/$g.wasm.tmp" "build/wasm/$g.wasm"; then
        rm "build/wasm/$g.wasm.tmp"
    else
        mv "build/wasm/$g.wasm.tmp" "build/wasm/$g.wasm"
    fi
    echo "build-wasm: build/wasm/$g.wasm ($(stat -c %s "build/wasm/$g.wasm") bytes, world ${WORLD[$g]})"
done
