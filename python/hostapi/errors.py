"""The one error model of hostapi, as exception classes.

Every failure of every operation raises a subclass of :class:`Error`, one per kind. Each carries the
operation that failed (``velneo users.get``, ``wedos dns-row-add``), the API's own ``code``, the
``http_status`` when there was an answer, and a ``message``. No message contains a secret.
"""

from __future__ import annotations

import warnings
from typing import Any, Optional

__all__ = [
    "InsecureTLSWarning",
    "Error",
    "ConfigError",
    "TransportError",
    "Timeout",
    "ProtocolError",
    "AuthenticationError",
    "RateLimited",
    "VServerCredentialsError",
    "ApiError",
]


class Error(Exception):
    """Base class of every hostapi error.

    ``str(error)`` is the full text: ``"<operation>: <message> (code C, HTTP H)"``.
    """

    #: The stable name of the kind: ``"Config"``, ``"Transport"``, … (the core's ``ErrorKind``).
    kind: str = "Error"
    #: The kind's stable string code, the same in every language: ``"HOSTAPI_CONFIG"``, … (Node ``error.code``,
    #: the names of the C statuses). Set from the core's error table.
    error_code: str = ""
    #: The kind's fixed number: the C status and the exit code of the ``hostapi`` command (3 for ``Config``, …).
    number: int = 0

    operation: str
    """The operation that failed, e.g. ``"velneo users.get"``."""
    message: str
    """What went wrong, without the operation prefix."""
    code: Optional[int]
    """The API's own code: Velneo ``status_code``, WEDOS ``code``."""
    http_status: Optional[int]
    """The HTTP status of the answer, when there was one."""
    body: Optional[str]
    """For protocol errors: the start of the unexpected body."""

    def __init__(
        self,
        text: str,
        *,
        operation: str = "",
        message: Optional[str] = None,
        code: Optional[int] = None,
        http_status: Optional[int] = None,
        retry_after: Optional[float] = None,
        body: Optional[str] = None,
        may_have_applied: bool = False,
    ) -> None:
        super().__init__(text)
        self.operation = operation
        self.message = text if message is None else message
        self.code = code
        self.http_status = http_status
        self.body = body
        self.may_have_applied = may_have_applied
        """A write that failed after its request may have reached the server (a timeout, a dropped connection, an
        HTTP 5xx): it was not sent again, and it may have been applied. Look before writing again."""
        self._retry_after = retry_after

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self.message

    def __repr__(self) -> str:
        parts = [repr(str(self))]
        if self.operation:
            parts.append(f"operation={self.operation!r}")
        if self.code is not None:
            parts.append(f"code={self.code!r}")
        if self.http_status is not None:
            parts.append(f"http_status={self.http_status!r}")
        if self.may_have_applied:
            parts.append("may_have_applied=True")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self) -> Any:
        return (
            _rebuild,
            (
                type(self),
                str(self),
                {
                    "operation": self.operation,
                    "message": self.message,
                    "code": self.code,
                    "http_status": self.http_status,
                    "retry_after": self._retry_after,
                    "body": self.body,
                    "may_have_applied": self.may_have_applied,
                },
            ),
        )


class InsecureTLSWarning(UserWarning):
    """A client was made with ``verify=False``: TLS certificates are not checked (warned once per process)."""


_warned_insecure = False


def warn_insecure() -> None:
    """Warns once per process that TLS verification is off (as urllib3 does)."""
    global _warned_insecure
    if not _warned_insecure:
        _warned_insecure = True
        warnings.warn(
            "hostapi: TLS certificate verification is off (verify=False): anyone on the network path can read and "
            "change the traffic, credentials included. Only for a test server you control.",
            InsecureTLSWarning,
            stacklevel=3,
        )


def _rebuild(cls: type[Error], text: str, fields: dict[str, Any]) -> Error:
    return cls(text, **fields)


class ConfigError(Error):
    """Invalid client settings or arguments, caught before anything is sent."""

    kind = "Config"


class TransportError(Error, ConnectionError):
    """Connection, TLS or I/O failure, or the service unavailable (HTTP 5xx after the retries: ``http_status``
    says which)."""

    kind = "Transport"


class Timeout(Error, TimeoutError):
    """No answer within the configured time (also a built-in :class:`TimeoutError`)."""

    kind = "Timeout"


class ProtocolError(Error):
    """The answer is not what the protocol allows (not JSON, wrong shape); ``body`` keeps its start."""

    kind = "Protocol"


class AuthenticationError(Error):
    """The credentials were refused (Velneo 401 after one re-login; WEDOS 2050, 2051), or the WEDOS client's
    auth-failure guard stopped sending."""

    kind = "Authentication"


class RateLimited(Error):
    """A request budget is exhausted (the server's or the client's own)."""

    kind = "RateLimited"

    @property
    def retry_after(self) -> Optional[float]:
        """Seconds to wait before trying again, when known."""
        return self._retry_after


class VServerCredentialsError(Error):
    """Velneo: the vServer credentials stored with ``vserver.set_credentials`` are wrong."""

    kind = "VServerCredentials"


class ApiError(Error):
    """Any other error the API reports (Velneo ``status_code`` + ``message``; WEDOS ``code`` + ``result``)."""

    kind = "Api"


def _number_the_kinds() -> None:
    """``error_code`` and ``number`` of every class, from the core's one table (``ErrorKind::number``/``code``)."""
    from . import _native

    classes = {cls.kind: cls for cls in Error.__subclasses__()}
    for entry in _native.operation_model()["errors"]:
        cls = classes[entry["kind"]]
        cls.error_code = entry["code"]
        cls.number = entry["number"]


_number_the_kinds()
