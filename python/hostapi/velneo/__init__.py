"""The Velneo Cloud API: a customer's Velneo vServer — status, start, stop, credentials, backup — and its
groups, users, shared folders, application instances and data instances.

:class:`Client` is synchronous (it releases the GIL while it waits, and may be shared by many threads);
:class:`AsyncClient` has the same methods, awaited. Both log in lazily (once, for every concurrent call), sign
every attempt afresh, log in again once after a 401, and log out when used as a context manager.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Unpack

from .. import _native
from .. import errors as hostapi_errors
from . import protocol, records
from ._generated import (
    Settings,
    _Constructor,
    AppInstances,
    AsyncAppInstances,
    AsyncDataInstances,
    AsyncFolders,
    AsyncGroups,
    AsyncUsers,
    AsyncVServer,
    DataInstances,
    Folders,
    Groups,
    Inheritance,
    Users,
    VServer,
    _AsyncClientOps,
    _ClientOps,
)
from .records import *  # noqa: F403 (every record of the model; records.__all__ is generated)

__all__ = [
    "Client",
    "AsyncClient",
    "DEFAULT_BASE_URL",
    "protocol",
    "records",
    *(name for name in records.__all__ if name[0].isupper() and name != "RESULTS"),
]

#: The production API root (version included).
DEFAULT_BASE_URL: str = _native.VELNEO_DEFAULT_BASE_URL

_NATIVE_CLASS = _native.VelneoClient


class _Base(_Constructor):
    """What both clients share: construction, settings, repr."""

    _native: _native.VelneoClient
    _native_class = _NATIVE_CLASS

    @property
    def email(self) -> str:
        """The account e-mail."""
        return self._native.email

    @property
    def login_count(self) -> int:
        """How many logins this client has performed in this process (one per session)."""
        return self._native.login_count

    def __repr__(self) -> str:
        return f"{type(self).__module__}.{type(self).__qualname__}(email={self.email!r}, base_url={self.base_url!r})"


class Client(_ClientOps, _Base):
    """A synchronous Velneo Cloud API client.

    Calls wait with the GIL released, so one client can be shared by many threads. Used as a context manager
    (``with Client(...) as client:``) it logs out on exit. Resource handles: :attr:`vserver`, :attr:`groups`,
    :attr:`users`, :attr:`folders`, :attr:`app_instances`, :attr:`data_instances`.
    """

    @classmethod
    def from_env(cls, **options: Unpack[Settings]) -> Client:
        """A client configured from ``VELNEO_EMAIL``, ``VELNEO_API_KEY`` and optionally ``VELNEO_BASE_URL``;
        ``options`` are the keyword settings of the constructor (an explicit ``base_url`` wins)."""
        client: Client = cls._from_env(dict(options))
        return client

    def close(self) -> None:
        """Logs out and releases the connection pool; later calls raise :class:`~hostapi.ConfigError`."""
        if not self._native.closed:
            try:
                self._call("session.logout", None)
            finally:
                self._native.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.close()
            return
        # An error is on its way out: a failing logout must not replace it.
        try:
            self.close()
        except hostapi_errors.Error:
            pass


class AsyncClient(_AsyncClientOps, _Base):
    """An asyncio Velneo Cloud API client: the methods of :class:`Client`, awaited.

    Calls run on hostapi's own runtime and never block the event loop. ``async with AsyncClient(...) as client:``
    logs out on exit.
    """

    @classmethod
    def from_env(cls, **options: Unpack[Settings]) -> AsyncClient:
        """A client configured from ``VELNEO_EMAIL``, ``VELNEO_API_KEY`` and optionally ``VELNEO_BASE_URL``;
        ``options`` are the keyword settings of the constructor (an explicit ``base_url`` wins)."""
        client: AsyncClient = cls._from_env(dict(options))
        return client

    async def close(self) -> None:
        """Logs out and releases the connection pool; later calls raise :class:`~hostapi.ConfigError`."""
        if not self._native.closed:
            try:
                await self._call("session.logout", None)
            finally:
                self._native.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            await self.close()
            return
        try:
            await self.close()
        except hostapi_errors.Error:
            pass
