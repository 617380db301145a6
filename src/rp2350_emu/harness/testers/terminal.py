"""UART terminal tester: Renode's line rules and wait semantics, in virtual time.

Line assembly (text mode): LF ends a line and CR is dropped (or the reverse
with `TreatCarriageReturnAsEndLine`), NUL is dropped, ANSI colour sequences
are stripped, and each finished line is stamped with the virtual time of its
terminator. Bytes sent before the tester existed are not seen.

Matching: oldest line first, substring or (unanchored) regex; a match
consumes the matched line and every line before it. With
`include_unfinished` the partial line is tried after the finished ones and a
match consumes it too. Registered failing strings are checked first.

Waits advance the emulation (starting it if needed) until the match or the
virtual timeout; nothing runs between waits, so results are repeatable.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from rp2350_emu.errors import HarnessError
from rp2350_emu.harness.devices import UartPort
from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.time.units import format_ns

LF_END = "TreatLineFeedAsEndLine"
CR_END = "TreatCarriageReturnAsEndLine"
END_LINE_OPTIONS = (LF_END, CR_END)

_DOTNET_NAMED_GROUP = re.compile(r"\(\?<(?![=!])")


def compile_pattern(pattern: str, regex: bool) -> Callable[[str], re.Match[str] | bool | None]:
    """Substring test, or an unanchored regex search.

    .NET named groups `(?<n>...)` are accepted and turned into Python's
    `(?P<n>...)`, so a pattern written for Renode also works here.
    """
    if not regex:
        return lambda text: pattern in text
    try:
        compiled = re.compile(_DOTNET_NAMED_GROUP.sub("(?P<", pattern))
    except re.error as exc:
        raise HarnessError(f"invalid regular expression {pattern!r}: {exc}") from None
    return compiled.search


@dataclass
class Line:
    text: str
    t_ns: int


@dataclass
class LineMatch:
    """What a successful wait returns (Renode's TerminalTesterResult)."""

    line: str
    t_ns: int
    groups: list[str] = field(default_factory=list)
    is_failing_string: bool = False
    #: binary mode: the matched bytes (groups then hold bytes too)
    content: bytes | None = None

    @property
    def timestamp_ms(self) -> float:
        return self.t_ns / 1e6


class TesterFailure(HarnessError):
    """A wait or assert on a UART did not hold; the message carries the report."""


def _groups(found: re.Match[str] | bool | None) -> list[str]:
    if isinstance(found, re.Match):
        return [g if g is not None else "" for g in found.groups()]
    return []


class TerminalTester:
    """A Renode `TerminalTester` attached to one UART."""

    def __init__(self, emulation: Emulation, port: UartPort, timeout_ns: int,
                 end_line: str = LF_END, binary: bool = False) -> None:
        if end_line not in END_LINE_OPTIONS:
            raise HarnessError(f"unknown endLineOption '{end_line}' (expected {' or '.join(END_LINE_OPTIONS)})")
        self.emulation = emulation
        self.port = port
        self.timeout_ns = timeout_ns
        self.binary = binary
        self._end = "\n" if end_line == LF_END else "\r"
        self._drop = "\r" if end_line == LF_END else "\n"
        self.lines: deque[Line] = deque()
        self.partial = ""
        self.raw = bytearray()  # binary mode buffer
        self.raw_t_ns = 0
        self.report: list[str] = []
        self.failing: list[tuple[str, bool]] = []
        self.write_char_delay_ns = 0
        self.bytes_seen = 0
        self._esc: str | None = None  # pending escape sequence
        self._dirty = True
        port.subscribe(self._on_byte)

    def detach(self) -> None:
        self.port.unsubscribe(self._on_byte)

    # -- receiving ---------------------------------------------------------------
    def _on_byte(self, byte: int, t_ns: int) -> None:
        self.bytes_seen += 1
        self._dirty = True
        if self.binary:
            self.raw.append(byte)
            self.raw_t_ns = t_ns
            return
        ch = chr(byte)
        if self._esc is not None:
            self._esc += ch
            if ch == "m" and re.fullmatch(r"\x1b\[[0-9;]*m", self._esc):
                self._esc = None  # a colour sequence: dropped whole
            elif not re.fullmatch(r"\x1b(\[[0-9;]*)?", self._esc):
                text, self._esc = self._esc, None
                for c in text:
                    self._take(c, t_ns)
            return
        if ch == "\x1b":
            self._esc = ch
            return
        self._take(ch, t_ns)

    def _take(self, ch: str, t_ns: int) -> None:
        if ch == "\x00" or ch == self._drop:
            return
        if ch == self._end:
            self.lines.append(Line(self.partial, t_ns))
            self.report.append(f"[virt: {format_ns(t_ns)}] {self.partial}")
            self.partial = ""
            return
        self.partial += ch

    # -- matching ----------------------------------------------------------------
    def _failing_hit(self) -> LineMatch | None:
        if not self.failing:
            return None
        for index, line in enumerate(self.lines):
            for pattern, regex in self.failing:
                found = compile_pattern(pattern, regex)(line.text)
                if found:
                    for _ in range(index + 1):
                        self.lines.popleft()
                    return LineMatch(line.text, line.t_ns, _groups(found), is_failing_string=True)
        return None

    def _try_match(self, match: Callable[[str], object], include_unfinished: bool,
                   next_line_only: bool) -> LineMatch | None:
        for index, line in enumerate(self.lines):
            if next_line_only and index > 0:
                return None
            found = match(line.text)
            if found:
                for _ in range(index + 1):
                    self.lines.popleft()
                return LineMatch(line.text, line.t_ns, _groups(found))  # type: ignore[arg-type]
        if include_unfinished and self.partial and not (next_line_only and self.lines):
            found = match(self.partial)
            if found:
                text = self.partial
                self.lines.clear()
                self.partial = ""
                return LineMatch(text, self.port.handle.now_ns, _groups(found))  # type: ignore[arg-type]
        return None

    def _wait(self, check: Callable[[], LineMatch | None], timeout_ns: int | None,
              what: str, pause: bool = False) -> LineMatch:
        """Check now; else run until `check` succeeds or the virtual timeout passes."""
        timeout_ns = self.timeout_ns if timeout_ns is None else timeout_ns
        outcome: list[LineMatch] = []

        def poll() -> bool:
            if outcome:
                return True  # stays true: callers may ask again after it fired
            if not self._dirty:
                return False
            self._dirty = False
            hit = self._failing_hit() or check()
            if hit is not None:
                outcome.append(hit)
                return True
            return False

        self._dirty = True
        if not poll() and timeout_ns > 0:
            self.emulation.start()
            self.emulation.advance(timeout_ns, poll)
        if not outcome:
            self.report.append(f"({what}: timed out after {format_ns(timeout_ns)} of virtual time; "
                               f"unfinished line: {self.partial!r})")
            raise TesterFailure(self._failure_message())
        hit = outcome[0]
        if hit.is_failing_string:
            self.report.append(f"(failing string found in {hit.line!r}: failure)")
            raise TesterFailure("Test failing entry has been found on UART.\n" + self._failure_message())
        if pause:
            self.emulation.pause()
        return hit

    def _failure_message(self) -> str:
        return "Terminal tester failed!\n\nFull report:\n" + "\n".join(self.report[-200:])

    # -- keyword-level operations ----------------------------------------------------
    def wait_for_line(self, content: str, timeout_ns: int | None = None, regex: bool = False,
                      include_unfinished: bool = False, pause: bool = False,
                      match_next_line: bool = False) -> LineMatch:
        self._require_text()
        match = compile_pattern(content, regex)
        return self._wait(lambda: self._try_match(match, include_unfinished, match_next_line),
                          timeout_ns, f"wait for {content!r}", pause)

    def wait_for_lines(self, contents: list[str], timeout_ns: int | None = None, regex: bool = False,
                       include_unfinished: bool = False, pause: bool = False,
                       match_from_next_line: bool = False) -> LineMatch:
        """Consecutive lines matching `contents` in order; the first may be anywhere
        (or must be the next line with `match_from_next_line`)."""
        self._require_text()
        if not contents:
            raise HarnessError("Wait For Lines On Uart needs at least one line to wait for")
        matchers = [compile_pattern(c, regex) for c in contents]

        def check() -> LineMatch | None:
            lines = list(self.lines)
            if include_unfinished and self.partial:
                lines.append(Line(self.partial, self.port.handle.now_ns))
            starts = range(1 if match_from_next_line else len(lines))
            for start in starts:
                if start + len(matchers) > len(lines):
                    break
                groups: list[str] = []
                for offset, match in enumerate(matchers):
                    found = match(lines[start + offset].text)
                    if not found:
                        break
                    groups += _groups(found)  # type: ignore[arg-type]
                else:
                    last = lines[start + len(matchers) - 1]
                    used = start + len(matchers)
                    finished = len(self.lines)
                    for _ in range(min(used, finished)):
                        self.lines.popleft()
                    if used > finished:  # the partial line took part in the match
                        self.partial = ""
                    return LineMatch(last.text, last.t_ns, groups)
            return None

        return self._wait(check, timeout_ns, f"wait for lines {contents!r}", pause)

    def wait_for_next_line(self, timeout_ns: int | None = None, pause: bool = False) -> LineMatch:
        self._require_text()
        return self._wait(lambda: self._try_match(lambda _t: True, False, True), timeout_ns,
                          "wait for next line", pause)

    def should_not_be_on_uart(self, content: str, timeout_ns: int | None = None, regex: bool = False,
                              include_unfinished: bool = False) -> None:
        self._require_text()
        match = compile_pattern(content, regex)
        try:
            hit = self._wait(lambda: self._try_match(match, include_unfinished, False), timeout_ns,
                             f"watch for {content!r}")
        except TesterFailure as exc:
            if "Test failing entry" in str(exc):
                raise
            self.report.pop()  # the timeout is the success here, not part of the story
            return
        self.report.append(f"(unexpected {content!r} found: failure)")
        raise TesterFailure(f"Unexpected entry has been found on UART: {hit.line!r} at virtual "
                            f"{format_ns(hit.t_ns)}.\n" + self._failure_message())

    def wait_for_bytes(self, content: str, timeout_ns: int | None = None, regex: bool = False,
                       pause: bool = False, match_start: bool = False) -> LineMatch:
        """Renode's binary WaitFor: a hex byte string, or a regex matched on the raw bytes
        (each byte one character, `.` matching any, as RegexOptions.Singleline); the match
        and everything before it leave the buffer."""
        if not self.binary:
            raise HarnessError("InvalidOperationException: Attempt to wait for bytes on a tester configured in "
                               "text mode. Please set binaryMode=True when creating the tester.")
        if regex:
            try:
                pattern = re.compile(_DOTNET_NAMED_GROUP.sub("(?P<", content).encode("latin-1"), re.DOTALL)
            except (re.error, UnicodeEncodeError) as exc:
                raise HarnessError(f"invalid regular expression {content!r}: {exc}") from None
        else:
            try:
                wanted = bytes.fromhex(re.sub(r"\s+", "", content))
            except ValueError:
                raise HarnessError(f"'{content}' is not a hex byte string (e.g. \"0d0a\")") from None

        def check() -> LineMatch | None:
            raw = bytes(self.raw)
            if regex:
                found = pattern.match(raw) if match_start else pattern.search(raw)
                if found is None:
                    return None
                start, end, groups = found.start(), found.end(), [g or b"" for g in found.groups()]
            else:
                start = 0 if raw.startswith(wanted) else -1 if match_start else raw.find(wanted)
                if start < 0:
                    return None
                end, groups = start + len(wanted), []
            del self.raw[:end]
            matched = raw[start:end]
            # Renode's BinaryTerminalTesterResult never sets its Timestamp: it is always 0
            return LineMatch(matched.hex(), 0, groups, content=matched)  # type: ignore[arg-type]

        return self._wait(check, timeout_ns, f"wait for bytes {content!r}", pause)

    def test_if_idle(self, timeout_ns: int, pause: bool = False) -> None:
        before = self.bytes_seen
        self.emulation.start()
        self.emulation.advance(timeout_ns, lambda: self.bytes_seen != before)
        if self.bytes_seen != before:
            raise TesterFailure(f"UART is not idle: a character arrived at virtual "
                                f"{format_ns(self.port.handle.now_ns)} (within {format_ns(timeout_ns)}).\n"
                                + self._failure_message())
        if pause:
            self.emulation.pause()

    def write(self, text: str) -> None:
        """Host -> guest, no terminator, no waiting (except the per-char delay)."""
        data = text.encode("latin-1", errors="replace")
        if self.write_char_delay_ns <= 0:
            self.port.inject(data)
            return
        for i in range(len(data)):
            self.port.inject(data[i:i + 1])
            self.emulation.start()
            self.emulation.advance(self.write_char_delay_ns)

    def write_line(self, content: str, wait_for_echo: bool = True, pause: bool = False) -> LineMatch | None:
        self.write(content + "\r")
        if not wait_for_echo:
            return None
        return self.wait_for_line(content, include_unfinished=True, pause=pause)

    def report_text(self) -> str:
        return "\n".join(self.report)

    def clear_report(self) -> None:
        """Renode's ClearReport: the report and every finished line not matched yet."""
        self.report.clear()
        self.lines.clear()

    def _require_text(self) -> None:
        if self.binary:
            raise HarnessError("InvalidOperationException: Attempt to wait for text on a tester configured in "
                               "binary mode. Please set binaryMode=False when creating the tester.")
