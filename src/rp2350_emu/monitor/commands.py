"""The monitor's plain commands (help, mach, include, start, logLevel, path, ...), each declared where it is written."""

from __future__ import annotations

from pathlib import Path

from rp2350_emu import inputs
from rp2350_emu.harness.log import LEVEL_NAMES, LEVELS, FileBackend, parse_level
from rp2350_emu.monitor.analyzer import UartAnalyzer
from rp2350_emu.monitor.args import arity, checked, to_int, to_str
from rp2350_emu.monitor.errors import MonitorError, MonitorQuit
from rp2350_emu.monitor.format import CRLF, suggest
from rp2350_emu.monitor.interpreter import Monitor
from rp2350_emu.monitor.registry import COMMANDS, KIND_LABELS, METHODS, command
from rp2350_emu.monitor.script import Statement, Token


@command("help", "help [command]", "list commands, or show one command's usage", aliases=("h", "?"))
def _help(mon: Monitor, args: list[Token], st: Statement) -> str:
    if args:
        word = str(args[0].value)
        if word in COMMANDS:
            cmd = COMMANDS[word]
            return f"{cmd.usage}{CRLF}    {cmd.summary}{CRLF}"
        if word in METHODS:
            return "".join(f"{m.usage}{CRLF}" for m in METHODS[word].values())
        raise MonitorError(f"help: no command '{word}'" + suggest(word, list(COMMANDS) + list(METHODS)))
    lines = ["Available commands:"]
    for cmd in sorted({id(c): c for c in COMMANDS.values()}.values(), key=lambda c: c.name.lower()):
        alias = f"({', '.join(cmd.aliases)})" if cmd.aliases else ""
        lines.append(f"  {cmd.name:<14}{alias:<9} {cmd.summary}")
    lines.append("")
    lines.append("Objects and their methods:")
    for kind, methods in METHODS.items():
        label = KIND_LABELS.get(kind, kind)
        lines.append(f"  {label}: {', '.join(methods)}")
    return CRLF.join(lines) + CRLF


@command("mach", 'mach [create ["name"] | set "name"|N | rem "name" | clear]', "manage machines")
def _mach(mon: Monitor, args: list[Token], st: Statement) -> str:
    emu = mon.emulation
    if not args:
        lines = [f"{'*' if m is emu.current else ' '} {i}: {m.name}" for i, m in enumerate(emu.machines.values())]
        return CRLF.join(lines or ["no machines"]) + CRLF
    sub = str(args[0].value)
    rest = args[1:]
    if sub in ("create", "add"):
        arity(rest, 0, 1, 'mach create ["name"]')
        previous = emu.current
        emu.create_machine(to_str(rest[0], "machine name") if rest else None)
        if sub == "add" and previous is not None:
            emu.current = previous
        return ""
    if sub == "set":
        arity(rest, 1, 1, 'mach set "name"|N')
        if rest[0].kind == "int":
            names = list(emu.machines)
            index = int(rest[0].value)  # type: ignore[arg-type]
            if not 0 <= index < len(names):
                raise MonitorError(f"mach set: no machine number {index}")
            emu.current = emu.machines[names[index]]
        else:
            emu.current = emu.machine(to_str(rest[0], "machine name"))
        return ""
    if sub == "rem":
        arity(rest, 1, 1, 'mach rem "name"')
        handle = emu.machine(to_str(rest[0], "machine name"))
        del emu.machines[handle.name]
        if emu.current is handle:
            emu.current = None
        return ""
    if sub == "clear":
        arity(rest, 0, 0, "mach clear")
        emu.current = None
        return ""
    raise MonitorError(f"mach: unknown subcommand '{sub}' (expected create, add, set, rem or clear)")


@command("include", "include @file.resc|@file.repl", "run a monitor script, or load a platform file",
          aliases=("i",))
def _include(mon: Monitor, args: list[Token], st: Statement) -> str:
    arity(args, 1, 1, "include @file")
    path = mon.resolve_path(mon._expand(args[0], st), "include")
    suffix = path.suffix.lower()
    if suffix == ".repl":
        mon._machine().load_platform(path)
        return ""
    if suffix in (".py", ".cs"):
        raise MonitorError(f"include: {path.name} is a Renode plugin ({suffix}); the built-in engine models "
                           "peripherals in Python under src/rp2350_emu/peripherals instead")
    return mon.execute_script(path, st.where)


@command("start", "start [@script.resc]", "start the emulation (time then flows while you wait)", aliases=("s",))
def _start(mon: Monitor, args: list[Token], st: Statement) -> str:
    out = ""
    if args:
        out = _include(mon, args, st)
    mon.emulation.runnable()
    if mon.emulation.started:
        return out + "Emulation is already started. Ignoring command" + CRLF
    mon.emulation.start()
    return out


