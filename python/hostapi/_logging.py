"""Python logging for hostapi: the native module forwards the core's events to the ``hostapi.*`` loggers."""

from __future__ import annotations

import atexit
import logging

from . import _native

__all__ = ["install", "refresh"]

_installed = False


def install() -> None:
    """Gives the ``hostapi`` logger a ``NullHandler`` (library convention) and stops the bridge at exit."""
    global _installed
    if _installed:
        return
    _installed = True
    logging.getLogger("hostapi").addHandler(logging.NullHandler())
    atexit.register(_native._disable_log_bridge)


def refresh() -> None:
    """Re-reads the levels of the ``hostapi`` loggers now (every client call does it by itself)."""
    _native._refresh_log_level()
