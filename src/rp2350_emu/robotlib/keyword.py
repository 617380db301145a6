"""Declaring a Renode keyword where it is written, and what keyword methods share.

`@keyword("Wait For Line On Uart", P("content", "str"), ...)` on a method names
the keyword and lists its C# parameters in Renode's order (args.py parses
Robot's arguments against them); `keywords_of(cls)` collects a library's
keywords from its classes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rp2350_emu.errors import HarnessError
from rp2350_emu.harness.testers.terminal import LineMatch
from rp2350_emu.robotlib.args import Param
from rp2350_emu.time.units import seconds_to_ns

OPT_F = "float?"
TESTER = Param("testerId", "int?", None)
PAUSE = Param("pauseEmulation", "bool?", None)
LOG_LEVEL = "enum:Noisy|Debug|Info|Warning|Error?"

#: Renode's replay modes (RobotFrameworkKeywordAttribute): `Requires` of a saved state replays
#: only these after loading the snapshot; a `Reexecution` state replays every recorded call
REPLAY_ALWAYS = {"Set Default LED Timeout", "Create LED Tester", "Start Emulation", "Stop Remote Server",
                 "Allocate Temporary File", "Create Log Tester", "Set Default Uart Timeout", "Set Default Tester",
                 "Create Terminal Tester"}
#: never recorded (Renode's Replay.Never, plus our own keyword)
REPLAY_NEVER = {"Provides", "Requires", "Log To File", "Log Emulation State"}

_ATTR = "robot_keyword"


def keyword(name: str, *params: Param) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a method as the Renode keyword `name` with these parameters."""
    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        setattr(fn, _ATTR, (name, params))
        return fn
    return mark


def keywords_of(cls: type) -> dict[str, tuple[tuple[Param, ...], str]]:
    """Keyword name -> (parameters, method name), in declaration order through the classes."""
    found: dict[str, tuple[tuple[Param, ...], str]] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            marked = getattr(value, _ATTR, None)
            if marked is not None:
                name, params = marked
                found[name] = (params, attr)
    return found


def ns(seconds: float | None) -> int | None:
    return None if seconds is None else seconds_to_ns(seconds)


def result(match: LineMatch | None) -> Any:
    """A tester match as Robot sees Renode's result: `${r.Line}`, `${r.Timestamp}`, `${r.Groups}`."""
    from robot.utils import DotDict

    if match is None:
        return None
    if match.content is not None:  # Renode's BinaryTerminalTesterResult (bytes over XML-RPC)
        return DotDict(Content=match.content, Timestamp=0.0, Groups=list(match.groups))
    return DotDict(Line=match.line, Timestamp=match.timestamp_ms, Groups=list(match.groups),
                   IsFailingString=match.is_failing_string)


def pick(testers: list[Any], tester_id: int | None, kind: str, create: str) -> Any:
    """Renode's tester choice: by id; else the only one; several without an id is an error."""
    # Renode's texts (TestersProvider.GetTesterOrThrowException), plus which keyword creates one
    if tester_id is not None:
        if not 0 <= tester_id < len(testers):
            raise HarnessError(f"KeywordException: Tester for given ID={tester_id} was not found. Did you forget "
                               f"to create the tester? ({kind}s are made by `{create}`)")
        return testers[tester_id]
    if not testers:
        raise HarnessError(f"KeywordException: There are no testers available. ({kind}s are made by `{create}`)")
    if len(testers) > 1:
        raise HarnessError("KeywordException: There is more than one tester available - please specify ID of the "
                           "desired tester.")
    return testers[0]
