"""`run --web` end to end: the page in headless Chromium (Playwright, tests/web/browser.mjs).

Node, web/node_modules (playwright-core) and /usr/bin/chromium are needed; a
missing one fails the test with what to install (`make setup` installs all three).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.web.helpers import REPO, RESULTS, web_run

SCRIPT = Path(__file__).with_name("browser.mjs")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser_tools() -> None:
    problems = []
    if shutil.which("node") is None:
        problems.append("node is not installed (apt install nodejs npm)")
    if not (REPO / "web" / "node_modules" / "playwright-core").is_dir():
        problems.append("web/node_modules has no playwright-core (cd web && npm ci)")
    if not Path(CHROMIUM).is_file():
        problems.append(f"{CHROMIUM} is missing (apt install chromium)")
    if problems:
        pytest.fail("; ".join(problems) + ": `make setup` installs them", pytrace=False)


def browse(case: str, url: str, **env: str) -> dict:
    RESULTS.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["node", str(SCRIPT), case, url, str(RESULTS)], capture_output=True, text=True,
                          timeout=120, check=False, env={**os.environ, **env})
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, f"browser.mjs {case}: no result (exit {proc.returncode}): {proc.stdout}{proc.stderr}"
    result = json.loads(lines[-1])
    assert result["ok"], f"browser.mjs {case}: {result['error']}"
    assert result.get("errors") == [], f"errors in the page: {result.get('errors')}"
    return result


def test_led_follows_the_firmware_within_a_second(browser_tools, firmware) -> None:
    with web_run(str(firmware["blinky"]), "--web", "0") as run:
        result = browse("led", run.url)
        fw = run.pin_changes(25)
    dom = result["dom"]
    assert len(dom) >= 4, f"the LED element changed {len(dom)} times in 3.5 s of blinky: {dom}"
    for change in dom:
        wall = change["wall"] / 1000
        # the firmware's last change to this level before the element changed
        before = [t for t, level in fw if level == int(change["on"]) and t <= wall + 0.05]
        assert before, f"the LED element went {change} with no such change from the firmware: {fw}"
        lag = wall - before[-1]
        assert lag < 1.0, f"the LED element changed {lag:.3f} s after the firmware did"
    # alternating, as blinky does
    assert all(a["on"] != b["on"] for a, b in itertools.pairwise(dom))


def test_button_lights_the_led(browser_tools, firmware) -> None:
    with web_run(str(firmware["button"]), "--web", "0") as run:
        result = browse("button", run.url)
        fw = run.pin_changes(25)
    assert result["pressed"] == "1"
    assert [c["on"] for c in result["dom"]][:6] == [True, False] * 3
    assert [level for _, level in fw][:6] == [1, 0] * 3, "the firmware did not light the LED three times"


def test_terminal_echo_and_garbage_on_the_socket(browser_tools, firmware) -> None:
    with web_run(str(firmware["uart-echo"]), "--web", "0") as run:
        result = browse("echo", run.url)
        assert run.proc.poll() is None, "the run ended"
    assert result["uart"].endswith("hi\r\n")
    assert "hi" in result["rows"]
    assert result["after"].endswith("hi\r\nok\r\n")
    assert result["state"] == "running"
    logged = [line for line in run.err if "web: ignored a message" in line]
    assert len(logged) == 8, run.err  # one line per bad message, the run went on
    assert any("not JSON" in line for line in logged) and any("binary" in line for line in logged)


def test_two_pages_see_the_same_board_and_a_reopened_page_its_state(browser_tools, firmware) -> None:
    with web_run(str(firmware["blinky"]), "--web", "0") as run:
        result = browse("pages", run.url)
    a, b = result["seenA"], result["seenB"]
    assert len(a) >= 3 and len(b) >= 3
    # page b connected a little later: its first entry may be the LED as it found it (lit since
    # before b connected), so the changes both saw are those after b's first entry
    after_a = [(c["on"], c["now_ns"]) for c in a if c["now_ns"] > b[0]["now_ns"]]
    after_b = [(c["on"], c["now_ns"]) for c in b[1:]]
    assert after_b and after_a[:len(after_b)] == after_b
    assert result["reopened"]["nowNs"] >= result["before"], "virtual time went back when a page was reopened"


def test_a_dropped_cwasm_goes_to_the_loader(browser_tools, firmware) -> None:
    cwasm = REPO / "build" / "guest" / "blinky.cwasm"
    with web_run(str(firmware["loader"]), "--web", "0") as run:
        result = browse("loader", run.url, CWASM=str(cwasm))
    assert result["done"] == f"blinky.cwasm: {cwasm.stat().st_size} bytes received by the loader"
    assert "loader: upload guest accepted" in result["uart"], result["uart"]


def test_screenshot(browser_tools, firmware, tmp_path) -> None:
    with web_run(str(firmware["button"]), "--web", "0", "--trace-wit", str(tmp_path / "t.jsonl")) as run:
        result = browse("screenshot", run.url)
    png = Path(result["path"])
    assert png.stat().st_size > 20_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
