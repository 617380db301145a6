#!/usr/bin/env bash
# Build the firmware images (one ELF per guest) into build/<guest>.elf and
# report their sizes. The guests' components must be in build/wasm/.
# PROFILE=release (default: fat LTO, the shipping images) or PROFILE=fast
# (no LTO: quick relinks while editing the firmware).
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-release}
case "$PROFILE" in
    release|fast) ;;
    *) echo "build-firmware: unknown PROFILE '$PROFILE' (release or fast)" >&2; exit 1 ;;
esac
start=$(date +%s)
(cd firmware && ../scripts/xcargo thumbv8m.main-none-eabihf build --profile "$PROFILE")
out=firmware/target/thumbv8m.main-none-eabihf/$PROFILE
for g in blinky button uart-echo trap compute; do
    # Copy only on change so dependants (tests, emulator caches) see real mtimes.
    cmp -s "$out/$g" "build/$g.elf" || cp "$out/$g" "build/$g.elf"
done
.venv/bin/python scripts/firmware-report.py build/blinky.elf build/button.elf build/uart-echo.elf build/trap.elf build/compute.elf
echo "build-firmware: $PROFILE images done in $(( $(date +%s) - start )) s"
