"""WEDOS WAPI: a WEDOS account — ping, credit, domains, DNS zones and rows, asynchronous requests and their
notifications.

:class:`Client` is synchronous (GIL released while waiting, shareable by threads); :class:`AsyncClient` has the
same methods, awaited. Both compute ``auth`` for the Prague hour on every attempt, keep the client's own hourly
budgets (``on_limit="raise"`` fails fast with :class:`~hostapi.RateLimited`, ``"wait"`` waits for room), and stop
sending after ``max_auth_failures`` authentication/IP failures in a row so that a wrong password cannot get your
IP blocked (:meth:`Client.reset_auth_guard` lets them send again).
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Iterator, List, Literal, Mapping, Optional, Tuple, Union, overload

from .. import _native, _settings
from ..errors import ConfigError
from . import protocol, records
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
    from_canonical,
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
    "protocol",
    "records",
]

#: The production JSON endpoint.
DEFAULT_BASE_URL: str = _native.WEDOS_DEFAULT_BASE_URL

_BUILD_OP = "wedos client"

OnLimit = Literal["raise", "wait"]

_SETTINGS = {
    "base_url": None,
    "timeout": None,
    "connect_timeout": None,
    "retries": None,
    "verify": True,
    "ca_bundle": None,
    "user_agent": None,
    "backoff": None,
    "test_mode": False,
    "on_limit": "raise",
    "max_auth_failures": None,
    "hourly_limits": None,
    "budget_window": None,
    "poll_interval": None,
    "hour_boundary_window": None,
}


def _native_client(user: Optional[str], password: Optional[str], *, from_env: bool, **s: Any) -> _native.WedosClient:
    op = _BUILD_OP
    unknown = set(s) - set(_SETTINGS)
    if unknown:
        name = sorted(unknown)[0]
        raise ConfigError(f"{op}: unknown setting {name!r}", operation=op, message=f"unknown setting {name!r}")
    o = dict(_SETTINGS)
    o.update(s)
    on_limit = o["on_limit"]
    if on_limit not in ("raise", "wait"):
        raise ConfigError(
            f'{op}: on_limit must be "raise" or "wait"', operation=op, message='on_limit must be "raise" or "wait"'
        )
    return _native.WedosClient(
        _settings.text(op, "user", user),
        _settings.text(op, "password", password),
        from_env=from_env,
        base_url=_settings.text(op, "base_url", o["base_url"]),
        timeout=_settings.seconds(op, "timeout", o["timeout"]),
        connect_timeout=_settings.seconds(op, "connect_timeout", o["connect_timeout"]),
        retries=_settings.count(op, "retries", o["retries"]),
        verify=_settings.flag(op, "verify", o["verify"]),
        ca_bundle=_settings.path(op, "ca_bundle", o["ca_bundle"]),
        user_agent=_settings.text(op, "user_agent", o["user_agent"]),
        backoff=_settings.pair(op, "backoff", o["backoff"], _settings.seconds),
        test_mode=_settings.flag(op, "test_mode", o["test_mode"]),
        on_limit=on_limit,
        max_auth_failures=_settings.count(op, "max_auth_failures", o["max_auth_failures"]),
        hourly_limits=_settings.pair(op, "hourly_limits", o["hourly_limits"], _settings.count),
        budget_window=_settings.seconds(op, "budget_window", o["budget_window"]),
        poll_interval=_settings.seconds(op, "poll_interval", o["poll_interval"]),
        hour_boundary_window=_settings.seconds(op, "hour_boundary_window", o["hour_boundary_window"]),
    )


def _queue_id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _settings.fail("wedos poll-ack", "id must be a string or an integer")
    return str(value)


class _Base:
    _native: _native.WedosClient

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
        ca_bundle: Optional[_settings.PathLike] = None,
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
        self._native = _native_client(
            user,
            password,
            from_env=False,
            base_url=base_url,
            timeout=timeout,
            connect_timeout=connect_timeout,
            retries=retries,
            verify=verify,
            ca_bundle=ca_bundle,
            user_agent=user_agent,
            backoff=backoff,
            test_mode=test_mode,
            on_limit=on_limit,
            max_auth_failures=max_auth_failures,
            hourly_limits=hourly_limits,
            budget_window=budget_window,
            poll_interval=poll_interval,
            hour_boundary_window=hour_boundary_window,
        )
        self._init_handles()

    def _init_handles(self) -> None:
        raise NotImplementedError  # pragma: no cover - set by each client class

    @property
    def user(self) -> str:
        """The account login."""
        return self._native.user

    @property
    def base_url(self) -> str:
        """The JSON endpoint this client talks to."""
        return self._native.base_url

    @property
    def auth_failures(self) -> int:
        """Authentication/IP failures in a row so far."""
        return self._native.auth_failures

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._native.closed

    def reset_auth_guard(self) -> None:
        """Lets the client send again after the auth-failure guard stopped it (after fixing the password or the
        IP allow-list)."""
        self._native.reset_auth_guard()

    def new_cltrid(self) -> str:
        """A fresh, unique clTRID (``hostapi-<instance>-<sequence>-<unix>``)."""
        return self._native.new_cltrid()

    def __repr__(self) -> str:
        return f"{type(self).__module__}.{type(self).__qualname__}(user={self.user!r}, base_url={self.base_url!r})"


# ---- the synchronous client ------------------------------------------------------------------------------------


class Client(_Base):
    """A synchronous WEDOS WAPI client. Resource handles: :attr:`domains`, :attr:`dns`, :attr:`notifications`."""

    domains: Domains
    dns: Dns
    notifications: Notifications

    def _init_handles(self) -> None:
        self.domains = Domains(self)
        self.dns = Dns(self)
        self.notifications = Notifications(self)

    @classmethod
    def from_env(cls, **options: Any) -> Client:
        """A client configured from ``WEDOS_USER``, ``WEDOS_PASSWORD`` and optionally ``WEDOS_BASE_URL``;
        ``options`` are the keyword settings of the constructor."""
        self = cls.__new__(cls)
        self._native = _native_client(None, None, from_env=True, **options)
        self._init_handles()
        return self

    def _call(self, operation: str, args: Optional[Mapping[str, Any]] = None, cltrid: Optional[str] = None) -> Any:
        return from_canonical(operation, self._native.execute(operation, args, cltrid))

    def ping(self) -> Response:
        """``ping``: checks credentials, IP allow-list and connectivity."""
        result: Response = self._call("ping")
        return result

    @overload
    def ping_async(self, wait: None = None) -> Pending: ...

    @overload
    def ping_async(self, wait: float) -> Notification: ...

    def ping_async(self, wait: Optional[float] = None) -> Union[Pending, Notification]:
        """``ping-async``: without ``wait``, the pending request; with ``wait`` (seconds), its notification,
        acknowledged as it is returned (others met on the way are kept for :attr:`notifications`).

        :raises Timeout: no notification within ``wait`` seconds.
        """
        if wait is None:
            pending: Pending = self._call("ping_async")
            return pending
        wait_s = _settings.seconds("wedos ping-async", "wait", wait)
        return from_canonical("notification", self._native.ping_async_wait(wait_s))  # type: ignore[no-any-return]

    def call(self, command: str, data: Optional[Mapping[str, Any]] = None, *, cltrid: Optional[str] = None) -> Response:
        """Any WAPI command with its ``data`` object; returns the response (its ``data`` as sent)."""
        result: Response = self._call("call", {"command": command, "data": data}, cltrid)
        return result

    def credit_info(self) -> Credit:
        """``credit-info``."""
        result: Credit = self._call("credit_info")
        return result

    def close(self) -> None:
        """Releases the connection pool; later calls raise :class:`~hostapi.ConfigError`."""
        self._native.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Handle:
    __slots__ = ("_client",)

    def __init__(self, client: Client) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


class Domains(_Handle):
    """Domains of the account."""

    __slots__ = ()

    def list(self, status: Optional[str] = None) -> List[Domain]:
        """``domains-list``, optionally only those with ``status``."""
        result: List[Domain] = self._client._call("domains.list", {"status": status})
        return result

    def info(self, name: str) -> Domain:
        """``domain-info``."""
        result: Domain = self._client._call("domains.info", {"name": name})
        return result

    def check(self, name: str) -> DomainCheck:
        """``domain-check`` (counts against the 100-per-hour budget)."""
        result: DomainCheck = self._client._call("domains.check", {"name": name})
        return result


class Dns(_Handle):
    """DNS zones and rows. Changes are pending until :meth:`commit` (or 5 minutes after the last change)."""

    __slots__ = ()

    def domains(self) -> List[DnsDomain]:
        """``dns-domains-list``."""
        result: List[DnsDomain] = self._client._call("dns.domains")
        return result

    def rows(self, domain: str) -> List[DnsRow]:
        """``dns-rows-list``."""
        result: List[DnsRow] = self._client._call("dns.rows", {"domain": domain})
        return result

    def add_row(
        self, domain: str, name: str, rdtype: str, rdata: str, *, ttl: int = 3600, comment: Optional[str] = None
    ) -> Response:
        """``dns-row-add``: ``name`` relative to the zone (``""`` = apex), ``rdtype`` ``A``/``AAAA``/``MX``/…,
        ``ttl`` 300–172800 seconds."""
        args = {"domain": domain, "name": name, "ttl": ttl, "type": rdtype, "rdata": rdata, "comment": comment}
        result: Response = self._client._call("dns.add_row", args)
        return result

    def update_row(self, domain: str, row_id: int, *, ttl: int, rdata: str) -> Response:
        """``dns-row-update``: TTL and data only (name and type cannot change)."""
        args = {"domain": domain, "row_id": row_id, "ttl": ttl, "rdata": rdata}
        result: Response = self._client._call("dns.update_row", args)
        return result

    def delete_row(self, domain: str, row_id: int) -> Response:
        """``dns-row-delete``."""
        result: Response = self._client._call("dns.delete_row", {"domain": domain, "row_id": row_id})
        return result

    def commit(self, domain: str) -> Response:
        """``dns-domain-commit``: publishes the zone's pending changes."""
        result: Response = self._client._call("dns.commit", {"name": domain})
        return result


