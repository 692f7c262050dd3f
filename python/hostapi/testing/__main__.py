"""``python -m hostapi.testing``: the emulator of both APIs in the foreground (``hostapi emulator``), until
Ctrl-C. ``--port 8640``, ``--config FILE``, ``--state-file FILE``: see ``--help``."""

from __future__ import annotations

import sys

from .. import _native


def main() -> None:
    """Runs ``hostapi emulator`` with this process's arguments and exits with its code."""
    sys.exit(_native.cli_main(["hostapi", "emulator", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
