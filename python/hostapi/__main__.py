"""``python -m hostapi``: the ``hostapi`` command (the same as the ``hostapi`` console script the wheel installs).

Both APIs and the emulator from the shell: ``python -m hostapi velneo users list``, ``python -m hostapi emulator``.
"""

from __future__ import annotations

import sys

from . import _native


def main() -> None:
    """Runs the command with this process's arguments and exits with its code."""
    sys.exit(_native.cli_main(["hostapi", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
