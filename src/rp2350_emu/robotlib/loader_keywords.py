"""Robot keywords for the loader image that work in both engines (robot/loader.robot).

Import it by path, so that Renode's own `renode-test` (whose Python does not
have this package installed) finds it as `rp2350-emu test` does::

    Library    ${CURDIR}/../src/rp2350_emu/robotlib/loader_keywords.py

Both keywords use only what both engines have:

- `Load Guest Package    PATH` is the monitor command `sysbus LoadBinary @PATH
  0x10200000` (Renode's, and the built-in monitor's). Call it before the
  emulation first runs: the loader looks at its partition once, at boot.
- `Upload Guest Over Uart    PATH` runs upload protocol 1 (the host side in
  rp2350_emu.guests.upload) with `Wait For Line On Uart` for the loader's
  replies. The frames are binary, which Robot's Remote library cannot hand
  to Renode's `Write To Uart` (XML-RPC turns such strings into bytes the C#
  keyword refuses), so in Renode each frame goes in through one monitor
  command, `python "...WriteChar(b)..."`, on the UART model; in the built-in
  engine through the suite's terminal tester. The suite's terminal tester
  must pause on matches (`defaultPauseEmulation=true`): frames are queued
  while virtual time stands still, then paced at the line rate.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# Imported by path in Renode's renode-test: make this package's own modules importable.
_SRC = str(Path(__file__).resolve().parents[2])
if _SRC not in sys.path:
    sys.path.append(_SRC)

PARTITION = "0x10200000"
#: every reply starts so, and nothing else the loader prints during an upload does
REPLY = "loader: "


def _builtin() -> Any:
    from robot.libraries.BuiltIn import BuiltIn

    return BuiltIn()


class loader_keywords:  # Robot names a library imported by path after its module
    """Load Guest Package, Upload Guest Over Uart."""

    ROBOT_LIBRARY_SCOPE = "GLOBAL"

    def load_guest_package(self, path: str) -> None:
        """Places the package at `path` in the loader's flash partition (0x10200000)."""
        if not Path(path).is_file():
            raise AssertionError(f"Load Guest Package: {path}: no such file (build it with `make guest` "
                                 "or `make hostile`)")
        _builtin().run_keyword("Execute Command", f"sysbus LoadBinary @{path} {PARTITION}")

    def upload_guest_over_uart(self, path: str, uart: str = "sysbus.uart0", wait_ready: bool | str = True,
                               reply_timeout: float | str = 1.0) -> Any:
        """Uploads the package at `path` with protocol 1: waits for the loader's
        ready line (unless `wait_ready` is false), then sends the frames and
        follows the loader's ack/nak lines until `received`. Returns
        `Bytes`, `Frames` and `Retries`; fails with the protocol's one-line error."""
        from rp2350_emu.guests.upload import READY_LINE, Uploader, UploadError

        builtin = _builtin()
        blob = Path(path).read_bytes()
        try:
            up = Uploader(blob)
        except UploadError as exc:
            raise AssertionError(f"Upload Guest Over Uart: {path}: {exc}") from None
        if str(wait_ready).lower() not in ("false", "0", "no"):
            builtin.run_keyword("Wait For Line On Uart", READY_LINE)
        send = self._sender(uart)
        out: bytes | None = up.start()
        frames = 0
        while not up.done:
            if out is not None:
                send(out)
                frames += 1
            try:
                match = builtin.run_keyword("Wait For Line On Uart", REPLY, f"timeout={reply_timeout}")
            except Exception:  # noqa: BLE001 - the tester's timeout, in either engine
                out = self._resend(up)
                continue
            try:
                out = up.on_line(str(match["Line"]))
            except UploadError as exc:
                raise AssertionError(f"Upload Guest Over Uart: {exc}") from None
        from robot.utils import DotDict

        return DotDict(Bytes=len(blob), Frames=frames, Retries=up.retries)

    @staticmethod
    def _resend(up: Any) -> bytes:
        from rp2350_emu.guests.upload import UploadError

        try:
            return up.on_timeout()
        except UploadError as exc:
            raise AssertionError(f"Upload Guest Over Uart: no reply from the loader: {exc}") from None

    @staticmethod
    def _sender(uart: str) -> Any:
        from rp2350_emu.robotlib.active import active

        library = active()
        if library is not None:  # the built-in engine: this process holds the machine
            tester = library._uart(None)
            return lambda frame: tester.write(frame.decode("latin-1"))
        builtin = _builtin()

        def renode(frame: bytes) -> None:
            values = ",".join(str(b) for b in frame)
            builtin.run_keyword("Execute Command", f"python \"[monitor.Machine['{uart}'].WriteChar(b) "
                                f"for b in ({values},)]\"")
        return renode
