"""The base of every record: a frozen dataclass built from the core's canonical JSON."""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Awaitable, Callable, List, Mapping, Optional, TypeVar

__all__ = ["FrozenDict", "Record", "build", "build_list", "build_optional", "by_shape", "freeze", "plain_args", "thaw"]

R = TypeVar("R", bound="Record")


class FrozenDict(dict):  # type: ignore[type-arg]
    """A read-only dict: the records' ``raw`` objects. Unlike a mapping proxy it can be copied, deep-copied and
    pickled, so ``dataclasses.asdict`` and ``copy.deepcopy`` work on records."""

    __slots__ = ()

    def _read_only(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a hostapi record's raw object is read-only")

    __setitem__ = __delitem__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only
    __ior__ = _read_only

    def __deepcopy__(self, memo: Any) -> FrozenDict:
        import copy

        return FrozenDict({k: copy.deepcopy(v, memo) for k, v in self.items()})

    def __reduce__(self) -> Any:
        return (FrozenDict, (dict(self),))


def freeze(value: Any) -> Any:
    """JSON as read-only values: objects become read-only dicts, arrays tuples (recursively)."""
    t = type(value)
    # Exact types first: the native module hands over plain JSON values, and this runs for every field of every
    # record (isinstance against the typing ABCs costs several times more).
    if t is str or t is int or t is float or t is bool or value is None:
        return value
    if t is dict or isinstance(value, Mapping):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if t is list or t is tuple:
        return tuple([freeze(v) for v in value])
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


_FIELDS: dict[type, tuple[str, ...]] = {}


def build(cls: type[R], value: Mapping[str, Any]) -> R:
    """A record of ``cls`` from the core's canonical JSON object ``value``."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    get = value.get
    return cls(**{name: freeze(get(name)) for name in names})


def build_list(cls: type[R], value: Any) -> List[R]:
    """Records of ``cls`` from a canonical JSON array."""
    return [build(cls, item) for item in value]


def build_optional(cls: type[R], value: Any) -> Optional[R]:
    """A record of ``cls``, or ``None`` for ``null``."""
    return None if value is None else build(cls, value)


def by_shape(shape: str, cls: Any, value: Any) -> Any:
    """A result of the model's shape (``one``, ``list``, ``optional``, ``count``) from its canonical JSON."""
    if shape == "list":
        return build_list(cls, value)
    if shape == "optional":
        return build_optional(cls, value)
    if shape == "count":
        return int(value)
    return build(cls, value)


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool, type(None), dict, list, tuple)):
        return value
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value  # the core names the argument and its type in the error


async def call_with_progress(
    call_async: Callable[..., Awaitable[Any]],
    operation: str,
    args: Optional[dict[str, Any]],
    progress: Optional[Callable[[int, Optional[int]], object]],
) -> Any:
    """Runs an ``AsyncClient`` call whose ``progress`` callable runs on the running event loop's thread (the native
    side reports from its own threads). As in ``Client``: when the callable returns ``False`` the operation stops
    with the core's error; when it raises, the operation stops and that exception is raised."""
    if progress is None:
        return await call_async(operation, args, None)
    import asyncio  # here, not at the top: `import hostapi` stays light for programs that never use asyncio

    loop = asyncio.get_running_loop()
    stopped: list[Optional[BaseException]] = []  # what stopped the operation: the exception raised, or None

    def run(received: int, total: Optional[int]) -> None:
        if stopped:
            return
        try:
            if progress(received, total) is False:
                stopped.append(None)
        except BaseException as e:  # noqa: BLE001 - re-raised below, in the caller's task
            stopped.append(e)

    def report(received: int, total: Optional[int]) -> bool:
        loop.call_soon_threadsafe(run, received, total)
        return not stopped

    try:
        result = await call_async(operation, args, report)
    except Exception as e:
        if stopped and stopped[0] is not None:
            raise stopped[0] from e
        raise
    # Reports made before the answer ran before this task resumed: one that raised is the call's outcome.
    if stopped and stopped[0] is not None:
        raise stopped[0]
    return result


def plain_args(args: Optional[Mapping[str, Any]]) -> Optional[dict[str, Any]]:
    """Arguments as the native module takes them: records as their canonical JSON, paths as strings, read-only
    mappings as dicts. Values of any other type pass through; the core refuses them by name."""
    if args is None:
        return None
    return {k: _plain(v) for k, v in args.items()}
