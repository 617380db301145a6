"""`run --web` without a browser: the server and the board session over aiohttp's WebSocket client."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from rp2350_emu.web.protocol import BadMessage, parse_command
from tests.web.helpers import CLI, REPO, web_run

S = 1_000_000_000


class Page:
    """One WebSocket client: the hello, then every tick folded into `uart`, `pins`, `state`."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, hello: dict) -> None:
        self.ws, self.hello = ws, hello
        self.uart = hello["uart"]
        self.state = hello
        self.pins: dict[str, list] = {p: list(c) for p, c in hello["pins_history"].items()}
        self.notices: list[str] = []
        self.ticks: list[dict] = []

    async def send(self, **msg: object) -> None:
        await self.ws.send_str(json.dumps(msg))

    async def until(self, cond: Callable[[Page], bool], timeout: float = 15.0) -> None:
        async def loop() -> None:
            while not cond(self):
                msg = await self.ws.receive()
                assert msg.type == aiohttp.WSMsgType.TEXT, f"socket closed: {msg}"
                tick = json.loads(msg.data)
                self.ticks.append(tick)
                self.uart += tick["uart"]
                for pin, changes in tick["pins"].items():
                    self.pins.setdefault(pin, []).extend(changes)
                self.notices += tick["notices"]
                self.state = tick
        try:
            await asyncio.wait_for(loop(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"timed out; state {self.state.get('state')} at {self.state.get('now_ns')}, "
                                 f"uart {self.uart[-200:]!r}, notices {self.notices}") from None


async def _page(session: aiohttp.ClientSession, url: str) -> Page:
    ws = await session.ws_connect(url + "ws")
    hello = json.loads((await ws.receive()).data)
    assert hello["t"] == "hello"
    return Page(ws, hello)


def drive(url: str, scenario: Callable) -> None:
    async def main() -> None:
        async with aiohttp.ClientSession() as session:
            await scenario(lambda: _page(session, url))
    asyncio.run(main())


# -- the protocol ------------------------------------------------------------------------------
@pytest.mark.parametrize("text, command", [
    ('{"t":"button","down":true}', ("button", True)),
    ('{"t":"uart","data":"hi\\r\\u007f"}', ("uart", b"hi\r\x7f")),
    ('{"t":"uart","data":"\\u00e9"}', ("uart", "é".encode())),
    ('{"t":"pause"}', ("pause",)),
    ('{"t":"step","ms":2.5}', ("step", 2_500_000)),
    ('{"t":"run-to","s":3}', ("run-to", 3 * S)),
    ('{"t":"fast","on":false}', ("fast", False)),
    ('{"t":"upload","name":"g.cwasm","data":"AAEC"}', ("upload", "g.cwasm", b"\0\1\2")),
])
def test_good_messages(text: str, command: tuple) -> None:
    assert parse_command(text) == command


@pytest.mark.parametrize("text, why", [
    ("garbage", "not JSON"), ("[1]", "not an object"), ('{"t":3}', "not an object"),
    ('{"t":"button","down":1}', "'down' to be bool"), ('{"t":"button"}', "'down' to be bool"),
    ('{"t":"uart","data":""}', "0 characters"), ('{"t":"uart","data":5}', "'data' to be str"),
    ('{"t":"step","ms":0}', "'step' of 0 ms"), ('{"t":"step","ms":true}', "a number"),
    ('{"t":"step","ms":1e9}', "'step' of"), ('{"t":"run-to","s":-1}', "run-to -1"),
    ('{"t":"run-to","s":1e400}', "finite"), ('{"t":"upload","name":"x","data":"!!"}', "not base64"),
    ('{"t":"reboot"}', "unknown message type 'reboot'"), ("[" * 100000, "not JSON"),
])
def test_bad_messages_say_why(text: str, why: str) -> None:
    with pytest.raises(BadMessage) as info:
        parse_command(text)
    assert why in str(info.value)


# -- the command line ---------------------------------------------------------------------------
def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "run", *args], cwd=REPO, capture_output=True, text=True, timeout=60, check=False)


