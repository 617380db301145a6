"""The monitor's command and method tables, filled by decorators next to each handler.

`@command(name, usage, summary)` declares a plain command (`mach`, `include`,
...); `@method(kind, name, usage)` a method or property of an object kind
(`sysbus LoadELF`, `cpu PC`, `sysbus.gpio.button Press`). Help, usage errors
and did-you-mean all read these tables, so nothing is kept in step by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Command:
    name: str
    handler: Callable[..., str]  # (monitor, args: list[Token], statement) -> output
    usage: str
    summary: str
    aliases: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class Method:
    kind: str
    name: str
    handler: Callable[..., str]  # (monitor, target, args: list[Token], usage) -> output
    usage: str


COMMANDS: dict[str, Command] = {}
#: object kind -> method name -> Method, in declaration order
METHODS: dict[str, dict[str, Method]] = {}
#: how help names an object kind
KIND_LABELS = {"LED": "sysbus.gpio.led", "Button": "sysbus.gpio.button", "UART": "sysbus.uart0"}


def command(name: str, usage: str, summary: str, aliases: tuple[str, ...] = ()) -> Callable:
    def register(fn: Callable[..., str]) -> Callable[..., str]:
        cmd = Command(name, fn, usage, summary, aliases)
        COMMANDS[name] = cmd
        for alias in aliases:
            COMMANDS[alias] = cmd
        return fn
    return register


def method(kind: str, name: str, usage: str) -> Callable:
    def register(fn: Callable[..., str]) -> Callable[..., str]:
        METHODS.setdefault(kind, {})[name] = Method(kind, name, fn, usage)
        return fn
    return register


def method_usages(kind: str) -> dict[str, str]:
    return {name: m.usage for name, m in METHODS.get(kind, {}).items()}
