"""What the clients of both APIs share: the native client built by the core from one options dict (checked against
the operation model's settings), and the handles the generated mixins attach."""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Optional

from ._records import plain_args


class ClientBase:
    """The base of ``hostapi.velneo.Client``/``AsyncClient`` and ``hostapi.wedos.Client``/``AsyncClient``."""

    _native: Any
    _native_class: ClassVar[Callable[[Optional[dict[str, Any]]], Any]]

    def _start(self, options: dict[str, Any]) -> None:
        # The core checks every setting (names, types, values) against the operation model.
        self._native = type(self)._native_class(plain_args(options))
        self._init_handles()

    def _init_handles(self) -> None:
        raise NotImplementedError  # pragma: no cover - the generated mixin of each client class provides it

    @classmethod
    def _from_env(cls, options: dict[str, Any]) -> Any:
        self = cls.__new__(cls)
        self._start({**options, "from_env": True})
        return self

    @property
    def base_url(self) -> str:
        """The endpoint this client talks to."""
        url: str = self._native.base_url
        return url

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        closed: bool = self._native.closed
        return closed
