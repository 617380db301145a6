# Entry points. `make help` lists them.
SHELL := /bin/bash
GUEST ?= blinky
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
	@echo "make run GUEST=blinky   boot a guest in the built-in engine for $(SECONDS_TO_RUN) virtual s"
	@echo "make test               set up, build, and run every test"
	@echo "make bench              engine speed figures, then the firmware's own (rp2350-emu report)"
	@echo "make debug GUEST=...    engine with a GDB server + gdb-multiarch attached"

setup:
	@scripts/setup.sh

wasm: $(WASM)
$(WASM) &: $(GUEST_SRC) scripts/build-wasm.sh
	@scripts/build-wasm.sh

firmware: setup $(ELFS)
$(ELFS) &: $(WASM) $(FW_SRC) scripts/build-firmware.sh
	@scripts/build-firmware.sh

run: setup $(ELFS)
	$(VENV)/bin/rp2350-emu run build/$(GUEST).elf --seconds $(SECONDS_TO_RUN)

lint:
	$(VENV)/bin/ruff check src tests scripts

test: setup $(ELFS)
	@$(MAKE) --no-print-directory test-only

test-only:
	$(VENV)/bin/ruff check src tests scripts
	$(VENV)/bin/python -m pytest -q

bench: setup $(ELFS)
	$(VENV)/bin/rp2350-emu bench $(ELFS:build/trap.elf=)
	$(VENV)/bin/rp2350-emu report $(ELFS:build/trap.elf=)

debug: setup $(ELFS)
	scripts/debug.sh $(GUEST)

clean:
	rm -rf build firmware/target wasm-app/target
