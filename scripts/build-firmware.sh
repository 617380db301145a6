#!/usr/bin/env bash
# Build the firmware images (one ELF per guest, plus the loader) and report
# their sizes. The guests' .cwasm files must be in build/cwasm/ (make cwasm).
# FLAVOUR=wfi (default): delays sleep on interrupts, images in build/;
#   PROFILE=release (default: fat LTO, the shipping images) or PROFILE=fast
#   (no LTO: quick relinks while editing the firmware).
# FLAVOUR=busywait: spin loops (feature `busywait`), cargo profile `busywait`
#   (opt-level 3, no LTO, 16 codegen units), images in build/busywait/.
set -euo pipefail
cd "$(dirname "$0")/.."
FLAVOUR=${FLAVOUR:-wfi}
PROFILE=${PROFILE:-release}
case "$FLAVOUR" in
    wfi)
        case "$PROFILE" in
            release|fast) ;;
            *) echo "build-firmware: unknown PROFILE '$PROFILE' (release or fast)" >&2; exit 1 ;;
        esac
        profile=$PROFILE; features=(); dest=build
        images=(blinky button uart-echo trap compute servo loader) ;;
    busywait)
        profile=busywait; features=(--features busywait); dest=build/busywait
        images=(blinky button uart-echo trap compute servo loader) ;;
    *) echo "build-firmware: unknown FLAVOUR '$FLAVOUR' (wfi or busywait)" >&2; exit 1 ;;
esac
start=$(date +%s)
if [ -d "firmware/target/thumbv8m.main-none-eabihf/$profile" ]; then
    echo "build-firmware: $FLAVOUR flavour: ${images[*]} (a rebuild: seconds, or 3-5 min when the engine crate changes)"
else
    echo "build-firmware: $FLAVOUR flavour: ${images[*]}, first build of profile $profile: Wasmtime and the HAL" \
        "for the M33 (usually 10-15 min on 2 cores; later builds take seconds to minutes)"
fi
bins=()
for g in "${images[@]}"; do bins+=(--bin "$g"); done
(cd firmware && ../scripts/xcargo thumbv8m.main-none-eabihf build --profile "$profile" "${features[@]}" "${bins[@]}")
out=firmware/target/thumbv8m.main-none-eabihf/$profile
mkdir -p "$dest"
elfs=()
for g in "${images[@]}"; do
    # Copy only on change so dependants (tests, emulator caches) see real mtimes.
    cmp -s "$out/$g" "$dest/$g.elf" || cp "$out/$g" "$dest/$g.elf"
    elfs+=("$dest/$g.elf")
done
.venv/bin/python scripts/firmware-report.py "${elfs[@]}"
echo "build-firmware: $FLAVOUR flavour, $profile profile: images done in $(( $(date +%s) - start )) s"