class Notifications(_Handle):
    """The POLL notification queue. Iterating yields every queued notification, acknowledging each as it is
    handed over, and stops when the queue is empty."""

    __slots__ = ()

    def poll(self) -> Optional[Notification]:
        """The oldest unread notification (kept ones first), not acknowledged; ``None`` when the queue is empty."""
        result: Optional[Notification] = from_canonical("notifications.poll", self._client._native.poll())
        return result

    def ack(self, id: str) -> Response:
        """Marks notification ``id`` read (``poll-ack``), which exposes the next one."""
        result: Response = from_canonical("notifications.ack", self._client._native.ack(_queue_id(id)))
        return result

    def next(self) -> Optional[Notification]:
        """The next notification, acknowledged as it is handed over; ``None`` when the queue is empty."""
        result: Optional[Notification] = from_canonical("notifications.next", self._client._native.next())
        return result

    @property
    def kept(self) -> int:
        """Notifications this client took off the server queue while waiting for another one."""
        return self._client._native.kept

    def __iter__(self) -> Iterator[Notification]:
        while True:
            n = self.next()
            if n is None:
                return
            yield n


# ---- the asynchronous client -----------------------------------------------------------------------------------


class AsyncClient(_Base):
    """An asyncio WEDOS WAPI client: the methods of :class:`Client`, awaited; ``async for`` over
    :attr:`notifications`."""

    domains: AsyncDomains
    dns: AsyncDns
    notifications: AsyncNotifications

    def _init_handles(self) -> None:
        self.domains = AsyncDomains(self)
        self.dns = AsyncDns(self)
        self.notifications = AsyncNotifications(self)

    @classmethod
    def from_env(cls, **options: Any) -> AsyncClient:
        """A client configured from ``WEDOS_USER``, ``WEDOS_PASSWORD`` and optionally ``WEDOS_BASE_URL``."""
        self = cls.__new__(cls)
        self._native = _native_client(None, None, from_env=True, **options)
        self._init_handles()
        return self

    async def _call(
        self, operation: str, args: Optional[Mapping[str, Any]] = None, cltrid: Optional[str] = None
    ) -> Any:
        return from_canonical(operation, await self._native.execute_async(operation, args, cltrid))

    async def ping(self) -> Response:
        """``ping``."""
        result: Response = await self._call("ping")
        return result

    @overload
    async def ping_async(self, wait: None = None) -> Pending: ...

    @overload
    async def ping_async(self, wait: float) -> Notification: ...

    async def ping_async(self, wait: Optional[float] = None) -> Union[Pending, Notification]:
        """``ping-async``: the pending request, or with ``wait`` (seconds) its notification."""
        if wait is None:
            pending: Pending = await self._call("ping_async")
            return pending
        wait_s = _settings.seconds("wedos ping-async", "wait", wait)
        value = await self._native.ping_async_wait_async(wait_s)
        return from_canonical("notification", value)  # type: ignore[no-any-return]

    async def call(
        self, command: str, data: Optional[Mapping[str, Any]] = None, *, cltrid: Optional[str] = None
    ) -> Response:
        """Any WAPI command with its ``data`` object."""
        result: Response = await self._call("call", {"command": command, "data": data}, cltrid)
        return result

    async def credit_info(self) -> Credit:
        """``credit-info``."""
        result: Credit = await self._call("credit_info")
        return result

    async def close(self) -> None:
        """Releases the connection pool; later calls raise :class:`~hostapi.ConfigError`."""
        self._native.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class _AsyncHandle:
    __slots__ = ("_client",)

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


