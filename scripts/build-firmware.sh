#!/usr/bin/env bash
# Build the firmware images (one ELF per guest) into build/<guest>.elf and
# report their sizes. The guests' components must be in build/wasm/.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
(cd firmware && ../scripts/xcargo thumbv8m.main-none-eabihf build --release)
out=firmware/target/thumbv8m.main-none-eabihf/release
for g in blinky button uart-echo trap compute; do
    # Copy only on change so dependants (tests, emulator caches) see real mtimes.
    cmp -s "$out/$g" "build/$g.elf" || cp "$out/$g" "build/$g.elf"
done
.venv/bin/python scripts/firmware-report.py build/blinky.elf build/button.elf build/uart-echo.elf build/trap.elf build/compute.elf
echo "build-firmware: done in $(( $(date +%s) - start )) s"
