"""The server over a raw socket, against the real engine in this process:
what a misbehaving or unusual client sends, byte by byte."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from rp2350_emu.cli.gdb import machine_monitor
from rp2350_emu.errors import ConfigError
from rp2350_emu.gdb import rsp
from rp2350_emu.gdb.engine_target import EngineTarget
from rp2350_emu.gdb.server import GdbServer
from rp2350_emu.platform.machine import Machine
from tests.gdb.helpers import REPO, RspClient

PLATFORM = REPO / "platforms" / "boards" / "pico2.repl"
SPINLOCK0, SPINLOCK_ST = 0xD0000100, 0xD000005C


class Served:
    def __init__(self, elf: Path, monitor: bool = True) -> None:
        self.machine = Machine.from_repl(PLATFORM)
        self.machine.load_elf(elf)
        self.target = EngineTarget(self.machine, machine_monitor(self.machine) if monitor else None)
        self.server = GdbServer(self.target, 0, log=lambda _text: None)
        self.server.start(wait_for_client=True)
        self.clients: list[RspClient] = []

    def connect(self) -> RspClient:
        client = RspClient(self.server.port)
        self.clients.append(client)
        return client

    def symbol(self, name: str) -> int:
        return self.machine.get_symbol_address(name)

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.server.close()
        assert self.server._thread is not None and not self.server._thread.is_alive()


@pytest.fixture
def served(gdb_elf: Path) -> Iterator[Served]:
    s = Served(gdb_elf)
    yield s
    s.close()


def _wait(predicate: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def _stop_fields(reply: bytes) -> dict[str, str]:
    text = reply.decode()
    assert text.startswith("T"), text
    fields = dict(part.split(":", 1) for part in text[3:].rstrip(";").split(";"))
    fields["signal"] = text[1:3]
    return fields


def test_bad_checksum_is_nakked_and_the_session_goes_on(served: Served) -> None:
    c = served.connect()
    c.send_raw(b"$g#00")
    assert isinstance(c.next_event(), rsp.Nak)
    c.send_raw(b"$m10000000,4#zz")  # checksum digits that are not hex
    assert isinstance(c.next_event(), rsp.Nak)
    assert len(c.ask("g")) == 2 * (17 * 4 + 6 * 4 + 16 * 8 + 4)


def test_malformed_packets_get_errors_not_a_crash(served: Served) -> None:
    c = served.connect()
    c.send_raw(b"garbage between packets")
    assert c.ask("mzz,4") == b"E01"
    assert c.ask("m10000000") == b"E01"
    assert c.ask("pff") == b"E01"
    assert c.ask("P0=12") == b"E01"  # r0 is 4 bytes
    assert c.ask("G00") == b"E01"
    assert c.ask("Z9,10000000,2") == b""  # unknown breakpoint type: unsupported
    assert c.ask("Zq") == b"E01"
    assert c.ask("M20000000,4:zz") == b"E01"
    assert c.ask("M20000000,8:00") == b"E01"  # length and data disagree
    assert c.ask("qXfer:features:read:nope.xml:0,100") == b"E00"
    assert c.ask("qNoSuchQuery") == b""
    assert c.ask("") == b""
    assert c.ask("m10000000,4") == served.machine.cpu.uc.mem_read(0x10000000, 4).hex().encode()


def test_unmapped_memory_is_an_error_and_reads_stop_at_the_edge(served: Served) -> None:
    c = served.connect()
    assert c.ask("m0,4") == b"E14"  # no bootrom model
    assert c.ask("m30000000,4") == b"E14"
    assert c.ask("M30000000,4:01020304") == b"E14"
    sram_end = 0x20000000 + 0x82000
    assert c.ask(f"m{sram_end - 4:x},8") == served.machine.cpu.uc.mem_read(sram_end - 4, 4).hex().encode()


def test_peripheral_reads_use_peek(served: Served) -> None:
    c = served.connect()
    # a firmware read of SPINLOCK0 claims the lock; a debugger read must not
    assert c.ask(f"m{SPINLOCK0:x},4") == b"01000000"
    assert c.ask(f"m{SPINLOCK_ST:x},4") == b"00000000"
    assert c.ask(f"m{SPINLOCK0:x},4") == b"01000000"


def test_binary_write_with_escaped_bytes(served: Served) -> None:
    c = served.connect()
    data = bytes([0x7D, 0x23, 0x24, 0x2A, 0x00, 0xFF, 0x03, 0x41])
    assert c.ask(b"X20001000,8:" + data) == b"OK"  # frame() escapes } # $ *
    assert c.ask("m20001000,8") == data.hex().encode()
    assert c.ask("X20001000,0:") == b"OK"  # GDB's probe for X support


def test_time_stands_still_while_halted_and_ctrl_c_stops_a_run(served: Served) -> None:
    c = served.connect()
    assert c.ask("?").startswith(b"T05")
    t0 = served.machine.now_ns
    time.sleep(0.3)
    assert c.ask("g") and served.machine.now_ns == t0
    c.send("c")
    assert _wait(lambda: served.machine.now_ns > t0 + 1_000_000)
    c.send_raw(b"\x03")
    fields = _stop_fields(c.packet())
    assert fields["signal"] == "02"  # SIGINT
    stopped_at = served.machine.now_ns
    time.sleep(0.3)
    assert served.machine.now_ns == stopped_at


def test_stop_replies_name_the_breakpoint_or_watchpoint(served: Served) -> None:
    c = served.connect()
    c.ask("qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+")
    tick = served.symbol("tick")
    assert c.ask(f"Z1,{tick:x},2") == b"OK"
    c.send("vCont;c")
    fields = _stop_fields(c.packet())
    assert fields["signal"] == "05" and "hwbreak" in fields
    assert int.from_bytes(bytes.fromhex(fields["0f"]), "little") == tick
    assert c.ask(f"z1,{tick:x},2") == b"OK"
    assert c.ask(f"Z0,{tick:x},2") == b"OK"
    c.send("c")
    fields = _stop_fields(c.packet())
    assert "swbreak" in fields and int.from_bytes(bytes.fromhex(fields["0f"]), "little") == tick
    assert c.ask(f"z0,{tick:x},2") == b"OK"
    ticks = served.symbol("ticks")
    assert c.ask(f"Z2,{ticks:x},4") == b"OK"
    c.send("c")
    fields = _stop_fields(c.packet())
    assert int(fields["watch"], 16) == ticks
    assert c.ask(f"z2,{ticks:x},4") == b"OK"


def test_single_step_moves_one_instruction(served: Served) -> None:
    c = served.connect()
    assert c.ask("vCont?") == b"vCont;c;C;s;S;t"
    pc0 = int.from_bytes(bytes.fromhex(c.ask("pf").decode()), "little")
    cycles0 = served.machine.cpu.cycles
    fields = _stop_fields(c.ask("vCont;s:1"))
    pc1 = int.from_bytes(bytes.fromhex(fields["0f"]), "little")
    assert pc1 in (pc0 + 2, pc0 + 4) and served.machine.cpu.cycles == cycles0 + 1
    fields = _stop_fields(c.ask("s"))
    assert int.from_bytes(bytes.fromhex(fields["0f"]), "little") != pc1


def test_a_client_that_vanishes_mid_run_leaves_the_firmware_running(served: Served) -> None:
    c = served.connect()
    tick = served.symbol("tick")
    assert c.ask(f"Z1,{tick:x},2") == b"OK"
    c.send("c")
    _stop_fields(c.packet())
    c.send("c")
    c.close()  # mid-run, without detaching
    t0 = served.machine.now_ns
    assert _wait(lambda: served.machine.now_ns > t0 + 5_000_000), "the engine stopped with the client"
    again = served.connect()
    assert again.ask("?").startswith(b"T05")  # attaching halts it again
    # the lost client's breakpoint is gone: a run is not stopped by it
    again.send("c")
    time.sleep(0.3)
    again.send_raw(b"\x03")
    assert _stop_fields(again.packet())["signal"] == "02"


def test_no_ack_mode(served: Served) -> None:
    c = served.connect()
    c.send("QStartNoAckMode")
    assert isinstance(c.next_event(), rsp.Ack)
    assert c.packet() == b"OK"
    c.send("m10000000,4")
    event = c.next_event()
    assert isinstance(event, rsp.Packet), "no '+' before the reply in no-ack mode"
    c.send_raw(b"$g#00")  # bad checksum: ignored without acks
    c.send("?")
    assert c.packet().startswith(b"T05")


def test_target_description_and_memory_map(served: Served) -> None:
    c = served.connect()
    supported = c.ask("qSupported:xmlRegisters=arm").decode()
    for feature in ("qXfer:features:read+", "qXfer:memory-map:read+", "swbreak+", "hwbreak+"):
        assert feature in supported

    def document(annex: str) -> ET.Element:
        data, offset = b"", 0
        while True:
            reply = c.ask(f"qXfer:{annex}:{offset:x},200")
            data += reply[1:]
            offset += len(reply) - 1
            if reply[:1] == b"l":
                return ET.fromstring(data)
            assert reply[:1] == b"m"

    target = document("features:read:target.xml")
    features = {f.get("name"): [r.get("name") for r in f] for f in target.iter("feature")}
    assert features["org.gnu.gdb.arm.m-profile"][-4:] == ["sp", "lr", "pc", "xpsr"]
    assert features["org.gnu.gdb.arm.m-system"] == ["msp", "psp", "primask", "basepri", "faultmask", "control"]
    assert features["org.gnu.gdb.arm.vfp"] == [f"d{i}" for i in range(16)] + ["fpscr"]
    memory = {int(m.get("start"), 16): m for m in document("memory-map:read:").iter("memory")}
    flash = memory[0x10000000]
    assert flash.get("type") == "flash" and int(flash.get("length"), 16) == 0x400000
    assert flash.find("property").get("name") == "blocksize"
    assert memory[0x20000000].get("type") == "ram" and int(memory[0x20000000].get("length"), 16) == 0x82000
    assert memory[0x40070000].get("type") == "ram"  # uart0: peripherals are readable


def test_monitor_command_and_monitor_errors(served: Served) -> None:
    c = served.connect()
    assert bytes.fromhex(c.ask("qRcmd," + b"sysbus.gpio.led State".hex()).decode()) == b"False\n"
    err = bytes.fromhex(c.ask("qRcmd," + b"no such thing".hex()).decode())
    assert err.startswith(b"error: ")


def test_monitor_not_available(gdb_elf: Path) -> None:
    s = Served(gdb_elf, monitor=False)
    try:
        reply = s.connect().ask("qRcmd," + b"sysbus.gpio.led State".hex())
        assert bytes.fromhex(reply.decode()).startswith(b"monitor not available")
    finally:
        s.close()


def test_vkill_ends_serving(served: Served) -> None:
    c = served.connect()
    assert c.ask("vKill;1") == b"OK"
    thread = served.server._thread
    assert thread is not None
    thread.join(timeout=10)
    assert not thread.is_alive() and served.server.result == "killed"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "example.org"])
def test_non_loopback_addresses_are_refused(gdb_elf: Path, host: str) -> None:
    machine = Machine.from_repl(PLATFORM)
    machine.load_elf(gdb_elf)
    with pytest.raises(ConfigError, match="loopback"):
        GdbServer(EngineTarget(machine), 0, host)


def test_loopback_aliases_are_accepted(gdb_elf: Path) -> None:
    machine = Machine.from_repl(PLATFORM)
    machine.load_elf(gdb_elf)
    for host in ("localhost", "127.0.0.2"):
        server = GdbServer(EngineTarget(machine), 0, host, log=lambda _t: None)
        assert server.port > 0
        server.close()
