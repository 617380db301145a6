"""`rp2350-emu run --web`: the emulated board in a browser page (server, board session, assets).

Kept light: the CLI reads DEFAULT_PORT while it builds its parser; aiohttp and
the harness load only when a page is served.
"""

#: the port `--web` listens on when none is given (127.0.0.1 only)
DEFAULT_PORT = 8350
