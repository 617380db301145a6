# Entry points. `make help` lists them.
SHELL := /bin/bash
GUEST ?= blinky
# release: fat-LTO images (what ships, what the figures use); fast: no LTO
PROFILE ?= release
export PROFILE
SECONDS_TO_RUN ?= 3
VENV := .venv
PY := $(VENV)/bin/python

GUESTS := blinky button uart-echo trap compute
WASM := $(GUESTS:%=build/wasm/%.wasm)
ELFS := $(GUESTS:%=build/%.elf)
GUEST_SRC := $(shell find wasm-app -path '*/target' -prune -o \( -name '*.rs' -o -name 'Cargo.*' -o -name config.toml \) -print) $(wildcard wit/*.wit)
FW_SRC := $(shell find firmware/src -name '*.rs') firmware/Cargo.toml firmware/Cargo.lock firmware/build.rs firmware/memory.x

.PHONY: help setup wasm firmware run test test-only bench debug lint clean

help:
	@echo "make setup              install toolchains, apt packages and .venv (idempotent)"
	@echo "make firmware           build guests (build/wasm/*.wasm) and firmware (build/*.elf)"
	@echo "    PROFILE=fast          ... without LTO: ~20 s firmware rebuilds (default PROFILE=release)"
	@echo "make run GUEST=blinky   boot a guest in the built-in engine for $(SECONDS_TO_RUN) virtual s"
	@echo "make test               set up, build, and run every test"
	@echo "make bench              engine speed figures, then the firmware's own (rp2350-emu report)"
	@echo "make debug GUEST=...    engine with a GDB server + gdb-multiarch attached"

setup:
	@scripts/setup.sh

# The build scripts replace an output only when its bytes change (so cargo
# and the tests see true modification times); stamps record that a build ran.
wasm: $(WASM)
build/.wasm-stamp: $(GUEST_SRC) scripts/build-wasm.sh
	@scripts/build-wasm.sh
	@touch $@
$(WASM): build/.wasm-stamp
	@test -f $@ || { rm -f build/.wasm-stamp; echo "$@ missing: run make again"; exit 1; }

# The stamp names the profile, so switching PROFILE rebuilds build/*.elf.
FW_STAMP := build/.firmware-stamp-$(PROFILE)
firmware: setup $(ELFS)
$(FW_STAMP): $(WASM) $(FW_SRC) scripts/build-firmware.sh
	@scripts/build-firmware.sh
	@rm -f build/.firmware-stamp-*
	@touch $@
$(ELFS): $(FW_STAMP)
	@test -f $@ || { rm -f $(FW_STAMP); echo "$@ missing: run make again"; exit 1; }

# Inputs that make each guest show what it does.
RUN_ARGS_button := --press 15@0.5:0.4 --press 15@1.5:0.1
RUN_ARGS_uart-echo := --uart-input $$'hello, RP2350\r'

run: setup $(ELFS)
	@test -f build/$(GUEST).elf || { echo "make run: no guest '$(GUEST)' (one of: $(GUESTS))"; exit 1; }
	$(VENV)/bin/rp2350-emu run build/$(GUEST).elf --seconds $(SECONDS_TO_RUN) $(RUN_ARGS_$(GUEST))

lint:
	$(VENV)/bin/ruff check src tests scripts
	$(VENV)/bin/lint-imports --no-cache

test: setup $(ELFS)
	@$(MAKE) --no-print-directory test-only

test-only:
	$(VENV)/bin/ruff check src tests scripts
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/rp2350-emu test --console dotted -r results/robot robot/*.robot robot/builtin/*.robot
	$(VENV)/bin/python -m pytest -q

bench: setup $(ELFS)
	$(VENV)/bin/rp2350-emu bench $(ELFS:build/trap.elf=)
	$(VENV)/bin/rp2350-emu report $(ELFS:build/trap.elf=)

debug: setup $(ELFS)
	scripts/debug.sh $(GUEST)

clean:
	rm -rf build firmware/target wasm-app/target