@command("pause", "pause", "pause the emulation", aliases=("p",))
def _pause(mon: Monitor, args: list[Token], st: Statement) -> str:
    arity(args, 0, 0, "pause")
    mon.emulation.pause()
    return ""


@command("quit", "quit", "leave the monitor", aliases=("q",))
def _quit(mon: Monitor, args: list[Token], st: Statement) -> str:
    raise MonitorQuit()


@command("set", 'set name value', "set a variable (same as $name=value)")
def _set(mon: Monitor, args: list[Token], st: Statement) -> str:
    arity(args, 2, 2, "set name value")
    mon.variables[to_str(args[0], "variable name")] = mon._expand(args[1], st)
    return ""


@command("macro", 'macro name """statements"""', "define a macro (run it with runMacro $name)")
def _macro(mon: Monitor, args: list[Token], st: Statement) -> str:
    arity(args, 2, 2, 'macro name """statements"""')
    name = to_str(args[0], "macro name")
    mon.macros[name] = (to_str(args[1], "macro body"), st.where)
    return ""


@command("runMacro", "runMacro $name", "run a macro")
def _run_macro(mon: Monitor, args: list[Token], st: Statement) -> str:
    arity(args, 1, 1, "runMacro $name")
    token = args[0]
    name = token.value[0] if token.kind == "var" else token.value  # type: ignore[index]
    if name not in mon.macros:
        raise MonitorError(f"runMacro: no macro named '{name}'"
                           + (f" (defined: {', '.join(mon.macros)})" if mon.macros else ""))
    body, defined_at = mon.macros[str(name)]
    try:
        # Body lines count from the `macro` statement, so errors point into the body.
        return mon.execute(body, f"macro {name} (defined at {defined_at}) body line", 0)
    except MonitorError as exc:
        exc.included_from.append(st.where)
        raise


@command("logLevel", "logLevel [LEVEL [object]]", "show or set log levels (-1 Noisy .. 3 Error)")
def _log_level(mon: Monitor, args: list[Token], st: Statement) -> str:
    log = mon.emulation.log
    if not args:
        return _level_table(mon) + CRLF
    arity(args, 1, 2, "logLevel [LEVEL [object]]")
    level = parse_level(args[0].value if args[0].kind in ("int", "word", "string") else args[0].text)
    if len(args) == 2:
        # an object's own level (Renode: per emulation element), as its entries name it: sysbus.uart0 -> uart0
        name = to_str(args[1], "logLevel object")
        bare = name.removeprefix("sysbus.")
        handle = mon.emulation.current
        known = set(handle.peripheral_names()) | {f"{d.controller}.{n}" for n, d in handle.gpio_devices.items()} \
            if handle is not None else set()
        if bare not in known and bare not in ("cpu", "sysbus"):
            raise MonitorError(f"logLevel: no object '{name}'" + suggest(bare, sorted(known)))
        log.set_level(level, bare)
        return ""
    log.set_level(level)
    return ""


def _level_table(mon: Monitor) -> str:
    """`logLevel` with no arguments, laid out as Renode's table."""
    log = mon.emulation.log
    machine = mon.emulation.current.name if mon.emulation.current is not None else ""
    rows = ["Currently set levels:", "", f"{'Backend':<18}| {'Emulation element':<36}| Level", "=" * 65]
    for backend in log.backends:
        rows.append(f"{type(backend).__name__:<18}: {'':<36}: {LEVEL_NAMES.get(backend.level, backend.level).upper()}")
        for source, level in log.object_levels.items():
            element = f"{machine}:sysbus.{source}" if machine else f"sysbus.{source}"
            rows.append(f"{'':<18}: {element:<36}: {LEVEL_NAMES.get(level, level).upper()}")
        rows.append("-" * 65)
    return CRLF.join(rows)


@command("logFile", "logFile @path", "also write the log to a file")
def _log_file(mon: Monitor, args: list[Token], st: Statement) -> str:
    arity(args, 1, 1, "logFile @path")
    token = mon._expand(args[0], st)
    if token.kind not in ("path", "string"):
        raise MonitorError("logFile expects @path")
    path = Path(str(token.value))
    path = path if path.is_absolute() else mon.cwd / path
    checked(inputs.output_file, path, "logFile")
    backend = FileBackend(path)
    mon.log_files.append(backend)
    mon.emulation.log.add(backend)
    return ""


@command("log", 'log "message"', "write a message to the log (Info)")
def _log(mon: Monitor, args: list[Token], st: Statement) -> str:
    arity(args, 1, 2, 'log "message" [LEVEL]')
    level = parse_level(args[1].value if args[1].kind != "path" else args[1].text) if len(args) > 1 \
        else LEVELS["Info"]
    mon.emulation.log.log(level, "", to_str(mon._expand(args[0], st), "log"), mon.emulation.now_ns)
    return ""


