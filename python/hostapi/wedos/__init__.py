"""WEDOS WAPI: a WEDOS account — ping, credit, domains, DNS zones and rows, asynchronous requests and their
notifications.

:class:`Client` is synchronous (GIL released while waiting, shareable by threads); :class:`AsyncClient` has the
same methods, awaited. Both compute ``auth`` for the Prague hour on every attempt, keep the client's own hourly
budgets (``on_limit="raise"`` fails fast with :class:`~hostapi.RateLimited`, ``"wait"`` waits for room), and stop
sending after ``max_auth_failures`` authentication/IP failures in a row so that a wrong password cannot get your
IP blocked (:meth:`Client.reset_auth_guard` lets them send again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Optional, Tuple

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
        verify: bool = True,
        ca_bundle: Optional[PathLike] = None,
        user_agent: Optional[str] = None,
        backoff: Optional[Tuple[float, float]] = None,
        test_mode: bool = False,
        on_limit: OnLimit = "raise",
        max_auth_failures: Optional[int] = None,
        hourly_limits: Optional[Tuple[int, int]] = None,
        budget_window: Optional[float] = None,
        poll_interval: Optional[float] = None,
        hour_boundary_window: Optional[float] = None,
    ) -> None:
        """A client of the WEDOS account ``user`` with its WAPI ``password`` (never shown).

        :param base_url: the JSON endpoint (default ``https://api.wedos.com/wapi/json``).
        :param timeout: seconds allowed for one attempt (default 30); ``connect_timeout`` to connect (10).
        :param retries: further attempts after transport failures, timeouts and HTTP 5xx/429 (default 2).
        :param verify: ``False`` turns TLS verification off; ``ca_bundle`` adds trusted roots (PEM file).
        :param test_mode: send every request in WAPI test mode (validated, nothing changed).
        :param on_limit: when an hourly budget is spent: ``"raise"`` (:class:`~hostapi.RateLimited`, default) or
            ``"wait"`` until there is room.
        :param max_auth_failures: stop sending after this many authentication/IP failures in a row (default 3;
            0 = never stop).
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
                "verify": verify,
                "ca_bundle": ca_bundle,
                "user_agent": user_agent,
                "backoff": backoff,
                "test_mode": test_mode,
                "on_limit": on_limit,
                "max_auth_failures": max_auth_failures,
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
        """Authentication/IP failures in a row so far."""
        return self._native.auth_failures

    def reset_auth_guard(self) -> None:
        """Lets the client send again after the auth-failure guard stopped it (after fixing the password or the
        IP allow-list)."""
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
