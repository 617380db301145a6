"""`python -m rp2350_emu.cli`: the same as the rp2350-emu command."""

import sys

from rp2350_emu.cli.main import main

sys.exit(main())
