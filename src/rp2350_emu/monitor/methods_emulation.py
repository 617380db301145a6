"""Monitor methods of `emulation` and `connector` (time, host terminals) and of LEDs, buttons, UARTs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rp2350_emu import inputs
from rp2350_emu.harness.bridges import PtyBridge, TcpBridge, UartBridge
from rp2350_emu.harness.devices import Button, Led, UartPort
from rp2350_emu.harness.log import LEVELS
from rp2350_emu.monitor.args import arity, checked, to_bool, to_int, to_port, to_str
from rp2350_emu.monitor.errors import MonitorError
from rp2350_emu.monitor.format import fmt_bool
from rp2350_emu.monitor.interpreter import Monitor
from rp2350_emu.monitor.registry import method
from rp2350_emu.monitor.script import Token
from rp2350_emu.time.units import NS_PER_S, format_ns, parse_interval, unparsed_interval

#: virtual time `emulation RunFor` runs between two looks at Ctrl-C
RUN_FOR_CHUNK_NS = 50_000_000

# -- emulation ------------------------------------------------------------------------------------

@method("emulation", "RunFor", 'emulation RunFor "hh:mm:ss.frac"')
def emulation_run_for(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    arity(args, 1, 1, usage)
    mon._stopped("emulation RunFor")
    token = args[0]
    text = token.text if token.kind in ("int", "float") else to_str(token, "emulation RunFor")
    try:
        duration = parse_interval(text)
    except ValueError as exc:
        raise MonitorError(f"emulation RunFor: {exc}") from None
    checked(inputs.seconds, duration / NS_PER_S, "emulation RunFor", allow_zero=True)
    ignored = unparsed_interval(text)
    if ignored:
        mon.emulation.log.log(LEVELS["Warning"], "emulation", f"RunFor \"{text}\": Renode reads only "
                              f"[[hh:]mm:]ss[.frac] and ignores {ignored!r}, so this runs {duration / NS_PER_S:g} s "
                              "(as in Renode); write seconds, e.g. \"0.001\" for 1 ms", mon.emulation.now_ns)
    mon.emulation.runnable()
    mon.emulation.start()
    mon.cancel.clear()
    try:
        left = duration
        while left > 0:  # in chunks, so that Ctrl-C (mon.cancel) ends it between two
            if mon.cancel.is_set():
                mon.cancel.clear()
                raise MonitorError(f"emulation RunFor: interrupted (Ctrl-C) at virtual "
                                   f"{format_ns(mon.emulation.now_ns)}; the emulation is paused there")
            chunk = min(left, RUN_FOR_CHUNK_NS)
            mon.emulation.advance(chunk)
            left -= chunk
    finally:
        mon.emulation.pause()
    return ""


@method("emulation", "CreateServerSocketTerminal", 'emulation CreateServerSocketTerminal PORT "name" [telnetMode=true] [flushOnConnect=false]')
def emulation_create_server_socket_terminal(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    arity(args, 2, 4, usage)
    port = to_port(args[0], "emulation CreateServerSocketTerminal")
    name = to_str(args[1], "terminal name")
    telnet = to_bool(args[2], "telnetMode") if len(args) > 2 else True
    flush = to_bool(args[3], "flushOnConnect") if len(args) > 3 else False
    new_external(mon, name)
    mon.externals[name] = TcpBridge(name, port, telnet=telnet, flush_on_connect=flush)
    return ""


@method("emulation", "CreateUartPtyTerminal", 'emulation CreateUartPtyTerminal "name" "/path/link" [forceCreate=false]')
def emulation_create_uart_pty_terminal(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    arity(args, 2, 3, usage)
    name = to_str(args[0], "terminal name")
    link = to_str(args[1], "pty path") if args[1].kind != "path" else str(args[1].value)
    force = to_bool(args[2], "forceCreate") if len(args) > 2 else False
    new_external(mon, name)
    bridge = PtyBridge(name, link, force=force)
    mon.externals[name] = bridge
    return ""


def new_external(mon: Monitor, name: str) -> None:
    if name in mon.externals:
        raise MonitorError(f"an external named '{name}' already exists")


@method("emulation", "SetGlobalAdvanceImmediately", 'emulation SetGlobalAdvanceImmediately true|false')
def emulation_set_global_advance_immediately(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    arity(args, 1, 1, usage)
    mon.emulation.advance_immediately = to_bool(args[0], "SetGlobalAdvanceImmediately")
    return ""


@method("emulation", "SetGlobalQuantum", 'emulation SetGlobalQuantum "0.0001"')
def emulation_set_global_quantum(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    # Kept for script compatibility: the engine has no quanta (time is exact), so it
    # only records the value; it cannot change any result.
    arity(args, 1, 1, usage)
    token = args[0]
    text = token.text if token.kind in ("int", "float") else to_str(token, "SetGlobalQuantum")
    parse_interval(text)
    mon.quantum = text
    return ""


# -- connector ------------------------------------------------------------------------------------

def connector_args(mon: Monitor, args: list[Token], usage: str) -> tuple[UartPort, UartBridge]:
    arity(args, 2, 2, usage)
    kind, port = mon._resolve_object(to_str(args[0], "peripheral"))
    if kind != "UART":
        raise MonitorError(f"connector: '{args[0].text}' is not a UART")
    name = to_str(args[1], "terminal name")
    if name not in mon.externals:
        raise MonitorError(f"connector: no terminal named '{name}' (create it with emulation "
                           "CreateServerSocketTerminal or CreateUartPtyTerminal)")
    return port, mon.externals[name]


@method("connector", "Connect", 'connector Connect sysbus.uart0 terminalName')
def connector_connect(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    port, bridge = connector_args(mon, args, usage)
    bridge.connect(port)
    mon.emulation.attach_bridge(bridge)
    return ""


@method("connector", "Disconnect", 'connector Disconnect sysbus.uart0 terminalName')
def connector_disconnect(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    port, bridge = connector_args(mon, args, usage)
    if bridge.port is not port:
        raise MonitorError(f"connector: '{bridge.name}' is not connected to {port.name}")
    bridge.disconnect()
    if bridge in mon.emulation.bridges:
        mon.emulation.bridges.remove(bridge)
    return ""


# -- LED / button / UART ---------------------------------------------------------------------------

@method("LED", "State", 'sysbus.gpio.led State')
def led_state(mon: Monitor, led: Led, args: list[Token], usage: str) -> str:
    arity(args, 0, 0, usage)
    return fmt_bool(led.state)


@method("Button", "Pressed", 'sysbus.gpio.button Pressed')
def button_pressed(mon: Monitor, button: Button, args: list[Token], usage: str) -> str:
    arity(args, 0, 0, usage)
    return fmt_bool(button.pressed)


# Button actions share one handler shape: no arguments, no output.
_BUTTON_ACTIONS: dict[str, Callable[[Button], None]] = {
    "Press": Button.press, "Release": Button.release, "Toggle": Button.toggle,
    "PressAndRelease": Button.press_and_release,
}


def _button_action(action: Callable[[Button], None]) -> Callable[..., str]:
    def handler(mon: Monitor, button: Button, args: list[Token], usage: str) -> str:
        arity(args, 0, 0, usage)
        action(button)
        return ""
    return handler


for _name, _action in _BUTTON_ACTIONS.items():
    method("Button", _name, f"sysbus.gpio.button {_name}")(_button_action(_action))


@method("UART", "WriteChar", 'sysbus.uart0 WriteChar 0x41')
def uart_write_char(mon: Monitor, port: UartPort, args: list[Token], usage: str) -> str:
    arity(args, 1, 1, usage)
    value = to_int(args[0], "WriteChar")
    if not 0 <= value <= 0xFF:
        raise MonitorError(f"WriteChar expects a byte (0..0xFF), got {args[0].text}")
    port.inject(bytes([value]))
    return ""
