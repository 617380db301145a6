"""The page's server: aiohttp serving the built assets and one WebSocket per page, on 127.0.0.1.

Every page gets the board's `snapshot()` when it connects, then the same
`drain()` message as every other page, 20 times a second. A message the
board cannot act on is dropped with one log line; the board runs on.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from rp2350_emu.errors import ConfigError
from rp2350_emu.web.protocol import MAX_MESSAGE, BadMessage, parse_command
from rp2350_emu.web.session import BoardSession

log = logging.getLogger("rp2350_emu.web")

STATIC = Path(__file__).parent / "static"
HOST = "127.0.0.1"
TICK_S = 0.05
QUEUE_LIMIT = 400  # messages a page may fall behind before it is dropped (it can reconnect)
LOGGED_PER_PAGE = 20  # ignored messages logged per page; the rest are counted


def check_assets() -> None:
    """The front end is built into the package (`make web`); without it there is no page."""
    missing = [name for name in ("index.html", "app.js", "app.css") if not (STATIC / name).is_file()]
    if missing:
        raise ConfigError(f"--web: the page's assets are missing from {STATIC} ({', '.join(missing)}); "
                          "build them with `make web`")


def make_app(session: BoardSession):  # -> aiohttp.web.Application
    from aiohttp import WSMsgType, web

    pages: set[asyncio.Queue] = set()

    async def index(_request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=20, max_msg_size=MAX_MESSAGE)
        await ws.prepare(request)
        queue: asyncio.Queue = asyncio.Queue()
        queue.put_nowait(json.dumps(session.snapshot()))  # before joining: no tick can come first
        pages.add(queue)
        session.attach()
        writer = asyncio.ensure_future(_write(ws, queue))
        peer = request.remote or "a page"
        ignored = 0
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    try:
                        session.submit(parse_command(msg.data))
                        continue
                    except BadMessage as exc:
                        why = str(exc)
                elif msg.type == WSMsgType.BINARY:
                    why = f"a binary message of {len(msg.data)} bytes (uploads are JSON)"
                else:
                    break
                ignored += 1
                if ignored <= LOGGED_PER_PAGE:
                    log.warning("web: ignored a message from %s: %s", peer, why)
                if ignored == LOGGED_PER_PAGE:
                    log.warning("web: %s keeps sending such messages; no more are logged", peer)
        finally:
            pages.discard(queue)
            session.detach()
            writer.cancel()
            if ws.exception() is not None:
                log.warning("web: a page's connection failed: %s", ws.exception())
        return ws

    async def broadcast(app: web.Application) -> None:
        while True:
            message = json.dumps(session.drain())
            for queue in list(pages):
                if queue.qsize() > QUEUE_LIMIT:
                    queue.put_nowait(None)  # the writer closes that page
                    pages.discard(queue)
                else:
                    queue.put_nowait(message)
            await asyncio.sleep(TICK_S)

    async def start_broadcast(app: web.Application):
        task = asyncio.ensure_future(broadcast(app))
        yield
        task.cancel()

    app = web.Application()
    app.router.add_get("/", index)
    app.router.add_get("/ws", socket)
    app.router.add_static("/static/", STATIC)
    app.cleanup_ctx.append(start_broadcast)
    return app


async def _write(ws, queue: asyncio.Queue) -> None:
    while True:
        message = await queue.get()
        if message is None or ws.closed:
            await ws.close()
            return
        try:
            await ws.send_str(message)
        except (ConnectionError, RuntimeError):
            return


def serve(session: BoardSession, port: int, out: TextIO, option: str = "--web",
          until: Callable[[], bool] | None = None) -> None:
    """Serve the board until Ctrl-C (KeyboardInterrupt) or `session.finished`; prints the URL."""
    check_assets()
    try:
        from aiohttp import web
    except ImportError:
        raise ConfigError(f"{option}: the web server needs aiohttp (pip install aiohttp, or reinstall "
                          "rp2350-emu)") from None

    async def main() -> None:
        runner = web.AppRunner(make_app(session), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, HOST, port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            if exc.errno == errno.EADDRINUSE:
                raise ConfigError(f"{option} {port}: port {port} on {HOST} is in use (another rp2350-emu "
                                  "--web?); choose another port, or 0 for a free one") from None
            raise ConfigError(f"{option} {port}: cannot listen on {HOST}:{port}: {exc.strerror}") from None
        bound = runner.addresses[0][1]
        out.write(f"web: http://{HOST}:{bound}/ (Ctrl-C ends the run)\n")
        out.flush()
        try:
            while not session.finished.is_set() and not (until is not None and until()):
                await asyncio.sleep(0.1)
        finally:
            await runner.cleanup()

    asyncio.run(main())
