"""The ``eenzaamheid`` program (and ``python -m eenzaamheid_data``): ``cli.main`` in a process of its own.

This module imports nothing heavy, so Ctrl-C is in hand before pandas and matplotlib load: from the first
moment an interrupt ends the run with one line and exit code 130, never a traceback.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import sys
import threading

INTERRUPTED = "interrupted; the cache is unchanged for anything not finished"


def run() -> None:
    """Run the command line; exit with its code (130 after Ctrl-C, however it surfaced)."""
    interrupted = _note_interrupts()
    code: int | None = None
    try:
        from .cli import main

        # A one-shot process, so the garbage collector can skip what lives until the end. Freezing what
        # the imports made keeps the full collections during the work short, and freezing again at the
        # end spares the interpreter a last walk over every pandas/matplotlib object on its way out
        # (about 0.5 s here; the operating system frees the memory at once).
        gc.freeze()
        code = main()
    except KeyboardInterrupt:  # during the imports, before main could catch it
        pass
    except Exception:
        # Ctrl-C reaches the whole process group: Chromium's driver dies with it, and the error that
        # follows (a closed browser) is the interrupt's, not a failure to report with a traceback.
        if not interrupted.is_set():
            raise
    if interrupted.is_set() and code != 130:  # 130: main said so already; else it surfaced otherwise, or not at all
        print(INTERRUPTED, file=sys.stderr)
        code = 130
    gc.freeze()
    if interrupted.is_set():
        # A thread the Ctrl-C cut short (the Chromium start check, a browser driver's) can crash the interpreter's
        # own shutdown (a segmentation fault after the line above). Every file and process of ours is closed by
        # now: leave without that shutdown.
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(130)
    sys.exit(code)


def _note_interrupts() -> threading.Event:
    """Ctrl-C still raises KeyboardInterrupt, and is remembered."""
    interrupted = threading.Event()

    def on_interrupt(signum: int, frame: object) -> None:
        interrupted.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_interrupt)
    return interrupted
