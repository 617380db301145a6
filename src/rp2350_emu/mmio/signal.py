"""A wire between models: an IRQ line or a GPIO level, with listeners."""

from __future__ import annotations

from collections.abc import Callable


class Signal:
    """A wire: an IRQ line or a GPIO level. Listeners see every change."""

    def __init__(self, name: str = "", level: bool = False) -> None:
        self.name = name
        self.level = level
        self._listeners: list[Callable[[bool], None]] = []

    def connect(self, listener: Callable[[bool], None]) -> None:
        self._listeners.append(listener)

    def set(self, level: bool) -> None:
        level = bool(level)
        if level == self.level:
            return
        self.level = level
        for listener in self._listeners:
            listener(level)
