"""Checks of client settings made before the native client is built, so that a wrong type is a
:class:`~hostapi.errors.ConfigError` naming the client, like every other bad setting."""

from __future__ import annotations

import os
from typing import Any, Optional, Tuple, Union

from .errors import ConfigError

PathLike = Union[str, "os.PathLike[str]"]


def fail(operation: str, message: str) -> ConfigError:
    """A ``ConfigError`` of ``operation``."""
    return ConfigError(f"{operation}: {message}", operation=operation, message=message)


def seconds(operation: str, name: str, value: Any) -> Optional[float]:
    """``value`` as seconds (``None`` stays ``None``)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise fail(operation, f"{name} must be a number of seconds")
    return float(value)


def count(operation: str, name: str, value: Any) -> Optional[int]:
    """``value`` as a non-negative integer (``None`` stays ``None``)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 0xFFFFFFFF:
        raise fail(operation, f"{name} must be a non-negative integer")
    return value


def text(operation: str, name: str, value: Any) -> Optional[str]:
    """``value`` as a string (``None`` stays ``None``)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail(operation, f"{name} must be a string")
    return value


def flag(operation: str, name: str, value: Any) -> bool:
    """``value`` as a bool."""
    if not isinstance(value, bool):
        raise fail(operation, f"{name} must be True or False")
    return value


def path(operation: str, name: str, value: Any) -> Optional[str]:
    """``value`` as a file system path (``None`` stays ``None``)."""
    if value is None:
        return None
    if not isinstance(value, (str, os.PathLike)):
        raise fail(operation, f"{name} must be a path")
    return os.fspath(value)


def pair(operation: str, name: str, value: Any, convert: Any) -> Optional[Tuple[Any, Any]]:
    """``value`` as a pair of two converted values (``None`` stays ``None``)."""
    if value is None:
        return None
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise fail(operation, f"{name} must be a pair of two values")
    return (convert(operation, name, value[0]), convert(operation, name, value[1]))
