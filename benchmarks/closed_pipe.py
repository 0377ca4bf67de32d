"""How every benchmark script ends: a reader that goes away early (`| head`) stops the script
quietly, with exit status 141 as a shell gives a writer killed by SIGPIPE. The exception
unwinds first, so the script's own clean-up (servers, workers, temporary files) still runs;
dying by the signal itself would skip it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

CLOSED_PIPE = 128 + 13


def run(main: Callable[..., object], *args: object) -> None:
    """Run a script's `main`, then flush; a closed stdout ends it without a traceback."""
    try:
        main(*args)
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's last flush does not complain too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(CLOSED_PIPE)
