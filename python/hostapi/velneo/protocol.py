"""The Velneo Cloud API protocol, sans-I/O: for users with their own HTTP stack (and for the shared vectors).

:func:`build_request` returns the exact request of an operation (signed for ``timestamp``); send it however you
like, then hand the answer's status and body to :func:`parse_response`, which returns the typed record(s) or
raises the :mod:`hostapi.errors` class of the failure. Nothing here opens a socket or reads the clock: every
function is the core's, called directly.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Tuple, Union

from .. import _native
from .._http import HttpRequest
from .records import from_canonical

__all__ = ["HttpRequest", "sign", "build_request", "parse_response", "operations", "DEFAULT_BASE_URL"]

#: The production API root (version included).
DEFAULT_BASE_URL: str = _native.VELNEO_DEFAULT_BASE_URL


def _request(parts: Tuple[str, str, Any, str]) -> HttpRequest:
    method, url, headers, body = parts
    return HttpRequest(method=method, url=url, headers=tuple((k, v) for k, v in headers), body=body)


def sign(subject: str, timestamp: int, api_key: str) -> str:
    """``sha1(subject + decimal(timestamp) + api_key)``, lowercase hex. ``subject`` is the e-mail for the login
    call, the session id for every other call."""
    return _native.velneo_sign(subject, timestamp, api_key)


def build_request(
    operation: str,
    args: Optional[Mapping[str, Any]] = None,
    *,
    auth_email: Optional[str] = None,
    session: Optional[str] = None,
    timestamp: int,
    api_key: str,
    base_url: str = DEFAULT_BASE_URL,
    http_verbs: bool = False,
) -> HttpRequest:
    """The exact request of ``operation`` (a canonical name such as ``"users.put"``) with its snake_case
    ``args``, signed with ``auth_email`` (``session.login`` only) or ``session`` at ``timestamp`` (Unix seconds).

    :raises ConfigError: an unknown operation, a bad argument, or the wrong kind of authentication.
    """
    return _request(
        _native.velneo_build_request(
            operation,
            dict(args) if args is not None else None,
            auth_email=auth_email,
            session=session,
            timestamp=timestamp,
            api_key=api_key,
            base_url=base_url,
            http_verbs=http_verbs,
        )
    )


def parse_response(operation: str, status: int, body: Union[bytes, str]) -> Any:
    """The typed result of the answer ``status``/``body`` to ``operation``: a record, or a list of records for
    the ``*.list`` operations.

    :raises hostapi.Error: the subclass of the failure the answer reports (``ApiError``,
        ``AuthenticationError``, ``VServerCredentialsError``, ``ProtocolError``, …).
    """
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    return from_canonical(operation, _native.velneo_parse_response(operation, status, raw))


def operations() -> list[str]:
    """Every operation name, e.g. ``["session.login", …, "data_instances.delete"]``."""
    return list(_native.velneo_operations())
