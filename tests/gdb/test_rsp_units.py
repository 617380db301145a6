"""The protocol layer alone: framing, the target description, and the server
over a scripted fake target (no engine, no Unicorn)."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

from rp2350_emu.gdb import rsp
from rp2350_emu.gdb.server import GdbServer
from rp2350_emu.gdb.session import Detach, Kill, Resume, RspSession
from rp2350_emu.gdb.target import (
    SIGINT,
    SIGSEGV,
    SIGTRAP,
    MemoryRegion,
    MonitorUnavailable,
    StopEvent,
    StopReason,
    TargetMemoryError,
    WatchKind,
)
from rp2350_emu.gdb.target_xml import REGISTERS, memory_map_xml, target_xml, xfer_chunk
from tests.gdb.helpers import RspClient

# -- framing ---------------------------------------------------------------------------------------


def test_frame_matches_what_gdb_sends() -> None:
    assert rsp.frame("g") == b"$g#67"
    assert rsp.frame("") == b"$#00"
    assert rsp.frame(b"a}b") == b"$a}]b#" + b"%02x" % rsp.checksum(b"a}]b")


def test_escape_round_trip_of_every_byte() -> None:
    data = bytes(range(256))
    escaped = rsp.escape(data)
    assert not set(escaped) & set(b"$#*") and rsp.unescape(escaped) == data
    with pytest.raises(ValueError):
        rsp.unescape(b"ab}")


def test_reader_handles_split_input_and_out_of_band_bytes() -> None:
    reader = rsp.PacketReader()
    wire = b"+-\x03" + rsp.frame(b"m1,2") + b"junk" + rsp.frame(b"X0,1:#")
    events = [e for i in range(len(wire)) for e in reader.feed(wire[i:i + 1])]
    assert events == [rsp.Ack(), rsp.Nak(), rsp.Interrupt(), rsp.Packet(b"m1,2"), rsp.Packet(b"X0,1:#")]


def test_reader_rejects_bad_checksums_and_restarts_on_dollar() -> None:
    reader = rsp.PacketReader()
    bad = reader.feed(b"$g#68")
    assert isinstance(bad[0], rsp.BadPacket) and "checksum" in bad[0].reason
    assert isinstance(reader.feed(b"$g#xy")[0], rsp.BadPacket)
    assert reader.feed(b"$half$g#67") == [rsp.Packet(b"g")]  # a '$' restarts the packet


def test_reader_drops_oversized_packets() -> None:
    reader = rsp.PacketReader()
    body = b"a" * (2 * rsp.MAX_PAYLOAD + 10)
    events = reader.feed(b"$" + body + b"#" + b"%02x" % rsp.checksum(body))
    assert len(events) == 1 and isinstance(events[0], rsp.BadPacket)
    assert reader.feed(b"$g#67") == [rsp.Packet(b"g")]


def test_hex_helpers() -> None:
    assert rsp.le_hex(0x10000190, 4) == "90010010"
    assert rsp.parse_le_hex("90010010") == 0x10000190
    assert rsp.parse_hex("1f") == 31
    for bad in ("", "0x1", "zz", "-1"):
        with pytest.raises(ValueError):
            rsp.parse_hex(bad)


# -- what GDB is told ------------------------------------------------------------------------------


def test_target_xml_numbers_registers_in_g_order() -> None:
    root = ET.fromstring(target_xml())
    assert root.findtext("architecture") == "arm"
    regs = [(r.get("name"), int(r.get("regnum")), int(r.get("bitsize"))) for r in root.iter("reg")]
    assert [(name, num) for name, num, _ in regs] == [(r.name, i) for i, r in enumerate(REGISTERS)]
    assert regs[15] == ("pc", 15, 32) and regs[16][0] == "xpsr"
    assert all(bits == 64 for name, _, bits in regs if name.startswith("d"))


def test_memory_map_xml() -> None:
    regions = [MemoryRegion(0x20000000, 0x82000, "ram"), MemoryRegion(0x10000000, 0x400000, "flash")]
    root = ET.fromstring(memory_map_xml(regions))
    first, second = list(root)
    assert (first.get("type"), first.get("start")) == ("flash", "0x10000000")
    assert first.find("property").text == "0x1000" and second.get("type") == "ram"


def test_xfer_chunks() -> None:
    assert xfer_chunk(b"abcdef", 0, 4) == b"mabcd"
    assert xfer_chunk(b"abcdef", 4, 4) == b"lef"
    assert xfer_chunk(b"abcdef", 6, 4) == b"l"


# -- the server over a fake target -----------------------------------------------------------------


class FakeTarget:
    """A scripted core: each run() is one 'instruction' (pc += 2); a breakpoint
    stops before it, and address 0x100 faults."""

    def __init__(self) -> None:
        self.regs = {r.name: 0 for r in REGISTERS}
        self.regs["pc"] = 0x80
        self.mem = bytearray(0x1000)
        self.breaks: set[int] = set()
        self.watches: set[tuple[int, int, WatchKind]] = set()
        self.armed: bool | None = None
        self.now_ns = 0

    def read_register(self, name: str) -> int:
        return self.regs[name]

    def write_register(self, name: str, value: int) -> None:
        self.regs[name] = value

    def read_memory(self, address: int, length: int) -> bytes:
        if address >= len(self.mem):
            raise TargetMemoryError("unmapped")
        return bytes(self.mem[address:address + length])

    def write_memory(self, address: int, data: bytes) -> None:
        if address + len(data) > len(self.mem):
            raise TargetMemoryError("unmapped")
        self.mem[address:address + len(data)] = data

    def memory_regions(self) -> list[MemoryRegion]:
        return [MemoryRegion(0, len(self.mem), "ram")]

    def resume(self, step: bool) -> None:
        self.armed = step

    def run(self, budget_ns: int) -> StopEvent | None:
        step = self.armed
        self.regs["pc"] += 2
        self.now_ns += budget_ns
        if self.regs["pc"] == 0x100:
            self.armed = None
            return StopEvent(StopReason.FAULT, SIGSEGV, message="bus fault at 0x100")
        if step or self.regs["pc"] in self.breaks:
            self.armed = None
            return StopEvent(StopReason.STEP if step else StopReason.SW_BREAK, SIGTRAP)
        return None

    def halt(self) -> StopEvent:
        self.armed = None
        return StopEvent(StopReason.INTERRUPT, SIGINT)

    def add_breakpoint(self, address: int, hardware: bool) -> bool:
        self.breaks.add(address)
        return True

    def remove_breakpoint(self, address: int, hardware: bool) -> bool:
        self.breaks.discard(address)
        return True

    def add_watchpoint(self, address: int, length: int, kind: WatchKind) -> bool:
        self.watches.add((address, length, kind))
        return True

    def remove_watchpoint(self, address: int, length: int, kind: WatchKind) -> bool:
        self.watches.discard((address, length, kind))
        return True

    def clear_debug_state(self) -> None:
        self.breaks.clear()
        self.watches.clear()

    def monitor(self, command: str) -> str:
        raise MonitorUnavailable("monitor not available: fake target")

    def close(self) -> None:
        self.clear_debug_state()


@pytest.fixture
def fake() -> Iterator[tuple[FakeTarget, RspClient]]:
    target = FakeTarget()
    server = GdbServer(target, 0, log=lambda _t: None, slice_ns=1000)
    server.start(wait_for_client=True)
    client = RspClient(server.port)
    yield target, client
    client.close()
    server.close()


def test_registers_memory_and_breakpoints_reach_the_target(fake: tuple[FakeTarget, RspClient]) -> None:
    target, c = fake
    c.ask("qSupported:swbreak+")
    assert c.ask("P2=78563412") == b"OK" and target.regs["r2"] == 0x12345678
    assert c.ask("p2") == b"78563412"
    g = c.ask("g").decode()
    assert g[15 * 8:16 * 8] == rsp.le_hex(0x80, 4)
    assert c.ask("M10,3:aabbcc") == b"OK" and target.mem[0x10:0x13] == b"\xaa\xbb\xcc"
    assert c.ask("m2000,4") == b"E14"
    assert c.ask("Z0,90,2") == b"OK" and target.breaks == {0x90}
    assert c.ask("Z4,40,8") == b"OK" and target.watches == {(0x40, 8, WatchKind.ACCESS)}
    c.send("c")
    assert c.packet().startswith(b"T05swbreak:;")
    assert target.regs["pc"] == 0x90
    assert c.ask("s").startswith(b"T05thread:1;")
    assert target.regs["pc"] == 0x92


def test_a_fault_is_reported_with_a_console_message(fake: tuple[FakeTarget, RspClient]) -> None:
    target, c = fake
    target.regs["pc"] = 0xF0
    c.send("c")
    assert bytes.fromhex(c.packet()[1:].decode()) == b"bus fault at 0x100\n"
    assert c.packet().startswith(b"T0b")
    c.send("c")  # it cannot go on: the same stop again
    assert c.packet().startswith(b"O")
    assert c.packet().startswith(b"T0b")


def test_detach_resumes_the_target(fake: tuple[FakeTarget, RspClient]) -> None:
    target, c = fake
    c.ask("Z0,90,2")
    assert c.ask("D") == b"OK"
    with pytest.raises(ConnectionError):
        c.packet()
    assert target.breaks == set()
    deadline = time.monotonic() + 10
    while target.regs["pc"] < 0x100 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert target.regs["pc"] == 0x100  # it ran on without a client, up to its fault


def test_the_session_answers_packets_without_a_socket() -> None:
    target = FakeTarget()
    session = RspSession(target)
    assert session.reply(b"P2=78563412") == "OK" and target.regs["r2"] == 0x12345678
    assert session.reply(b"p2") == "78563412"
    assert session.reply(b"Z0,100,2") == "OK" and 0x100 in target.breaks
    with pytest.raises(Resume) as resumed:
        session.reply(b"c")
    assert resumed.value.immediate is None and session.running
    with pytest.raises(Detach):
        session.reply(b"D")
    with pytest.raises(Kill) as killed:
        session.reply(b"vKill;1")
    assert killed.value.reply == "OK"


def test_the_session_reports_swbreak_only_to_a_client_that_asked() -> None:
    session = RspSession(FakeTarget())
    stop = StopEvent(StopReason.SW_BREAK, SIGTRAP)
    assert "swbreak" not in session.stop_reply(stop)
    session.reply(b"qSupported:swbreak+;hwbreak+")
    assert session.stop_reply(stop).startswith("T05swbreak:;")
