"""The GDB remote serial protocol without sockets: one packet in, its reply out.

`RspSession` answers a packet's payload given a `DebugTarget`; what a packet
asks of the connection (resume and reply later, detach, kill) comes back as
an exception the transport (server.py) acts on. Unit tests drive it with no
socket at all.
"""

from __future__ import annotations

import contextlib
from typing import Any

from rp2350_emu.gdb import rsp
from rp2350_emu.gdb.target import (
    SIGTRAP,
    DebugTarget,
    MonitorUnavailable,
    StopEvent,
    StopReason,
    TargetMemoryError,
    WatchKind,
)
from rp2350_emu.gdb.target_xml import EXPEDITED, REGISTERS, memory_map_xml, target_xml, xfer_chunk

PACKET_SIZE = 0x4000
MAX_MEMORY_READ = (PACKET_SIZE - 16) // 2
THREAD_ID = 1


class Resume(Exception):
    """The core runs: no reply until it stops (or now, with `immediate`, if it cannot run)."""

    def __init__(self, immediate: StopEvent | None) -> None:
        super().__init__("resume")
        self.immediate = immediate


class Detach(Exception):
    """`D`: reply OK, forget the client, let the firmware run on."""


class Kill(Exception):
    """`k` / `vKill`: end the session (`reply` first, if any)."""

    def __init__(self, reply: str | None) -> None:
        super().__init__("kill")
        self.reply = reply