class AsyncDomains(_AsyncHandle):
    """Domains of the account (awaited)."""

    __slots__ = ()

    async def list(self, status: Optional[str] = None) -> List[Domain]:
        """``domains-list``, optionally only those with ``status``."""
        result: List[Domain] = await self._client._call("domains.list", {"status": status})
        return result

    async def info(self, name: str) -> Domain:
        """``domain-info``."""
        result: Domain = await self._client._call("domains.info", {"name": name})
        return result

    async def check(self, name: str) -> DomainCheck:
        """``domain-check``."""
        result: DomainCheck = await self._client._call("domains.check", {"name": name})
        return result


class AsyncDns(_AsyncHandle):
    """DNS zones and rows (awaited)."""

    __slots__ = ()

    async def domains(self) -> List[DnsDomain]:
        """``dns-domains-list``."""
        result: List[DnsDomain] = await self._client._call("dns.domains")
        return result

    async def rows(self, domain: str) -> List[DnsRow]:
        """``dns-rows-list``."""
        result: List[DnsRow] = await self._client._call("dns.rows", {"domain": domain})
        return result

    async def add_row(
        self, domain: str, name: str, rdtype: str, rdata: str, *, ttl: int = 3600, comment: Optional[str] = None
    ) -> Response:
        """``dns-row-add``."""
        args = {"domain": domain, "name": name, "ttl": ttl, "type": rdtype, "rdata": rdata, "comment": comment}
        result: Response = await self._client._call("dns.add_row", args)
        return result

    async def update_row(self, domain: str, row_id: int, *, ttl: int, rdata: str) -> Response:
        """``dns-row-update``."""
        args = {"domain": domain, "row_id": row_id, "ttl": ttl, "rdata": rdata}
        result: Response = await self._client._call("dns.update_row", args)
        return result

    async def delete_row(self, domain: str, row_id: int) -> Response:
        """``dns-row-delete``."""
        result: Response = await self._client._call("dns.delete_row", {"domain": domain, "row_id": row_id})
        return result

    async def commit(self, domain: str) -> Response:
        """``dns-domain-commit``."""
        result: Response = await self._client._call("dns.commit", {"name": domain})
        return result


class AsyncNotifications(_AsyncHandle):
    """The POLL notification queue (awaited); ``async for`` yields and acknowledges until the queue is empty."""

    __slots__ = ()

    async def poll(self) -> Optional[Notification]:
        """The oldest unread notification, not acknowledged; ``None`` when the queue is empty."""
        result: Optional[Notification] = from_canonical("notifications.poll", await self._client._native.poll_async())
        return result

    async def ack(self, id: str) -> Response:
        """Marks notification ``id`` read."""
        result: Response = from_canonical("notifications.ack", await self._client._native.ack_async(_queue_id(id)))
        return result

    async def next(self) -> Optional[Notification]:
        """The next notification, acknowledged as it is handed over; ``None`` when the queue is empty."""
        result: Optional[Notification] = from_canonical("notifications.next", await self._client._native.next_async())
        return result

    @property
    def kept(self) -> int:
        """Notifications this client took off the server queue while waiting for another one."""
        return self._client._native.kept

    async def __aiter__(self) -> AsyncIterator[Notification]:
        while True:
            n = await self.next()
            if n is None:
                return
            yield n
