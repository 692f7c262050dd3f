"""The base of every record: a frozen dataclass built from the core's canonical JSON."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any, Mapping, TypeVar

__all__ = ["Record", "build", "freeze", "thaw"]

R = TypeVar("R", bound="Record")


def freeze(value: Any) -> Any:
    """JSON as read-only values: objects become read-only mappings, arrays tuples (recursively)."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The inverse of :func:`freeze`: plain ``dict``/``list`` JSON values."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    if isinstance(value, Record):
        return value.to_dict()
    return value


class Record:
    """Mixin of the record dataclasses: canonical JSON out (``to_dict``)."""

    __slots__ = ()

    def __reduce__(self) -> Any:
        # raw mappings are read-only proxies, which pickle cannot copy: rebuild from the canonical JSON instead.
        return (build, (type(self), self.to_dict()))

    def to_dict(self) -> dict[str, Any]:
        """The record in the canonical JSON form of the test vectors (plain dicts and lists)."""
        return {f.name: thaw(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]


def build(cls: type[R], value: Mapping[str, Any]) -> R:
    """A record of ``cls`` from the core's canonical JSON object ``value``."""
    kwargs = {f.name: freeze(value.get(f.name)) for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**kwargs)
