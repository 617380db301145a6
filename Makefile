# Entry points. `make help` lists them.
SHELL := /bin/bash
GUEST ?= blinky
# release: fat-LTO images (what ships, what the figures use); fast: no LTO
PROFILE ?= release
export PROFILE
SECONDS_TO_RUN ?= 3
VENV := .venv
PY := $(VENV)/bin/python

# wfi: delays sleep on TIMER0 alarms (the default, build/*.elf); busywait:
# spin loops and cargo's default release settings (build/busywait/*.elf)
FLAVOUR ?= wfi

GUESTS := blinky button uart-echo trap compute servo
WASM := $(GUESTS:%=build/wasm/%.wasm)
CWASM := $(GUESTS:%=build/cwasm/%.cwasm) build/cwasm/loader.fingerprint
# The default flavour's images (what run, test and bench use)
ELFS := $(GUESTS:%=build/%.elf) build/loader.elf
BUSYWAIT_ELFS := $(patsubst %,build/busywait/%.elf,blinky button uart-echo trap compute servo loader)
ifeq ($(FLAVOUR),wfi)
FLAVOUR_ELFS := $(ELFS)
else ifeq ($(FLAVOUR),busywait)
FLAVOUR_ELFS := $(BUSYWAIT_ELFS)
else
$(error FLAVOUR=$(FLAVOUR): unknown flavour (wfi or busywait))
endif
GUEST_SRC := $(shell find wasm-app -path '*/target' -prune -o \( -name '*.rs' -o -name 'Cargo.*' -o -name config.toml \) -print) $(wildcard wit/*.wit)
TOOL_SRC := $(shell find firmware/tools -path '*/target' -prune -o \( -name '*.rs' -o -name Cargo.toml \) -print) firmware/Cargo.lock firmware/src/common/engine_config.rs firmware/src/common/package.rs scripts/host-cargo
FW_SRC := $(shell find firmware/src -name '*.rs') firmware/Cargo.toml firmware/Cargo.lock firmware/build.rs firmware/memory.x firmware/loader.x
HOSTILE_SRC := $(wildcard wasm-app/hostile/*.wat)

.PHONY: help setup setup-run wasm cwasm cwasm-tool guest hostile web firmware firmware-all run test test-only bench debug lint clean

help:
	@echo "make setup              install toolchains, apt packages and .venv for everything (idempotent)"
	@echo "make setup-run          only what building and running needs (what make run uses)"
	@echo "make firmware           build guests (build/wasm, build/cwasm) and firmware (build/*.elf)"
	@echo "    PROFILE=fast          ... without LTO: ~20 s firmware rebuilds (default PROFILE=release)"
	@echo "    FLAVOUR=busywait      ... the spin-loop flavour, cargo's release defaults: build/busywait/*.elf"
	@echo "make firmware-all       both flavours (what CI builds)"
	@echo "make guest GUEST=blinky one guest: build/wasm/X.wasm, build/cwasm/X.cwasm, build/guest/X.cwasm; no firmware"
	@echo "make cwasm-tool         only the host AOT tool firmware/tools/cwasm (rp2350-emu guest compile runs it)"
	@echo "make hostile            the hostile-guest battery: build/hostile/*.cwasm (loader packages)"
	@echo "make web                the page of run --web: web/src -> src/rp2350_emu/web/static (npm ci, esbuild)"
	@echo "make run GUEST=blinky   boot a guest in the built-in engine for $(SECONDS_TO_RUN) virtual s"
	@echo "make test               set up, build, and run every test"
	@echo "make bench              engine speed figures, then the firmware's own (rp2350-emu report)"
	@echo "make debug GUEST=...    engine with a GDB server + gdb-multiarch attached"

setup:
	@scripts/setup.sh --for test

# What building and running needs (no mono, GDB, QEMU or test tools)
setup-run:
	@scripts/setup.sh --for run

# The build scripts replace an output only when its bytes change (so cargo
# and the tests see true modification times); stamps record that a build ran.
wasm: $(WASM)
build/.wasm-stamp: $(GUEST_SRC) scripts/build-wasm.sh
	@scripts/build-wasm.sh
	@touch $@
$(WASM): build/.wasm-stamp
	@test -f $@ || { rm -f build/.wasm-stamp; echo "$@ missing: run make again"; exit 1; }

# Guests are AOT-compiled on the host by firmware/tools/cwasm (built once);
# a guest change rebuilds its .cwasm, and the firmware only if the bytes change.
cwasm: $(CWASM)
build/.cwasm-stamp: $(WASM) $(TOOL_SRC) scripts/build-cwasm.sh scripts/guests.sh
	@scripts/build-cwasm.sh
	@touch $@
$(CWASM): build/.cwasm-stamp
	@test -f $@ || { rm -f build/.cwasm-stamp; echo "$@ missing: run make again"; exit 1; }

# Only the host AOT tool (what `rp2350-emu guest compile` runs).
cwasm-tool: setup-run
	@scripts/build-cwasm.sh --tool

# One guest, without touching the firmware.
guest: setup-run
	@scripts/build-wasm.sh $(GUEST) && scripts/build-cwasm.sh $(GUEST)

hostile: setup-run build/.hostile-stamp
build/.hostile-stamp: $(HOSTILE_SRC) $(TOOL_SRC) scripts/build-hostile.sh wit/platform.wit
	@scripts/build-hostile.sh
	@touch $@

# The page of `run --web`, built from npm packages into the Python package
# (committed there, so an install needs no Node): npm ci when the lock changes.
web: web/node_modules/.ci-stamp
	@cd web && node build.mjs
web/node_modules/.ci-stamp: web/package-lock.json web/package.json
	@cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The stamp names flavour and profile, so switching either rebuilds.
FW_STAMP := build/.firmware-stamp-$(FLAVOUR)-$(PROFILE)
firmware: setup-run $(FLAVOUR_ELFS)
$(FW_STAMP): $(CWASM) $(FW_SRC) scripts/build-firmware.sh
	@FLAVOUR=$(FLAVOUR) scripts/build-firmware.sh
	@rm -f build/.firmware-stamp-$(FLAVOUR)-*
	@touch $@
$(FLAVOUR_ELFS): $(FW_STAMP)
	@test -f $@ || { rm -f $(FW_STAMP); echo "$@ missing: run make again"; exit 1; }

firmware-all: setup-run
	@$(MAKE) --no-print-directory firmware FLAVOUR=wfi
	@$(MAKE) --no-print-directory firmware FLAVOUR=busywait

# Inputs that make each guest show what it does.
RUN_ARGS_button := --press 15@0.5:0.4 --press 15@1.5:0.1
RUN_ARGS_uart-echo := --uart-input $$'hello, RP2350\r'

run: setup-run $(ELFS)
	@test -f build/$(GUEST).elf || { echo "make run: no guest '$(GUEST)' (one of: $(GUESTS))"; exit 1; }
	$(VENV)/bin/rp2350-emu run build/$(GUEST).elf --seconds $(SECONDS_TO_RUN) $(RUN_ARGS_$(GUEST))

lint:
	$(VENV)/bin/ruff check src tests scripts
	$(VENV)/bin/lint-imports --no-cache

# Both flavours: the suites and the firmware tests run on each; robot/loader.robot
# uploads the hostile guests (build/hostile/)
test: setup $(ELFS) build/.hostile-stamp
	@$(MAKE) --no-print-directory firmware FLAVOUR=busywait
	@$(MAKE) --no-print-directory test-only

# the guest suites, run once more on the loader image (robot/boot.resource)
GUEST_SUITES := robot/blinky.robot robot/button.robot robot/uart-echo.robot robot/servo.robot

test-only:
	$(VENV)/bin/ruff check src tests scripts
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/rp2350-emu test -j 2 --console dotted -r results/robot robot/*.robot robot/builtin/*.robot
	$(VENV)/bin/rp2350-emu test -j 2 --console dotted -r results/robot-busywait --variable BUILD:$(CURDIR)/build/busywait robot/*.robot
	$(VENV)/bin/rp2350-emu test -j 2 --console dotted -r results/robot-loader --variable LOADER:$(CURDIR)/build/loader.elf $(GUEST_SUITES)
	$(VENV)/bin/rp2350-emu test -j 2 --console dotted -r results/robot-loader-busywait --variable BUILD:$(CURDIR)/build/busywait --variable LOADER:$(CURDIR)/build/busywait/loader.elf $(GUEST_SUITES)
	$(VENV)/bin/python -m pytest -q --durations=15

# The images whose guests run on their own (trap stops, servo and loader need
# a PWM model and an upload)
BENCH_ELFS := $(patsubst %,build/%.elf,blinky button uart-echo compute)
# `rp2350-emu bench`: both flavours side by side (build/*.elf, build/busywait/*.elf), C kernels in the
# engine, bare Unicorn and QEMU; takes a few minutes
bench: setup $(ELFS)
	@$(MAKE) --no-print-directory firmware FLAVOUR=busywait
	$(VENV)/bin/rp2350-emu bench
	$(VENV)/bin/rp2350-emu report $(BENCH_ELFS)

debug: setup $(ELFS)
	scripts/debug.sh $(GUEST)

clean:
	rm -rf build firmware/target wasm-app/target
