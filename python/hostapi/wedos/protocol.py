"""The WEDOS WAPI protocol, sans-I/O: the Prague hour, ``auth``, the exact request of a command, and the
parsing of answers and notifications — each one the core's function, called directly.

Use it with your own HTTP stack, or in a webhook handler: :func:`parse_notification` reads the body WEDOS POSTs
to the account's notification URL.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Union

from .. import _native
from .._http import HttpRequest
from .._records import build
from .records import Notification, Response, from_canonical

__all__ = [
    "HttpRequest",
    "auth",
    "prague_hour",
    "build_request",
    "parse_output",
    "parse_response",
    "parse_notification",
    "operations",
    "DEFAULT_BASE_URL",
]

#: The production JSON endpoint.
DEFAULT_BASE_URL: str = _native.WEDOS_DEFAULT_BASE_URL


def _bytes(body: Union[bytes, str]) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def prague_hour(unix: int) -> int:
    """The hour (0–23) in Europe/Prague at ``unix`` (rules built in; no host tz database)."""
    return _native.wedos_prague_hour(unix)


def auth(user: str, password: str, unix: int) -> str:
    """``sha1(user + sha1(password) + HH)``, ``HH`` the zero-padded Prague hour at ``unix``."""
    return _native.wedos_auth(user, password, unix)


def build_request(
    operation: str,
    args: Optional[Mapping[str, Any]] = None,
    *,
    user: str,
    password: str,
    unix: int,
    base_url: str = DEFAULT_BASE_URL,
    cltrid: Optional[str] = None,
    test: bool = False,
) -> HttpRequest:
    """The exact request of ``operation`` (``"ping"``, ``"dns.add_row"``, ``"call"``, …) with its snake_case
    ``args``, ``auth`` computed for the Prague hour of ``unix``; ``cltrid`` and ``test`` as in the document.

    :raises ConfigError: an unknown operation or a bad argument.
    """
    method, url, headers, body = _native.wedos_build_request(
        operation,
        dict(args) if args is not None else None,
        user=user,
        password=password,
        unix=unix,
        base_url=base_url,
        cltrid=cltrid,
        test=test,
    )
    return HttpRequest(method=method, url=url, headers=tuple((k, v) for k, v in headers), body=body)


def parse_output(
    operation: str, status: int, body: Union[bytes, str], args: Optional[Mapping[str, Any]] = None
) -> Any:
    """The typed result of the answer to ``operation`` with ``args``: a record, a list of records
    (``domains.list``, ``dns.domains``, ``dns.rows``), or ``None`` (``notifications.poll`` on an empty queue).

    :raises hostapi.Error: the subclass the answer's code means (``AuthenticationError`` for 2050/2051,
        ``RateLimited`` for 2006/2052/2250/2252, ``ApiError``, ``ProtocolError``).
    """
    a = dict(args) if args is not None else None
    return from_canonical(operation, _native.wedos_parse_output(operation, a, status, _bytes(body)), answer=True)


def parse_response(status: int, body: Union[bytes, str], *, command: str = "call") -> Response:
    """The generic response envelope of any ``command`` (named in errors as ``wedos <command>``)."""
    return build(Response, _native.wedos_parse_response(f"wedos {command}", status, _bytes(body)))


def parse_notification(body: Union[bytes, str]) -> Notification:
    """A notification as WEDOS POSTs it to the account's notification URL (the form field ``request`` holding
    the JSON document, or the bare JSON document).

    :raises ProtocolError: the body holds no notification document.
    """
    return build(Notification, _native.wedos_parse_notification(_bytes(body)))


def operations() -> list[str]:
    """Every operation name (``ping``, ``ping_async``, …, ``call``)."""
    return list(_native.wedos_operations())