@command("lastLog", "lastLog [N]", "show the last N log entries (default 20)")
def _last_log(mon: Monitor, args: list[Token], st: Statement) -> str:
    arity(args, 0, 1, "lastLog [N]")
    count = to_int(args[0], "lastLog") if args else 20
    return "".join(e.format() + CRLF for e in mon.recent.entries[-count:])


@command("showAnalyzer", "showAnalyzer sysbus.uart0", "log each line the UART sends (Info level)",
          aliases=("sa",))
def _show_analyzer(mon: Monitor, args: list[Token], st: Statement) -> str:
    arity(args, 1, 3, "showAnalyzer sysbus.uart0")
    objects = [a for a in args if a.kind == "word"]
    extra = [a for a in args if a.kind != "word"]
    if len(objects) != 1 or len(extra) > 1 or any(
            str(a.value) not in ("LoggingUartAnalyzer", "LoggingAnalyzer") and a.kind == "string" and
            a is not extra[0] for a in extra):
        raise MonitorError("showAnalyzer: usage: showAnalyzer sysbus.uart0")
    kind, port = mon._resolve_object(str(objects[0].value))
    if kind != "UART":
        raise MonitorError(f"showAnalyzer: '{objects[0].text}' is not a UART (only UART analyzers exist)")
    mon.analyzers.append(UartAnalyzer(mon.emulation, port))
    return ""


@command("using", "using sysbus", "add an implicit name prefix")
def _using(mon: Monitor, args: list[Token], st: Statement) -> str:
    arity(args, 1, 1, "using sysbus")
    prefix = to_str(args[0], "using").rstrip(".") + "."
    if prefix not in mon.usings:
        mon.usings.insert(0, prefix)
    return ""


@command("path", "path [add @dir | set @dir | reset]", "show or change where @paths are searched")
def _path(mon: Monitor, args: list[Token], st: Statement) -> str:
    if not args:
        return "; ".join(str(p) for p in [*mon.path, mon.cwd]) + CRLF
    sub = str(args[0].value)
    if sub == "reset":
        mon.path.clear()
        return ""
    if sub in ("add", "set") and len(args) == 2:
        token = mon._expand(args[1], st)
        if token.kind not in ("path", "string"):
            raise MonitorError(f"path {sub} expects @dir")
        directory = Path(str(token.value))
        directory = directory if directory.is_absolute() else mon.cwd / directory
        if not directory.is_dir():
            raise MonitorError(f"path {sub}: not a directory: {directory}")
        if sub == "set":
            mon.path.clear()
        mon.path.append(directory.resolve())
        return ""
    raise MonitorError("usage: path [add @dir | set @dir | reset]")


@command("peripherals", "peripherals", "list the current machine's peripherals")
def _peripherals(mon: Monitor, args: list[Token], st: Statement) -> str:
    handle = mon._machine()
    lines = [f"Available peripherals of {handle.name}:", "  sysbus"]
    lines += [f"    {name}" for name in handle.peripheral_names()]
    lines += [f"    {d.controller}.{name} ({d.kind}, pin {d.pin})" for name, d in handle.gpio_devices.items()]
    return CRLF.join(lines) + CRLF


@command("version", "version", "show the engine version")
def _version(mon: Monitor, args: list[Token], st: Statement) -> str:
    from rp2350_emu import __version__

    return f"rp2350-emu {__version__} (Renode-compatible monitor)" + CRLF


def _snapshot_path(mon: Monitor, args: list[Token], st: Statement, what: str) -> Path:
    arity(args, 1, 1, f"{what} @file")
    token = mon._expand(args[0], st)
    if token.kind not in ("path", "string"):
        raise MonitorError(f"{what} expects a file path like @dir/file.save or \"/abs/file.save\", got {token.text!r}")
    path = Path(str(token.value)).expanduser()
    return path if path.is_absolute() else mon.cwd / path


@command("Save", "Save @file", "save the emulation's state (a snapshot; `Load` or `rp2350-emu run --restore` continues it)")
def _save(mon: Monitor, args: list[Token], st: Statement) -> str:
    from rp2350_emu.harness.snapshots import save_emulation

    path = _snapshot_path(mon, args, st, "Save")  # a missing folder is made, as for failure snapshots
    if path.is_dir():
        raise MonitorError(f"Save: {path} is a directory, expected a file name (e.g. {path}/state.save)")
    with mon.emulation.lock:
        save_emulation(mon.emulation, path)
    return ""


@command("Load", "Load @file", "replace the emulation with a saved one (then `mach set` selects a machine)")
def _load(mon: Monitor, args: list[Token], st: Statement) -> str:
    from rp2350_emu.harness.snapshots import load_emulation

    path = _snapshot_path(mon, args, st, "Load")
    if not path.is_file():
        raise MonitorError(f"Load: file not found: {path}")
    with mon.emulation.lock:
        load_emulation(mon.emulation, path)
    return ""
