"""Hand-written conveniences of the Velneo records (``records.py`` is generated from the model's record table):
each ``<Record>Mixin`` here is a base of the record of that name."""

from __future__ import annotations

__all__ = ["SessionMixin", "VServerStatusMixin"]


class VServerStatusMixin:
    """Conveniences of :class:`~hostapi.velneo.VServerStatus`."""

    __slots__ = ()
    status: str

    @property
    def is_running(self) -> bool:
        """Whether ``status`` is ``running`` (any case)."""
        return self.status.lower() == "running"


class SessionMixin:
    """The ``repr`` of :class:`~hostapi.velneo.Session`: the session id is a bearer token, shown only by a prefix."""

    __slots__ = ()
    session: str

    def __repr__(self) -> str:
        return f"Session({self.session[:8]}…)"
