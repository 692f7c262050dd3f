"""Typed Velneo records: English names over the API's Spanish and mixed-case keys, the answer's object in ``raw``.

Records are immutable (frozen dataclasses; ``raw`` is a read-only mapping), compare by value, and their ``repr``
shows neither ``raw`` nor any secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Tuple

from .._records import Record, build

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


_ONE: dict[str, type[Record]] = {
    "session.login": Session,
    "session.logout": Ack,
    "vserver.status": VServerStatus,
    "vserver.start": Ack,
    "vserver.stop": Ack,
    "vserver.credentials": Ack,
    "vserver.backup": Backup,
    "groups.put": Ack,
    "groups.get": Group,
    "groups.delete": Ack,
    "users.put": Ack,
    "users.get": User,
    "users.delete": Ack,
    "folders.put": Ack,
    "folders.get": Folder,
    "folders.delete": Ack,
    "app_instances.put": InstanceCreated,
    "app_instances.get": AppInstance,
    "app_instances.delete": Ack,
    "data_instances.put": InstanceCreated,
    "data_instances.get": DataInstance,
    "data_instances.delete": Ack,
}

_MANY: dict[str, type[Record]] = {
    "groups.list": Group,
    "users.list": User,
    "folders.list": Folder,
    "app_instances.list": AppInstance,
    "data_instances.list": DataInstance,
}


def from_canonical(operation: str, value: Any) -> Any:
    """The record(s) of ``operation`` from the core's canonical JSON result (a list of records for lists)."""
    if operation in _MANY:
        cls = _MANY[operation]
        return [build(cls, item) for item in value]
    if operation in _ONE:
        return build(_ONE[operation], value)
    raise KeyError(operation)


def converter(operation: str) -> Callable[[Any], Any]:
    """A function turning the canonical JSON of ``operation`` into its record(s)."""
    return lambda value: from_canonical(operation, value)
