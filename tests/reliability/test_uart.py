"""The running UARTs: host bridges (pty, TCP) and bytes nobody would hear about (overruns)."""

from __future__ import annotations

import os
import re
import socket
import time
from pathlib import Path

import pytest

from rp2350_emu.errors import HarnessError
from rp2350_emu.harness.bridges import PtyBridge, TcpBridge
from rp2350_emu.harness.emulation import Emulation, state_report
from rp2350_emu.insight.waveform import WaveRecorder
from rp2350_emu.platform.machine import Machine
from tests.reliability.helpers import BOARD, assert_clean, assert_message, cli, no_hang

# -- --uart-pty LINK: only its own kind of link is ever replaced ----------------------------------


def _other_things(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    regular = tmp_path / "notes.txt"
    regular.write_text("my notes\n")
    directory = tmp_path / "somedir"
    directory.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.symlink_to(regular)
    return {"regular file": (regular, "is a regular file, not a pty link: not replacing it"),
            "directory": (directory, "is a directory, not a pty link: not replacing it"),
            "link elsewhere": (elsewhere, "not to a pseudo-terminal: not replacing it"),
            "missing directory": (tmp_path / "no" / "link", "directory " + str(tmp_path / "no") + " does not exist")}


@pytest.mark.parametrize("kind", ["regular file", "directory", "link elsewhere", "missing directory"])
def test_uart_pty_refuses_to_replace_what_is_not_its_own(firmware, tmp_path, kind):
    link, phrase = _other_things(tmp_path)[kind]
    before = {p: (p.is_symlink(), p.read_text() if p.is_file() else None) for p in tmp_path.iterdir()}
    outcome = cli("run", firmware["uart-echo"], "--uart-pty", link, "--seconds", "0.01")
    assert_clean(outcome, 2, f"--uart-pty: {link}")
    assert phrase in outcome.err
    assert outcome.err.count("\n") == 1  # one line
    after = {p: (p.is_symlink(), p.read_text() if p.is_file() else None) for p in tmp_path.iterdir()}
    assert after == before  # untouched


def test_uart_pty_replaces_an_old_pty_link_and_removes_only_its_own(firmware, tmp_path):
    link = tmp_path / "uart"
    link.symlink_to("/dev/pts/999")  # left behind by an earlier run
    outcome = cli("run", firmware["uart-echo"], "--uart-pty", link, "--seconds", "0.01")
    assert_clean(outcome, 0, f"(link {link})")
    assert not link.exists() and not link.is_symlink()  # removed at exit


def test_pty_link_replaced_meanwhile_is_left_alone(tmp_path):
    link = tmp_path / "uart"
    bridge = PtyBridge("t", link)
    assert os.readlink(link) == bridge.path
    link.unlink()
    link.write_text("the user's file now\n")
    bridge.close()
    assert link.read_text() == "the user's file now\n"


def test_monitor_pty_terminal_keeps_renode_text_and_never_deletes_a_file(tmp_path):
    link = tmp_path / "term"
    link.symlink_to("/dev/pts/999")
    with pytest.raises(HarnessError) as info:
        PtyBridge("t", link)
    assert_message(str(info.value), f"File `{link}' already exists. Use forceCreate to overwrite it.")
    regular = tmp_path / "file"
    regular.write_text("x")
    with pytest.raises(HarnessError) as info:
        PtyBridge("t", regular, force=True)  # forceCreate=true still does not delete a regular file
    assert_message(str(info.value), "is a regular file, not a pty link")
    assert regular.read_text() == "x"


# -- bytes from a bridge before the receiver is enabled are held, not lost ------------------------

def test_tcp_client_that_writes_on_connect_keeps_its_first_line(firmware):
    machine = Machine.from_repl(BOARD)
    machine.load_elf(firmware["uart-echo"])
    emulation = Emulation()
    try:
        board = emulation.adopt(machine)
        bridge = TcpBridge("t", 0, telnet=False)
        bridge.connect(board.uart("uart0"))
        emulation.attach_bridge(bridge)
        emulation.advance_immediately = True
        with no_hang(20), socket.create_connection(("127.0.0.1", bridge.port_number), timeout=5) as client:
            client.sendall(b"hello\r")  # at virtual time 0: the firmware has not enabled RX yet
            deadline = time.monotonic() + 5
            while not bridge.held and time.monotonic() < deadline:
                time.sleep(0.01)
                bridge.pump()  # the reader thread has the bytes: held, the receiver is still off
            assert bridge.held == b"hello\r" and not machine.uart0.rx_enabled
            emulation.advance(300_000_000)
            assert b"hello\r\n" in machine.uart_text("uart0")
            assert machine.uart0.rx_dropped == 0
    finally:
        emulation.close()


# -- overruns: an event with the count, a warning, a VCD marker, a line in failure reports --------

FLOOD = "\\r" * 300  # each CR is echoed as CR LF: the echo cannot keep up at line rate


def test_overrun_is_an_event_a_warning_and_a_summary(firmware, tmp_path):
    events = tmp_path / "ev.jsonl"
    outcome = cli("run", firmware["uart-echo"], "--seconds", "0.3", "--uart-input", FLOOD, "--events", events)
    assert_clean(outcome, 0, "uart0: receive overrun at 0.")
    assert re.search(r"warning: uart0: \d+ receive overruns in this run, \d+ bytes of input lost", outcome.err)
    assert len([line for line in outcome.err.splitlines() if "receive overrun at" in line]) == 20  # then counted
    lines = [line for line in events.read_text().splitlines() if '"uart-overrun"' in line]
    assert lines and all(re.search(r'"lost":\d+,"since_ns":\d+,"uart":"uart0"', line) for line in lines)


def _flooded(firmware) -> Machine:
    machine = Machine.from_repl(BOARD)
    machine.load_elf(firmware["uart-echo"])
    machine.run_until(lambda: machine.uart0.rx_enabled, 500_000_000)
    return machine


def test_overrun_counts_every_lost_byte(firmware):
    machine = _flooded(firmware)
    machine.uart_input("uart0", b"\r" * 300)
    machine.run_for(100_000_000)
    overruns = [e for e in machine.events if e.kind == "uart-overrun"]
    lost = sum(e.data["lost"] for e in overruns)
    assert lost == machine.uart0.rx_overrun_lost > 0
    received = sum(1 for e in machine.events if e.kind == "uart-rx")
    assert received == 300  # every byte reached the line; the lost ones are counted
    assert all(e.data["since_ns"] <= e.t_ns for e in overruns)


def test_overrun_marker_in_the_vcd(firmware, tmp_path):
    machine = _flooded(firmware)
    recorder = WaveRecorder(machine)
    machine.uart_input("uart0", b"\r" * 100)
    machine.run_for(50_000_000)
    vcd = tmp_path / "w.vcd"
    recorder.waveform().write_vcd(vcd)
    text = vcd.read_text()
    assert "rx_overrun $end" in text and "rx_lost $end" in text


def test_overrun_line_in_failure_reports(firmware):
    machine = _flooded(firmware)
    emulation = Emulation()
    try:
        board = emulation.adopt(machine)
        board.uart("uart0").inject(b"\r" * 100)
        emulation.advance(50_000_000)
        report = state_report(emulation)
    finally:
        emulation.close()
    assert re.search(r"-- uart0: \d+ receive overrun\(s\), \d+ byte\(s\) of input lost \(RX FIFO full; "
                     r"the first at 0\.\d+ s\)", report), report


def test_no_overrun_no_event(firmware):
    machine = _flooded(firmware)
    machine.uart_input("uart0", b"hello\r")
    machine.run_for(50_000_000)
    assert not [e for e in machine.events if e.kind == "uart-overrun"]
