"""A `.cwasm` package dropped on the page, sent to the loader image over UART0.

The protocol is `guests.upload.Uploader` (docs/loader.md); this class only
feeds it the loader's reply lines and gives up on silence, in virtual time,
so a paused board does not time an upload out.
"""

from __future__ import annotations

from collections.abc import Callable

from rp2350_emu.guests.package import PackageError, parse_header
from rp2350_emu.guests.upload import READY_LINE, Uploader, UploadError, parse_reply
from rp2350_emu.time.units import NS_PER_MS

#: no reply for this long (virtual): the last frame is sent again (a 256-byte frame takes 23 ms)
QUIET_NS = 400 * NS_PER_MS


class LoaderUpload:
    """One upload in progress: `on_line` for each UART0 line, `poll` after each step."""

    def __init__(self, name: str, blob: bytes, send: Callable[[bytes], None], now_ns: int) -> None:
        try:
            parse_header(blob)
        except PackageError as exc:
            raise UploadError(f"{name}: {exc}; drop a packaged guest such as build/guest/blinky.cwasm "
                              "(build/cwasm/*.cwasm are not packaged)") from None
        self.name = name
        self.total = len(blob)
        self.sent = 0
        self.done = False
        self.error: str | None = None
        self._send = send
        self._uploader = Uploader(blob)
        self._last_ns = now_ns
        send(self._uploader.start())

    @property
    def active(self) -> bool:
        return not self.done and self.error is None

    def on_line(self, line: str, now_ns: int) -> bool:
        """One line the loader printed; True when it was a protocol reply (progress to report)."""
        if not self.active:
            return False
        reply = parse_reply(line)
        if reply is None:
            if line.startswith("*** ") or line.strip() == READY_LINE:
                self.error = f"the loader left the upload: {line.strip()}"
                return True
            return False
        self._last_ns = now_ns
        try:
            out = self._uploader.on_line(line)
        except UploadError as exc:
            self.error = str(exc)
            return True
        if reply.kind == "ack":
            self.sent = reply.offset
        if self._uploader.done:
            self.sent, self.done = self.total, True
        if out is not None:
            self._send(out)
        return True

    def poll(self, now_ns: int) -> bool:
        """After a step: resend on silence; True when something changed."""
        if not self.active or now_ns - self._last_ns < QUIET_NS:
            return False
        self._last_ns = now_ns
        try:
            self._send(self._uploader.on_timeout())
        except UploadError as exc:
            self.error = f"{exc}: is the loader waiting for an upload?"
            return True
        return False

    def describe(self) -> dict:
        state = "done" if self.done else "failed" if self.error else "sending"
        return {"name": self.name, "state": state, "sent": self.sent, "total": self.total,
                "message": self.error or ""}
