#!/usr/bin/env bash
# AOT-compile guests on the host with firmware/tools/cwasm (built here first,
# once; Wasmtime + Cranelift are the expensive part of a cold build):
#   build/wasm/<g>.wasm -> build/cwasm/<g>.cwasm   (embedded images' engine)
#                       -> build/guest/<g>.cwasm   (packaged for the loader)
# and build/cwasm/loader.fingerprint (the loader engine's fingerprint).
# Usage: scripts/build-cwasm.sh [guest...]   (default: all)
#        scripts/build-cwasm.sh --tool       (only build the tool)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/guests.sh

# Any rustc names the build machine's triple, where host-cargo puts the tool.
host=$({ rustc -vV 2>/dev/null || /usr/bin/rustc -vV; } | awk '/^host:/ {print $2}')
CWASM=${CWASM:-firmware/target/$host/tool/cwasm}
if [ ! -x "$CWASM" ]; then
    echo "build-cwasm: building the host AOT tool firmware/tools/cwasm, once (Wasmtime + Cranelift" \
        "for this machine: usually 4-6 min on 2 cores)"
fi
(cd firmware && ../scripts/host-cargo build -q -p cwasm --profile tool)
[ "${1:-}" = --tool ] && exit 0

guests=("$@")
[ ${#guests[@]} -eq 0 ] && guests=("${ALL_GUESTS[@]}")
mkdir -p build/cwasm build/guest
"$CWASM" fingerprint --loader -o build/cwasm/loader.fingerprint
for g in "${guests[@]}"; do
    if [ -z "${WORLD[$g]+x}" ]; then
        echo "build-cwasm: unknown guest '$g' (known: ${ALL_GUESTS[*]})" >&2
        exit 1
    fi
    "$CWASM" compile --world "${WORLD[$g]}" "build/wasm/$g.wasm" -o "build/cwasm/$g.cwasm"
    "$CWASM" package --world "${WORLD[$g]}" "build/wasm/$g.wasm" -o "build/guest/$g.cwasm"
    echo "build-cwasm: build/cwasm/$g.cwasm ($(stat -c %s "build/cwasm/$g.cwasm") bytes)," \
         "build/guest/$g.cwasm ($(stat -c %s "build/guest/$g.cwasm") bytes)"
done
