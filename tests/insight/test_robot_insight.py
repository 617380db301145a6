"""Robot: the WIT-trace suite, the waveform picture in log.html, the snapshot of a failed test."""

from __future__ import annotations

import base64
import io
import json
import re
import zlib
from pathlib import Path

from rp2350_emu.platform import snapshot
from rp2350_emu.robotlib.runner import run_tests
from tests.insight.helpers import ROOT, boot, stream

PNG = re.compile(r'<img src="data:image/png;base64,(?P<data>[A-Za-z0-9+/=]+)"')


def log_pngs(log_html: Path) -> list[bytes]:
    """The PNG images embedded in a Robot log.html. Robot keeps the log's strings in
    `window.output["strings"]`, each either raw (prefixed `*`) or zlib + base64."""
    texts = []
    for line in log_html.read_text(encoding="utf-8").splitlines():
        if line.startswith('window.output["strings"] = window.output["strings"].concat('):
            array = line[line.index("(") + 1:line.rindex(")")]
            array = re.sub(r"\\x([0-9a-fA-F]{2})", r"\\u00\1", array)  # JavaScript's \x3c is not JSON
            texts += [item[1:] if item.startswith("*") else zlib.decompress(base64.b64decode(item)).decode()
                      for item in json.loads(array)]
    return [base64.b64decode(m.group("data")) for text in texts for m in PNG.finditer(text)]


FAILING_SUITE = """\
*** Test Cases ***
Waits For A Line That Never Comes
    Execute Command    $bin=@{elf}
    Execute Command    include @{resc}
    Create Terminal Tester    sysbus.uart0
    Create LED Tester    sysbus.gpio.led
    Wait For Line On Uart    GPIO25 On    timeout=2
    Wait For Line On Uart    this line never comes    timeout=0.7
"""


def test_builtin_insight_suite_passes_with_waveforms_in_the_log(firmware: dict[str, Path], tmp_path: Path) -> None:
    out = io.StringIO()
    suite = str(ROOT / "robot" / "builtin" / "insight.robot")
    rc = run_tests([suite], tmp_path / "always", console="none", stdout=out, variables=["PIN_WAVEFORMS:Always"])
    assert rc == 0, out.getvalue()
    pngs = log_pngs(tmp_path / "always" / "log.html")
    assert len(pngs) == 2  # one picture per test, passed or not
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in pngs)
    assert not (tmp_path / "always" / "snapshots").exists()  # nothing failed
    # by default only a failed test gets one (drawing costs more than a short test)
    assert run_tests([suite], tmp_path / "default", console="none", stdout=out) == 0
    assert log_pngs(tmp_path / "default" / "log.html") == []


def test_failed_test_leaves_a_snapshot_that_continues_like_the_real_run(firmware: dict[str, Path],
                                                                       tmp_path: Path) -> None:
    suite = tmp_path / "never.robot"
    suite.write_text(FAILING_SUITE.format(elf=firmware["blinky"], resc=ROOT / "renode" / "rp2350.resc"))
    out = io.StringIO()
    results = tmp_path / "results"
    assert run_tests([str(suite)], results, console="none", stdout=out) == 1
    snap = results / "snapshots" / "Never.Waits_For_A_Line_That_Never_Comes.fail0.save"
    assert snap.is_file(), sorted(p.name for p in results.rglob("*"))
    assert len(log_pngs(results / "log.html")) == 1

    data = snapshot.load(snap)
    failed_at = data["now_ns"]
    assert 700_000_000 < failed_at < 1_000_000_000  # first On (~66 ms) + the 0.7 s wait
    restored = snapshot.restore(data)
    restored.run_for(2_500_000_000 - failed_at)
    # the same firmware run straight through, with no harness around it
    straight = boot(firmware["blinky"])
    straight.run_for(2_500_000_000)
    assert stream(restored) == stream(straight)
    assert [e for e in stream(restored) if e[0] > failed_at]  # there was a rest to compare
