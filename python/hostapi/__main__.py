"""``python -m hostapi``: the ``hostapi`` command (the same as the ``hostapi`` console script the wheel installs).

Both APIs and the emulator from the shell: ``python -m hostapi velneo users list``, ``python -m hostapi emulator``.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import List

from . import _native

_LEVELS = {"off": logging.CRITICAL + 10, "error": logging.ERROR, "warn": logging.WARNING, "info": logging.INFO,
           "debug": logging.DEBUG, "trace": 5}


def _level(argv: List[str]) -> int:
    """The level the command logs at on stderr, as the ``hostapi`` binary reads it: ``--log-level``, else ``-v``
    (debug) / ``-vv`` (trace) / ``--debug``, else a plain ``RUST_LOG`` level, else warnings."""
    for i, a in enumerate(argv):
        if a == "--log-level" and i + 1 < len(argv):
            return _LEVELS.get(argv[i + 1].split(",")[0].split("=")[-1].lower(), logging.DEBUG)
        if a.startswith("--log-level="):
            return _LEVELS.get(a.split("=", 1)[1].split(",")[0].split("=")[-1].lower(), logging.DEBUG)
    verbose = sum(a.count("v") for a in argv if a.startswith("-") and not a.startswith("--") and set(a[1:]) == {"v"})
    verbose += sum(1 for a in argv if a == "--verbose")
    if verbose >= 2:
        return 5
    if verbose == 1 or "--debug" in argv:
        return logging.DEBUG
    return _LEVELS.get(os.environ.get("RUST_LOG", "").strip().lower(), logging.WARNING)


def main() -> None:
    """Runs the command with this process's arguments and exits with its code. The core's events (warnings by
    default) are written to stderr, as the ``hostapi`` binary does."""
    args = sys.argv[1:]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("hostapi")
    logger.addHandler(handler)
    logger.setLevel(_level(args))
    sys.exit(_native.cli_main(["hostapi", *args]))


if __name__ == "__main__":
    main()