def test_port_in_use_is_one_line_and_status_2(firmware) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = _cli(str(firmware["blinky"]), "--web", str(port))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [(f"rp2350-emu: --web {port}: port {port} on 127.0.0.1 is in use "
                                         "(another rp2350-emu --web?); choose another port, or 0 for a free one")]


@pytest.mark.parametrize("other", [["--uart-tcp", "0"], ["--gdb", "0"]])
def test_web_and_another_driver_are_refused(firmware, other: list[str]) -> None:
    proc = _cli(str(firmware["blinky"]), "--web", "0", *other)
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and "cannot be combined" in proc.stderr


def test_bad_port_is_a_usage_error(firmware) -> None:
    proc = _cli(str(firmware["blinky"]), "--web", "70000")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_seconds_ends_the_run(firmware) -> None:
    with web_run(str(firmware["blinky"]), "--web", "0", "--seconds", "0.3") as run:
        drive(run.url, _connect_once)
        run.proc.wait(20)
    assert run.proc.returncode == 0


async def _connect_once(page_factory) -> None:
    page = await page_factory()
    await page.until(lambda p: p.state["state"] == "finished")
    assert p_now(page) == 300_000_000


def p_now(page: Page) -> int:
    return page.state["now_ns"]


# -- the session over the socket ------------------------------------------------------------------
def test_echo_garbage_pause_step_run_to_and_reopen(firmware) -> None:
    with web_run(str(firmware["uart-echo"]), "--web", "0") as run:
        async def scenario(new_page) -> None:
            page = await new_page()
            assert page.hello["state"] == "waiting" and page.hello["now_ns"] == 0  # no page, no time
            await page.send(t="uart", data="hi\r")
            await page.until(lambda p: p.uart.endswith("hi\r\n"))
            await page.send(t="uart", data="ab\x7fc\x08\r")  # DEL and BS erase as a terminal shows
            await page.until(lambda p: p.uart.endswith("ab\b \bc\b \b\r\n"))
            for junk in ("garbage", '{"t":"nope"}', '{"t":"step","ms":-5}'):
                await page.ws.send_str(junk)
            await page.ws.send_bytes(b"\x00\x01")
            await page.send(t="pause")
            await page.until(lambda p: p.state["state"] == "paused")
            at = p_now(page)
            await asyncio.sleep(0.3)
            await page.until(lambda p: len(p.ticks) > 3)
            assert p_now(page) == at, "time moved while paused"
            await page.send(t="step", ms=10)
            await page.until(lambda p: p_now(p) == at + 10_000_000)
            await page.send(t="run-to", s=(at + 310_000_000) / S)
            await page.until(lambda p: p.state["state"] == "paused" and p_now(p) == at + 310_000_000)
            await page.send(t="fast", on=True)
            await page.send(t="resume")
            await page.until(lambda p: p.state["fast"] and p.state["state"] == "running")
            await page.ws.close()
            again = await new_page()
            assert again.hello["uart"].startswith("hi\r\n") and again.hello["now_ns"] >= at + 310_000_000
            await again.send(t="uart", data="ok\n")
            await again.until(lambda p: p.uart.endswith("ok\r\n"))
        drive(run.url, scenario)
        assert run.proc.poll() is None
    ignored = [line for line in run.err if "web: ignored a message" in line]
    assert len(ignored) == 4, run.err


def test_two_pages_get_the_same_ticks(firmware) -> None:
    with web_run(str(firmware["blinky"]), "--web", "0") as run:
        async def scenario(new_page) -> None:
            a = await new_page()
            b = await new_page()
            await a.until(lambda p: len(p.pins.get("25", [])) >= 2)
            await b.until(lambda p: p_now(p) >= p_now(a))
            assert a.pins["25"][:2] == b.pins["25"][:2]
        drive(run.url, scenario)


