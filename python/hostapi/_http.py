"""The HTTP request value the sans-I/O protocol functions return."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Tuple

__all__ = ["HttpRequest"]


@dataclass(frozen=True)
class HttpRequest:
    """One HTTP request, fully built. The body carries signatures and, for some operations, passwords: its
    ``repr`` shows only its length."""

    method: str
    url: str
    headers: Tuple[Tuple[str, str], ...]
    body: str = field(repr=False)
    """The ``application/x-www-form-urlencoded`` body."""

    def __repr__(self) -> str:
        return (
            f"HttpRequest(method={self.method!r}, url={self.url!r}, headers={self.headers!r}, "
            f"body=<{len(self.body)} chars>)"
        )

    @property
    def header_dict(self) -> dict[str, str]:
        """The headers as a dict."""
        return dict(self.headers)
