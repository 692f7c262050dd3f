"""WEDOS WAPI: a WEDOS account — ping, credit, domains, DNS zones and rows, asynchronous requests and their
notifications.

:class:`Client` is synchronous (GIL released while waiting, shareable by threads); :class:`AsyncClient` has the
same methods, awaited. Both compute ``auth`` for the server's Prague hour on every attempt (the local clock
corrected by the offset learned from the server's answers), and share with every other hostapi client of the
account on this machine — other processes, the ``hostapi`` command, Node, C — one account state in
``state_dir``. Each request reserves its slots of the account's limits before it is sent, so concurrent callers
in any processes never pass them together: the hourly budgets (``on_limit="raise"`` fails fast with
:class:`~hostapi.RateLimited`, ``"wait"`` waits for room), the count of invalid answers (they stop before the 11th
in an hour, which would get your IP blocked; requests in flight count), the stop after ``max_auth_failures`` authentication/IP failures in a row
(:meth:`Client.reset_auth_guard` or ``hostapi wedos guard reset`` lets them send again), and the spool of
notifications taken off the queue while waiting for another one (never lost, each handed out once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Optional

if TYPE_CHECKING:
    from typing_extensions import Unpack

from .. import _native
from . import protocol, records
from ._generated import (
    Settings,
    _Constructor,
    AsyncDns,
    AsyncDomains,
    AsyncNotifications,
    Dns,
    Domains,
    Notifications,
    _AsyncClientOps,
    _ClientOps,
)
from .protocol import parse_notification
from .records import *  # noqa: F403 (every record of the model; records.__all__ is generated)

__all__ = [
    "Client",
    "AsyncClient",
    "DEFAULT_BASE_URL",
    "parse_notification",
    "protocol",
    "records",
    *(name for name in records.__all__ if name[0].isupper() and name != "RESULTS"),
]

#: The production JSON endpoint.
DEFAULT_BASE_URL: str = _native.WEDOS_DEFAULT_BASE_URL

OnLimit = Literal["raise", "wait"]


_NATIVE_CLASS = _native.WedosClient


class _Base(_Constructor):
    _native: _native.WedosClient
    _native_class = _NATIVE_CLASS

    @property
    def user(self) -> str:
        """The account login."""
        return self._native.user

    @property
    def auth_failures(self) -> int:
        """Authentication/IP failures in a row so far (every client of the account on this machine)."""
        return self._native.auth_failures

    @property
    def state_file(self) -> Optional[str]:
        """The file of the account's guard state shared by every client of the account on this machine (``None``
        when it is kept in memory)."""
        return self._native.state_file

    def reset_auth_guard(self) -> None:
        """Lets every client of the account on this machine send again after the guard stopped them (once the
        password, the IP allow-list or the input is fixed): clears the stop, the count of invalid answers and the
        clock offset, and starts a damaged state file afresh. The server's own IP block, if any, still runs out."""
        self._native.reset_auth_guard()

    def new_cltrid(self) -> str:
        """A fresh, unique clTRID (``hostapi-<instance>-<sequence>-<unix>``)."""
        return self._native.new_cltrid()

    def __repr__(self) -> str:
        return f"{type(self).__module__}.{type(self).__qualname__}(user={self.user!r}, base_url={self.base_url!r})"


class Client(_ClientOps, _Base):
    """A synchronous WEDOS WAPI client. Resource handles: :attr:`domains`, :attr:`dns`, :attr:`notifications`."""

    @classmethod
    def from_env(cls, **options: Unpack[Settings]) -> Client:
        """A client configured from ``WEDOS_USER``, ``WEDOS_PASSWORD`` and optionally ``WEDOS_BASE_URL``;
        ``options`` are the keyword settings of the constructor."""
        client: Client = cls._from_env(dict(options))
        return client

    def close(self) -> None:
        """Releases the connection pool; later calls raise :class:`~hostapi.ConfigError`."""
        self._native.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_AsyncClientOps, _Base):
    """An asyncio WEDOS WAPI client: the methods of :class:`Client`, awaited; ``async for`` over
    :attr:`notifications`."""

    @classmethod
    def from_env(cls, **options: Unpack[Settings]) -> AsyncClient:
        """A client configured from ``WEDOS_USER``, ``WEDOS_PASSWORD`` and optionally ``WEDOS_BASE_URL``;
        ``options`` are the keyword settings of the constructor."""
        client: AsyncClient = cls._from_env(dict(options))
        return client

    async def close(self) -> None:
        """Releases the connection pool; later calls raise :class:`~hostapi.ConfigError`."""
        self._native.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