class RspSession:
    """Protocol state of one debugged core: running or stopped, the last stop, client features."""

    def __init__(self, target: DebugTarget, lock: contextlib.AbstractContextManager[Any] | None = None,
                 log: Any = None) -> None:
        self.target = target
        self.lock = lock if lock is not None else contextlib.nullcontext()
        self._log = log or (lambda text: None)
        self.running = False
        self.last_stop: StopEvent | None = None
        self.features: set[str] = set()

    def reply(self, payload: bytes) -> bytes | str | None:
        text = payload.decode("latin-1")
        if not text:
            return ""
        head = text[0]
        with self.lock:
            if head == "?":
                return self.stop_reply(self.last_stop or StopEvent(StopReason.INTERRUPT, SIGTRAP))
            if head == "g":
                return "".join(rsp.le_hex(self.target.read_register(r.name), r.size) for r in REGISTERS)
            if head == "G":
                return self._write_all_registers(text[1:])
            if head == "p":
                reg = REGISTERS[rsp.parse_hex(text[1:])]
                return rsp.le_hex(self.target.read_register(reg.name), reg.size)
            if head == "P":
                num, value = text[1:].split("=", 1)
                reg = REGISTERS[rsp.parse_hex(num)]
                if len(value) != 2 * reg.size:
                    return "E01"
                self.target.write_register(reg.name, rsp.parse_le_hex(value))
                return "OK"
            if head == "m":
                return self._read_memory(text[1:])
            if head == "M":
                where, data = text[1:].split(":", 1)
                return self._write_memory(where, bytes.fromhex(data))
            if head == "X":
                where, _, _ = text[1:].partition(":")
                colon = payload.index(b":")
                return self._write_memory(where, payload[colon + 1:])
            if head in "Zz":
                return self._breakpoint(head == "Z", text[1:])
            if head in "cCsS":
                self._resume_packet(head, text[1:])
            if head == "v":
                return self._v_packet(text)
            if head == "q":
                return self._query(text)
            if head == "Q":
                return "OK" if text.startswith("QStartNoAckMode") else ""
            if head == "H":
                return "OK"
            if head == "T":
                return "OK" if text[1:] in (str(THREAD_ID), f"{THREAD_ID:x}", "-1", "0") else "E01"
        # outside the lock: these drop the client or end the loop
        if head == "D":
            raise Detach
        if head == "k":
            raise Kill(None)
        return ""

    def _write_all_registers(self, data: str) -> str:
        needed = sum(2 * r.size for r in REGISTERS)
        if len(data) < needed:
            return "E01"
        pos = 0
        for reg in REGISTERS:
            chunk = data[pos:pos + 2 * reg.size]
            pos += 2 * reg.size
            if "x" not in chunk:  # 'xx' = value unknown, leave it
                self.target.write_register(reg.name, rsp.parse_le_hex(chunk))
        return "OK"

    def _read_memory(self, args: str) -> str:
        addr_text, len_text = args.split(",", 1)
        address, length = rsp.parse_hex(addr_text), rsp.parse_hex(len_text)
        length = min(length, MAX_MEMORY_READ)
        if length == 0:
            return ""
        try:
            return self.target.read_memory(address, length).hex()
        except TargetMemoryError:
            return "E14"  # EFAULT

    def _write_memory(self, where: str, data: bytes) -> str:
        addr_text, len_text = where.split(",", 1)
        address, length = rsp.parse_hex(addr_text), rsp.parse_hex(len_text)
        if length != len(data):
            return "E01"
        if not data:
            return "OK"  # X probe
        try:
            self.target.write_memory(address, data)
        except TargetMemoryError:
            return "E14"
        return "OK"

    def _breakpoint(self, insert: bool, args: str) -> str:
        fields = args.split(";", 1)[0].split(",")
        kind_no, address, size = int(fields[0]), rsp.parse_hex(fields[1]), rsp.parse_hex(fields[2])
        if kind_no in (0, 1):
            hardware = kind_no == 1
            done = self.target.add_breakpoint(address, hardware) if insert else \
                self.target.remove_breakpoint(address, hardware)
        elif kind_no in (2, 3, 4):
            kind = WatchKind(kind_no)
            done = self.target.add_watchpoint(address, size, kind) if insert else \
                self.target.remove_watchpoint(address, size, kind)
        else:
            return ""  # unknown type: not supported
        return "OK" if done else "E01"

    def _resume_packet(self, head: str, args: str) -> None:
        """c[addr], s[addr], Csig[;addr], Ssig[;addr]: the signal is dropped (no OS)."""
        address = args.split(";", 1)[1] if head in "CS" and ";" in args else \
            ("" if head in "CS" else args)
        if address:
            self.target.write_register("pc", rsp.parse_hex(address))
        self._resume(step=head in "sS")

    def _resume(self, step: bool) -> None:
        if self.last_stop is not None and self.last_stop.reason is StopReason.FAULT:
            # the core cannot go on: report the same fault again at once
            raise Resume(self.last_stop)
        self.target.resume(step)
        self.running = True
        raise Resume(None)

    def _v_packet(self, text: str) -> str | None:
        if text == "vCont?":
            return "vCont;c;C;s;S;t"
        if text.startswith("vCont;"):
            for action in text[6:].split(";"):
                verb, _, thread = action.partition(":")
                if thread and thread not in ("-1", str(THREAD_ID), f"p{THREAD_ID}.{THREAD_ID}",
                                             f"p{THREAD_ID}.-1", "p-1.-1"):
                    continue
                if verb[:1] in ("s", "S"):
                    self._resume(step=True)
                if verb[:1] in ("c", "C"):
                    self._resume(step=False)
                if verb[:1] == "t":
                    return self.stop_reply(self.last_stop or StopEvent(StopReason.INTERRUPT, SIGTRAP))
            return "E01"
        if text == "vCtrlC":
            if self.running:
                self.last_stop = self.target.halt()
                self.running = False
            return "OK"
        if text.startswith("vKill"):
            raise Kill("OK")
        return ""  # vMustReplyEmpty, vFile, vRun, ...: not supported

    def _query(self, text: str) -> bytes | str:
        if text.startswith("qSupported"):
            _, _, features = text.partition(":")
            self.features = {f[:-1] for f in features.split(";") if f.endswith("+")}
            return (f"PacketSize={PACKET_SIZE:x};qXfer:features:read+;qXfer:memory-map:read+;"
                    "QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+")
        if text.startswith("qXfer:"):
            return self._xfer(text)
        if text.startswith("qRcmd,"):
            return self._monitor(bytes.fromhex(text[6:]).decode("utf-8", "replace"))
        if text == "qC":
            return f"QC{THREAD_ID:x}"
        if text == "qfThreadInfo":
            return f"m{THREAD_ID:x}"
        if text == "qsThreadInfo":
            return "l"
        if text.startswith("qAttached"):
            return "1"  # attached to a running system: GDB detaches (not kills) on quit
        if text.startswith("qThreadExtraInfo"):
            return b"Cortex-M33 core 0".hex()
        if text.startswith("qSymbol"):
            return "OK"
        return ""  # qOffsets, qTStatus, ...: not supported

    def _xfer(self, text: str) -> bytes | str:
        parts = text.split(":")
        if len(parts) != 5 or parts[2] != "read":
            return ""
        obj, annex, span = parts[1], parts[3], parts[4]
        offset_text, length_text = span.split(",", 1)
        offset, length = rsp.parse_hex(offset_text), rsp.parse_hex(length_text)
        if obj == "features":
            if annex != "target.xml":
                return "E00"
            document = target_xml()
        elif obj == "memory-map":
            document = memory_map_xml(self.target.memory_regions())
        else:
            return ""
        return xfer_chunk(document.encode(), offset, min(length, PACKET_SIZE - 16))

    def _monitor(self, command: str) -> str:
        try:
            output = self.target.monitor(command)
        except MonitorUnavailable as exc:
            output = f"{exc}\n"
        except Exception as exc:  # noqa: BLE001 - a failing monitor command is shown, not fatal
            output = f"error: {' '.join(str(exc).split())}\n"
        output = output.replace("\r\n", "\n")
        return output.encode().hex() if output else "OK"

    def stop_reply(self, stop: StopEvent) -> str:
        features = self.features
        reason = ""
        if stop.reason is StopReason.SW_BREAK and "swbreak" in features:
            reason = "swbreak:;"
        elif stop.reason is StopReason.HW_BREAK and "hwbreak" in features:
            reason = "hwbreak:;"
        elif stop.reason in (StopReason.WATCH, StopReason.RWATCH, StopReason.AWATCH) and stop.address is not None:
            reason = f"{stop.reason.value}:{stop.address:x};"
        regs = "".join(f"{i:02x}:{rsp.le_hex(self.target.read_register(REGISTERS[i].name), 4)};"
                       for i in EXPEDITED)
        return f"T{stop.signal:02x}{reason}thread:{THREAD_ID:x};{regs}"
