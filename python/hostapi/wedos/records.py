"""Typed WEDOS WAPI results: immutable, compared by value, ``raw`` (and ``data``) kept out of ``repr``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from .._records import Record, build, by_shape

__all__ = [
    "Credit",
    "DnsDomain",
    "DnsRow",
    "Domain",
    "DomainCheck",
    "Notification",
    "Pending",
    "Response",
    "TransferCheck",
    "from_canonical",
]


def _hidden() -> Any:
    return field(default=None, repr=False, hash=False)


@dataclass(frozen=True)
class Response(Record):
    """A WAPI response envelope with a success code (below 2000)."""

    code: int
    result: str
    timestamp: Optional[int] = None
    """Server time of the answer, Unix seconds."""
    cltrid: Optional[str] = None
    svtrid: Optional[str] = None
    command: Optional[str] = None
    test: bool = False
    """Whether the request ran in test mode (validated only, nothing changed)."""
    data: Any = _hidden()
    """The response's ``data`` as sent (read-only mappings and tuples), or ``None``."""


@dataclass(frozen=True)
class Pending(Record):
    """An asynchronous request the server accepted (``1001 Request pending``); its result comes as a
    notification carrying the same ``cltrid``/``svtrid``."""

    command: str
    cltrid: Optional[str] = None
    svtrid: Optional[str] = None


@dataclass(frozen=True)
class Credit(Record):
    """``credit-info``."""

    amount: Optional[float] = None
    currency: Optional[str] = None
    raw: Mapping[str, Any] = _hidden()


@dataclass(frozen=True)
class Domain(Record):
    """A domain of the account (``domains.list``, ``domains.info``)."""

    name: str
    status: Optional[str] = None
    expiration: Optional[str] = None
    raw: Mapping[str, Any] = _hidden()


@dataclass(frozen=True)
class DomainCheck(Record):
    """``domain-check``: code 1000 means available; 3201 registered, 3202–3206 not available."""

    name: str
    available: bool
    code: int
    result: str


@dataclass(frozen=True)
class TransferCheck(Record):
    """``domain-transfer-check``: code 1000 means the domain can be transferred to the account; 32xx say why not."""

    name: str
    transferable: bool
    code: int
    result: str


@dataclass(frozen=True)
class DnsDomain(Record):
    """A DNS zone hosted at WEDOS (``dns.domains``)."""

    name: str
    status: Optional[str] = None
    kind: Optional[str] = None
    """The zone's ``type`` (e.g. ``primary``)."""
    raw: Mapping[str, Any] = _hidden()


@dataclass(frozen=True)
class DnsRow(Record):
    """A row of a DNS zone (``dns.rows``)."""

    id: int
    """``ID``: the row id used by ``update_row`` and ``delete_row``."""
    name: str
    """Relative to the zone; ``""`` is the apex."""
    ttl: Optional[int]
    rdtype: str
    rdata: str
    changed_date: Optional[str] = None
    author_comment: Optional[str] = None
    raw: Mapping[str, Any] = _hidden()


@dataclass(frozen=True)
class Notification(Record):
    """The progress or result of an asynchronous request, from the POLL queue or an HTTP POST to the account's
    notification URL."""

    id: Optional[str]
    """The queue id (``ID``/``id``), used by ``notifications.ack``."""
    code: int
    result: str
    timestamp: Optional[int] = None
    cltrid: Optional[str] = None
    svtrid: Optional[str] = None
    command: Optional[str] = None
    data: Any = _hidden()
    raw: Mapping[str, Any] = _hidden()

    @property
    def is_success(self) -> bool:
        """A success code (below 2000)."""
        return self.code < 2000


def build_response(value: Mapping[str, Any]) -> Response:
    """A :class:`Response` from its canonical JSON."""
    return build(Response, value)


def from_canonical(operation: str, value: Any) -> Any:
    """The record(s) of ``operation`` from the core's canonical JSON result (``None`` stays ``None`` for an
    empty notification queue; ``"notification"`` reads one notification)."""
    from ._generated import RESULTS

    shape, name = ("one", "Notification") if operation == "notification" else RESULTS[operation]
    return by_shape(shape, globals().get(name), value)

