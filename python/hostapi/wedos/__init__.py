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

import os
from typing import TYPE_CHECKING, Any, Literal, Optional, Tuple, Union

if TYPE_CHECKING:
    from typing_extensions import Unpack

from .. import _native
from .._client import ClientBase
from ..errors import warn_insecure as hostapi_errors_warn_insecure
from .._settings import PathLike
from . import protocol, records
from ._generated import (
    Settings,
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
from .records import (
    Credit,
    DnsDomain,
    DnsRow,
    Domain,
    DomainCheck,
    Notification,
    Pending,
    Response,
    TransferCheck,
)

__all__ = [
    "Client",
    "AsyncClient",
    "DEFAULT_BASE_URL",
    "parse_notification",
    "Credit",
    "DnsDomain",
    "DnsRow",
    "Domain",
    "DomainCheck",
    "Notification",
    "Pending",
    "Response",
    "TransferCheck",
    "protocol",
    "records",
]

#: The production JSON endpoint.
DEFAULT_BASE_URL: str = _native.WEDOS_DEFAULT_BASE_URL

OnLimit = Literal["raise", "wait"]


_NATIVE_CLASS = _native.WedosClient


class _Base(ClientBase):
    _native: _native.WedosClient
    _native_class = _NATIVE_CLASS

    def __init__(
        self,
        user: str,
        password: str,
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
        test_mode: bool = False,
        on_limit: OnLimit = "raise",
        max_auth_failures: Optional[int] = None,
        max_invalid_requests: Optional[int] = None,
        state_dir: Optional[PathLike] = None,
        state_store: Optional[Union[str, PathLike]] = None,
        state_store_fallback: Literal["none", "local"] = "none",
        hourly_limits: Optional[Tuple[int, int]] = None,
        budget_window: Optional[float] = None,
        poll_interval: Optional[float] = None,
        hour_boundary_window: Optional[float] = None,
    ) -> None:
        """A client of the WEDOS account ``user`` with its WAPI ``password`` (never shown).

        :param base_url: the JSON endpoint (default ``https://api.wedos.com/wapi/json``).
        :param timeout: seconds allowed for one attempt (default 30); ``connect_timeout`` to connect (10).
        :param retries: further attempts (default 2; 0 = off) after a failure to connect, and — for reads and
            idempotent writes only — after timeouts and HTTP 5xx/429; a write that may have reached the server is
            never sent twice: its error has ``may_have_applied`` set.
        :param max_response_bytes: the largest answer read (default 16 MiB); a larger one is a
            :class:`~hostapi.ProtocolError` and is not read.
        :param verify: ``False`` turns TLS verification off; ``ca_bundle`` adds trusted roots (PEM file).
        :param test_mode: send every request in WAPI test mode (validated, nothing changed).
        :param on_limit: when an hourly budget is spent: ``"raise"`` (:class:`~hostapi.RateLimited`, default) or
            ``"wait"`` until there is room.
        :param max_auth_failures: stop sending after this many authentication/IP failures in a row (default 3;
            0 = never stop).
        :param max_invalid_requests: stop sending while this many invalid answers (code >= 2000) lie within the
            hour (default 10: WEDOS blocks the IP at the 11th; 0 = never stop).
        :param state_dir: the directory of the account state shared by every client on the machine (default
            ``HOSTAPI_STATE_STORE``, else ``HOSTAPI_STATE_DIR``, else ``$XDG_STATE_HOME/hostapi``, else ``~/.local/state/hostapi``); ``":memory:"``
            keeps it in this client.
        :param state_store: where the account state lives, shared by every client that uses it: a directory,
            ``":memory:"``, or ``"redis://[user:password@]host[:port][/db]"`` (``rediss://`` for TLS) to share one
            account's limits and notifications across machines; wins over ``state_dir`` (default
            ``HOSTAPI_STATE_STORE``, else as ``state_dir``).
        :param state_store_fallback: when a Redis store cannot be reached: ``"none"`` fails, sending nothing
            (default); ``"local"`` goes on with this machine's own store, with a warning.
        :param hourly_limits: ``(requests, domain_checks)`` per hour (default ``(1000, 100)``, the server's).
        :param budget_window: seconds the budgets count in (default 3600).
        :param poll_interval: seconds between polls while waiting for a notification (default 2).
        :param hour_boundary_window: how close (seconds) to a Prague hour boundary a 2050 is retried once with the
            other hour's ``auth`` (default 5).
        :raises ConfigError: a missing or invalid setting.
        """
        if verify is False:
            hostapi_errors_warn_insecure()
        self._start(
            {
                "user": user,
                "password": password,
                "base_url": base_url,
                "timeout": timeout,
                "connect_timeout": connect_timeout,
                "retries": retries,
                "max_response_bytes": max_response_bytes,
                "verify": verify,
                "ca_bundle": ca_bundle,
                "user_agent": user_agent,
                "backoff": backoff,
                "test_mode": test_mode,
                "on_limit": on_limit,
                "max_auth_failures": max_auth_failures,
                "max_invalid_requests": max_invalid_requests,
                "state_dir": None if state_dir is None else os.fspath(state_dir),
                "state_store": None if state_store is None else os.fspath(state_store),
                "state_store_fallback": state_store_fallback,
                "hourly_limits": hourly_limits,
                "budget_window": budget_window,
                "poll_interval": poll_interval,
                "hour_boundary_window": hour_boundary_window,
            }
        )

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
