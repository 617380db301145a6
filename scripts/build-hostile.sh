#!/usr/bin/env bash
# Build the hostile-guest battery (wasm-app/hostile/*.wat) into loader
# packages build/hostile/<name>.cwasm, compiled with `cwasm package
# --unchecked` so the loader's own checks are what they meet.
# The second line of each .wat says what it is:
#   ;; hostile: component WORLD   a core module, wrapped as a component of WORLD
#   ;; hostile: core              a core module, packaged as it is
#   ;; hostile: raw               a component written by hand
set -euo pipefail
cd "$(dirname "$0")/.."
WASM_TOOLS=${WASM_TOOLS:-.venv/bin/wasm-tools}
# Any rustc names the build machine's triple, where host-cargo puts the tool.
host=$({ rustc -vV 2>/dev/null || /usr/bin/rustc -vV; } | awk '/^host:/ {print $2}')
CWASM=${CWASM:-firmware/target/$host/tool/cwasm}
scripts/build-cwasm.sh --tool
mkdir -p build/hostile
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for wat in wasm-app/hostile/*.wat; do
    name=$(basename "$wat" .wat)
    read -r _ _ kind world < <(grep -m1 '^;; hostile:' "$wat") || true
    case "$kind" in
        component)
            "$WASM_TOOLS" parse "$wat" -o "$tmp/core.wasm"
            "$WASM_TOOLS" component embed wit --world "$world" "$tmp/core.wasm" -o "$tmp/embedded.wasm"
            "$WASM_TOOLS" component new "$tmp/embedded.wasm" -o "$tmp/$name.wasm" ;;
        core|raw)
            "$WASM_TOOLS" parse "$wat" -o "$tmp/$name.wasm" ;;
        *)
            echo "build-hostile: $wat: no ';; hostile: component WORLD|core|raw' line" >&2
            exit 1 ;;
    esac
    "$CWASM" package --unchecked "$tmp/$name.wasm" -o "build/hostile/$name.cwasm"
    n=$((n + 1))
done
echo "build-hostile: $n packages in build/hostile/"
