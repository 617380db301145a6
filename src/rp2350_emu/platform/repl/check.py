"""Strict .repl check for real Renode: does every type and constructor attribute resolve?

`repl.py` parses Renode's grammar strictly; this adds what Renode checks when it
creates the machine, without Renode: each entry's type must be a Renode built-in
(renode/builtin-types.txt, with the Renode source file of each) or a C# model
under renode/models/ (namespace + class), and each lower-case attribute must be
a constructor parameter of that type (Renode picks a constructor by parameter
names). PythonPeripheral scripts (`filename:`, or the one a C# subclass loads
with RP2350Scripts.Find) must exist. References and IRQ targets must name an
entry. Every problem is "file:line: what, expected what".
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from rp2350_emu.errors import ConfigError
from rp2350_emu.platform.repl.ast import NONE, Platform, Ref, normalise_type
from rp2350_emu.platform.repl.parser import parse_repl

RENODE_NAMESPACE = "Antmicro.Renode.Peripherals."
_CLASS = re.compile(r"public\s+(?:sealed\s+|abstract\s+)?class\s+(\w+)\s*(?::\s*([\w\s,.<>]+?))?\s*\{")
_NAMESPACE = re.compile(r"^namespace\s+([\w.]+)", re.MULTILINE)


@dataclass
class TypeInfo:
    name: str  # as written in a .repl: Namespace.Class without Antmicro.Renode.Peripherals.
    params: set[str]
    source: str
    script: str | None = None  # PythonPeripheral script a C# subclass loads
    bases: list[str] = field(default_factory=list)


def load_builtins(path: Path) -> dict[str, TypeInfo]:
    types = {}
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        decl, _, source = line.partition("|")
        name, *params = decl.split()
        if not source.strip():
            raise ConfigError(f"{path}:{number}: {name} has no source file, expected '| src/...cs'")
        types[name] = TypeInfo(name, set(params), source.strip())
    return types


def _constructor_params(body: str, cls: str) -> set[str] | None:
    params: set[str] = set()
    found = False
    for match in re.finditer(rf"public\s+{cls}\s*\(([^)]*)\)", body):
        found = True
        for param in match.group(1).split(","):
            words = param.split("=")[0].split()
            if words:
                params.add(words[-1])
    return params if found else None


def load_models(models_dir: Path) -> dict[str, TypeInfo]:
    """Public classes of renode/models/**/*.cs, by their .repl type name."""
    types = {}
    for cs in sorted(models_dir.rglob("*.cs")):
        text = cs.read_text()
        spans = [(m.start(), m.group(1)) for m in _NAMESPACE.finditer(text)] + [(len(text), "")]
        for (start, namespace), (end, _) in itertools.pairwise(spans):
            body = text[start:end]
            for match in _CLASS.finditer(body):
                cls = match.group(1)
                full = f"{namespace}.{cls}"
                name = full.removeprefix(RENODE_NAMESPACE)
                params = _constructor_params(body, cls) or set()
                params.discard("machine")  # injected by Renode
                script = None
                ctor = re.search(rf"public\s+{cls}\s*\([^)]*\)\s*:\s*base\((.*?)\)\s*\{{", body, re.DOTALL)
                if ctor:
                    found = re.search(r'RP2350Scripts\.Find\("([^"]+)"\)', ctor.group(1))
                    script = found.group(1) if found else None
                bases = [b.strip() for b in (match.group(2) or "").split(",") if b.strip()]
                types[name] = TypeInfo(name, params, str(cs), script, bases)
    return types


class ReplChecker:
    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.types = load_builtins(repo / "renode" / "builtin-types.txt")
        self.types.update(load_models(repo / "renode" / "models"))

    def check(self, path: Path) -> list[str]:
        """Problems of the .repl at `path` (parse errors raise ConfigError)."""
        platform = parse_repl(path)
        return self.check_platform(platform)

    def check_platform(self, platform: Platform) -> list[str]:
        problems = []
        for entry in platform:
            if entry.type is None:
                if entry.name != "sysbus":
                    problems.append(f"{entry.where}: entry {entry.name!r} is never created, "
                                    "expected 'name: Type @ registration' somewhere")
                continue
            info = self.types.get(normalise_type(entry.type))
            if info is None:
                problems.append(f"{entry.where}: type {entry.type!r} is neither a Renode built-in "
                                "(renode/builtin-types.txt) nor a model under renode/models, expected one of: "
                                + ", ".join(sorted(self.types)))
                continue
            problems += self._attributes(platform, entry, info)
            problems += self._script(entry, info)
            for conn in entry.irqs:
                for target in conn.targets:
                    if target.target not in platform.entries:
                        problems.append(f"{conn.file}:{conn.line}: IRQ destination {target.target!r} is not an "
                                        "entry, expected the name of an interrupt controller or GPIO receiver")
            for reg in entry.registrations:
                if reg.parent not in ("sysbus", "none") and reg.parent not in platform.entries:
                    problems.append(f"{entry.where}: registered on {reg.parent!r}, which is not an entry, "
                                    "expected sysbus or a GPIO controller")
        return problems

    def _attributes(self, platform: Platform, entry, info: TypeInfo) -> list[str]:
        problems = []
        for attr, value in entry.attrs.items():
            where = entry.attr_where(attr)
            if attr[:1].islower() and attr not in info.params:
                problems.append(f"{where}: {entry.name} ({info.name}) has no constructor parameter {attr!r}, "
                                f"expected one of: {', '.join(sorted(info.params)) or '(none)'} [{info.source}]")
            values = value if isinstance(value, list) else [value]
            for item in values:
                if isinstance(item, Ref) and "." not in item.name and item.name not in platform.entries \
                        and item is not NONE:
                    problems.append(f"{where}: {entry.name}.{attr} refers to {item.name!r}, which is not an entry")
        return problems

    def _script(self, entry, info: TypeInfo) -> list[str]:
        script = None
        if info.name == "Python.PythonPeripheral":
            filename = entry.attrs.get("filename")
            if isinstance(filename, str):
                script = self.repo / filename
            elif "script" not in entry.attrs:
                return [f"{entry.where}: {entry.name} is a PythonPeripheral without filename or script"]
        elif info.script is not None:
            script = self.repo / "renode" / "peripherals" / info.script
        if script is not None and not script.is_file():
            return [f"{entry.where}: {entry.name}: PythonPeripheral script {script} does not exist"]
        return []


    def wiring_problems(self, platform: Platform) -> list[str]:
        """What Renode would refuse when it creates the machine, for the entries whose type is known:
        an attribute no constructor takes, a reference or IRQ destination that is not an entry."""
        problems = []
        for entry in platform:
            info = self.types.get(normalise_type(entry.type)) if entry.type else None
            if info is not None:
                problems += self._attributes(platform, entry, info)
            for conn in entry.irqs:
                problems += [f"{conn.file}:{conn.line}: IRQ destination {target.target!r} is not an entry, "
                             "expected the name of an interrupt controller or GPIO receiver"
                             for target in conn.targets if target.target not in platform.entries]
        return problems


_TREE: list[ReplChecker | None] = []


def source_tree_checker() -> ReplChecker | None:
    """A checker over the renode/ folder of the source tree this package runs from (None without one)."""
    if not _TREE:
        here = Path(__file__).resolve()
        repo = next((p for p in here.parents if (p / "renode" / "builtin-types.txt").is_file()), None)
        _TREE.append(ReplChecker(repo) if repo is not None else None)
    return _TREE[0]


def check_wiring(platform: Platform) -> None:
    """Raise the first problem Renode would also refuse (see ReplChecker.wiring_problems)."""
    checker = source_tree_checker()
    problems = checker.wiring_problems(platform) if checker is not None else []
    if problems:
        raise ConfigError(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))


def check_repl(path: str | Path, repo: str | Path) -> list[str]:
    return ReplChecker(Path(repo)).check(Path(path))