def test_button_held_and_clicked(firmware) -> None:
    with web_run(str(firmware["button"]), "--web", "0") as run:
        async def scenario(new_page) -> None:
            page = await new_page()
            await page.send(t="button", down=True)
            await page.until(lambda p: p.state["led"] and p.state["button"])
            await page.send(t="button", down=False)
            await page.until(lambda p: not p.state["led"] and not p.state["button"])
            seen = len(page.pins["25"])
            await page.send(t="button", down=True)  # a click: down and up at once
            await page.send(t="button", down=False)
            await page.until(lambda p: len(p.pins["25"]) >= seen + 2)
            (t_on, on), (t_off, off) = page.pins["25"][seen:seen + 2]
            assert (on, off) == (1, 0) and t_off - t_on >= 30_000_000  # held 50 ms, polled every 10 ms
        drive(run.url, scenario)


def test_trace_wit_is_live(firmware, tmp_path: Path) -> None:
    with web_run(str(firmware["blinky"]), "--web", "0", "--trace-wit", str(tmp_path / "t.jsonl")) as run:
        async def scenario(new_page) -> None:
            page = await new_page()
            assert page.hello["trace"] and "gpio.set-high" in page.hello["trace_coverage"]
            await page.until(lambda p: any(c["text"] == "gpio.set-high(25)" for t in p.ticks for c in t["calls"]))
        drive(run.url, scenario)
    assert "gpio.set-high" in (tmp_path / "t.jsonl").read_text()  # still written at the end


def test_upload_to_the_loader(firmware) -> None:
    blob = (REPO / "build" / "guest" / "blinky.cwasm").read_bytes()
    raw = (REPO / "build" / "cwasm" / "blinky.cwasm").read_bytes()
    with web_run(str(firmware["loader"]), "--web", "0") as run:
        async def scenario(new_page) -> None:
            page = await new_page()
            await page.send(t="fast", on=True)
            await page.until(lambda p: p.state["loader_ready"])
            await page.send(t="upload", name="raw.cwasm", data=base64.b64encode(raw).decode())
            await page.until(lambda p: any("not a packaged guest" in n for n in p.notices))
            await page.send(t="upload", name="blinky.cwasm", data=base64.b64encode(blob).decode())
            await page.until(lambda p: (p.state["upload"] or {}).get("state") == "done", timeout=60)
            assert page.state["upload"]["total"] == len(blob)
            await page.until(lambda p: len(p.pins.get("25", [])) >= 2)  # the uploaded blinky blinks
        drive(run.url, scenario)
    assert "loader: received" in "".join(line for _, line in run.lines)


def test_upload_refused_without_the_loader(firmware) -> None:
    blob = (REPO / "build" / "guest" / "blinky.cwasm").read_bytes()
    with web_run(str(firmware["blinky"]), "--web", "0") as run:
        async def scenario(new_page) -> None:
            page = await new_page()
            await page.send(t="upload", name="blinky.cwasm", data=base64.b64encode(blob).decode())
            await page.until(lambda p: any("has not printed 'loader: ready" in n for n in p.notices))
        drive(run.url, scenario)


# -- every guest, both flavours -------------------------------------------------------------------
def _shows(guest: str) -> Callable[[Page], bool]:
    return {
        "blinky": lambda p: len(p.pins.get("25", [])) >= 2,
        "button": lambda p: p.state["led"],
        "uart-echo": lambda p: p.uart.endswith("x\r\n"),
        "trap": lambda p: "*** guest trap" in p.uart,
        "compute": lambda p: p.uart.count("\n") >= 1,
        "servo": lambda p: len(p.pins.get("6", [])) >= 4,
        "loader": lambda p: p.state["loader_ready"],
    }[guest]


@pytest.mark.parametrize("flavour", ["wfi", "busywait"])
@pytest.mark.parametrize("guest", ["blinky", "button", "uart-echo", "trap", "compute", "servo", "loader"])
def test_every_guest_on_the_page(firmware, firmware_busywait, guest: str, flavour: str) -> None:
    elf = (firmware if flavour == "wfi" else firmware_busywait)[guest]
    with web_run(str(elf), "--web", "0") as run:
        async def scenario(new_page) -> None:
            page = await new_page()
            await page.send(t="fast", on=True)
            if guest == "button":
                await page.send(t="button", down=True)
            if guest == "uart-echo":
                await page.send(t="uart", data="x\r")
            await page.until(_shows(guest), timeout=30)
            assert page.state["halted"] is None
        drive(run.url, scenario)
