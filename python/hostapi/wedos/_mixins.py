"""Hand-written conveniences of the WEDOS records (``records.py`` is generated from the model's record table):
each ``<Record>Mixin`` here is a base of the record of that name."""

from __future__ import annotations

__all__ = ["NotificationMixin"]


class NotificationMixin:
    """Conveniences of :class:`~hostapi.wedos.Notification`."""

    __slots__ = ()
    code: int

    @property
    def is_success(self) -> bool:
        """A success code (below 2000)."""
        return self.code < 2000
