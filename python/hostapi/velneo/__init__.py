"""The Velneo Cloud API: a customer's Velneo vServer — status, start, stop, credentials, backup — and its
groups, users, shared folders, application instances and data instances.

:class:`Client` is synchronous (it releases the GIL while it waits, and may be shared by many threads);
:class:`AsyncClient` has the same methods, awaited. Both log in lazily (once, for every concurrent call), sign
every attempt afresh, log in again once after a 401, and log out when used as a context manager.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Tuple

if TYPE_CHECKING:
    from typing_extensions import Unpack

from .. import _native
from .. import errors as hostapi_errors
from .._client import ClientBase
from ..errors import warn_insecure as hostapi_errors_warn_insecure
from .._settings import PathLike
from . import protocol, records
from ._generated import (
    Settings,
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
from .records import (
    Ack,
    AppInstance,
    Backup,
    DataInstance,
    Folder,
    Group,
    InstanceCreated,
    Session,
    User,
    VServerStatus,
)

__all__ = [
    "Client",
    "AsyncClient",
    "DEFAULT_BASE_URL",
    "Ack",
    "AppInstance",
    "Backup",
    "DataInstance",
    "Folder",
    "Group",
    "InstanceCreated",
    "Session",
    "User",
    "VServerStatus",
    "protocol",
    "records",
]

#: The production API root (version included).
DEFAULT_BASE_URL: str = _native.VELNEO_DEFAULT_BASE_URL

_NATIVE_CLASS = _native.VelneoClient


class _Base(ClientBase):
    """What both clients share: construction, settings, repr."""

    _native: _native.VelneoClient
    _native_class = _NATIVE_CLASS

    def __init__(
        self,
        email: str,
        api_key: str,
        *,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        retries: Optional[int] = None,
        max_response_bytes: Optional[int] = None,
        verify: bool = True,
        ca_bundle: Optional[PathLike] = None,
        user_agent: Optional[str] = None,
        backoff: Optional[Tuple[float, float]] = None,
        http_verbs: bool = False,
    ) -> None:
        """A client of the account ``email`` with its private ``api_key`` (only ever hashed, never sent or shown).

        :param base_url: the API root with its version (default ``https://cloudapi.velneo.com/v1``).
        :param timeout: seconds allowed for one attempt of a call (default 30).
        :param connect_timeout: seconds allowed to connect (default 10).
        :param retries: further attempts (default 2; 0 = off) after a failure to connect, and — for reads and
            idempotent writes only — after timeouts and HTTP 5xx/429; a write that may have reached the server is
            never sent twice: its error has ``may_have_applied`` set.
        :param max_response_bytes: the largest answer read (default 16 MiB); a larger one is a
            :class:`~hostapi.ProtocolError` and is not read.
        :param verify: ``False`` turns TLS certificate verification off (only for a test server you control).
        :param ca_bundle: a PEM file of extra trusted root certificates.
        :param user_agent: the ``User-Agent`` header.
        :param backoff: ``(initial, max)`` seconds of the retry backoff (full jitter).
        :param http_verbs: send the operation's verb as the HTTP method instead of ``POST`` + ``method`` field.
        :raises ConfigError: a missing or invalid setting.
        """
        if verify is False:
            hostapi_errors_warn_insecure()
        self._start(
            {
                "email": email,
                "api_key": api_key,
                "base_url": base_url,
                "timeout": timeout,
                "connect_timeout": connect_timeout,
                "retries": retries,
                "max_response_bytes": max_response_bytes,
                "verify": verify,
                "ca_bundle": ca_bundle,
                "user_agent": user_agent,
                "backoff": backoff,
                "http_verbs": http_verbs,
            }
        )

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
