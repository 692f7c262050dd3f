"""Typed Velneo records: English names over the API's Spanish and mixed-case keys, the answer's object in ``raw``.

Records are immutable (frozen dataclasses; ``raw`` is a read-only mapping), compare by value, and their ``repr``
shows neither ``raw`` nor any secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Tuple

from .._records import Record, build, by_shape

__all__ = [
    "Ack",
    "AppInstance",
    "Backup",
    "DataInstance",
    "Folder",
    "Group",
    "InstanceCreated",
    "Session",
    "User",
    "VServerStatus",
    "from_canonical",
]


def _raw() -> Any:
    return field(default=None, repr=False, hash=False)


@dataclass(frozen=True)
class VServerStatus(Record):
    """The vServer's state (``vserver.status``)."""

    status: str
    """``"running"`` or ``"stopped"`` (kept as sent)."""
    vrl: Optional[str] = None
    """The connection VRL, e.g. ``vatps://c3.velneo.com:6070``."""
    version: Optional[str] = None
    """The vServer version, e.g. ``25.0.4``."""
    raw: Mapping[str, Any] = _raw()

    @property
    def is_running(self) -> bool:
        """Whether ``status`` is ``running`` (any case)."""
        return self.status.lower() == "running"


@dataclass(frozen=True)
class Backup(Record):
    """A backup started by ``vserver.backup``: its download link."""

    url: str


@dataclass(frozen=True)
class Ack(Record):
    """An acknowledgement: ``{"status_code": 200, "message": …}``."""

    status_code: int
    message: Optional[str] = None


@dataclass(frozen=True)
class InstanceCreated(Record):
    """The answer to an instance ``put``; ``id`` is the instance's unique id (``id_instancia``) as a string."""

    status_code: int
    message: Optional[str] = None
    id: Optional[str] = None


@dataclass(frozen=True)
class Session(Record):
    """The answer to a login. The session id is a bearer token: its ``repr`` shows only a prefix."""

    session: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Session({self.session[:8]}…)"


@dataclass(frozen=True)
class Group(Record):
    """A group of vServer users."""

    name: str
    code: Optional[int] = None
    """``codigo``."""
    can_delete_sites: Optional[bool] = None
    """``puedeBorrarSitios``."""
    can_create_sites: Optional[bool] = None
    """``puedeCrearSitios``."""
    can_run_with_data_client: Optional[bool] = None
    """``puedeEjecutarConDataClient``."""
    raw: Mapping[str, Any] = _raw()


@dataclass(frozen=True)
class User(Record):
    """A vServer user."""

    name: str
    full_name: Optional[str] = None
    email: Optional[str] = None
    code: Optional[int] = None
    locked: Optional[bool] = None
    """``bloqueado``."""
    disabled: Optional[bool] = None
    """``desactivado``."""
    must_change_password: Optional[bool] = None
    password_never_expires: Optional[bool] = None
    is_supervisor: Optional[bool] = None
    groups: Optional[Tuple[str, ...]] = None
    """``grupos`` (only in single-user reads)."""
    notes: Optional[str] = None
    """``observaciones``."""
    raw: Mapping[str, Any] = _raw()


@dataclass(frozen=True)
class Folder(Record):
    """A shared folder."""

    name: str
    path: Optional[str] = None
    raw: Mapping[str, Any] = _raw()


@dataclass(frozen=True)
class AppInstance(Record):
    """An application instance."""

    name: str
    project: Optional[str] = None
    solution: Optional[str] = None
    raw: Mapping[str, Any] = _raw()


@dataclass(frozen=True)
class DataInstance(Record):
    """A data instance."""

    name: str
    project: Optional[str] = None
    solution: Optional[str] = None
    path: Optional[str] = None
    """``ruta``, e.g. ``datos/cliente1``."""
    raw: Mapping[str, Any] = _raw()


def from_canonical(operation: str, value: Any) -> Any:
    """The record(s) of ``operation`` from the core's canonical JSON result (a list of records for lists)."""
    from ._generated import RESULTS

    shape, name = RESULTS[operation]
    return by_shape(shape, globals().get(name), value)

