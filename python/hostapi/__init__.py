"""hostapi — clients for the Velneo Cloud API and WEDOS WAPI, over one Rust core.

* :mod:`hostapi.velneo` — ``Client`` / ``AsyncClient`` for a Velneo vServer, and the sans-I/O ``protocol``;
* :mod:`hostapi.wedos` — ``Client`` / ``AsyncClient`` for a WEDOS account, and its ``protocol``;
* :mod:`hostapi.testing` — the local emulator of both APIs, and a pytest plugin;
* :mod:`hostapi.errors` — one exception class per kind of failure, all subclasses of :class:`Error`.

Logging goes to the standard :mod:`logging` module, under the logger ``hostapi`` (requests and retries at
DEBUG; never a secret).
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

from . import _logging, _native
from .errors import (
    ApiError,
    AuthenticationError,
    ConfigError,
    Error,
    ProtocolError,
    RateLimited,
    Timeout,
    TransportError,
    VServerCredentialsError,
)

__version__: str = _native.__version__

if _typing.TYPE_CHECKING:
    from . import velneo, wedos  # noqa: F401

__all__ = [
    "__version__",
    "Error",
    "ConfigError",
    "TransportError",
    "Timeout",
    "ProtocolError",
    "AuthenticationError",
    "RateLimited",
    "VServerCredentialsError",
    "ApiError",
    "velneo",
    "wedos",
]

_logging.install()


def __getattr__(name: str) -> _typing.Any:
    """``hostapi.velneo`` and ``hostapi.wedos`` are imported on first use: a program that needs one API does not
    pay for the other (``import hostapi.velneo`` and ``from hostapi import wedos`` work as usual)."""
    if name in ("velneo", "wedos"):
        return _importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
